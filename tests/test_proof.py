"""autograder/proof.py on traced trees, in process (no grading): what is a real step, and each
derivation item's idea on honest and padded chains (the graded families are in test_no_maths.py
and equivalent_forms.py)."""
import functools
import math
import sys

import numpy as np
import pytest

from autograder import proof
from autograder.rubric import load

from conftest import REPO

sys.path.insert(0, str(REPO / "student_template"))
import outils  # noqa: E402
from outils import cosh, exp, indicatrice, log, sigma, softmax, softplus, somme  # noqa: E402

X = outils.Symbole(("sym", "x"))
C = outils.Symbole(("sym", "c"))


def vec():
    a = np.empty(3, dtype=object)
    for k in range(3):
        a[k] = outils.Symbole(("sym", "x%d" % k))
    return a.view(outils.VecteurSymbolique)


def trees(chain):
    return [e.node if isinstance(e, outils.Symbole) else ("num", float(e)) for e in chain]


@functools.lru_cache(maxsize=1)
def _rubric():
    return load()


@pytest.fixture(scope="module")
def ideas():
    rubric = _rubric()
    return {it.id: next(c for c in it.checks if c.opt("part") == "idea") for it in rubric.items
            if any(c.opt("part") == "idea" for c in it.checks)}


def _targets(item, **combo):
    rubric = _rubric()
    it = next(i for i in rubric.items if i.id == item)
    from autograder.checks import _target
    ts = [_target(c, combo) for c in it.checks if c.opt("part") in ("start", "end") and c.opt("target")]
    return ts, set().union(*(proof.atoms(proof.canon(t)) for t in ts))


def shows_idea(ideas, item, chain, **combo):
    """The idea sub-check's verdict on one case, without the value test (every chain here is true)."""
    check = ideas[item]
    steps = trees(chain)
    ts, atoms = _targets(item, **combo)
    real = [k for k in range(1, len(steps)) if proof.genuine(steps, k, ts, atoms)]
    cands = proof.idea_candidates(steps, real, ts, check.opt("idea_in_start"), check.opt("idea_before_step"))
    env = proof.context(check.opt("symbols"), combo)
    return any(proof.shows(check.opt("idea"), steps[k], env) for k in cands)


@pytest.mark.parametrize("a, b", [
    (X * 1 + 0, X), (-(-X), X), (log(exp(X)), X), (X ** 1 / 1, X), (2 * (1 + exp(X)), 2 + 2 * exp(X)),
    (exp(X) * exp(-X) * softplus(X), softplus(X)), ((1 + exp(X)) / (exp(X) + 1) * sigma(X), sigma(X)),
    (X + softplus(X) - softplus(X), X), (exp(0) * X + log(1), X),
])
def test_rewritings_that_need_no_mathematics_have_one_canonical_form(a, b):
    assert proof.canon(a.node) == proof.canon(b.node)


@pytest.mark.parametrize("a, b", [
    (log(1 + exp(X)), softplus(X)), (exp(C) * exp(X), exp(C + X)), (log(X * X), 2 * log(X)),
    (exp(X) * (1 + exp(-X)), exp(X) + 1),
])
def test_rewritings_that_need_mathematics_are_steps(a, b):
    assert proof.canon(a.node) != proof.canon(b.node)


def test_steps_built_from_the_ends_are_not_steps():
    s, e = log(sigma(X)), -softplus(-X)
    ts, atoms = _targets("1.d")
    for pad in ((s + e) / 2, 0.3 * s + 0.7 * e, s * e / s, (s + e) * (s + e) / (4 * e), log(exp(e)), e * 1 + 0):
        assert not proof.genuine(trees([s, pad, e]), 1, ts, atoms), proof.light(pad.node)
    assert proof.genuine(trees([s, -log(1 + exp(-X)), e]), 1, ts, atoms)
    ts, atoms = _targets("1.e")
    s = softplus(X) - softplus(-X)
    assert not proof.genuine(trees([s, 0.5 * softplus(X) - 0.5 * softplus(-X) + 0.5 * X, X]), 1, ts, atoms)


# Honest routes: each derivation's idea in any order and spelling (issue 20: "any honest path
# through that idea keeps its points"). Cheats: the ends alone, padded, or the idea's shape as padding.
def test_1d_sigma_written_with_exp(ideas):
    s, e = log(sigma(X)), -softplus(-X)
    honest = [
        [s, log(1 / (1 + exp(-X))), -log(1 + exp(-X)), e],                       # textbook
        [s, log(exp(X) / (1 + exp(X))), X - log(1 + exp(X)), e],                # σ = e^x / (1 + e^x)
        [s, -log(1 + 1 / exp(X)), e],                                            # 1 / e^x is e^-x
        [s, log(1) - log(1 + math.e ** -X), e],                                  # ln 1 - ln(1 + e^-x), math.e
        [s, -log(1 / sigma(X)), -log(1 + np.exp(-X)), e],                        # through 1 / σ
        [s, X - log(np.exp(X) + 1), X - softplus(X), e],                         # then 1.e's identity
    ]
    for chain in honest:
        assert shows_idea(ideas, "1.d", chain), chain
    for chain in ([s, (s + e) / 2, e], [s, e * exp(X) * exp(-X), e], [s, e], [s, log(sigma(X) * exp(X) / exp(X)), e],
                  [s, s + log((1 + exp(-X)) / (1 + exp(-X))), e]):                # the idea's shape as padding
        assert not shows_idea(ideas, "1.d", chain), chain


def test_1e_one_logarithm(ideas):
    s = softplus(X) - softplus(-X)
    honest = [
        [s, log((1 + exp(X)) / (1 + exp(-X))), log(exp(X)), X],                  # one log of the quotient
        [s, log(sigma(X) / sigma(-X)), X],                                        # through 1.d
        [s, log(sigma(X)) - log(1 - sigma(X)), log(sigma(X) / (1 - sigma(X))), X],   # the logit
        [s, log(1 + exp(X)) - log(exp(-X) * (1 + exp(X))), log(exp(X)), X],      # e^-x factored first
        [s, log(1 + exp(X)) - log((exp(X) + 1) / exp(X)), X],                    # 1 + e^-x = (e^x + 1) / e^x
        [s, np.log(1 + math.e ** X) - np.log(1 + math.e ** -X), np.log(math.e ** X * (1 + math.e ** -X))
         - np.log(1 + math.e ** -X), X],                                           # math.e, numpy
    ]
    for chain in honest:
        assert shows_idea(ideas, "1.e", chain), chain
    A = 1 + exp(X)
    for chain in ([s, log(1 + exp(X)) - log(1 + exp(-X)), log(exp(X)), X],       # no single log
                  [s, log(exp(X) * (1 + exp(X)) / (1 + exp(X))), X],
                  [s, log(exp(2 * X) / exp(X)), X],
                  # the idea's shape as padding (+ log(A / A)), then a real step: still nothing
                  [s, s + log(A / A), log(1 + exp(X)) - log(1 + exp(-X)), X],
                  # the terse route skips the single log: x + B - B is the end padded (docs/proofs.md)
                  [s, log(1 + exp(X)) - log(1 + exp(-X)), X + log(1 + exp(-X)) - log(1 + exp(-X)), X]):
        assert not shows_idea(ideas, "1.e", chain), chain


def test_1i_c_cancels(ideas):
    x = vec()
    for i in range(3):
        s, e = softmax(x + C)[i], softmax(x)[i]
        s_def, e_def = exp(x[i] + C) / somme(exp(x + C)), exp(x[i]) / somme(exp(x))
        honest = [
            [s, exp(C) * exp(x[i]) / (exp(C) * somme(exp(x))), e],                      # e^c factored out
            [s, exp(C) * exp(x[i]) / (exp(C) * somme(exp(x))), e_def],                  # ... the end with exp
            [s, exp(x[i]) * exp(C) / somme(exp(x) * exp(C)), e],                        # per term
            [s, exp(x[i]) / exp(-C) / (somme(exp(x)) / exp(-C)), e],                    # 1 / e^-c
            [s, 1 / somme(exp(x + C - (x[i] + C))), 1 / somme(exp(x - x[i])), e],      # c cancels in the exponents
            [s_def, (exp(x[i] + C) / exp(C)) / (somme(exp(x + C)) / exp(C)), e_def, e],  # divided by e^c
            [s_def, exp(-C) * exp(x[i] + C) / (exp(-C) * somme(exp(x + C))), e_def, e],   # times e^-c
            [s_def, exp(x[i] + C) / exp(C) / somme(exp(x + C) / exp(C)), e_def, e],       # divided per term
            [s_def, exp(x[i] + C - C) / somme(exp(x + C - C)), e],                      # the division in the exponent
            [s, exp(x[i] + C - log(somme(exp(x + C)))), exp(x[i] + C - log(exp(C) * somme(exp(x)))),
             exp(x[i] - log(somme(exp(x)))), e],                                        # through log-sum-exp
        ]
        for chain in honest:
            assert shows_idea(ideas, "1.i", chain, i=i), (i, chain)
        for chain in ([s, e * exp(C) / exp(C), e], [s, e * exp(C) * exp(-C), e],
                      [s, exp(x[i] + C) / somme(exp(x + C)), exp(x[i]) / somme(exp(x)), e],    # c never cancels
                      [s, 1 / somme(exp(x - x[i])), e],                                         # c gone unseen
                      # the start times e^c / e^c, then the end written with exp: no cancellation shown
                      [s_def, s_def * exp(C) / exp(C), e_def, e], [s_def, s_def * (exp(-C) / exp(-C)), e_def, e]):
            assert not shows_idea(ideas, "1.i", chain, i=i), (i, chain)


def test_1j_the_derivative_of_the_normaliser_appears(ideas):
    """The idea must show in one case (i, j) at least, as in the check (for i != j the quotient
    rule's first term is 0 and its start is the answer over Z²)."""
    x = vec()
    Z, S = somme(exp(x)), softmax(x)

    def chains(i, j):
        d = indicatrice(i == j)
        end = S[i] * d - S[i] * S[j]
        copy = exp(x[i]) / Z * d - exp(x[i]) / Z * (exp(x[j]) / Z)          # the answer with exp for S
        product = d * exp(x[i]) / Z - exp(x[i]) * exp(x[j]) / Z ** 2        # the product rule: a copy
        factored = exp(x[i]) / Z * (d - exp(x[j]) / Z)
        per_case = ([(exp(x[i]) * Z - exp(x[i]) ** 2) / Z ** 2, S[i] - S[i] ** 2] if i == j else
                    [-exp(x[i] + x[j]) / Z ** 2, -exp(x[i]) / Z * (exp(x[j]) / Z), -S[i] * S[j]])
        honest = {
            "quotient": [(d * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2, copy, end],
            "quotient_terse": [(d * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2, end],   # no real step: 0.75
            "product": [product, factored, S[i] * (d - S[j])],
            "product_as_derived": [d * exp(x[i]) * Z ** -1 + exp(x[i]) * (-Z ** -2) * exp(x[j]), factored, end],
            "log_derivative": [factored, copy, end],
            "log_derivative_log_z": [exp(x[i] - log(Z)) * (d - exp(x[j]) / Z), product, end],
            "numpy_z_times_z": [np.exp(x[i]) * (d * np.sum(np.exp(x)) - np.exp(x[j]))
                                / (np.sum(np.exp(x)) * np.sum(np.exp(x))), product, end],
            "per_case_if": per_case,
        }
        cheats = {   # the answer with exp for S, alone, padded, or unfolded twice
            "copy": [copy, end], "product_copy": [product, end], "factored_copy": [factored, S[i] * (d - S[j])],
            "copy_times_z_over_z": [copy, copy * Z / Z, end], "copy_over_z2": [copy * Z ** 2 / Z ** 2, end],
            "copy_unfolded_twice": [copy, exp(x[i] - log(Z)) * d - exp(x[i] - log(Z)) * exp(x[j] - log(Z)), end],
            "product_copy_padded": [product, product * Z / Z, exp(x[i] - log(Z)) * d - exp(x[i] - log(Z)) * exp(x[j] - log(Z)),
                                    end],
            "copy_and_midpoint": [copy, (copy + end) / 2, 0.3 * copy + 0.7 * end, end],
        }
        return honest, cheats

    cases = [(i, j) for i in range(3) for j in range(3)]
    by_case = {c: chains(*c) for c in cases}
    for name in by_case[(0, 0)][0]:
        assert any(shows_idea(ideas, "1.j", by_case[c][0][name], i=c[0], j=c[1]) for c in cases), name
    for name in by_case[(0, 0)][1]:
        assert not any(shows_idea(ideas, "1.j", by_case[c][1][name], i=c[0], j=c[1]) for c in cases), name



def test_inert_parts_are_no_steps_and_show_no_idea(ideas):
    """A part that changes nothing the chain can see is padding, however it is written: a 1 that the
    canonical form cannot fold (A / A' with A' = A through a definition), a term or factor below the
    chain's tolerance, or such a part deep inside a function. Replaced by its value (unpadded), the
    expression is a copy and shows no idea; an honest step keeps every part."""
    s, e = log(sigma(X)), -softplus(-X)
    ts, atoms = _targets("1.d")
    for pad in (e * (1 + exp(-X)) / exp(softplus(-X)), e + (cosh(X) + outils.sinh(X) - exp(X)),
                e * (1 + exp(X - 40)), e + 1e-14 * (1 + exp(-X)), -softplus(-X + 1e-10 * (1 + exp(X))),
                e * sigma(X) * (1 + exp(-X))):
        assert not proof.genuine(trees([s, pad, e]), 1, ts, atoms), proof.unpadded(pad.node)
        assert not shows_idea(ideas, "1.d", [s, pad, e]), proof.unpadded(pad.node)
    assert proof.unpadded((-log(1 + exp(-X))).node) == proof.light((-log(1 + exp(-X))).node)
    x = vec()
    # 1.i: e^c cancelling in sight stays (the idea); cancelling against a disguised e^c is padding,
    # and so is the cancellation written inside a part that is itself inert. (Where a disguised 1
    # can be read two ways, either reading is an expression the student could have written.)
    e_def = exp(x[0]) / somme(exp(x))
    honest = exp(C) * exp(x[0]) / (exp(C) * somme(exp(x)))
    assert proof.essence(honest.node) == proof.canon(honest.node)
    assert shows_idea(ideas, "1.i", [softmax(x + C)[0], honest, softmax(x)[0]], i=0)
    for pad in (e_def * exp(C) / (cosh(C) + outils.sinh(C)), e_def * exp(C) / exp(softplus(C) - softplus(-C)),
                e_def + 1e-14 * exp(x[1] + C - C) * exp(x[2])):
        assert not shows_idea(ideas, "1.i", [softmax(x + C)[0], pad, softmax(x)[0]], i=0), proof.unpadded(pad.node)


def test_the_inert_part_analysis_is_bounded():
    """Expressions over MAX_LIGHT_NODES are no step; a grading's work_allowance caps the node
    evaluations (charged once per distinct expression, cached or not: the same verdicts whatever
    was graded before)."""
    wide = X
    for k in range(proof.MAX_LIGHT_NODES):
        wide = wide + exp(X * (k + 1))
    assert proof.unpadded(wide.node) is None
    steps = [(-log(1 + exp(-X)) + k * 1e-3 * X).node for k in range(6)]
    costs = [proof._unpadded(t)[1] for t in steps]
    with proof.work_allowance(sum(costs[:3])):
        got = [proof.unpadded(t) for t in steps + steps]
    assert [g is not None for g in got] == [True] * 3 + [False] * 3 + [True] * 3 + [False] * 3
    with proof.work_allowance(sum(costs[:3]) - 1):      # the third overdraws: refused each time asked
        got = [proof.unpadded(t) for t in steps + steps]
    assert [g is not None for g in got] == [True] * 2 + [False] * 4 + [True] * 2 + [False] * 4
    assert all(proof.unpadded(t) is not None for t in steps)         # outside a grading: no limit


def test_one_expression_is_analysed_within_max_evaluations():
    """Under MAX_LIGHT_NODES, a deep expression with a part to replace at its bottom costs a scan
    of every part, each re-evaluated up to the root, per part replaced (25,300 evaluations here):
    the analysis stops at MAX_EVALUATIONS (no step), so a grading overshoots its work_allowance
    by one expression at most. (The corpora's costliest honest expression: 1,176.)"""
    deep = X
    for k in range(12):
        deep = deep + 1e-13 * exp(X * (k + 2) * 0.1)
    for _ in range(50):
        deep = exp(deep * 0.999)
    assert proof._unpadded(deep.node) == (None, proof.MAX_EVALUATIONS)


def test_sympy_proofs_are_bounded_per_grading(monkeypatch):
    """sympy decides an equality only where float64 overflows (no honest chain of the corpora
    needs it); a chain of steps built to make it time out (sympy computes 10^(10^15)) would cost
    its time limit a step, every case of every derivation. Past the grading's allowance
    (rubric limits.sympy_proofs) prove_equal answers False without trying. Counted: the
    attempts that reach sympy."""
    from autograder import symbolic
    attempts = []
    real = symbolic.time_limit
    monkeypatch.setattr(symbolic, "time_limit", lambda s: attempts.append(s) or real(s))
    slow = ("log", ("pow", ("num", 10), ("num", 10 ** 15)))
    with symbolic.proof_allowance(2):
        assert not any(symbolic.prove_equal(("add", X.node, slow), X.node, seconds=0.2) for _ in range(10))
    assert len(attempts) == 2
    assert symbolic.prove_equal(("add", X.node, ("num", 0)), X.node)          # no allowance: no limit
    assert _rubric().limits["sympy_proofs"] == 4


def test_a_grading_holds_the_rubric_allowances(monkeypatch):
    """grade_file grades inside proof_allowance(limits.sympy_proofs) and
    work_allowance(limits.proof_evaluations): the wiring of both bounds."""
    from autograder import grading, symbolic
    from autograder.sandbox.runner import Sandbox
    seen = []
    for module, name in ((symbolic, "proof_allowance"), (proof, "work_allowance")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda n, _real=real, _name=name: seen.append((_name, n)) or _real(n))
    rubric = _rubric()
    report = grading.grade_file(REPO / "student_template" / "devoir3.py", rubric,
                                sandbox=Sandbox(REPO / "student_template" / "devoir3.py", grading.limits_from(rubric)))
    assert report.regular == 0
    assert seen == [("proof_allowance", 4), ("work_allowance", rubric.limits["proof_evaluations"])]
