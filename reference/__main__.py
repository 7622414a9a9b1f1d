"""The answer key of every item: ``python -m reference [--markdown] [--lang en] [--item 2.i ...]``.

Without options, every item's answer in the terminal (for the TAs); ``--markdown`` writes one
Markdown page with LaTeX formulas ($...$, $$...$$) to publish after the due date (the grader's
feedback never states expected answers), e.g. ``python -m reference --markdown > corrige.md``.
The language defaults to the rubric's (French); the texts are ``reference/answer_key.yaml``.
"""

from __future__ import annotations

import argparse
import sys

from .key import ITEMS, LANGS, entries, markdown


def _version() -> str:
    try:
        from autograder import __version__
        return __version__
    except ImportError:
        return "?"


def _default_lang() -> str:
    """The rubric's language where the grader is at hand, else French (the course's)."""
    try:
        from autograder.rubric import load
        return load().language
    except Exception:  # noqa: BLE001 - without the grader (or its rubric) the key is still French
        return "fr"


def _item(name: str) -> str:
    """'2.i', '2i' or 'Q2i' -> '2.i'."""
    s = name.strip().lstrip("Qq").replace(".", "")
    return "%s.%s" % (s[:1], s[1:].lower()) if len(s) == 2 else name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reference",
        description="Answer key of IFT 3395, Devoir 3 (theory): every item's expected answer.")
    parser.add_argument("--markdown", action="store_true",
                        help="one Markdown page with LaTeX formulas, to publish after the due date")
    parser.add_argument("--lang", choices=LANGS, help="language of the key (default: the rubric's, French)")
    parser.add_argument("--item", action="append", metavar="ITEM",
                        help="only these items (e.g. --item 2.i --item 3.e)")
    parser.add_argument("--latex", action="store_true", help=argparse.SUPPRESS)   # formulas are always LaTeX now
    parser.add_argument("--version", action="version", version="%(prog)s " + _version())
    args = parser.parse_args(argv)
    lang = args.lang or _default_lang()
    items = None
    if args.item:
        items = [_item(i) for i in args.item]
        unknown = [name for name, i in zip(args.item, items) if i not in ITEMS]
        if unknown:
            print(("Item inconnu : %s (items : 1.a à 3.e)" if lang == "fr" else
                   "Unknown item: %s (items: 1.a to 3.e)") % ", ".join(unknown), file=sys.stderr)
            return 2
        items = [i for i in ITEMS if i in items]
    if args.markdown:
        print(markdown(lang, items))
        return 0
    for e in entries(lang, items):
        print("%s  %s" % (e["item"], e["title"]))
        for line in e["text"].splitlines():
            print("    " + line if line else "")
        print()
    return 0


def run() -> int:
    """main(), ending quietly when piped into a reader that goes away (the grader's wrapper)."""
    try:
        from autograder.__main__ import run as quietly
    except ImportError:
        return main()
    return quietly(main)


if __name__ == "__main__":
    sys.exit(run())
