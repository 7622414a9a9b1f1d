"""Item analysis of a batch: per item the mean, the share of full, partial and zero marks,
and the sub-check that failed most often (with the rubric's message); the totals.

Input: the batch's per-submission records (autograder/batch.py). Items are analysed over
the submissions whose file was loaded and graded ("assessed"); a submission with no file
or a file that does not load is counted in the totals (it scores 0) but not in the items.
A check that was not attempted (function missing or not implemented, file not loaded, or
skipped because an earlier check of the item failed) is not counted as failing.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

NOT_ATTEMPTED = {"missing", "not_implemented", "not_loaded", "requires"}
NOT_DONE = {"not_implemented", "missing"}
EPS = 1e-9


@dataclass
class CheckStats:
    id: str
    max_points: float
    fail_text: str
    passed: int = 0
    failed: int = 0                  # attempted and failed
    kinds: Counter = field(default_factory=Counter)

    @property
    def attempted(self) -> int:
        return self.passed + self.failed

    @property
    def fail_share(self) -> float:
        return self.failed / self.attempted if self.attempted else 0.0


@dataclass
class ItemStats:
    id: str
    title: str
    max_points: float
    bonus: bool
    n: int = 0
    mean: float | None = None
    full: float = 0.0                # shares of n
    partial: float = 0.0
    zero: float = 0.0
    not_done: float = 0.0            # part of `zero`: the item's functions were missing or not implemented
    scores: Counter = field(default_factory=Counter)     # points -> count
    checks: list = field(default_factory=list)
    worst: CheckStats | None = None


@dataclass
class Stats:
    title: str
    n_total: int
    n_assessed: int
    statuses: Counter
    totals: list
    bonuses: list
    max_regular: float
    max_bonus: float
    items: list
    lang: str = "fr"


def analyze(records: list, rubric, lang: str = "fr") -> Stats:
    assessed = [r for r in records if r.get("assessed")]
    items = []
    for item in rubric.items:
        st = ItemStats(item.id, item.title(lang), item.points, item.bonus)
        outcomes = [r["items"][item.id] for r in assessed if item.id in r.get("items", {})]
        st.n = len(outcomes)
        checks = {c.id: CheckStats(c.id, c.points, c.fail(lang)) for c in item.checks}
        for o in outcomes:
            p = float(o["points"])
            st.scores[round(p, 2)] += 1
            if p >= item.points - EPS:
                st.full += 1
            elif p <= EPS:
                st.zero += 1
                if o.get("status") in NOT_DONE:
                    st.not_done += 1
            else:
                st.partial += 1
            for cid, c in o.get("checks", {}).items():
                cs = checks.get(cid)
                if cs is None:
                    continue
                if c.get("passed"):
                    cs.passed += 1
                elif c.get("kind") not in NOT_ATTEMPTED:
                    cs.failed += 1
                    cs.kinds[c.get("kind", "answer")] += 1
        if st.n:
            st.mean = sum(float(o["points"]) for o in outcomes) / st.n
            st.full, st.partial, st.zero, st.not_done = (x / st.n for x in (st.full, st.partial, st.zero,
                                                                              st.not_done))
        st.checks = list(checks.values())
        failing = [c for c in st.checks if c.failed]
        st.worst = max(failing, key=lambda c: (c.failed, -st.checks.index(c))) if failing else None
        items.append(st)
    return Stats(rubric.title, len(records), len(assessed), Counter(r["status"] for r in records),
                 [float(r.get("regular", 0.0)) for r in records], [float(r.get("bonus", 0.0)) for r in records],
                 rubric.regular_points, rubric.bonus_points, items, lang)


KIND_NAMES = {
    "fr": {"exception": "exception", "timeout": "délai dépassé", "died": "processus arrêté",
           "bad_value": "valeur inutilisable", "too_big": "valeur trop grosse", "budget": "temps épuisé",
           "internal_error": "erreur interne"},
    "en": {"exception": "exception", "timeout": "timed out", "died": "process died",
           "bad_value": "unusable value", "too_big": "value too big", "budget": "time budget",
           "internal_error": "internal error"},
}


def kinds_note(cs: CheckStats, lang: str) -> str:
    """'(3 exception, 1 timed out)' for failures that were not wrong answers."""
    names = KIND_NAMES["en" if lang == "en" else "fr"]
    parts = ["%d %s" % (n, names.get(k, k)) for k, n in cs.kinds.most_common() if k != "answer"]
    return "(%s)" % ", ".join(parts) if parts else ""


def pct(x: float) -> str:
    return "%d%%" % round(100 * x)


def totals_summary(stats: Stats) -> dict:
    t = stats.totals
    if not t:
        return {}
    return {"mean": statistics.fmean(t), "median": statistics.median(t), "min": min(t), "max": max(t),
            "stdev": statistics.pstdev(t), "bonus_mean": statistics.fmean(stats.bonuses)}


def text_table(stats: Stats, lang: str = "fr", width: int = 60) -> str:
    from .feedback import pts
    fr = lang != "en"
    lines = [("Analyse par item : %d soumissions, %d évaluées (fichier chargé) ; total sur %s, bonus sur %s"
              if fr else "Item analysis: %d submissions, %d assessed (file loaded); total out of %s, bonus out of %s")
             % (stats.n_total, stats.n_assessed, pts(stats.max_regular), pts(stats.max_bonus))]
    head = ("item", "pts", "moy." if fr else "mean", "plein" if fr else "full", "partiel" if fr else "partial",
            "zéro" if fr else "zero", "non fait" if fr else "not done",
            "vérification la plus échouée" if fr else "most failed check")
    fmt = "%-5s %-5s %6s %6s %8s %6s %9s  %s"
    lines.append(fmt % head)
    for it in stats.items:
        if it.worst is None:
            worst = "—"
        else:
            w = it.worst
            worst = "%s %s : %s %s" % (w.id, pct(w.fail_share), w.fail_text, kinds_note(w, lang))
            worst = " ".join(worst.split())
            if len(worst) > width:
                worst = worst[: width - 1] + "…"
        lines.append(fmt % (it.id, pts(it.max_points) + ("B" if it.bonus else ""),
                            "%.2f" % it.mean if it.mean is not None else "—",
                            pct(it.full), pct(it.partial), pct(it.zero), pct(it.not_done), worst))
    s = totals_summary(stats)
    if s:
        lines.append("")
        lines.append(("Total : moyenne %.2f, médiane %s, min %s, max %s (écart type %.2f) ; bonus moyen %.2f"
                      if fr else "Total: mean %.2f, median %s, min %s, max %s (std dev %.2f); mean bonus %.2f")
                     % (s["mean"], pts(s["median"]), pts(s["min"]), pts(s["max"]), s["stdev"], s["bonus_mean"]))
    lines.append(("Statuts : " if fr else "Statuses: ") + ", ".join(
        "%s %d" % (k, v) for k, v in sorted(stats.statuses.items())))
    return "\n".join(lines)
