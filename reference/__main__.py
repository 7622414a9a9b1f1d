"""Print the answer key of every item (``python -m reference [--latex] [--markdown] [--item Q2i ...]``).

``--markdown`` writes a page to publish AFTER the due date (the grader's feedback never states
expected answers: see README, "For the instructor"), e.g.
``python -m reference --markdown --latex > corrige.md``.
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m reference",
        description="Answer key of IFT 3395 Devoir 3 (theorie): every item's expected answer.")
    parser.add_argument("--latex", action="store_true", help="also print the LaTeX of each answer")
    parser.add_argument("--markdown", action="store_true",
                        help="a Markdown page to publish after the due date (with --latex: $...$ formulas)")
    parser.add_argument("--item", action="append", metavar="QXY",
                        help="only these items (e.g. --item Q2i --item Q3e)")
    args = parser.parse_args(argv)

    from .symbolic import answer_key

    key = answer_key()
    if args.item:
        wanted = {i.strip() for i in args.item}
        unknown = wanted - {e["item"] for e in key}
        if unknown:
            parser.error(f"unknown item(s): {', '.join(sorted(unknown))}")
        key = [e for e in key if e["item"] in wanted]
    if args.markdown:
        print(markdown(key, args.latex, _statement_answers()))
        return 0
    print("Answer key - IFT 3395 Devoir 3 (theorie). Labels in the text are 1-based; "
          "the reference code uses 0-based labels.")
    for entry in key:
        print()
        print(f"{entry['item']}  {entry['title']}")
        for line in entry["text"].splitlines():
            print(f"    {line}")
        if args.latex and entry["latex"]:
            print(f"    LaTeX: {entry['latex']}")
    return 0


def _statement_answers() -> dict:
    """{"Q2c": "A, B, E", ...}: the true statements of the rubric's statement checks (2.c, 2.h),
    read from the rubric, their one source of truth (empty outside the grader's repository)."""
    try:
        from autograder.rubric import load
    except ImportError:
        return {}
    out = {}
    for item in load().items:
        for check in item.checks:
            if check.opt("compare") == "statements":
                out["Q" + item.id.replace(".", "")] = ", ".join(check.opt("accept"))
    return out


def markdown(key, latex: bool = False, statements: dict | None = None) -> str:
    """The answer key as a Markdown page: one section per item, its answer as text (and LaTeX);
    statements: {item: the letters of the true statements} for the statement questions."""
    lines = ["# Corrigé — IFT 3395, Devoir 3 (partie théorique)", "",
             "_Answer key, to publish after the due date. Labels in the text are 1-based; "
             "the grader's functions take 0-based labels._", ""]
    for entry in key:
        lines += ["## %s — %s" % (entry["item"], entry["title"]), ""]
        lines += ["    " + ln for ln in entry["text"].splitlines()] + [""]
        if (statements or {}).get(entry["item"]):
            lines += ["Affirmations vraies (fonction du gabarit) : **%s**." % statements[entry["item"]], ""]
        if latex and entry.get("latex"):
            lines += ["$$%s$$" % entry["latex"], ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
