"""Print the answer key of every item (``python -m reference [--latex] [--item Q2i ...]``)."""

from __future__ import annotations

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m reference",
        description="Answer key of IFT 3395 Devoir 3 (theorie): every item's expected answer.")
    parser.add_argument("--latex", action="store_true", help="also print the LaTeX of each answer")
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


if __name__ == "__main__":
    sys.exit(main())
