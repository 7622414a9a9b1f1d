"""The item analysis as one self-contained HTML page: inline CSS and inline SVG charts,
no script and no external resource, so it opens offline in any browser.

Order: the totals (figures and their distribution), then the items ranked hardest first, one
row each (mean with a 100 % bar of its shares, discrimination index, how many lost points).
A row opens (<details>, no script) on the item's detail: the histogram of its scores, its
sub-checks (pass rate, failures, the rubric's message), the kinds of difference of the failed
sub-checks and the diagnosed misconceptions with their counts (the catalogue's instructors'
text and id), and the submissions that lost points, each a link to its own feedback page
(feedback/<submission>.html, autograder/feedback_pages.py). Closed, the page stays about one
screen per ten items. Every item chart has the same vertical scale (0–100 % of the assessed
submissions); every axis is labelled.
"""
from __future__ import annotations

import html
import math
from urllib.parse import quote

from .analysis import Stats, decimal, kinds_note, pct, status_counts, totals_summary
from .feedback import pts

COLORS = {"full": "#2e7d32", "partial": "#f9a825", "zero": "#c62828", "not_done": "#9e9e9e",
          "total": "#1565c0", "axis": "#555555", "grid": "#e0e0e0"}
LOW_DISCRIMINATION = 0.2         # below: the item separates strong and weak submissions poorly
FEEDBACK_DIR = "feedback"

TEXT = {
    "fr": {"title": "Analyse des résultats", "totals": "Distribution des totaux",
           "totals_note": "Toutes les soumissions (sans fichier ou non chargées : 0). Total sur {max}, sans le bonus.",
           "items": "Items, du plus difficile au plus facile",
           "rank": "rang", "item": "item", "item_title": "intitulé", "points": "points",
           "mean": "moyenne", "mean_share": "moyenne (% des points)", "shares": "répartition",
           "full": "plein", "partial": "partiel", "zero": "zéro", "not_done": "non tenté",
           "discr": "discrim.", "lost": "ont perdu",
           "worst": "vérification la plus échouée", "misc": "erreurs fréquentes",
           "check": "vérification", "pass": "réussite", "failed": "échecs", "message": "message du barème",
           "submissions": "{n} soumissions, dont {a} évaluées (fichier chargé)",
           "stats": "Total : moyenne {mean}, médiane {median}, min {min}, max {max} ; bonus moyen {bonus}",
           "statuses": "Soumissions", "colon": " :", "none": "aucune donnée", "n": "{n} soumissions évaluées",
           "bonus": "bonus",
           "x_total": "total (points sur {max})", "y_count": "nombre de soumissions",
           "x_item": "points obtenus (sur {max})", "y_share": "% des soumissions évaluées",
           "legend_zero": "zéro (tenté)", "legend_nd": "non tenté",
           "worst_line": "« {id} » échouée par {f} des {t} soumissions qui l'ont tentée ({share} des tentatives)",
           "misc_head": "Erreurs diagnostiquées (catalogue des erreurs ; en % des {n} soumissions évaluées)",
           "misc_line": "{share} ({k} sur {n})",
           "diff_head": "Genres de différence des vérifications échouées (en % des {n} soumissions évaluées)",
           "losers_head": "Ont perdu des points ({k} sur {n}) : points obtenus, lien vers le retour de chacun",
           "unassessed": "Soumissions non évaluées (sans fichier, non chargées) : {k}",
           "how": "Comment lire ce tableau",
           "per_item_note": "Items classés par moyenne en % des points de l'item. Plein, partiel, zéro et non tenté "
                            "sont en % des {a} soumissions évaluées (fichier chargé) et font 100 % ; zéro = tenté "
                            "sans point ; non tenté = fonctions de l'item absentes ou non implémentées. Le taux "
                            "d'échec d'une vérification est en % des soumissions qui l'ont tentée. Cliquez sur un "
                            "item pour son détail.",
           "discr_note": "Indice de discrimination : corrélation de Pearson, sur les soumissions évaluées, entre le "
                         "score de l'item et le total SANS cet item (corrélation item-reste, dite corrigée : l'item "
                         "n'est pas corrélé avec lui-même) ; pour un item noté tout ou rien, c'est la corrélation "
                         "point-bisériale. Un item bonus n'est pas dans le total : son reste est le total entier. "
                         "Au-dessous de 0,2 (en rouge), l'item sépare mal les soumissions fortes des faibles ; "
                         "« — » : moins de 3 soumissions ou score constant."},
    "en": {"title": "Results analysis", "totals": "Distribution of the totals",
           "totals_note": "Every submission (no file or not loaded: 0). Total out of {max}, without the bonus.",
           "items": "Items, from the hardest to the easiest",
           "rank": "rank", "item": "item", "item_title": "title", "points": "points",
           "mean": "mean", "mean_share": "mean (% of points)", "shares": "breakdown",
           "full": "full", "partial": "partial", "zero": "zero", "not_done": "not attempted",
           "discr": "discrim.", "lost": "lost points",
           "worst": "most failed check", "misc": "frequent mistakes",
           "check": "check", "pass": "pass rate", "failed": "failures", "message": "rubric message",
           "submissions": "{n} submissions, {a} of them assessed (file loaded)",
           "stats": "Total: mean {mean}, median {median}, min {min}, max {max}; mean bonus {bonus}",
           "statuses": "Submissions", "colon": ":", "none": "no data", "n": "{n} submissions assessed", "bonus": "bonus",
           "x_total": "total (points out of {max})", "y_count": "number of submissions",
           "x_item": "points scored (out of {max})", "y_share": "% of assessed submissions",
           "legend_zero": "zero (attempted)", "legend_nd": "not attempted",
           "worst_line": "\"{id}\" failed by {f} of the {t} submissions that attempted it ({share} of attempts)",
           "misc_head": "Diagnosed mistakes (misconception catalogue; % of the {n} assessed submissions)",
           "misc_line": "{share} ({k} of {n})",
           "diff_head": "Kinds of difference of the failed checks (% of the {n} assessed submissions)",
           "losers_head": "Lost points ({k} of {n}): points scored, a link to each one's feedback",
           "unassessed": "Submissions not assessed (no file, did not load): {k}",
           "how": "How to read this table",
           "per_item_note": "Items ranked by their mean as a % of the item's points. Full, partial, zero and not "
                            "attempted are % of the {a} assessed submissions (file loaded) and add up to 100 %; "
                            "zero = attempted, no point; not attempted = the item's functions missing or not "
                            "implemented. A check's failure rate is a % of the submissions that attempted it. "
                            "Click an item for its detail.",
           "discr_note": "Discrimination index: Pearson's correlation, over the assessed submissions, between the "
                         "item's score and the total WITHOUT that item (corrected item-rest correlation: the item "
                         "is not correlated with itself); for an item scored all or nothing it is the "
                         "point-biserial correlation. A bonus item is not in the total: its rest is the whole "
                         "total. Below 0.2 (in red) the item separates strong and weak submissions poorly; "
                         "\"—\": fewer than 3 submissions or a constant score."},
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:20px 24px;color:#212121;max-width:1300px}
h1{font-size:1.45em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.1em 0 .4em}h4{font-size:.95em;margin:.6em 0 .2em}
p{margin:.25em 0}.note{color:#616161;font-size:.88em;max-width:1050px}.small{font-size:.82em;color:#616161}
table{border-collapse:collapse;font-size:.86em}th,td{border-bottom:1px solid #e0e0e0;padding:2px 7px;text-align:left;
vertical-align:top}th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.legend span{display:inline-block;margin-right:12px;font-size:.85em}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
svg{display:block;max-width:100%;height:auto}svg text{font-family:inherit}
.sharebar{display:inline-flex;width:150px;height:11px;vertical-align:-1px;margin-left:6px;background:#eee}
.sharebar span{display:block;height:100%}
.row{display:grid;grid-template-columns:1.2em 2.6em 3.4em minmax(10em,1fr) 4.6em 15.5em 5.2em 7.5em;
gap:0 8px;align-items:center;padding:3px 6px;font-size:.9em}
.head{font-weight:600;background:#f5f5f5;border-bottom:1px solid #e0e0e0;font-size:.82em}
details.item{border-bottom:1px solid #eeeeee}details.item[open]{background:#fafafa;border:1px solid #e0e0e0;
border-radius:4px;margin:4px 0}summary{list-style:none;cursor:pointer}summary::-webkit-details-marker{display:none}
summary:hover{background:#f0f4fa}.tw::before{content:"▸";color:#757575}details[open]>summary .tw::before{content:"▾"}
.c{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.low{color:#c62828;font-weight:600}
.body{display:grid;grid-template-columns:minmax(300px,420px) 1fr;gap:6px 18px;padding:4px 10px 10px 10px}
.body>.wide{grid-column:1/-1}@media(max-width:900px){.body{grid-template-columns:1fr}}
ul.counts{margin:.1em 0 .3em 1.1em;padding:0;font-size:.88em}ul.counts li{margin:.1em 0}
.losers{font-size:.86em;line-height:1.55}.losers a{white-space:nowrap}code{font-size:.92em;color:#455a64}
details.how{margin:.3em 0}details.how>summary{color:#1565c0;font-size:.88em}
"""


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _nice_max(n: int) -> int:
    """A round upper bound for a count axis of 4 ticks (integer tick values)."""
    if n <= 4:
        return max(n, 1)
    mag = 1
    while True:
        for step in (1, 2, 5):
            if 4 * step * mag >= n:
                return 4 * step * mag
        mag *= 10


def _y_axis(x0, y0, plot_w, plot_h, top, ticks, label, parts, fmt=pts) -> None:
    """Grid lines with their values, and the axis title written upwards along the left edge."""
    for k in range(ticks + 1):
        v = top * k / ticks
        y = y0 - plot_h * k / ticks
        parts.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>' % (
            x0, y, x0 + plot_w, y, COLORS["grid"]))
        parts.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="%s">%s</text>' % (
            x0 - 4, y + 3, COLORS["axis"], fmt(v)))
    yc = y0 - plot_h / 2
    parts.append('<text class="axis-label" x="12" y="%.1f" font-size="10.5" text-anchor="middle" fill="%s" '
                 'transform="rotate(-90 12 %.1f)">%s</text>' % (yc, COLORS["axis"], yc, _e(label)))


def _x_label(x, y, label, parts) -> None:
    parts.append('<text class="axis-label" x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="%s">%s</text>'
                 % (x, y, COLORS["axis"], _e(label)))


def totals_chart(stats: Stats, t: dict) -> str:
    """Histogram of the regular totals, one bar per point (floor), with the mean marked."""
    W, H, L, R, T, B = 900, 230, 58, 12, 14, 40
    maxp = stats.max_regular
    nb = int(math.floor(maxp)) + 1
    counts = [0] * nb
    for v in stats.totals:
        counts[min(nb - 1, max(0, int(math.floor(v + 1e-9))))] += 1
    top = _nice_max(max(counts) if counts else 1)
    pw, ph = W - L - R, H - T - B
    bw = pw / nb
    parts = ['<svg class="chart totals-chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" '
             'aria-label="%s">' % (W, H, W, H, _e(t["totals"]))]
    _y_axis(L, T + ph, pw, ph, top, 4 if top >= 4 else top, t["y_count"], parts)
    for i, c in enumerate(counts):
        if not c:
            continue
        h = ph * c / top
        parts.append(('<rect class="bar total" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                      '<title>%s–%s' + t["colon"] + ' %d</title></rect>') % (
                         L + i * bw + 1, T + ph - h, max(bw - 2, 1), h, COLORS["total"], i, points_text(min(i + 1, maxp), stats.lang), c))
    step = 1 if nb <= 13 else (2 if nb <= 26 else 4)
    for i in range(0, nb, step):
        parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="%s">%d</text>' % (
            L + i * bw + bw / 2, T + ph + 14, COLORS["axis"], i))
    _x_label(L + pw / 2, H - 6, t["x_total"].format(max=points_text(maxp, stats.lang)), parts)
    if stats.totals:
        mean = sum(stats.totals) / len(stats.totals)
        x = L + (mean / max(maxp, 1)) * (pw - bw) + bw / 2
        parts.append('<line class="mean" x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#000" '
                     'stroke-dasharray="4 3"/>' % (x, T, x, T + ph))
        parts.append('<text x="%.1f" y="%d" font-size="10" fill="#000" text-anchor="end">%s %s</text>' % (
            x - 4, T + 10, _e(t["mean"]), _e(decimal(mean, stats.lang))))
    parts.append("</svg>")
    return "".join(parts)


def _category(v: float, it) -> str:
    return "full" if v >= it.max_points - 1e-9 else ("zero" if v <= 1e-9 else "partial")


def item_chart(it, t: dict, lang: str = "fr") -> str:
    """Histogram of one item's scores (steps of 0.25 point) coloured by category. The vertical
    axis is 0–100 % of the assessed submissions for every item: heights compare across items."""
    W, H, L, R, T, B = 420, 200, 58, 8, 10, 40
    pw, ph = W - L - R, H - T - B
    parts = ['<svg class="chart item-chart" data-item="%s" viewBox="0 0 %d %d" width="%d" height="%d" '
             'role="img" aria-label="%s %s">' % (_e(it.id), W, H, W, H, _e(t["item"]), _e(it.id))]
    if not it.n:
        parts.append('<text x="%d" y="%d" font-size="12" text-anchor="middle" fill="%s">%s</text></svg>' % (
            W // 2, H // 2, COLORS["axis"], _e(t["none"])))
        return "".join(parts)
    steps = int(round(it.max_points * 4)) + 1
    values = [k / 4 for k in range(steps)]
    nd = round(it.not_done * it.n)
    bw = pw / steps
    _y_axis(L, T + ph, pw, ph, 100, 4, t["y_share"].format(n=it.n), parts, fmt=lambda v: "%d %%" % v)
    for k, v in enumerate(values):
        c = it.scores.get(round(v, 2), 0)
        if not c:
            continue
        cat = _category(v, it)
        segs = [(cat, c)] if cat != "zero" else [("zero", c - nd), ("not_done", nd)]
        y = T + ph
        for name, n in segs:
            if n <= 0:
                continue
            h = ph * n / it.n
            y -= h
            parts.append(('<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                          '<title>%s pts' + t["colon"] + ' %d (%s)</title></rect>') % (
                             name, L + k * bw + 1, y, max(bw - 2, 1), h, COLORS[name], points_text(v, lang), n,
                             _e(t["legend_zero"] if name == "zero" else t[name])))
    label_every = 1 if steps <= 9 else 4
    for k, v in enumerate(values):
        if k % label_every == 0 or k == steps - 1:
            parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="%s">%s</text>' % (
                L + k * bw + bw / 2, T + ph + 13, COLORS["axis"], points_text(v, lang)))
    _x_label(L + pw / 2, H - 6, t["x_item"].format(max=points_text(it.max_points, lang)), parts)
    parts.append("</svg>")
    return "".join(parts)


def _share_bar(it, t: dict) -> str:
    """The item's full / partial / zero / not attempted shares as one 100 % bar (HTML, no script)."""
    out = ['<span class="sharebar" title="%s">' % _e(", ".join(
        "%s %s" % (t[k], pct(getattr(it, k))) for k in ("full", "partial", "zero", "not_done")))]
    for name in ("full", "partial", "zero", "not_done"):
        share = getattr(it, name)
        if share > 0:
            out.append('<span class="share %s" style="width:%.1f%%;background:%s"></span>' % (
                name, 100 * share, COLORS[name]))
    out.append("</span>")
    return "".join(out)


def _legend(t: dict) -> str:
    names = {"full": t["full"], "partial": t["partial"], "zero": t["legend_zero"], "not_done": t["legend_nd"]}
    return '<p class="legend">' + "".join(
        '<span><i style="background:%s"></i>%s</span>' % (COLORS[k], _e(v)) for k, v in names.items()) + "</p>"


def feedback_link(key: str, item_id: str | None = None) -> str:
    """The relative link to a submission's feedback page (and to one item's section in it)."""
    return "%s/%s.html%s" % (FEEDBACK_DIR, quote(key), "#item-" + quote(item_id) if item_id else "")


def _row(rank_no: int, it, t: dict, lang: str) -> str:
    mean = ("%s (%s)" % (decimal(it.mean, lang), pct(it.mean_share))) if it.mean is not None else "—"
    d = it.discrimination
    low = d is not None and d < LOW_DISCRIMINATION
    return ('<summary class="row"><span class="tw"></span><span class="c">%d</span><b>%s</b><span>%s</span>'
            '<span class="c">%s%s</span><span class="c">%s%s</span><span class="c%s">%s</span>'
            '<span class="c">%d</span></summary>' % (
                rank_no, _e(it.id), _e(it.title), points_text(it.max_points, lang),
                " " + _e(t["bonus"]) if it.bonus else "",
                _e(mean), _share_bar(it, t), " low" if low else "", _e(decimal(d, lang)), len(it.losers)))


def points_text(x: float, lang: str) -> str:
    """1.5 as '1,5' in French, '1.5' in English (no trailing zeros)."""
    return pts(x) if lang == "en" else pts(x).replace(".", ",")


def _name(key: str, names: dict) -> str:
    return names.get(key) or key


def _item_body(it, t: dict, lang: str, names: dict) -> list:
    colon = t["colon"]
    out = ['<div class="body"><div>']
    if it.mean is not None:
        out.append('<p class="small">%s %s / %s (%s) · %s</p>' % (
            _e(t["mean"]), _e(decimal(it.mean, lang)), points_text(it.max_points, lang), pct(it.mean_share),
            _e(t["n"].format(n=it.n))))
    out.append(item_chart(it, t, lang))
    out.append("</div><div>")
    if it.misconceptions:
        out.append('<h4>%s</h4><ul class="counts">' % _e(t["misc_head"].format(n=it.n)))
        for m in it.misconceptions:
            why = ' <span class="small">— %s</span>' % _e(m.why) if m.why else ""
            out.append("<li>%s%s %s <code>%s</code>%s</li>" % (
                _e(t["misc_line"].format(share=pct(m.share), k=m.count, n=it.n)), colon, _e(m.text), _e(m.id), why))
        out.append("</ul>")
    if it.differences:
        out.append('<h4>%s</h4><ul class="counts">' % _e(t["diff_head"].format(n=it.n)))
        for d in it.differences:
            out.append("<li>%s%s %s — %s</li>" % (
                _e(t["misc_line"].format(share=pct(d.share), k=d.count, n=it.n)), colon, _e(d.check), _e(d.label)))
        out.append("</ul>")
    if it.worst is not None:
        w = it.worst
        out.append('<p class="small"><b>%s</b>%s %s</p>' % (_e(t["worst"][:1].upper() + t["worst"][1:]), colon,
                                                           _e(t["worst_line"].format(id=w.name, f=w.failed,
                                                                                     t=w.attempted,
                                                                                     share=pct(w.fail_share)))))
    out.append("</div>")
    out.append('<div class="wide"><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>' % (
        _e(t["check"]), _e(t["pass"]), _e(t["failed"]), _e(t["message"])))
    for c in it.checks:
        kinds = kinds_note(c, lang)
        out.append('<tr><td>%s (%s)</td><td class="num">%s</td><td>%d%s</td><td>%s</td></tr>' % (
            _e(c.name) + (' <code>%s</code>' % _e(c.id) if c.title else ""), points_text(c.max_points, lang),
            pct(c.passed / c.attempted) if c.attempted else "—", c.failed,
            " (%s %s)" % ("dont" if lang != "en" else "of which", _e(kinds)) if kinds else "",
            _e(c.fail_text) if c.failed else ""))
    out.append("</table></div>")
    if it.losers:
        out.append('<div class="wide"><h4>%s</h4><p class="losers">%s</p></div>' % (
            _e(t["losers_head"].format(k=len(it.losers), n=it.n)), " · ".join(
                '<a href="%s">%s</a>&nbsp;(%s)' % (_e(feedback_link(key, it.id)), _e(_name(key, names)),
                                                   _e(points_text(p, lang)))
                for key, p in it.losers)))
    out.append("</div>")
    return out


def render(stats: Stats, rubric, lang: str = "fr", names: dict | None = None, unassessed: list = ()) -> str:
    """The page. names: {submission key: the name shown}; unassessed: [(key, status word)] of the
    submissions not assessed (no file, did not load), each linked to its feedback page."""
    t = TEXT["en" if lang == "en" else "fr"]
    names = names or {}
    s = totals_summary(stats)
    out = ['<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8">' % ("en" if lang == "en" else "fr"),
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s — %s</title><style>%s</style></head><body>" % (_e(stats.title), _e(t["title"]), CSS),
           "<h1>%s — %s</h1>" % (_e(stats.title), _e(t["title"])),
           '<section id="summary"><p>%s</p>' % _e(t["submissions"].format(n=stats.n_total, a=stats.n_assessed))]
    if s:
        out.append("<p>%s</p>" % _e(t["stats"].format(
            mean=decimal(s["mean"], lang), median=points_text(s["median"], lang), min=points_text(s["min"], lang),
            max=points_text(s["max"], lang),
            bonus=decimal(s["bonus_mean"], lang))))
    out.append("<p>%s%s %s</p>" % (_e(t["statuses"]), t["colon"], _e(status_counts(stats.statuses, lang))))
    if unassessed:
        out.append('<details class="how"><summary>%s</summary><p class="losers">%s</p></details>' % (
            _e(t["unassessed"].format(k=len(unassessed))), " · ".join(
                '<a href="%s">%s</a>&nbsp;(%s)' % (_e(feedback_link(key)), _e(_name(key, names)), _e(word))
                for key, word in unassessed)))
    out.append("</section>")
    out.append('<section id="totals"><h2>%s</h2><p class="note">%s</p>%s</section>' % (
        _e(t["totals"]), _e(t["totals_note"].format(max=points_text(stats.max_regular, lang))), totals_chart(stats, t)))
    out.append('<section id="items"><h2>%s</h2>%s<details class="how"><summary>%s</summary><p class="note">%s</p>'
               '<p class="note">%s</p></details>' % (
                   _e(t["items"]), _legend(t), _e(t["how"]), _e(t["per_item_note"].format(a=stats.n_assessed)),
                   _e(t["discr_note"])))
    out.append('<div class="row head"><span></span><span class="c">%s</span><span>%s</span><span>%s</span>'
               '<span class="c">%s</span><span class="c">%s</span><span class="c">%s</span><span class="c">%s</span>'
               '</div>' % tuple(_e(t[k]) for k in ("rank", "item", "item_title", "points", "mean_share", "discr",
                                                   "lost")))
    for rank_no, it in enumerate(stats.items, 1):
        out.append('<details class="item" id="item-%s" data-item="%s">' % (_e(it.id), _e(it.id)))
        out.append(_row(rank_no, it, t, lang))
        out += _item_body(it, t, lang, names)
        out.append("</details>")
    out.append("</section></body></html>\n")
    return "\n".join(out)
