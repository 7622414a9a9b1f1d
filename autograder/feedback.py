"""Reports: per-item feedback text, the Gradescope results.json, the terminal table.

results.json is produced by gradescope-utils' JSONTestRunner (the format's
reference implementation): one unittest test per item, with its decorators for
number, weight and visibility. Its known pitfalls are designed around: every
score is computed before the tests run, so no test can error, skip, use
subtests or depend on setUpClass.
"""
from __future__ import annotations

import io
import json
import unittest

from gradescope_utils.autograder_utils.decorators import number, partial_credit, visibility
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from . import pyerrors
from .grading import Report

DETAILS_TEST = {"fr": "Valeurs attendues (visibles après la date limite)",
                "en": "Expected values (visible after the due date)"}
INSTRUCTORS_TEST = "Erreurs internes du correcteur (équipe enseignante) / Internal grader errors (instructors)"
STATUS_NOTE = {
    "not_implemented": {"fr": "non implémenté", "en": "not implemented"},
    "missing": {"fr": "fonction absente", "en": "function missing"},
    "internal_error": {"fr": "à revoir à la main", "en": "needs manual review"},
    "load_error": {"fr": "fichier non chargé", "en": "file not loaded"},
}


def pts(x: float) -> str:
    return ("%.2f" % x).rstrip("0").rstrip(".")


def item_text(item, lang: str, reveal: bool, diagnosed: bool = True) -> str:
    """The feedback of one item: each sub-check by its title, passed or not, with the message
    that locates a failure and names its kind. reveal=True (the teaching team's terminal view,
    or the opt-in test after the due date) adds what was expected. diagnosed=False (beyond the
    feedback budget, autograder/budget.py): the titles, marks and scores only, so that any two
    answers with the same passed sub-checks read the same."""
    from .misconceptions import diagnosis
    lines = []
    for c in item.checks:
        mark = "✓" if c.passed else "✗"
        line = "%s %s (%s/%s)" % (mark, c.title or c.id, pts(c.points), pts(c.max_points))
        if not diagnosed:
            lines.append(line)
            continue
        if not c.passed and c.message:
            line += (": " if lang == "en" else " : ") + c.message     # French puts a space before ':'
        elif c.passed and c.message:
            line += " — " + c.message
        lines.append(line)
        if not c.passed and c.details and c.details_visibility == "visible":
            lines.append("    " + c.details.replace("\n", "\n    "))
        if reveal and not c.passed and c.reveal and c.details_visibility != "instructors":
            lines.append("    " + c.reveal.replace("\n", "\n    "))
    said = set()
    for m in getattr(item, "misconceptions", []) if diagnosed else ():
        text = diagnosis(m, lang)
        if text and text not in said:          # two mistakes may share what to review: say it once
            said.add(text)
            lines.append(("Diagnostic : " if lang != "en" else "Diagnosis: ") + text)
    return "\n".join(lines)


def held_back_text(report: Report, lang: str) -> str:
    """What was expected, per failed check: only for a rubric that opts into revealing it."""
    blocks = []
    for item in report.items:
        for c in item.checks:
            if not c.passed and c.reveal and c.details_visibility != "instructors":
                blocks.append(("%s / %s: %s" if lang == "en" else "%s / %s : %s") % (item.id, c.title or c.id,
                                                                                     c.reveal))
    return "\n".join(blocks)


def test_name(item, lang: str) -> str:
    bonus = " (bonus)" if item.bonus else ""
    return "%s %s%s" % (item.id, item.title, bonus)


def results_json(report: Report, rubric, lang: str, verdict=None) -> dict:
    """The Gradescope results dict, built by gradescope-utils' JSONTestRunner. verdict: the
    feedback budget's (budget.decide; None: full feedback, no budget line)."""
    zero_max_bonus = rubric.bonus_in_results == "zero_max"
    diagnosed = verdict is None or verdict.diagnosed

    def make_test(item, text):
        weight = 0.0 if item.bonus and zero_max_bonus else item.max_points

        @number(item.id)
        @visibility(item.visibility)
        @partial_credit(weight)
        def test(self, set_score=None):
            print(text)
            set_score(item.points)
        test.__doc__ = test_name(item, lang)
        return test

    attrs = {}
    for n, item in enumerate(report.items):
        text = item_text(item, lang, reveal=False, diagnosed=diagnosed)
        if item.status in STATUS_NOTE and item.status != "graded":
            text = "[%s]\n%s" % (STATUS_NOTE[item.status][lang], text)
        attrs["test_%03d" % n] = make_test(item, text)
    # Off by default: a test hidden until the due date hides the student's total score
    # until then too (Gradescope's specification), and its text states expected values.
    held = held_back_text(report, lang) if rubric.reveal_expected != "never" else ""
    if held:
        @number("9.9")
        @visibility(rubric.reveal_expected)
        @partial_credit(0.0)
        def details(self, set_score=None):
            print(held)
            set_score(0.0)
        details.__doc__ = DETAILS_TEST[lang]
        attrs["test_999"] = details
    internal = "\n\n".join("%s / %s :\n%s" % (item.id, c.id, c.details) for item in report.items
                           for c in item.checks if c.details_visibility == "instructors" and c.details)
    if internal:
        @number("9.99")
        @visibility("hidden")
        @partial_credit(0.0)
        def grader_log(self, set_score=None):
            print(internal)
            set_score(0.0)
        grader_log.__doc__ = INSTRUCTORS_TEST
        attrs["test_9999"] = grader_log
    case = type("Devoir3", (unittest.TestCase,), attrs)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    stream = io.StringIO()

    def post(data):
        for t, item in zip(data["tests"], report.items + [None, None]):
            t["score"] = round(float(t.get("score", 0.0)), 2)
            # plain text on purpose: the messages hold ^, _ and * (o^a, W2_kj) that Markdown
            # would turn into formatting; Gradescope shows "text" as written, line breaks kept
            t["output_format"] = "text"
            if item is not None:
                t["status"] = "passed" if item.full else "failed"
                if item.bonus:
                    t["tags"] = ["bonus"]
                if item.misconceptions:
                    t["extra_data"] = {"misconceptions": list(item.misconceptions)}
            else:
                t["status"] = "passed"
        data["score"] = round(report.regular + report.bonus, 2)
        data["output"] = summary_text(report, lang, verdict, rubric.messages)
        data["output_format"] = "text"
        if verdict is not None:
            data["extra_data"] = {"feedback_budget": verdict.record()}
        data["stdout_visibility"] = "hidden"
        data.pop("leaderboard", None)
        data.pop("execution_time", None)   # timings would make results non-deterministic

    JSONTestRunner(stream=stream, post_processor=post, failure_prefix="").run(suite)
    return json.loads(stream.getvalue())


PRINTED_SHOWN = 1000      # characters of what the student's code printed shown in the summary


def summary_text(report: Report, lang: str, verdict=None, messages=None) -> str:
    """The whole submission's text: the feedback budget's line first (when there is a verdict),
    the total, notes on the file; what the code printed only for a diagnosed submission."""
    from .budget import status_line
    fr = lang != "en"
    head = ("Total : %s / %s, bonus : %s / %s" if fr else "Total: %s / %s, bonus: %s / %s") % (
        pts(report.regular), pts(report.max_regular), pts(report.bonus), pts(report.max_bonus))
    parts = [status_line(verdict, messages, lang), head] if verdict is not None else [head]
    if report.message:
        parts.append(report.message)
    todo = [i.id for i in report.items if i.status == "not_implemented"]
    if todo and len(todo) < len(report.items):
        parts.append(("Items non implémentés : " if fr else "Items not implemented: ") + ", ".join(todo))
    review = [i.id for i in report.items if i.status == "internal_error"]
    if review:
        parts.append(("À revoir à la main par l'équipe enseignante : " if fr else
                      "To be reviewed by hand by the teaching team: ") + ", ".join(review))
    if report.student_output.strip() and (verdict is None or verdict.diagnosed):
        cut = len(report.student_output) > PRINTED_SHOWN     # (the sandbox says so itself when it cut)
        parts.append(("Ce que votre code a affiché%s :\n" % (" (tronqué)" if cut else "") if fr else
                      "What your code printed%s:\n" % (" (truncated)" if cut else ""))
                     + pyerrors.warnings_text(report.student_output[:PRINTED_SHOWN], lang))
    return "\n".join(parts)


def table(report: Report, lang: str, verbose: bool = False) -> str:
    """A plain-text table for the terminal."""
    rows = []
    for item in report.items:
        fails = [c for c in item.checks if not c.passed]
        short = fails[0].message if fails else ""
        if len(short) > 70:
            short = short[:69] + "…"
        rows.append("%-4s %5s / %-4s %s %s" % (item.id, pts(item.points), pts(item.max_points),
                                             "B" if item.bonus else " ", short))
        if verbose and fails:
            rows.append("       " + item_text(item, lang, reveal=True).replace("\n", "\n       "))
    rows.append("-" * 40)
    rows.append(summary_text(report, lang))
    return "\n".join(rows)
