"""Mutation analysis: every mutant of the full-marks example loses points on exactly its items.

bench/mutants.py takes the mutants from the misconception catalogue autograder/misconceptions.yaml
(student mistakes, each an edit of one function with the items it must cost and a diagnosis). This runs them in 2 processes and asserts a 100 % mutation score: every
mutant is detected on each of its items, and costs nothing elsewhere; and every mutant's
feedback carries its own diagnosis.

By default it runs bench.mutants.REPRESENTATIVE (104 of the 174 mutants: every item, every
kind of mistake): about 30 s on 2 idle cores, 70 s on the shared development machine under
a load of 4-5. AG_MUTANTS=all runs every mutant (85 s under that load), as does
`python -m autograder mutants`, which also prints the report.
"""
import pytest

import corpora
from bench import mutants

ITEMS = {"1." + c for c in "abcdefghijkl"} | {"2." + c for c in "abcdefghijklmno"} | {"3." + c for c in "abcde"}


_selected = corpora.selected_mutants


def test_the_mutants_are_data_the_grader_can_use():
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) >= 40 and len(set(names)) == len(names)
    assert set(mutants.REPRESENTATIVE) <= set(names)
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    for m in mutants.MUTANTS:
        assert len(m.changes) == 1, m.name          # one function each
        assert m.items and m.items <= ITEMS, m.name
        assert mutants.build(m, base) != base, m.name
    # every item of the assignment has mutants, in the whole set and in the subset
    assert set().union(*(m.items for m in mutants.MUTANTS)) == ITEMS
    assert set().union(*(m.items for m in _selected())) == ITEMS


def test_the_instructors_notes_come_in_both_languages():
    """The batch report shows an entry's `why` in its own language: both or neither, and no
    project talk (issue numbers) a TA would read."""
    from autograder import misconceptions
    for m in misconceptions.load():
        assert bool(m.why_text("fr")) == bool(m.why_text("en")), m.id
        assert not any("issue" in m.why_text(lang).lower() for lang in ("fr", "en")), m.id


@pytest.fixture(scope="module")
def verdicts():
    return mutants.run(_selected(), workers=2)


def test_mutation_score_is_100_percent(verdicts):
    wrong = [v for v in verdicts if not v.right]
    assert not wrong, "\n" + mutants.report(wrong)


def test_every_mutant_receives_its_own_diagnosis(verdicts):
    """The catalogue's diagnosis of each mistake reaches the feedback of the file that makes it."""
    missing = [(v.edit.name, v.diagnosed) for v in verdicts if not v.own_diagnosis]
    assert not missing, missing


def test_the_unmodified_example_keeps_full_marks():
    (items, _), = mutants.grade_sources([("full_marks", mutants.FULL_MARKS.read_text(encoding="utf-8"))],
                                        workers=1).values()
    assert all(pts == mx for pts, mx, _ in items.values()), items
    assert not any(r.misconceptions for r in items.values())      # and no diagnosis
