"""The item analysis as one self-contained HTML page: inline CSS and inline SVG charts,
no script and no external resource, so it opens offline in any browser.

Order: the ranked table of the items (hardest first, each with a 100 % bar of its shares),
the distribution of the totals, then one card per item in the same order: the histogram of
its scores, the frequent misconceptions, and its checks (pass rate, failures, the rubric's
message). Every item chart has the same vertical scale (0–100 % of the assessed
submissions) so bar heights compare across cards; every axis is labelled.
"""
from __future__ import annotations

import html
import math

from .analysis import Stats, kinds_note, pct, status_counts, totals_summary
from .feedback import pts

COLORS = {"full": "#2e7d32", "partial": "#f9a825", "zero": "#c62828", "not_done": "#9e9e9e",
          "total": "#1565c0", "axis": "#555555", "grid": "#e0e0e0"}

TEXT = {
    "fr": {"title": "Analyse des résultats", "totals": "Distribution des totaux",
           "totals_note": "Toutes les soumissions (sans fichier ou non chargées : 0). Total sur {max}, sans le bonus.",
           "items": "Items, du plus difficile au plus facile", "cards": "Détail par item (même ordre)",
           "rank": "rang", "item": "item", "item_title": "intitulé", "points": "points",
           "mean": "moyenne", "mean_share": "moyenne (% des points)", "shares": "répartition",
           "full": "plein", "partial": "partiel", "zero": "zéro", "not_done": "non tenté",
           "worst": "vérification la plus échouée", "misc": "erreurs fréquentes",
           "check": "vérification", "pass": "réussite", "failed": "échecs", "message": "message du barème",
           "submissions": "{n} soumissions, dont {a} évaluées (fichier chargé)",
           "stats": "Total : moyenne {mean:.2f}, médiane {median}, min {min}, max {max} ; bonus moyen {bonus:.2f}",
           "statuses": "Soumissions", "colon": " :", "none": "aucune donnée", "n": "{n} soumissions évaluées", "bonus": "bonus",
           "x_total": "total (points sur {max})", "y_count": "nombre de soumissions",
           "x_item": "points obtenus (sur {max})", "y_share": "% des soumissions évaluées",
           "legend_zero": "zéro (tenté)", "legend_nd": "non tenté",
           "worst_line": "« {id} » échouée par {f} des {t} soumissions qui l'ont tentée ({share} des tentatives)",
           "misc_head": "Erreurs fréquentes diagnostiquées (en % des {n} soumissions évaluées)",
           "misc_line": "{share} ({k} sur {n})",
           "per_item_note": "Items classés par moyenne en % des points de l'item. Plein, partiel, zéro et non tenté "
                            "sont en % des {a} soumissions évaluées (fichier chargé) et font 100 % ; zéro = tenté "
                            "sans point ; non tenté = fonctions de l'item absentes ou non implémentées. Le taux "
                            "d'échec d'une vérification est en % des soumissions qui l'ont tentée."},
    "en": {"title": "Results analysis", "totals": "Distribution of the totals",
           "totals_note": "Every submission (no file or not loaded: 0). Total out of {max}, without the bonus.",
           "items": "Items, from the hardest to the easiest", "cards": "Item by item (same order)",
           "rank": "rank", "item": "item", "item_title": "title", "points": "points",
           "mean": "mean", "mean_share": "mean (% of points)", "shares": "breakdown",
           "full": "full", "partial": "partial", "zero": "zero", "not_done": "not attempted",
           "worst": "most failed check", "misc": "frequent mistakes",
           "check": "check", "pass": "pass rate", "failed": "failures", "message": "rubric message",
           "submissions": "{n} submissions, {a} of them assessed (file loaded)",
           "stats": "Total: mean {mean:.2f}, median {median}, min {min}, max {max}; mean bonus {bonus:.2f}",
           "statuses": "Submissions", "colon": ":", "none": "no data", "n": "{n} submissions assessed", "bonus": "bonus",
           "x_total": "total (points out of {max})", "y_count": "number of submissions",
           "x_item": "points scored (out of {max})", "y_share": "% of assessed submissions",
           "legend_zero": "zero (attempted)", "legend_nd": "not attempted",
           "worst_line": "\"{id}\" failed by {f} of the {t} submissions that attempted it ({share} of attempts)",
           "misc_head": "Frequent diagnosed mistakes (% of the {n} assessed submissions)",
           "misc_line": "{share} ({k} of {n})",
           "per_item_note": "Items ranked by their mean as a % of the item's points. Full, partial, zero and not "
                            "attempted are % of the {a} assessed submissions (file loaded) and add up to 100 %; "
                            "zero = attempted, no point; not attempted = the item's functions missing or not "
                            "implemented. A check's failure rate is a % of the submissions that attempted it."},
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#212121;max-width:1400px}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.4em 0 .5em}h3{font-size:1em;margin:0 0 .4em}
p{margin:.3em 0}.note{color:#616161;font-size:.9em;max-width:1000px}
table{border-collapse:collapse;font-size:.88em}th,td{border-bottom:1px solid #e0e0e0;padding:3px 8px;text-align:left;
vertical-align:top}th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.items{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:16px}
.item{border:1px solid #e0e0e0;border-radius:6px;padding:10px 12px;background:#fff}
.item table{width:100%;margin-top:6px}.worst,.misc{font-size:.88em;margin-top:6px}.misc ul{margin:.2em 0 0 1.2em;padding:0}
.legend span{display:inline-block;margin-right:12px;font-size:.85em}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
svg{display:block;max-width:100%;height:auto}svg text{font-family:inherit}
.sharebar{display:flex;width:180px;height:12px;margin-top:3px}.sharebar span{display:block;height:100%}
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
    W, H, L, R, T, B = 900, 270, 58, 12, 14, 40
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
                         L + i * bw + 1, T + ph - h, max(bw - 2, 1), h, COLORS["total"], i, min(i + 1, maxp), c))
    step = 1 if nb <= 13 else (2 if nb <= 26 else 4)
    for i in range(0, nb, step):
        parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="%s">%d</text>' % (
            L + i * bw + bw / 2, T + ph + 14, COLORS["axis"], i))
    _x_label(L + pw / 2, H - 6, t["x_total"].format(max=pts(maxp)), parts)
    if stats.totals:
        mean = sum(stats.totals) / len(stats.totals)
        x = L + (mean / max(maxp, 1)) * (pw - bw) + bw / 2
        parts.append('<line class="mean" x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#000" '
                     'stroke-dasharray="4 3"/>' % (x, T, x, T + ph))
        parts.append('<text x="%.1f" y="%d" font-size="10" fill="#000" text-anchor="end">%s %.2f</text>' % (
            x - 4, T + 10, _e(t["mean"]), mean))
    parts.append("</svg>")
    return "".join(parts)


def _category(v: float, it) -> str:
    return "full" if v >= it.max_points - 1e-9 else ("zero" if v <= 1e-9 else "partial")


def item_chart(it, t: dict) -> str:
    """Histogram of one item's scores (steps of 0.25 point) coloured by category. The vertical
    axis is 0–100 % of the assessed submissions for every item: heights compare across cards."""
    W, H, L, R, T, B = 420, 210, 58, 8, 10, 40
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
                             name, L + k * bw + 1, y, max(bw - 2, 1), h, COLORS[name], pts(v), n,
                             _e(t["legend_zero"] if name == "zero" else t[name])))
    label_every = 1 if steps <= 9 else 4
    for k, v in enumerate(values):
        if k % label_every == 0 or k == steps - 1:
            parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="%s">%s</text>' % (
                L + k * bw + bw / 2, T + ph + 13, COLORS["axis"], pts(v)))
    _x_label(L + pw / 2, H - 6, t["x_item"].format(max=pts(it.max_points)), parts)
    parts.append("</svg>")
    return "".join(parts)


def _share_bar(it, t: dict) -> str:
    """The item's full / partial / zero / not attempted shares as one 100 % bar (HTML, no script)."""
    out = ['<div class="sharebar" title="%s">' % _e(", ".join(
        "%s %s" % (t[k], pct(getattr(it, k))) for k in ("full", "partial", "zero", "not_done")))]
    for name in ("full", "partial", "zero", "not_done"):
        share = getattr(it, name)
        if share > 0:
            out.append('<span class="share %s" style="width:%.1f%%;background:%s"></span>' % (
                name, 100 * share, COLORS[name]))
    out.append("</div>")
    return "".join(out)


def _legend(t: dict) -> str:
    names = {"full": t["full"], "partial": t["partial"], "zero": t["legend_zero"], "not_done": t["legend_nd"]}
    return '<p class="legend">' + "".join(
        '<span><i style="background:%s"></i>%s</span>' % (COLORS[k], _e(v)) for k, v in names.items()) + "</p>"


def _summary_table(stats: Stats, t: dict, lang: str) -> list:
    out = ['<section id="summary"><h2>%s</h2><p class="note">%s</p>%s<table><tr>' % (
        _e(t["items"]), _e(t["per_item_note"].format(a=stats.n_assessed)), _legend(t))]
    for h in ("rank", "item", "item_title", "points", "mean_share", "full", "partial", "zero", "not_done",
              "misc", "worst"):
        out.append("<th>%s</th>" % _e(t[h]))
    out.append("</tr>")
    for rank_no, it in enumerate(stats.items, 1):
        worst = "—"
        if it.worst is not None:
            w = it.worst
            worst = "<b>%s</b> %s" % (_e(w.name), _e(pct(w.fail_share)))
        misc = "<br>".join("%s : %s" % (_e(pct(m.share)), _e(m.text)) if lang != "en" else
                           "%s: %s" % (_e(pct(m.share)), _e(m.text)) for m in it.misconceptions[:2]) or "—"
        mean = ("%.2f (%s)" % (it.mean, pct(it.mean_share))) if it.mean is not None else "—"
        out.append('<tr class="rank-row" data-item="%s"><td class="num">%d</td><td><a href="#item-%s">%s</a></td>'
                   '<td>%s</td><td class="num">%s%s</td><td class="num">%s%s</td><td class="num">%s</td>'
                   '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td></tr>'
                   % (_e(it.id), rank_no, _e(it.id), _e(it.id), _e(it.title), pts(it.max_points),
                      " " + _e(t["bonus"]) if it.bonus else "", _e(mean), _share_bar(it, t), pct(it.full),
                      pct(it.partial), pct(it.zero), pct(it.not_done), misc, worst))
    out.append("</table></section>")
    return out


def _card(it, t: dict, lang: str) -> list:
    out = ['<div class="item" id="item-%s"><h3>%s %s (%s %s%s)</h3>' % (
        _e(it.id), _e(it.id), _e(it.title), pts(it.max_points), "pt" if it.max_points <= 1 else "pts",
        ", " + _e(t["bonus"]) if it.bonus else "")]
    if it.mean is not None:
        out.append("<p>%s %.2f / %s (%s) · %s</p>" % (_e(t["mean"]), it.mean, pts(it.max_points),
                                                     pct(it.mean_share), _e(t["n"].format(n=it.n))))
    out.append(item_chart(it, t))
    if it.misconceptions:
        out.append('<div class="misc"><b>%s</b><ul>' % _e(t["misc_head"].format(n=it.n)))
        for m in it.misconceptions:
            out.append("<li>%s%s %s</li>" % (_e(t["misc_line"].format(share=pct(m.share), k=m.count, n=it.n)),
                                              " :" if lang != "en" else ":", _e(m.text)))
        out.append("</ul></div>")
    if it.worst is not None:
        w = it.worst
        out.append('<p class="worst"><b>%s</b>%s %s</p>' % (_e(t["worst"][:1].upper() + t["worst"][1:]),
                                                           " :" if lang != "en" else ":", _e(t["worst_line"].format(
            id=w.name, f=w.failed, t=w.attempted, share=pct(w.fail_share)))))
    out.append("<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>" % (
        _e(t["check"]), _e(t["pass"]), _e(t["failed"]), _e(t["message"])))
    for c in it.checks:
        kinds = kinds_note(c, lang)
        out.append('<tr><td>%s (%s)</td><td class="num">%s</td><td>%d%s</td><td>%s</td></tr>' % (
            _e(c.name) + ('<br><span class="note">%s</span>' % _e(c.id) if c.title else ""), pts(c.max_points), pct(c.passed / c.attempted) if c.attempted else "—", c.failed,
            " (%s %s)" % ("dont" if lang != "en" else "of which", _e(kinds)) if kinds else "",
            _e(c.fail_text) if c.failed else ""))
    out.append("</table></div>")
    return out


def render(stats: Stats, rubric, lang: str = "fr") -> str:
    t = TEXT["en" if lang == "en" else "fr"]
    s = totals_summary(stats)
    out = ['<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8">' % ("en" if lang == "en" else "fr"),
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s — %s</title><style>%s</style></head><body>" % (_e(stats.title), _e(t["title"]), CSS),
           "<h1>%s — %s</h1>" % (_e(stats.title), _e(t["title"])),
           "<p>%s</p>" % _e(t["submissions"].format(n=stats.n_total, a=stats.n_assessed))]
    if s:
        out.append("<p>%s</p>" % _e(t["stats"].format(mean=s["mean"], median=pts(s["median"]), min=pts(s["min"]),
                                                       max=pts(s["max"]), bonus=s["bonus_mean"])))
    out.append("<p>%s%s %s</p>" % (_e(t["statuses"]), " :" if lang != "en" else ":",
                                   _e(status_counts(stats.statuses, lang))))
    out += _summary_table(stats, t, lang)
    out.append('<section id="totals"><h2>%s</h2><p class="note">%s</p>%s</section>' % (
        _e(t["totals"]), _e(t["totals_note"].format(max=pts(stats.max_regular))), totals_chart(stats, t)))
    out.append('<section id="items"><h2>%s</h2>%s<div class="items">' % (_e(t["cards"]), _legend(t)))
    for it in stats.items:
        out += _card(it, t, lang)
    out.append("</div></section></body></html>\n")
    return "\n".join(out)
