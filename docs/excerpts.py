"""The excerpts of real output quoted in README.md and docs/*.md, regenerated from the grader.

    .venv/bin/python docs/excerpts.py            # check: lists the stale excerpts, exit 1 if any
    .venv/bin/python docs/excerpts.py --write    # rewrite them in place

An excerpt is marked in the Markdown source by two HTML comments (invisible once rendered):

    <!-- generated: NAME -->...<!-- end generated -->

NAME is a key of GENERATORS; what lies between the comments is replaced by what the generator
returns (a fenced block for multi-line output, a bare figure inline). tests/test_docs.py fails
when an excerpt is stale, and says to run the --write command above.
"""
from __future__ import annotations

import argparse
import functools
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))          # the grader of this checkout, wherever the script is run from
MARK = re.compile(r"(<!-- generated: ([a-z][a-z0-9-]*) -->)(.*?)(<!-- end generated -->)", re.S)
WIDTH = 100
EXAMPLE_ITEMS = ("1.k", "2.c", "2.d", "2.k", "2.m", "3.b")   # the items docs/feedback.md comments on
BATCH_COMMAND = "./ag batch examples/submissions --out {out} --jobs 2 -q"


def documents() -> list:
    """README.md and every docs/*.md, in a stable order."""
    return [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))


def _fence(text: str) -> str:
    return "\n```text\n" + text.rstrip("\n") + "\n```\n"


def _fmt(x: float) -> str:
    return ("%.2f" % x).rstrip("0").rstrip(".")


def _wrap(line: str) -> list:
    return textwrap.wrap(line, WIDTH, subsequent_indent="  ", break_long_words=False,
                         break_on_hyphens=False) or [""]


@functools.lru_cache(maxsize=None)
def _typical():
    """(rubric, report) of examples/submissions/typical_mistakes graded in French, once."""
    from autograder.grading import grade_submission
    from autograder.rubric import load

    rubric = load()
    return rubric, grade_submission(REPO / "examples" / "submissions" / "typical_mistakes", rubric, "fr")


def _shown(metadata=None, items=EXAMPLE_ITEMS, head=None) -> str:
    """What Gradescope shows for typical_mistakes (with this submission metadata: the feedback
    budget): the whole-submission text (its first `head` lines), then these items' tests."""
    from autograder import budget, feedback

    rubric, report = _typical()
    verdict = budget.decide(metadata, rubric.budget) if metadata else None
    data = feedback.results_json(report, rubric, "fr", verdict)
    out = [w for line in data["output"].rstrip("\n").split("\n")[:head] for w in _wrap(line)]
    by_name = {t["name"].split(" ")[0]: t for t in data["tests"]}
    for item in items:
        test = by_name[item]
        score = "%s / %s" % (_fmt(test["score"]), _fmt(test["max_score"]))
        out += ["", test["name"] + " " * max(2, 90 - len(test["name"]) - len(score)) + score]
        out += [w for line in test["output"].rstrip("\n").split("\n") for w in _wrap(line)]
    return _fence("\n".join(out))


def feedback_example() -> str:
    """What Gradescope shows for examples/submissions/typical_mistakes before the due date: the
    whole-submission text, then EXAMPLE_ITEMS' tests (lines wrapped at WIDTH columns)."""
    return _shown()


def _metadata(now: str, earlier: list) -> dict:
    """Gradescope's submission metadata (docs/feedback-budget.md) for a submission made at `now`
    after submissions at the times `earlier`."""
    return {"id": 123456, "created_at": now, "previous_submissions": [
        {"submission_time": t, "score": 26.75, "autograder_error": False} for t in earlier]}


def budget_within() -> str:
    """The second submission of a day: diagnosed, with the budget's line on top."""
    return _shown(_metadata("2025-03-11T09:00:00-04:00", ["2025-03-11T08:00:00-04:00"]), items=(), head=2)


def budget_beyond() -> str:
    """The fourth submission within 24 hours: scores and sub-check marks only (1.k shown)."""
    meta = _metadata("2025-03-11T12:00:00-04:00", ["2025-03-11T09:01:00-04:00", "2025-03-11T10:00:00-04:00",
                                                   "2025-03-11T11:00:00-04:00"])
    return _shown(meta, items=("1.k",), head=2)


def batch_analysis(out: Path | None = None) -> str:
    """analysis.txt of BATCH_COMMAND, run as a TA would (in a temporary folder unless out)."""
    with tempfile.TemporaryDirectory(prefix="ag-docs-") as tmp:
        out = Path(out or Path(tmp) / "correction")
        cmd = BATCH_COMMAND.format(out=out).split()
        subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=600)
        return (out / "analysis.txt").read_text(encoding="utf-8")


def analysis_excerpt(text: str | None = None) -> str:
    """The head of the item analysis (its explanation and first three rows), the first item's
    detail, and the class totals; the whole text's first lines if its layout is not found."""
    lines = (text if text is not None else batch_analysis()).rstrip("\n").split("\n")
    blank = [i for i, ln in enumerate(lines) if not ln.strip()]
    total = next((i for i, ln in enumerate(lines) if ln.startswith(("Total", "Moyenne", "Class"))), None)
    if len(blank) < 3 or total is None:
        return _fence("\n".join(lines[:20] + ["..."]))
    head = lines[:blank[0] + 1 + 4]                         # explanation, blank, header and 3 rows
    detail_title = blank[1] + 1                             # "Détail par item (même ordre) :"
    first_end = next((i for i in blank if i > detail_title + 1), total)
    detail = lines[detail_title:first_end]
    return _fence("\n".join(head + ["..."] + detail + ["..."] + lines[total:]))


def misconceptions_count() -> str:
    """The number of mistakes in the misconception catalogue."""
    from autograder.analysis import load_catalogue
    return str(len(load_catalogue()))


GENERATORS = {
    "feedback-example": feedback_example,
    "budget-within": budget_within,
    "budget-beyond": budget_beyond,
    "analysis-excerpt": analysis_excerpt,
    "misconceptions-count": misconceptions_count,
}


def marks(text: str) -> list:
    """[(name, current content)] of the marked excerpts of one document."""
    return [(m.group(2), m.group(3)) for m in MARK.finditer(text)]


def refresh(text: str, values: dict) -> str:
    """text with every marked excerpt replaced by values[name]."""
    return MARK.sub(lambda m: m.group(1) + values[m.group(2)] + m.group(4), text)


def compute(names, given: dict | None = None) -> dict:
    """{name: fresh content} for these names; given: contents already computed."""
    values = dict(given or {})
    for name in names:
        if name not in values:
            if name not in GENERATORS:
                raise KeyError("unknown excerpt %r (known: %s)" % (name, ", ".join(GENERATORS)))
            values[name] = GENERATORS[name]()
    return values


def stale(given: dict | None = None) -> list:
    """[(document, name)] of the excerpts whose text differs from a fresh run."""
    docs = {d: d.read_text(encoding="utf-8") for d in documents()}
    values = compute({n for t in docs.values() for n, _ in marks(t)}, given)
    return [(d.relative_to(REPO), n) for d, t in docs.items() for n, cur in marks(t) if cur != values[n]]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="docs/excerpts.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--write", action="store_true", help="rewrite the stale excerpts in place")
    args = p.parse_args(argv)
    docs = {d: d.read_text(encoding="utf-8") for d in documents()}
    values = compute({n for t in docs.values() for n, _ in marks(t)})
    bad = 0
    for d, text in docs.items():
        fresh = refresh(text, values)
        if fresh != text:
            bad += 1
            if args.write:
                d.write_text(fresh, encoding="utf-8")
            print(("rewritten: %s" if args.write else "stale: %s") % d.relative_to(REPO))
    return 0 if args.write or not bad else 1


if __name__ == "__main__":
    sys.exit(main())
