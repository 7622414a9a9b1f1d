"""autograder/proof.py on traced trees, in process (no grading): what is a real step, and each
derivation item's idea on honest and padded chains (the graded families are in test_no_maths.py
and equivalent_forms.py)."""
import functools
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
    cands = ([0] if check.opt("idea_in_start") else []) + real
    return any(proof.matches(check.opt("idea"), proof.light(steps[k]), proof.vector_sizes(check.opt("symbols")))
               for k in cands)


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


def test_each_idea_on_honest_and_padded_chains(ideas):
    x = vec()
    # 1.d
    s, e = log(sigma(X)), -softplus(-X)
    assert shows_idea(ideas, "1.d", [s, log(1 / (1 + exp(-X))), -log(1 + exp(-X)), e])
    assert shows_idea(ideas, "1.d", [s, log(exp(X) / (1 + exp(X))), X - log(1 + exp(X)), e])
    assert shows_idea(ideas, "1.d", [s, -log(1 + 1 / exp(X)), e])          # 1 / e^x is e^-x
    assert not shows_idea(ideas, "1.d", [s, (s + e) / 2, e])
    assert not shows_idea(ideas, "1.d", [s, e * exp(X) * exp(-X), e])
    # 1.e
    s = softplus(X) - softplus(-X)
    assert shows_idea(ideas, "1.e", [s, log((1 + exp(X)) / (1 + exp(-X))), log(exp(X)), X])
    assert shows_idea(ideas, "1.e", [s, log(sigma(X) / sigma(-X)), X])
    assert shows_idea(ideas, "1.e", [s, log(1 + exp(X)) - log(exp(-X) * (1 + exp(X))), log(exp(X)), X])
    assert not shows_idea(ideas, "1.e", [s, log(1 + exp(X)) - log(1 + exp(-X)), log(exp(X)), X])
    assert not shows_idea(ideas, "1.e", [s, log(exp(X) * (1 + exp(X)) / (1 + exp(X))), X])
    assert not shows_idea(ideas, "1.e", [s, log(exp(2 * X) / exp(X)), X])
    # 1.i
    for i in range(3):
        s, e = softmax(x + C)[i], softmax(x)[i]
        assert shows_idea(ideas, "1.i", [s, exp(C) * exp(x[i]) / (exp(C) * somme(exp(x))), e], i=i)
        assert shows_idea(ideas, "1.i", [s, exp(x[i]) * exp(C) / somme(exp(x) * exp(C)), e], i=i)
        assert shows_idea(ideas, "1.i", [s, exp(x[i]) / exp(-C) / (somme(exp(x)) / exp(-C)), e], i=i)
        assert not shows_idea(ideas, "1.i", [s, e * exp(C) / exp(C), e], i=i)
        assert not shows_idea(ideas, "1.i", [s, e * exp(C) * exp(-C), e], i=i)
        assert not shows_idea(ideas, "1.i", [s, exp(x[i] + C) / somme(exp(x + C)), exp(x[i]) / somme(exp(x)), e], i=i)
    # 1.j: the quotient rule in one case at least; the answer written with exp shows none
    Z, S = somme(exp(x)), softmax(x)
    for i in range(3):
        for j in range(3):
            d = indicatrice(i == j)
            unfolded = exp(x[i]) / Z * d - exp(x[i]) / Z * (exp(x[j]) / Z)
            assert not shows_idea(ideas, "1.j", [unfolded, S[i] * d - S[i] * S[j]], i=i, j=j)
            assert not shows_idea(ideas, "1.j", [unfolded * Z ** 2 / Z ** 2, S[i] * d - S[i] * S[j]], i=i, j=j)
            quotient = (d * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2
            assert shows_idea(ideas, "1.j", [quotient, unfolded, S[i] * d - S[i] * S[j]], i=i, j=j) == (i == j)
