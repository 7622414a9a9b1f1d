"""Oracles for reference.functions (Q1): independent definitions and central finite differences.

Nothing here reuses reference code to build an expected value: the oracles are written from
the assignment's definitions (naive formulas, Python loops) and from finite differences.
"""

import math

import numpy as np
import pytest

from reference import functions as F

RNG_SEED = 20240303


# ----------------------------------------------------------------- independent helpers
def fd_derivative(f, x, h=1e-5):
    """Central difference of a scalar function of a scalar."""
    return (f(x + h) - f(x - h)) / (2 * h)


def fd_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function of a vector."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def fd_jacobian(f, x, h=1e-5):
    """Central-difference Jacobian (rows: outputs, columns: inputs)."""
    x = np.array(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def rel_err(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    scale = max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)
    return np.linalg.norm(a - b) / scale


def naive_sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def naive_softplus(x):
    return math.log(1.0 + math.exp(x))


def naive_softmax(v):
    e = [math.exp(t) for t in v]
    z = sum(e)
    return np.array([t / z for t in e])


SCALARS = [-8.0, -3.5, -1.0, -0.25, 0.0, 0.3, 1.0, 2.5, 7.0]


# ----------------------------------------------------------------- definitions
@pytest.mark.parametrize("x", SCALARS)
def test_scalar_functions_match_definitions(x):
    assert F.sigmoid(x) == pytest.approx(naive_sigmoid(x), rel=1e-14)
    assert F.softplus(x) == pytest.approx(naive_softplus(x), rel=1e-14)
    assert F.tanh(x) == pytest.approx(
        (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x)), rel=1e-12, abs=1e-15)
    assert F.relu(x) == (x if x >= 0 else 0.0)
    assert F.rect_via_indicator(x) == (x if x > 0 else 0.0)


def test_piecewise_conventions():
    xs = np.array([-2.0, -1e-300, 0.0, 1e-300, 3.0])
    assert F.sign(xs).tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    assert F.sign_via_indicators(xs).tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    assert F.heaviside(xs).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert F.relu_prime(xs).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert F.relu_prime(xs, at_zero=0.5).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert F.l1_grad(xs).tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    ind = F.indicator(xs > 0)
    assert ind.dtype == np.float64 and ind.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert F.indicator(True) == 1.0 and F.indicator(False) == 0.0


def test_sign_via_indicators_matches_sign_definition_on_grid():
    xs = np.linspace(-3, 3, 61)
    expected = [1.0 if t > 0 else (-1.0 if t < 0 else 0.0) for t in xs]
    assert F.sign_via_indicators(xs).tolist() == expected


def test_outputs_are_float64_and_accept_array_like():
    assert F.sigmoid([0, 1]).dtype == np.float64
    assert F.softmax([1, 2, 3]).dtype == np.float64
    assert F.relu([-1, 2]).tolist() == [0.0, 2.0]
    assert isinstance(F.sigmoid(0), np.float64)
    assert F.softmax((1, 1)).tolist() == [0.5, 0.5]


def test_diag_and_norms():
    v = [1.0, -2.0, 3.5]
    D = F.diag(v)
    assert D.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            assert D[i, j] == (v[i] if i == j else 0.0)
    assert F.l2_squared(v) == pytest.approx(1 + 4 + 12.25)
    assert F.l1_norm(v) == pytest.approx(6.5)
    with pytest.raises(ValueError):
        F.diag(np.eye(2))


def test_softmax_matches_definition_and_axis():
    rng = np.random.default_rng(RNG_SEED)
    X = rng.normal(size=(4, 5)) * 3
    for row in X:
        np.testing.assert_allclose(F.softmax(row), naive_softmax(row), rtol=1e-13)
    np.testing.assert_allclose(F.softmax(X, axis=0).T, np.stack([naive_softmax(c) for c in X.T]),
                               rtol=1e-13)


# ----------------------------------------------------------------- finite differences
@pytest.mark.parametrize("x", SCALARS)
def test_fd_sigmoid_prime(x):
    assert rel_err(F.sigmoid_prime(x), fd_derivative(naive_sigmoid, x)) < 1e-6


@pytest.mark.parametrize("x", SCALARS)
def test_fd_softplus_prime_is_sigmoid(x):
    assert rel_err(F.sigmoid(x), fd_derivative(naive_softplus, x)) < 1e-6


@pytest.mark.parametrize("x", [-3.0, -0.5, -0.01, 0.01, 0.5, 4.0])
def test_fd_relu_prime_away_from_zero(x):
    fd = fd_derivative(lambda t: max(0.0, t), x, h=1e-4)
    assert F.relu_prime(x) == pytest.approx(fd, rel=1e-9)


def test_fd_l2_squared_grad():
    rng = np.random.default_rng(RNG_SEED)
    for n in (1, 3, 7):
        x = rng.normal(size=n)
        fd = fd_gradient(lambda v: float(sum(t * t for t in v)), x)
        assert rel_err(F.l2_squared_grad(x), fd) < 1e-6


def test_fd_l1_grad_away_from_zero():
    rng = np.random.default_rng(RNG_SEED + 1)
    for n in (1, 4, 9):
        x = rng.uniform(0.1, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)
        fd = fd_gradient(lambda v: float(sum(abs(t) for t in v)), x, h=1e-4)
        assert rel_err(F.l1_grad(x), fd) < 1e-6


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_fd_softmax_jacobian_and_partials(n):
    rng = np.random.default_rng(RNG_SEED + n)
    x = rng.normal(size=n) * 2
    fd = fd_jacobian(naive_softmax, x)
    s = naive_softmax(x)
    J = F.softmax_jacobian(s)
    assert J.shape == (n, n)
    assert rel_err(J, fd) < 1e-6
    assert rel_err(F.softmax_jacobian_from_x(x), fd) < 1e-6
    for i in range(n):
        for j in range(n):
            assert F.softmax_partial(s, i, j) == pytest.approx(fd[i, j], rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("n,p", [(3, 2), (4, 5), (1, 3), (5, 1)])
def test_fd_grad_log_softmax_composed(n, p):
    rng = np.random.default_rng(RNG_SEED + 10 * n + p)
    A = rng.normal(size=(n, p))
    B = rng.normal(size=(n, p))
    u0 = rng.normal(size=p)

    def x_of_u(u):
        return np.tanh(A @ u) + B @ u

    jac = fd_jacobian(x_of_u, u0)  # (n, p): row k = grad_u x_k
    jac_exact = (1 - np.tanh(A @ u0) ** 2)[:, None] * A + B
    assert rel_err(jac, jac_exact) < 1e-8
    s = naive_softmax(x_of_u(u0))
    for i in range(n):
        fd = fd_gradient(lambda u: math.log(naive_softmax(x_of_u(u))[i]), u0)
        got = F.grad_log_softmax_composed(jac_exact, s, i)
        assert got.shape == (p,)
        assert rel_err(got, fd) < 1e-6
        # the expectation form of the text: grad x_i - sum_j S_j grad x_j
        expected = jac_exact[i] - sum(s[j] * jac_exact[j] for j in range(n))
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------- Q1 h, i, d, e
def test_scaling_counterexample():
    x, c = F.scaling_counterexample()
    assert c >= 0
    assert F.is_scaling_counterexample(x, c)
    np.testing.assert_allclose(F.softmax_scaled(x, c), naive_softmax(c * np.asarray(x)),
                               rtol=1e-13)
    # the answer-key numbers
    np.testing.assert_allclose(naive_softmax([0.0, 1.0]), [0.2689414, 0.7310586], atol=1e-7)
    np.testing.assert_allclose(naive_softmax([0.0, 2.0]), [0.1192029, 0.8807971], atol=1e-7)


@pytest.mark.parametrize("x,c,expected", [
    ([0.0, 1.0], 2.0, True),
    ([0.0, 1.0], 0.0, True),      # c = 0 -> uniform
    ([0.0, 1.0], 1.0, False),     # c = 1 is the identity
    ([3.0, 3.0, 3.0], 5.0, False),  # constant x: S is uniform for all c
    ([0.0, 1.0], -2.0, False),    # c < 0 is outside the text's S_c
    ([0.0, 1.0], float("inf"), False),
    ([0.0, 1.0], float("nan"), False),
    ([0.0, 1e-12], 2.0, False),   # difference below tol
])
def test_is_scaling_counterexample_cases(x, c, expected):
    assert F.is_scaling_counterexample(x, c) is expected


def test_identity_residuals_small():
    xs = np.linspace(-30, 30, 121)
    assert np.max(np.abs(F.identity_1d_residual(xs))) < 1e-13
    assert np.max(np.abs(F.identity_1e_residual(xs))) < 1e-13
    # direct check of 1d against the naive definitions
    for t in (-5.0, 0.0, 4.0):
        assert math.log(naive_sigmoid(t)) == pytest.approx(-naive_softplus(-t), rel=1e-13)
    r = F.identity_1i_residual([1.0, -2.0, 0.5], 7.25)
    assert r.shape == (3,)
    assert np.max(np.abs(r)) < 1e-15
