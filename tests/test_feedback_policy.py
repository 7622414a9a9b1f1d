"""The feedback policy's parts: kinds of difference, input families, Python's errors in French,
the opt-in test of expected values, and the diagnoses a typical submission receives."""
import dataclasses

import numpy as np
import pytest

from autograder import difference, feedback, pyerrors

W = np.array([0.3, -1.2, 2.5, 0.7])


@pytest.mark.parametrize("got, kind", [
    (-W, "sign"), (2 * W, "factor"), (0.5 * W, "factor"), (W + 1.0, "offset"), (0 * W, "zero"),
    (np.array([0.3, np.nan, 2.5, 0.7]), "not_finite"), (np.array([1.0, 5.0, -3.0, 0.0]), None)])
def test_kinds_of_difference(got, kind):
    assert difference.classify(got, W) == kind


def test_not_a_probability_vector():
    p = np.array([0.2, 0.3, 0.5])
    assert difference.classify(np.array([0.2, 0.3, 0.6]), p, probability=True) == "not_probability"


def test_input_families():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert difference.family({"x": x}, x < 0) == [("x", "<0")]
    assert difference.family({"x": x}, x == 0) == [("x", "=0")]
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    assert ("y", "eq1") in difference.family({"oa": x, "y": y}, y == 1)
    assert difference.family({"x": x}, np.ones(5, bool)) == []      # fails everywhere: no family
    z = np.array([-800.0, -1.0, 0.5, 2.0, 800.0])
    assert difference.family({"z": z}, np.abs(z) > 100) == [("z", "large")]


@pytest.mark.parametrize("etype, message, words", [
    ("ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
     "(n?,k),(k,m?)->(n?,m?) (size 3 is different from 4)", "produit matriciel"),
    ("SyntaxError", "expected ':'", "il manque « : »"),
    ("TypeError", "operand 'Symbole' does not support ufuncs (__array_ufunc__=None)", "symbole du correcteur"),
    ("IndexError", "index 4 is out of bounds for axis 0 with size 4", "indice en dehors"),
])
def test_python_errors_in_french(etype, message, words):
    text = pyerrors.explained(etype, message, "fr")
    assert words in text and message in text          # explained, the original following


def test_numpy_warnings_lose_the_graders_paths():
    log = ("/travail/outils.py:170: RuntimeWarning: overflow encountered in exp\n  out = f(*a)\n"
           "/travail/devoir3.py:97: RuntimeWarning: invalid value encountered in divide\n"
           "  return x / valeur_absolue(x)\n")
    text = pyerrors.warnings_text(log, "fr")
    assert "/travail" not in text and "outils.py:170" not in text and "out = f(*a)" not in text
    assert "débordement" in text and "devoir3.py, ligne 97" in text and "return x / valeur_absolue(x)" in text


def test_printed_output_said_truncated_only_when_it_is():
    from autograder.grading import Report
    short = feedback.summary_text(Report([], "graded", student_output="bonjour\n"), "fr")
    long = feedback.summary_text(Report([], "graded", student_output="x" * (feedback.PRINTED_SHOWN + 1)), "fr")
    assert "Ce que votre code a affiché :\nbonjour" in short and "tronqué" not in short
    assert "Ce que votre code a affiché (tronqué) :" in long


@pytest.fixture(scope="module")
def typical(typical_report):
    return typical_report


def test_expected_values_only_where_the_instructor_opts_in(typical, rubric):
    default = feedback.results_json(typical, rubric, "fr")
    assert {t.get("visibility") for t in default["tests"]} <= {"visible", "hidden"}
    assert all(t.get("output_format") == "text" for t in default["tests"])
    opted = feedback.results_json(typical, dataclasses.replace(rubric, reveal_expected="after_due_date"), "fr")
    later = [t for t in opted["tests"] if t.get("visibility") == "after_due_date"]
    assert len(later) == 1 and "attendu" in later[0]["output"] and later[0]["max_score"] == 0


def test_typical_mistakes_are_diagnosed(typical, rubric):
    found = {i.id: i.misconceptions for i in typical.items if i.misconceptions}
    assert found["1.k"] == ["1k_StS"] and found["2.c"] == ["2c_no_max_subtraction"]
    assert "2k_hs_gradT" in found["2.k"] and found["3.b"] == ["3b_with_biases"]
    data = feedback.results_json(typical, rubric, "fr")
    test = next(t for t in data["tests"] if t.get("number") == "1.k")
    assert test["extra_data"] == {"misconceptions": ["1k_StS"]}
    assert "Diagnostic : Votre produit matriciel est dans l'ordre inverse" in test["output"]
    assert all(not i.misconceptions for i in typical.items if i.full)
