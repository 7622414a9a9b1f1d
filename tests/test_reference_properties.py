"""Property tests (hypothesis, derandomized) and numerical stability at magnitude 1000."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference import functions as F
from reference import mlp as M

PROPS = settings(derandomize=True, max_examples=60, deadline=None, database=None)

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
vectors = st.integers(min_value=1, max_value=8).flatmap(
    lambda n: arrays(np.float64, n, elements=finite))
shift = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False)
scalar = st.floats(min_value=-700, max_value=700, allow_nan=False, allow_infinity=False)


# ----------------------------------------------------------------- softmax
@PROPS
@given(vectors)
def test_softmax_is_a_distribution(x):
    s = F.softmax(x)
    assert s.shape == x.shape
    assert np.all(s > 0)
    assert abs(s.sum() - 1.0) < 1e-12


@PROPS
@given(vectors, shift)
def test_softmax_translation_invariance(x, c):
    np.testing.assert_allclose(F.softmax(x + c), F.softmax(x), rtol=1e-9, atol=1e-300)
    assert np.max(np.abs(F.identity_1i_residual(x, c))) < 1e-9


@PROPS
@given(vectors)
def test_softmax_jacobian_symmetric_with_null_vector(x):
    s = F.softmax(x)
    J = F.softmax_jacobian(s)
    np.testing.assert_array_equal(J, J.T)
    assert np.max(np.abs(J @ np.ones(len(x)))) < 1e-15 * max(1, len(x))
    # diag(S) - S S^T is positive semi-definite
    assert np.min(np.linalg.eigvalsh(J)) > -1e-12


small = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
small_vectors = st.integers(min_value=2, max_value=8).flatmap(
    lambda n: arrays(np.float64, n, elements=small))


def naive_softmax(v):
    e = [math.exp(t) for t in v]
    return np.array(e) / sum(e)


@PROPS
@given(small_vectors, st.floats(min_value=0, max_value=10, allow_nan=False))
def test_scaling_counterexamples_exist(x, c):
    if np.ptp(x) > 0.5 and abs(c - 1) > 0.1:
        # (c - 1) x is not a constant vector, so S(cx) != S(x)
        assert F.is_scaling_counterexample(x, c)
    if c == 1.0 or np.ptp(x) == 0:
        assert not F.is_scaling_counterexample(x, c)
    # agrees with an independent computation away from the tolerance
    gap = np.max(np.abs(naive_softmax(c * x) - naive_softmax(x)))
    if gap > 1e-8 or gap < 1e-10:
        assert F.is_scaling_counterexample(x, c) is bool(gap > 1e-9)
    # c = 0 (uniform) is a counterexample for every non-constant x
    if np.ptp(x) > 1e-6:
        assert F.is_scaling_counterexample(x, 0.0, tol=0.0)


@PROPS
@given(st.integers(min_value=2, max_value=6), st.floats(min_value=0, max_value=5))
def test_every_nonconstant_basis_vector_is_a_counterexample(n, c):
    x = np.zeros(n)
    x[0] = 1.0
    assert F.is_scaling_counterexample(x, c) is (abs(c - 1.0) > 1e-6)


# ----------------------------------------------------------------- identities d, e
@PROPS
@given(scalar)
def test_identity_1d(x):
    assert abs(F.identity_1d_residual(x)) <= 1e-15 * max(1.0, abs(x))
    assert abs(math.log1p(math.exp(-abs(x))) + max(-x, 0) - F.softplus(-x)) < 1e-12 * max(1, abs(x))


@PROPS
@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
def test_identity_1e(x):
    assert abs(F.identity_1e_residual(x)) <= 4e-16 * max(1.0, abs(x))


@PROPS
@given(arrays(np.float64, 6, elements=finite))
def test_identities_vectorised(x):
    assert F.identity_1d_residual(x).shape == (6,)
    assert np.max(np.abs(F.identity_1e_residual(x))) < 1e-13


# ----------------------------------------------------------------- stability at 1000
@pytest.fixture
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


BIG = np.array([-1000.0, -999.5, -1.0, 0.0, 1.0, 999.5, 1000.0])


def test_stable_sigmoid_softplus(strict):
    s = F.sigmoid(BIG)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    sp_ = F.softplus(BIG)
    assert np.all(np.isfinite(sp_)) and sp_[-1] == 1000.0 and sp_[0] == 0.0
    assert F.sigmoid(1000.0) == 1.0 and F.sigmoid(-1000.0) == 0.0
    assert np.all(np.isfinite(F.sigmoid_prime(BIG)))
    assert np.all(np.isfinite(F.identity_1e_residual(BIG)))


def test_stable_softmax(strict):
    for x in ([1000.0, -1000.0, 0.0], [1000.0, 1000.0], [-1000.0, -1000.0, -999.0]):
        s = F.softmax(x)
        assert np.all(np.isfinite(s)) and abs(s.sum() - 1) < 1e-15
    np.testing.assert_allclose(F.softmax([1000.0, 1000.0]), [0.5, 0.5])
    X = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    np.testing.assert_array_equal(F.softmax(X), [[1.0, 0.0], [0.0, 1.0]])
    assert np.all(np.isfinite(F.softmax_jacobian_from_x([1000.0, -1000.0, 3.0])))
    assert F.logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + math.log(2))


def test_stable_binary_losses(strict):
    assert M.ce_loss(1000.0, 0) == pytest.approx(1000.0)
    assert M.ce_loss(-1000.0, 1) == pytest.approx(1000.0)
    assert M.ce_loss(1000.0, 1) == 0.0 and M.ce_loss(-1000.0, 0) == 0.0
    for fn in (M.ce_loss, M.ce_grad, M.mse_loss, M.mse_grad, M.mse_half_loss, M.mse_half_grad):
        for yy in (0, 1):
            assert np.all(np.isfinite(fn(BIG, yy)))


def test_stable_multiclass(strict):
    oa = np.array([1000.0, -1000.0, 0.0])
    assert M.multiclass_loss(oa, 1) == pytest.approx(2000.0)
    assert M.multiclass_loss(oa, 0) == 0.0
    assert M.multiclass_loss(-oa, 2) == pytest.approx(1000.0)
    batch = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    np.testing.assert_allclose(M.multiclass_loss(batch, [1, 1]), [2000.0, 0.0])
    g = M.grad_oa(F.softmax(oa), 1)
    np.testing.assert_array_equal(g, [1.0, -1.0, 0.0])


def test_stable_backward(strict):
    rng = np.random.default_rng(0)
    P = M.init_params(5, 4, 3, rng)
    X = rng.normal(size=(6, 5)) * 1000
    Y = np.array([0, 1, 2, 0, 1, 2])
    r = M.backward_batch(X, Y, P)
    for key in ("loss", "grad_W1", "grad_b1", "grad_W2", "grad_b2"):
        assert np.all(np.isfinite(r[key])), key
    for x, yy in zip(X, Y):
        assert np.all(np.isfinite(M.backward(x, yy, P)["grad_W1"]))
