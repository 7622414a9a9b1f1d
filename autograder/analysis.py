"""Item analysis of a batch: the items ranked from the hardest to the easiest (mean as a share
of the item's points), per item the shares of full, partial and zero marks and of items not
attempted, the sub-check that failed most often (with the rubric's message, in full), the kinds
of difference of the failed sub-checks (the rubric messages the feedback was written with:
opposite sign, constant factor, wrong only for x > 0, exception TypeError, ...), the
misconceptions diagnosed (from the catalogue autograder/misconceptions.yaml, with the
instructors' full text), the submissions that lost points, and a discrimination index; the totals.

Discrimination index: the corrected item-total correlation, i.e. Pearson's correlation, over
the assessed submissions, between the item's score and the regular total WITHOUT that item
(the rest of the test), so that an item does not correlate with itself; for an item scored
all or nothing it is the point-biserial correlation. A bonus item is not in the regular total,
so its rest is the whole total. None when fewer than 3 submissions or a constant score.

Input: the batch's per-submission records (autograder/batch.py). Items are analysed over
the submissions whose file was loaded and graded ("assessed"); a submission with no file
or a file that does not load is counted in the totals (it scores 0) but not in the items.
Every share of an item's row has the same base, the assessed submissions; a sub-check's
failure rate has its own base, the submissions that attempted it, and says so.
A check that was not attempted (function missing or not implemented, file not loaded, or
skipped because an earlier check of the item failed) is not counted as failing.
"""
from __future__ import annotations

import re
import statistics
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

NOT_ATTEMPTED = {"missing", "not_implemented", "not_loaded", "requires"}
# Tags (checks.Ctx.said) that are not a kind of difference: the student's own value, notes of a
# pass, the parts of a family (its rel_* tags carry it), what the statuses already say.
NOT_A_DIFFERENCE = {"own_value", "family", "checked_numerically", "symbolic_rescue", "not_loaded", "missing",
                    "requires", "not_implemented", "unavailable_modules"}
MIN_DISCRIMINATION_N = 3
NOT_DONE = {"not_implemented", "missing"}
EPS = 1e-9
WIDTH = 100                  # analysis.txt fits a 100-column terminal
TOP_MISCONCEPTIONS = 3
CATALOGUE = Path(__file__).resolve().parent / "misconceptions.yaml"

# The batch's statuses in words: plural for counts, singular for one submission's row.
STATUS_WORDS = {
    "fr": {"graded": ("corrigées", "corrigée"), "no_file": ("sans fichier", "sans fichier"),
           "load_error": ("non chargées", "non chargée"), "timed_out": ("temps dépassé", "temps dépassé"),
           "internal_error": ("erreur interne", "erreur interne")},
    "en": {"graded": ("graded", "graded"), "no_file": ("no file", "no file"),
           "load_error": ("did not load", "did not load"), "timed_out": ("timed out", "timed out"),
           "internal_error": ("internal error", "internal error")},
}


def status_word(status: str, lang: str, plural: bool = True) -> str:
    words = STATUS_WORDS["en" if lang == "en" else "fr"].get(status)
    return status if words is None else words[0 if plural else 1]


def status_counts(counts: dict, lang: str) -> str:
    """'corrigées 29, non chargées 1' in the order of the batch's statuses."""
    order = list(STATUS_WORDS["fr"])
    keys = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    return ", ".join("%s %d" % (status_word(k, lang), counts[k]) for k in keys if counts[k])


def load_catalogue(path: Path = CATALOGUE) -> dict:
    """{misconception id: {"item", "fr", "en", ...}} from the catalogue beside the rubric.

    The file is a list of entries {id, item, fr, en, ...} (or a mapping holding that list under
    "misconceptions", or a mapping id -> entry). A missing or unreadable file is an empty
    catalogue: diagnosed ids are then shown as they are."""
    try:
        import yaml
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    except (OSError, ValueError, ImportError):
        return {}
    except Exception:  # noqa: BLE001 - a yaml error in a file another team edits must not stop a batch
        return {}
    if isinstance(raw, dict) and isinstance(raw.get("misconceptions"), (list, dict)):
        raw = raw["misconceptions"]
    if isinstance(raw, dict):
        raw = [dict(v, id=k) for k, v in raw.items() if isinstance(v, dict)]
    if not isinstance(raw, list):
        return {}
    return {str(e["id"]): e for e in raw if isinstance(e, dict) and e.get("id") is not None}


def _why(entry, lang_key: str) -> str:
    """An entry's note for the instructors in the report's language: its `why: {fr, en}`
    ("" when it has none)."""
    why = (entry or {}).get("why")
    return " ".join(str(why.get(lang_key) or "").split()) if isinstance(why, dict) else ""


@dataclass
class CheckStats:
    id: str
    max_points: float
    fail_text: str
    passed: int = 0
    failed: int = 0                  # attempted and failed
    kinds: Counter = field(default_factory=Counter)
    title: str = ""                  # the rubric's words for the check (its id until it has a title)

    @property
    def name(self) -> str:
        return self.title or self.id

    @property
    def attempted(self) -> int:
        return self.passed + self.failed

    @property
    def fail_share(self) -> float:
        return self.failed / self.attempted if self.attempted else 0.0


@dataclass
class Misconception:
    id: str
    text: str                        # the catalogue's text (the instructors' one, in full)
    count: int                       # assessed submissions diagnosed with it
    share: float                     # of the item's assessed submissions
    why: str = ""                    # the catalogue's note for the instructors, in the report's language


@dataclass
class Difference:
    check: str                       # the sub-check's name (its title)
    tag: str                         # e.g. diff_sign, rel_pos:o^a, exception:TypeError
    label: str                       # in words (the rubric's message, placeholders as "…")
    count: int                       # assessed submissions whose failure had it
    share: float                     # of the item's assessed submissions


@dataclass
class ItemStats:
    id: str
    title: str
    max_points: float
    bonus: bool
    order: int = 0                   # position in the assignment
    n: int = 0                       # assessed submissions: the base of every share below
    mean: float | None = None
    full: float = 0.0
    partial: float = 0.0
    zero: float = 0.0                # attempted, 0 points
    not_done: float = 0.0            # not attempted: the item's functions missing or not implemented
    scores: Counter = field(default_factory=Counter)     # points -> count
    checks: list = field(default_factory=list)
    worst: CheckStats | None = None
    misconceptions: list = field(default_factory=list)  # [Misconception], most frequent first
    differences: list = field(default_factory=list)     # [Difference], most frequent first
    losers: list = field(default_factory=list)          # [(submission key, points)] below the maximum
    discrimination: float | None = None                 # corrected item-total correlation

    @property
    def mean_share(self) -> float | None:
        return None if self.mean is None or not self.max_points else self.mean / self.max_points


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
    items: list                      # ranked: hardest first (lowest mean share), then unassessed items
    lang: str = "fr"


def rank(items: list) -> list:
    """Hardest first: the lowest mean as a share of the item's points; ties in assignment order."""
    return sorted(items, key=lambda s: (s.mean_share is None, s.mean_share or 0.0, s.order))


def _check_title(check, lang: str) -> str:
    """The sub-check's title in the rubric (fr/en), when the rubric gives one; else ''."""
    title = getattr(check, "title", None)
    text = title(lang) if callable(title) else (title or "")
    return "" if not text or text == check.id else str(text)


# A call that gave no usable value: said short (the rubric's message speaks to the student).
CALL_FAILURES = {
    "timeout": {"fr": "délai dépassé (boucle infinie ?)", "en": "timed out (an infinite loop?)"},
    "died": {"fr": "processus arrêté (mémoire, sortie forcée)", "en": "process died (memory, forced exit)"},
    "too_big": {"fr": "valeur renvoyée trop volumineuse", "en": "returned value too large"},
    "bad_value": {"fr": "valeur renvoyée inutilisable", "en": "returned value unusable"},
    "budget": {"fr": "temps total de correction épuisé", "en": "grading time budget used up"},
}


def difference_label(tag: str, rubric, lang: str) -> str:
    """A kind of difference in words: the rubric's message, its placeholders shown as "…"."""
    key, _, arg = tag.partition(":")
    messages = getattr(rubric, "messages", {}) or {}

    def text(k, **kw):
        if k not in messages:
            return k
        template = messages[k](lang)
        try:
            return template.format(**kw) if kw else re.sub(r"\{[^}]*\}", "…", template)
        except (KeyError, IndexError, ValueError):
            return re.sub(r"\{[^}]*\}", "…", template)
    if key == "exception":
        return ("exception %s" if lang != "en" else "%s exception") % (arg or "?")
    if key in CALL_FAILURES:
        return CALL_FAILURES[key]["en" if lang == "en" else "fr"]
    if key.startswith("rel_") and "family" in messages:
        return text("family", where=text(key, name=arg))
    return text(key)


def correlation(xs: list, ys: list) -> float | None:
    """Pearson's r, or None when it is not defined (fewer than MIN_DISCRIMINATION_N pairs, or a
    constant series)."""
    if len(xs) < MIN_DISCRIMINATION_N:
        return None
    try:
        return statistics.correlation(xs, ys)
    except (statistics.StatisticsError, ZeroDivisionError):
        return None


def analyze(records: list, rubric, lang: str = "fr", catalogue: dict | None = None) -> Stats:
    """Stats of the records, items ranked hardest first. catalogue: {id: entry} (default: the file)."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    lang_key = "en" if lang == "en" else "fr"
    assessed = [r for r in records if r.get("assessed")]
    items = []
    for order, item in enumerate(rubric.items):
        st = ItemStats(item.id, item.title(lang), item.points, item.bonus, order)
        taking = [r for r in assessed if item.id in r.get("items", {})]
        outcomes = [r["items"][item.id] for r in taking]
        st.n = len(outcomes)
        checks = {c.id: CheckStats(c.id, c.points, c.fail(lang), title=_check_title(c, lang)) for c in item.checks}
        diagnosed: Counter = Counter()
        differences: Counter = Counter()
        for r, o in zip(taking, outcomes):
            if float(o["points"]) < item.points - EPS:
                st.losers.append((str(r.get("submission", "")), round(float(o["points"]), 2)))
        xs = [float(o["points"]) for o in outcomes]
        rest = [float(r.get("regular", 0.0)) - (0.0 if item.bonus else x) for r, x in zip(taking, xs)]
        st.discrimination = correlation(xs, rest)
        st.losers.sort(key=lambda kv: (kv[1], kv[0]))
        for o in outcomes:
            p = float(o["points"])
            st.scores[round(p, 2)] += 1
            if p >= item.points - EPS:
                st.full += 1
            elif p <= EPS and o.get("status") in NOT_DONE:
                st.not_done += 1
            elif p <= EPS:
                st.zero += 1
            else:
                st.partial += 1
            diagnosed.update(set(o.get("misconceptions") or ()))     # once per submission
            for cid, c in o.get("checks", {}).items():
                cs = checks.get(cid)
                if cs is None:
                    continue
                if c.get("passed"):
                    cs.passed += 1
                elif c.get("kind") not in NOT_ATTEMPTED:
                    cs.failed += 1
                    cs.kinds[c.get("kind", "answer")] += 1
                    seen = set()
                    for tag in c.get("tags") or ():
                        if tag.partition(":")[0] not in NOT_A_DIFFERENCE and tag not in seen:
                            seen.add(tag)
                            differences[(cid, tag)] += 1
        if st.n:
            st.mean = sum(float(o["points"]) for o in outcomes) / st.n
            st.full, st.partial, st.zero, st.not_done = (x / st.n for x in (st.full, st.partial, st.zero,
                                                                              st.not_done))
        st.checks = list(checks.values())
        failing = [c for c in st.checks if c.failed]
        st.worst = max(failing, key=lambda c: (c.failed, -st.checks.index(c))) if failing else None
        st.misconceptions = [
            Misconception(mid, " ".join(str((catalogue.get(mid) or {}).get(lang_key) or mid).split()), k, k / st.n,
                          _why(catalogue.get(mid), lang_key))
            for mid, k in sorted(diagnosed.items(), key=lambda kv: (-kv[1], kv[0]))]
        order_of = {c.id: i for i, c in enumerate(item.checks)}
        st.differences = [Difference(checks[cid].name, tag, difference_label(tag, rubric, lang), k, k / st.n)
                          for (cid, tag), k in sorted(differences.items(),
                                                      key=lambda kv: (-kv[1], order_of.get(kv[0][0], 0), kv[0][1]))]
        items.append(st)
    return Stats(rubric.title, len(records), len(assessed), Counter(r["status"] for r in records),
                 [float(r.get("regular", 0.0)) for r in records], [float(r.get("bonus", 0.0)) for r in records],
                 rubric.regular_points, rubric.bonus_points, rank(items), lang)


# How a sub-check failed when the answer was not merely wrong ("answer"): the call's outcome.
KIND_NAMES = {
    "fr": {"answer": "{n} par une réponse fausse", "exception": "{n} par une exception",
           "none": "{n} sans valeur renvoyée (None)", "timeout": "{n} par dépassement du délai",
           "died": "{n} par arrêt du processus", "bad_value": "{n} par une valeur inutilisable",
           "too_big": "{n} par une valeur trop grosse", "budget": "{n} faute de temps (budget épuisé)",
           "internal_error": "{n} par une erreur interne"},
    "en": {"answer": "{n} by a wrong answer", "exception": "{n} by an exception",
           "none": "{n} with no value returned (None)", "timeout": "{n} timed out",
           "died": "{n} by a dead process", "bad_value": "{n} by an unusable value",
           "too_big": "{n} by a value too big", "budget": "{n} out of time (budget used up)",
           "internal_error": "{n} by an internal error"},
}


def kinds_note(cs: CheckStats, lang: str) -> str:
    """'4 par une exception, 1 sans valeur renvoyée (None)' for the failures that were not wrong answers."""
    names = KIND_NAMES["en" if lang == "en" else "fr"]
    return ", ".join(names.get(k, "{n} " + k).format(n=n) for k, n in cs.kinds.most_common() if k != "answer")


def decimal(x: float | None, lang: str, digits: int = 2) -> str:
    """0.43 as '0,43' in French, '0.43' in English; None as '—'."""
    if x is None:
        return "—"
    text = "%.*f" % (digits, x)
    return text if lang == "en" else text.replace(".", ",")


def pct(x: float) -> str:
    """A share as a whole percentage, with the French (and SI) space: '23 %'."""
    return "%d\u00a0%%" % round(100 * x)


def totals_summary(stats: Stats) -> dict:
    t = stats.totals
    if not t:
        return {}
    return {"mean": statistics.fmean(t), "median": statistics.median(t), "min": min(t), "max": max(t),
            "stdev": statistics.pstdev(t), "bonus_mean": statistics.fmean(stats.bonuses)}


NBSP = "\u00a0"
# French typography: no line break before these marks, nor after an opening guillemet
_GLUE = ((" %", NBSP + "%"), (" :", NBSP + ":"), (" ;", NBSP + ";"), (" »", NBSP + "»"), ("« ", "«" + NBSP),
         (" ?", NBSP + "?"), (" !", NBSP + "!"))


def _wrap(text: str, indent: str, width: int = WIDTH, more: str = "") -> list:
    """Whole text, wrapped (never cut): a word longer than a line is broken, not dropped.
    `more` is added to the indent of the continuation lines."""
    text = " ".join(str(text).split())
    for a, b in _GLUE:
        text = text.replace(a, b)
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + more,
                         break_on_hyphens=False) or [indent.rstrip()]


TEXT = {
    "fr": {
        "head": "Analyse par item : {n} soumissions, dont {a} évaluées (fichier chargé). "
                "Total sur {max}, bonus sur {bonus}.",
        "base": "Items du plus difficile au plus facile : « moyenne » en % des points de l'item. Les colonnes "
                "plein, partiel, zéro et non tenté sont en % des {a} soumissions évaluées et font 100 % : "
                "zéro = tenté sans point ; non tenté = fonctions de l'item absentes ou non implémentées. "
                "« discr. » : indice de discrimination, corrélation entre le score de l'item et le total sans "
                "cet item (corrélation item-reste, dite corrigée ; point-bisériale pour un item noté tout ou "
                "rien), sur les soumissions évaluées ; au-dessous de 0,2, l'item sépare mal les soumissions "
                "fortes des faibles.",
        "cols": ("rang", "item", "points", "moyenne", "plein", "partiel", "zéro", "non tenté", "discr."),
        "bonus": "bonus", "detail": "Détail par item (même ordre) :",
        "item": "{id} {title} ({pts} {unit}{bonus}) — moyenne {mean} sur {pts} ({share})",
        "worst": "Vérification la plus échouée : « {id} », échouée par {f} des {t} soumissions qui l'ont "
                 "tentée ({share} des tentatives){kinds}. Message du barème :",
        "kinds": " ; dont {k}",
        "no_fail": "Aucune vérification échouée par les soumissions qui l'ont tentée.",
        "misc": "Erreurs fréquentes diagnostiquées (en % des {n} soumissions évaluées) :",
        "misc_line": "{share} ({k} sur {n}) : {text}",
        "diff": "Différences fréquentes des vérifications échouées (en % des {n} soumissions évaluées) :",
        "diff_line": "{share} ({k} sur {n}) : {check} — {text}",
        "total": "Total sur les {n} soumissions (une soumission sans fichier ou non chargée compte 0) : moyenne "
                 "{mean}, médiane {median}, min {min}, max {max}, écart type {sd} ; bonus moyen {bonus}.",
        "statuses": "Soumissions : {s}.",
        "none": "aucune donnée",
    },
    "en": {
        "head": "Item analysis: {n} submissions, {a} of them assessed (file loaded). "
                "Total out of {max}, bonus out of {bonus}.",
        "base": "Items from the hardest to the easiest: \"mean\" as a % of the item's points. The columns full, "
                "partial, zero and not attempted are % of the {a} assessed submissions and add up to 100 %: "
                "zero = attempted, no point; not attempted = the item's functions missing or not implemented. "
                "\"discr.\": discrimination index, the correlation between the item's score and the total "
                "without that item (corrected item-rest correlation; point-biserial for an item scored all or "
                "nothing), over the assessed submissions; below 0.2 the item separates strong and weak "
                "submissions poorly.",
        "cols": ("rank", "item", "points", "mean", "full", "partial", "zero", "not tried", "discr."),
        "bonus": "bonus", "detail": "Item by item (same order):",
        "item": "{id} {title} ({pts} {unit}{bonus}) — mean {mean} out of {pts} ({share})",
        "worst": "Most failed check: \"{id}\", failed by {f} of the {t} submissions that attempted it "
                 "({share} of attempts){kinds}. Rubric message:",
        "kinds": "; of which {k}",
        "no_fail": "No check failed by the submissions that attempted it.",
        "misc": "Frequent diagnosed mistakes (% of the {n} assessed submissions):",
        "misc_line": "{share} ({k} of {n}): {text}",
        "diff": "Frequent differences of the failed checks (% of the {n} assessed submissions):",
        "diff_line": "{share} ({k} of {n}): {check} — {text}",
        "total": "Total over the {n} submissions (one with no file or that did not load counts 0): mean "
                 "{mean}, median {median}, min {min}, max {max}, std dev {sd}; mean bonus {bonus}.",
        "statuses": "Submissions: {s}.",
        "none": "no data",
    },
}


def text_table(stats: Stats, lang: str = "fr", width: int = WIDTH) -> str:
    """analysis.txt: the ranked table, then each item's most failed check and frequent mistakes,
    every message in full; no line longer than `width` columns."""
    from .feedback import pts
    t = TEXT["en" if lang == "en" else "fr"]
    lines = _wrap(t["head"].format(n=stats.n_total, a=stats.n_assessed, max=pts(stats.max_regular),
                                   bonus=pts(stats.max_bonus)), "", width)
    lines += _wrap(t["base"].format(a=stats.n_assessed), "", width)
    lines.append("")
    fmt = "%4s  %-5s %-8s %12s %7s %8s %7s %10s %7s"
    lines.append(fmt % t["cols"])
    for rank_no, it in enumerate(stats.items, 1):
        share = it.mean_share
        mean = "%s (%s)" % (decimal(it.mean, lang), pct(share)) if it.mean is not None else "—"
        lines.append(fmt % (rank_no, it.id, pts(it.max_points) + (" " + t["bonus"] if it.bonus else ""), mean,
                            pct(it.full), pct(it.partial), pct(it.zero), pct(it.not_done),
                            decimal(it.discrimination, lang)))
    lines += ["", t["detail"]]
    for it in stats.items:
        lines.append("")
        unit = "pt" if it.max_points <= 1 else "pts"
        mean = decimal(it.mean, lang) if it.mean is not None else "—"
        lines += _wrap(t["item"].format(id=it.id, title=it.title, pts=pts(it.max_points), unit=unit,
                                        bonus=", " + t["bonus"] if it.bonus else "", mean=mean,
                                        share=pct(it.mean_share) if it.mean is not None else "—"),
                       "", width, "    ")
        if it.worst is not None:
            w = it.worst
            kinds = kinds_note(w, lang)
            lines += _wrap(t["worst"].format(id=w.name, f=w.failed, t=w.attempted, share=pct(w.fail_share),
                                             kinds=t["kinds"].format(k=kinds) if kinds else ""), "  ", width)
            lines += _wrap(w.fail_text, "      ", width)
        elif it.n:
            lines += _wrap(t["no_fail"], "  ", width)
        if it.differences:
            lines += _wrap(t["diff"].format(n=it.n), "  ", width)
            for d in it.differences[:TOP_MISCONCEPTIONS]:
                lines += _wrap(t["diff_line"].format(share=pct(d.share), k=d.count, n=it.n, check=d.check,
                                                     text=d.label), "    ", width)
        if it.misconceptions:
            lines += _wrap(t["misc"].format(n=it.n), "  ", width)
            for m in it.misconceptions[:TOP_MISCONCEPTIONS]:
                lines += _wrap(t["misc_line"].format(share=pct(m.share), k=m.count, n=it.n, text=m.text),
                               "    ", width)
    s = totals_summary(stats)
    lines.append("")
    if s:
        num = (lambda x: pts(x)) if lang == "en" else (lambda x: pts(x).replace(".", ","))
        lines += _wrap(t["total"].format(n=stats.n_total, mean=decimal(s["mean"], lang), median=num(s["median"]),
                                         min=num(s["min"]), max=num(s["max"]), sd=decimal(s["stdev"], lang),
                                         bonus=decimal(s["bonus_mean"], lang)), "", width)
    lines += _wrap(t["statuses"].format(s=status_counts(stats.statuses, lang)), "", width)
    return "\n".join(lines)
