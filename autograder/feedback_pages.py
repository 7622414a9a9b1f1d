"""One HTML page per submission for the teaching team: feedback/<submission>.html.

Items at full marks are closed (one line each), the others open.

What the student reads (the results.json Gradescope shows: the summary, then each item's
text, exactly) and, set apart, what only the teaching team sees: per item, the misconceptions
diagnosed (catalogue id and the instructors' full text) and the kinds of difference of its
failed sub-checks. The report (report.html) links every submission that lost points on an
item to that item's section here (#item-<id>). Self-contained, no script; deterministic.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from .analysis import NOT_A_DIFFERENCE, difference_label, status_word

TEXT = {
    "fr": {"title": "Retour de correction", "back": "Retour au rapport", "student": "Ce que l'étudiant lit",
           "team": "Pour l'équipe enseignante seulement", "misc": "Erreur diagnostiquée",
           "diff": "Genre de différence", "total": "Total : {t} / {tm}, bonus : {b} / {bm}",
           "submission": "Soumission", "email": "courriel", "sid": "matricule", "status": "statut",
           "none": "(pas de retour écrit pour cet item)", "colon": " :"},
    "en": {"title": "Grading feedback", "back": "Back to the report", "student": "What the student reads",
           "team": "For the teaching team only", "misc": "Diagnosed mistake", "diff": "Kind of difference",
           "total": "Total: {t} / {tm}, bonus: {b} / {bm}", "submission": "Submission", "email": "email",
           "sid": "sid", "status": "status", "none": "(no written feedback for this item)", "colon": ":"},
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:20px 24px;color:#212121;max-width:1000px}
h1{font-size:1.35em;margin:0 0 .3em}h2{font-size:1.02em;margin:1em 0 .3em}p{margin:.25em 0}
pre{white-space:pre-wrap;background:#f7f7f7;border:1px solid #e6e6e6;border-radius:4px;padding:6px 9px;
font-size:.86em;margin:.3em 0}section{border-top:1px solid #eeeeee;padding-top:2px}
section:target{background:#fffde7}summary{cursor:pointer}summary h2{display:inline;font-size:1em}
details{margin:.35em 0}.team{border-left:3px solid #1565c0;padding:2px 10px;margin:.3em 0;font-size:.88em}
.team b{color:#1565c0}code{color:#455a64}.small{font-size:.85em;color:#616161}
"""


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _pts(x: float, lang: str) -> str:
    from .feedback import pts
    return pts(x) if lang == "en" else pts(x).replace(".", ",")


def _texts_by_item(results: dict) -> dict:
    return {str(test.get("number")): str(test.get("output") or "") for test in results.get("tests") or []
            if isinstance(test, dict)}


def page(sub, record: dict, results: dict, rubric, lang: str, catalogue: dict) -> str:
    """The feedback page of one submission (sub: batch.Submission)."""
    t = TEXT["en" if lang == "en" else "fr"]
    lang_key = "en" if lang == "en" else "fr"
    name = sub.identity.get("name") or sub.key
    out = ['<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8">' % lang_key,
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s — %s</title><style>%s</style></head><body>" % (_e(name), _e(t["title"]), CSS),
           '<p class="small"><a href="../report.html">%s</a></p>' % _e(t["back"]),
           "<h1>%s — %s</h1>" % (_e(name), _e(t["title"]))]
    facts = ["%s%s %s" % (t["submission"], t["colon"], sub.key)]
    for key in ("email", "sid"):
        if sub.identity.get(key):
            facts.append("%s%s %s" % (t[key], t["colon"], sub.identity[key]))
    facts.append("%s%s %s" % (t["status"], t["colon"], status_word(record.get("status", ""), lang, plural=False)))
    out.append('<p class="small">%s</p>' % _e(" · ".join(facts)))
    out.append("<p><b>%s</b></p>" % _e(t["total"].format(
        t=_pts(float(record.get("regular", 0.0)), lang), tm=_pts(rubric.regular_points, lang),
        b=_pts(float(record.get("bonus", 0.0)), lang), bm=_pts(rubric.bonus_points, lang))))
    if results.get("output"):
        out.append("<pre>%s</pre>" % _e(results["output"]))
    texts = _texts_by_item(results)
    items = record.get("items") or {}
    for item in rubric.items:
        o = items.get(item.id) or {}
        got = float(o.get("points", 0.0))
        full = got >= item.points - 1e-9
        out.append('<section id="item-%s"><details%s><summary><h2>%s %s — %s / %s%s</h2></summary>' % (
            _e(item.id), "" if full else " open", _e(item.id), _e(item.title(lang)), _pts(got, lang),
            _pts(item.points, lang), " (bonus)" if item.bonus else ""))
        text = texts.get(item.id, "").strip()
        out.append('<p class="small">%s%s</p><pre>%s</pre>' % (_e(t["student"]), t["colon"], _e(text or t["none"])))
        team = []
        for mid in o.get("misconceptions") or ():
            entry = catalogue.get(mid) or {}
            team.append("<b>%s</b>%s %s <code>%s</code>" % (_e(t["misc"]), t["colon"],
                                                           _e(" ".join(str(entry.get(lang_key) or mid).split())),
                                                           _e(mid)))
        titles = {c.id: c.title(lang) for c in item.checks}
        for cid, c in (o.get("checks") or {}).items():
            for tag in c.get("tags") or ():
                if tag.partition(":")[0] not in NOT_A_DIFFERENCE:
                    team.append("<b>%s</b>%s %s — %s" % (_e(t["diff"]), t["colon"], _e(titles.get(cid, cid)),
                                                         _e(difference_label(tag, rubric, lang))))
        if team:
            out.append('<div class="team"><p class="small">%s%s</p>%s</div>' % (
                _e(t["team"]), t["colon"], "".join("<p>%s</p>" % line for line in team)))
        out.append("</details></section>")
    out.append("</body></html>\n")
    return "\n".join(out)


def write_pages(out: Path, submissions: list, records: dict, rubric, lang: str, catalogue: dict) -> Path:
    """feedback/<key>.html for every submission with a record; pages of submissions no longer
    in the batch are removed. Returns the folder."""
    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    keep = set()
    for sub in submissions:
        rec = records.get(sub.key)
        if rec is None:
            continue
        try:
            results = json.loads((out / "results" / (sub.key + ".json")).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            results = {}
        path = folder / (sub.key + ".html")
        path.write_text(page(sub, rec, results if isinstance(results, dict) else {}, rubric, lang, catalogue),
                        encoding="utf-8")
        keep.add(path.name)
    for stale in folder.glob("*.html"):
        if stale.name not in keep:
            stale.unlink()
    return folder
