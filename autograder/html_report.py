"""The item analysis as one self-contained HTML page: inline CSS and inline SVG charts,
no script and no external resource, so it opens offline in any browser.

Charts: the distribution of the totals, then one chart per item (the histogram of its
scores coloured full / partial / zero, over a 100 % bar of those shares), with a table of
the item's checks (pass rate, failures, the rubric's message).
"""
from __future__ import annotations

import html
import math

from .analysis import Stats, kinds_note, pct, totals_summary
from .feedback import pts

COLORS = {"full": "#2e7d32", "partial": "#f9a825", "zero": "#c62828", "not_done": "#9e9e9e",
          "total": "#1565c0", "axis": "#555555", "grid": "#e0e0e0"}

TEXT = {
    "fr": {"title": "Analyse des résultats", "totals": "Distribution des totaux",
           "totals_note": "Toutes les soumissions (sans fichier ou non chargées : 0). Total sur {max}, sans le bonus.",
           "items": "Items", "item": "item", "points": "pts", "mean": "moyenne", "full": "plein",
           "partial": "partiel", "zero": "zéro", "not_done": "non fait", "worst": "vérification la plus échouée",
           "check": "vérification", "pass": "réussite", "failed": "échecs", "message": "message du barème",
           "n": "{n} soumissions évaluées", "submissions": "{n} soumissions, {a} évaluées (fichier chargé)",
           "stats": "Total : moyenne {mean:.2f}, médiane {median}, min {min}, max {max} ; bonus moyen {bonus:.2f}",
           "statuses": "Statuts", "count": "nombre", "score": "points", "none": "aucune donnée",
           "legend_nd": "zéro, non fait", "bonus": "bonus",
           "per_item_note": "Items évalués sur les soumissions dont le fichier a été chargé. Une vérification non "
                            "tentée (fonction absente ou non implémentée, vérification préalable échouée) ne compte "
                            "pas comme un échec."},
    "en": {"title": "Results analysis", "totals": "Distribution of the totals",
           "totals_note": "Every submission (no file or not loaded: 0). Total out of {max}, without the bonus.",
           "items": "Items", "item": "item", "points": "pts", "mean": "mean", "full": "full",
           "partial": "partial", "zero": "zero", "not_done": "not done", "worst": "most failed check",
           "check": "check", "pass": "pass rate", "failed": "failures", "message": "rubric message",
           "n": "{n} submissions assessed", "submissions": "{n} submissions, {a} assessed (file loaded)",
           "stats": "Total: mean {mean:.2f}, median {median}, min {min}, max {max}; mean bonus {bonus:.2f}",
           "statuses": "Statuses", "count": "count", "score": "points", "none": "no data",
           "legend_nd": "zero, not done", "bonus": "bonus",
           "per_item_note": "Items are analysed over the submissions whose file loaded. A check that was not "
                            "attempted (function missing or not implemented, earlier check failed) does not "
                            "count as a failure."},
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#212121;max-width:1400px}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.4em 0 .5em}h3{font-size:1em;margin:0 0 .4em}
p{margin:.3em 0}.note{color:#616161;font-size:.9em}
table{border-collapse:collapse;font-size:.88em}th,td{border-bottom:1px solid #e0e0e0;padding:3px 8px;text-align:left;
vertical-align:top}th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.items{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
.item{border:1px solid #e0e0e0;border-radius:6px;padding:10px 12px;background:#fff}
.item table{width:100%;margin-top:6px}.worst{font-size:.88em;margin-top:6px}
.legend span{display:inline-block;margin-right:12px;font-size:.85em}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
svg{display:block;max-width:100%;height:auto}svg text{font-family:inherit}
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


def _count_axis(x0, y0, plot_w, plot_h, top, parts) -> None:
    ticks = 4 if top >= 4 else top
    for k in range(ticks + 1):
        v = top * k / ticks
        y = y0 - plot_h * k / ticks
        parts.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>' % (
            x0, y, x0 + plot_w, y, COLORS["grid"]))
        parts.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" fill="%s">%s</text>' % (
            x0 - 4, y + 3, COLORS["axis"], pts(v)))


def totals_chart(stats: Stats, t: dict) -> str:
    """Histogram of the regular totals, one bar per point (floor), with the mean marked."""
    W, H, L, R, T, B = 900, 260, 44, 12, 14, 34
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
    _count_axis(L, T + ph, pw, ph, top, parts)
    for i, c in enumerate(counts):
        if not c:
            continue
        h = ph * c / top
        parts.append('<rect class="bar total" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                     '<title>%s–%s : %d</title></rect>' % (L + i * bw + 1, T + ph - h, max(bw - 2, 1), h,
                                                           COLORS["total"], i, min(i + 1, maxp), c))
    step = 1 if nb <= 13 else (2 if nb <= 26 else 4)
    for i in range(0, nb, step):
        parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="%s">%d</text>' % (
            L + i * bw + bw / 2, T + ph + 14, COLORS["axis"], i))
    parts.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="%s">%s</text>' % (
        L + pw / 2, H - 4, COLORS["axis"], _e(t["score"])))
    if stats.totals:
        mean = sum(stats.totals) / len(stats.totals)
        x = L + (mean / max(maxp, 1)) * (pw - bw) + bw / 2
        parts.append('<line class="mean" x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#000" '
                     'stroke-dasharray="4 3"/>' % (x, T, x, T + ph))
        parts.append('<text x="%.1f" y="%d" font-size="10" fill="#000">%s %.2f</text>' % (
            x + 4, T + 10, _e(t["mean"]), mean))
    parts.append("</svg>")
    return "".join(parts)


def item_chart(it, t: dict) -> str:
    """Histogram of one item's scores (steps of 0.25) coloured by category, and a 100 % shares bar."""
    W, H, L, R, T, B = 400, 170, 34, 8, 10, 58
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
    top = _nice_max(max(it.scores.values()))
    bw = pw / steps
    _count_axis(L, T + ph, pw, ph, top, parts)
    for k, v in enumerate(values):
        c = it.scores.get(round(v, 2), 0)
        x = L + k * bw + 1
        if not c:
            continue
        cat = "full" if v >= it.max_points - 1e-9 else ("zero" if v <= 1e-9 else "partial")
        segs = [(cat, c)] if cat != "zero" else [("zero", c - nd), ("not_done", nd)]
        y = T + ph
        for name, n in segs:
            if n <= 0:
                continue
            h = ph * n / top
            y -= h
            parts.append('<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                         '<title>%s pts : %d (%s)</title></rect>' % (name, x, y, max(bw - 2, 1), h, COLORS[name],
                                                                    pts(v), n, _e(t[name])))
    label_every = 1 if steps <= 9 else 4
    for k, v in enumerate(values):
        if k % label_every == 0 or k == steps - 1:
            parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="%s">%s</text>' % (
                L + k * bw + bw / 2, T + ph + 13, COLORS["axis"], pts(v)))
    # the shares of full / partial / zero (attempted) / not done, as one 100 % bar
    y, x = H - 26, float(L)
    for name, share in (("full", it.full), ("partial", it.partial), ("zero", it.zero - it.not_done),
                        ("not_done", it.not_done)):
        if share <= 0:
            continue
        w = pw * share
        parts.append('<rect class="share %s" x="%.1f" y="%d" width="%.1f" height="14" fill="%s">'
                     '<title>%s : %s</title></rect>' % (name, x, y, w, COLORS[name], _e(t[name]), pct(share)))
        if w > 28:
            parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#fff">%s</text>' % (
                x + w / 2, y + 11, pct(share)))
        x += w
    parts.append("</svg>")
    return "".join(parts)


def _legend(t: dict) -> str:
    return '<p class="legend">' + "".join(
        '<span><i style="background:%s"></i>%s</span>' % (COLORS[k], _e(t[k if k != "not_done" else "legend_nd"]))
        for k in ("full", "partial", "zero", "not_done")) + "</p>"


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
    out.append("<p>%s : %s</p>" % (_e(t["statuses"]), _e(", ".join(
        "%s %d" % (k, v) for k, v in sorted(stats.statuses.items())))))
    out.append('<section id="totals"><h2>%s</h2><p class="note">%s</p>%s</section>' % (
        _e(t["totals"]), _e(t["totals_note"].format(max=pts(stats.max_regular))), totals_chart(stats, t)))
    # the summary table
    out.append('<section id="summary"><h2>%s</h2><p class="note">%s</p><table><tr>' % (
        _e(t["items"]), _e(t["per_item_note"])))
    for h in ("item", "points", "mean", "full", "partial", "zero", "not_done", "worst"):
        out.append("<th>%s</th>" % _e(t[h]))
    out.append("</tr>")
    for it in stats.items:
        worst = "—"
        if it.worst is not None:
            w = it.worst
            worst = "<b>%s</b> %s — %s %s" % (_e(w.id), pct(w.fail_share), _e(w.fail_text), _e(kinds_note(w, lang)))
        out.append('<tr><td><a href="#item-%s">%s</a></td><td class="num">%s%s</td><td class="num">%s</td>'
                   '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                   "<td>%s</td></tr>" % (
                       _e(it.id), _e(it.id), pts(it.max_points), " " + _e(t["bonus"]) if it.bonus else "",
                       "%.2f" % it.mean if it.mean is not None else "—", pct(it.full), pct(it.partial),
                       pct(it.zero), pct(it.not_done), worst))
    out.append("</table></section>")
    # one card per item
    out.append('<section id="items"><h2>%s</h2>%s<div class="items">' % (_e(t["items"]), _legend(t)))
    for it in stats.items:
        out.append('<div class="item" id="item-%s"><h3>%s %s (%s %s%s)</h3>' % (
            _e(it.id), _e(it.id), _e(it.title), pts(it.max_points), "pt" if it.max_points <= 1 else "pts",
            ", " + _e(t["bonus"]) if it.bonus else ""))
        out.append(item_chart(it, t))
        if it.mean is not None:
            out.append("<p>%s %.2f / %s · %s</p>" % (_e(t["mean"]), it.mean, pts(it.max_points),
                                                     _e(t["n"].format(n=it.n))))
        out.append("<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>" % (
            _e(t["check"]), _e(t["pass"]), _e(t["failed"]), _e(t["message"])))
        for c in it.checks:
            out.append('<tr><td>%s (%s)</td><td class="num">%s</td><td class="num">%d %s</td><td>%s</td></tr>' % (
                _e(c.id), pts(c.max_points), pct(c.passed / c.attempted) if c.attempted else "—", c.failed,
                _e(kinds_note(c, lang)), _e(c.fail_text) if c.failed else ""))
        out.append("</table>")
        if it.worst is not None:
            out.append('<p class="worst"><b>%s</b> : %s (%s) — %s</p>' % (
                _e(t["worst"]), _e(it.worst.id), pct(it.worst.fail_share), _e(it.worst.fail_text)))
        out.append("</div>")
    out.append("</div></section></body></html>\n")
    return "\n".join(out)
