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
from outils import exp, indicatrice, log, sigma, softmax, softplus, somme  # noqa: E402

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

