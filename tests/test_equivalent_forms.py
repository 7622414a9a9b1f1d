"""Correct answers in unusual forms (tests/equivalent_forms.py) earn every point.

Forms that change different functions are graded together, a few files in all (fast);
when such a file loses a point, its forms are graded one by one to name the culprit.
"""
import corpora
from bench import mutants
from equivalent_forms import FORMS


def _grade_packs(packs):
    return mutants.grade_sources([("pack%d" % n, corpora.edited(pack)) for n, pack in enumerate(packs)], workers=2)


def test_the_corpus_is_data_the_grader_can_use():
    names = [f.name for f in FORMS]
    assert len(set(names)) == len(names)
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    for f in FORMS:
        assert mutants.build(f, base) != base, f.name


def test_the_mistakes_declared_equivalent_are_in_the_corpus():
    """bench/mutants.py's EQUIVALENT: mistakes that are not (the answer is right), each graded here."""
    assert set(mutants.EQUIVALENT) <= {f.name for f in FORMS}


def test_every_equivalent_form_earns_full_marks():
    packs = mutants.packs(FORMS)
    results = _grade_packs(packs)
    suspects = [form for n, pack in enumerate(packs)
                if any(pts < mx for pts, mx, _ in results["pack%d" % n][0].values()) for form in pack]
    if not suspects:
        return
    losing = [v for v in mutants.run(suspects, workers=2) if v.lost]
    assert not losing, "\n".join("%s (%s) loses %s" % (v.edit.name, v.edit.function, v.lost) for v in losing)
    assert False, "forms pass alone but not together: %s" % [f.name for f in suspects]
