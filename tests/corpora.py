"""The test corpora as source texts, each graded once per test session.

bench/mutants.grade_sources keeps every grading of the process, by the source's hash, so a
test that asks for a text another test already graded gets its grading at no cost. The texts
are built here, in one way: the example submissions, the equivalent forms packed into a few
files (tests/equivalent_forms.py: no two forms of a file change the same function), the
student habits (tests/student_habits.py) and the mutants of the misconception catalogue
(bench/mutants.py; the selection of tests/test_mutants.py: the representative subset, or
every mutant with AG_MUTANTS=all).
"""
from __future__ import annotations

import os
from pathlib import Path

from bench import mutants

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "submissions"


def base() -> str:
    return mutants.FULL_MARKS.read_text(encoding="utf-8")


def edited(edits, text: str | None = None) -> str:
    """The full-marks file (or text) with every change of the edits applied in turn."""
    text = base() if text is None else text
    for edit in edits:
        for fn, change in edit.changes:
            text = mutants.apply_edit(text, fn, change)
    return text


def examples() -> list:
    """[(name, text)] of examples/submissions/*/devoir3.py."""
    return [("example " + p.parent.name, p.read_text(encoding="utf-8"))
            for p in sorted(EXAMPLES.glob("*/devoir3.py"))]


def equivalent_packs() -> list:
    from equivalent_forms import FORMS
    return [("pack%d" % n, edited(pack)) for n, pack in enumerate(mutants.packs(FORMS))]


def habits() -> list:
    from student_habits import CASES
    return [(c.name, edited([c])) for c in CASES]


def selected_mutants() -> list:
    if os.environ.get("AG_MUTANTS") == "all":
        return list(mutants.MUTANTS)
    by_name = {m.name: m for m in mutants.MUTANTS}
    return [by_name[n] for n in mutants.REPRESENTATIVE]


def mutant_sources() -> list:
    text = base()
    return [("mutant " + m.name, mutants.build(m, text)) for m in selected_mutants()]


def everything() -> list:
    return examples() + equivalent_packs() + habits() + mutant_sources()


def graded(sources, workers: int = 2) -> dict:
    """{name: bench.mutants.Graded} for [(name, text)], graded once per session."""
    return {name: items for name, (items, _) in mutants.grade_sources(sources, workers).items()}
