"""Oracles for reference.symbolic: sympy differentiates the symbolic forms and the result must
equal the closed forms; the symbolic and numeric implementations agree at random points; an
independent sympy MLP checks the whole backward pass."""

import numpy as np
import pytest
import sympy as sp

from reference import functions as F
from reference import mlp as M
from reference import symbolic as S

z = sp.Symbol("z", real=True)
zp = sp.Symbol("zp", positive=True)
o, y = sp.symbols("o y", real=True)


def is_zero(expr):
    r = sp.simplify(expr)
    if isinstance(r, sp.MatrixBase):
        return all(sp.simplify(e) == 0 for e in r)
    return r == 0


def numeric_points(seed, n=8, scale=4.0):
    return np.random.default_rng(seed).normal(size=n) * scale


# ----------------------------------------------------------------- Q1 scalar closed forms
def test_sigmoid_prime_closed_form():
    assert is_zero(sp.diff(S.sigma(z), z) - S.sigmoid_prime(z))
    # the text's definition of sigma
    assert is_zero(S.sigma(z) - 1 / (1 + sp.exp(-z)))


def test_softplus_derivative_is_sigma():
    assert is_zero(sp.diff(S.softplus(z), z) - S.sigma(z))


def test_tanh_definition():
    assert is_zero(S.tanh(z) - sp.tanh(z).rewrite(sp.exp))


def test_relu_prime_piecewise():
    d = sp.diff(S.relu(z), z)
    for v in (-3, -sp.Rational(1, 7), sp.Rational(1, 3), 5):
        assert d.subs(z, v) == S.relu_prime(z).subs(z, v)
    assert S.relu_prime(z).subs(z, 0) == 0
    assert S.relu_prime(z, at_zero=sp.Rational(1, 2)).subs(z, 0) == sp.Rational(1, 2)
    assert sp.diff(S.relu(zp), zp) == 1


def test_sign_and_heaviside():
    for v in (-2, 0, 3):
        assert S.sign_via_indicators(z).subs(z, v) == sp.sign(v)
    assert S.heaviside(z).subs(z, 0) == sp.Rational(1, 2)
    assert S.indicator(z > 0).subs(z, 1) == 1


def test_identities_d_e():
    for eq in (S.identity_1d(z), S.identity_1e(z)):
        assert isinstance(eq, sp.Equality)
        diff = eq.lhs - eq.rhs
        # a function of a real variable with zero derivative and zero at 0 is zero
        assert is_zero(sp.diff(diff, z))
        assert is_zero(diff.subs(z, 0))
        for v in numeric_points(1):
            assert abs(diff.subs(z, sp.Rational(float(v))).evalf(60)) < 1e-50


# ----------------------------------------------------------------- Q1 vectors
@pytest.mark.parametrize("n", [2, 3])
def test_softmax_partials_and_jacobian(n):
    xs = S.vector_symbols(n)
    s = S.softmax(xs)
    J = S.softmax_jacobian(xs)
    assert J.shape == (n, n)
    for i in range(n):
        for j in range(n):
            auto = sp.diff(s[i], xs[j])
            assert is_zero(auto - S.softmax_partial(xs, i, j))
            assert is_zero(auto - J[i, j])


def test_translation_identity_1i():
    xs = S.vector_symbols(3)
    c = sp.Symbol("c", real=True)
    for i in range(3):
        eq = S.identity_1i(xs, c, i)
        assert is_zero(eq.lhs - eq.rhs)


def test_scaling_not_invariant_symbolically():
    xs = S.vector_symbols(2)
    c = sp.Symbol("c", nonnegative=True)
    expr = S.softmax_scaled_component(xs, c, 0) - S.softmax_component(xs, 0)
    assert expr.subs({xs[0]: 0, xs[1]: 1, c: 2}) != 0
    assert sp.simplify(expr.subs(c, 1)) == 0


def test_norm_gradients():
    xs = S.vector_symbols(3)
    g2 = sp.Matrix([sp.diff(S.l2_squared(xs), x) for x in xs])
    assert is_zero(g2 - S.l2_squared_grad(xs))
    g1 = sp.Matrix([sp.diff(S.l1_norm(xs), x) for x in xs])
    assert is_zero(g1 - S.l1_grad(xs))


def test_grad_log_softmax_composed_symbolic():
    us = sp.symbols("u1 u2", real=True)
    x_of_u = [sp.tanh(us[0] + 2 * us[1]) + us[0], us[0] * us[1], sp.sin(us[1]) - us[0]]
    for i in range(3):
        auto = sp.Matrix([sp.diff(sp.log(S.softmax_component(x_of_u, i)), u) for u in us])
        closed = S.grad_log_softmax_composed(x_of_u, us, i)
        point = {us[0]: 0.3, us[1]: -0.7}
        assert (auto - closed).subs(point).evalf().norm() < 1e-12


# ----------------------------------------------------------------- Q2 closed forms
def test_binary_loss_derivatives():
    assert is_zero(sp.diff(S.mse_loss(o, y), o) - S.mse_grad(o, y))
    assert is_zero(sp.diff(S.mse_half_loss(o, y), o) - S.mse_half_grad(o, y))
    assert is_zero(sp.diff(S.ce_loss(o, y), o) - S.ce_grad(o, y))


def test_q2f_limits_with_sympy():
    assert float(sp.limit(S.mse_grad(o, 1), o, -sp.oo)) == M.mse_grad_limit_wrong_side(1) == 0
    assert float(sp.limit(S.ce_grad(o, 1), o, -sp.oo)) == M.ce_grad_limit_wrong_side(1) == -1
    assert float(sp.limit(S.mse_grad(o, 0), o, sp.oo)) == M.mse_grad_limit_wrong_side(0) == 0
    assert float(sp.limit(S.ce_grad(o, 0), o, sp.oo)) == M.ce_grad_limit_wrong_side(0) == 1


def test_q2f_limit_table_with_sympy():
    """The graded table of 2.f: both gradients, y in {0, 1}, o^a -> -inf and +inf."""
    table = M.grad_limits()
    for name, grad in (("mse", S.mse_grad), ("ce", S.ce_grad)):
        for y in (0, 1):
            for side, inf in enumerate((-sp.oo, sp.oo)):
                assert float(sp.limit(grad(o, y), o, inf)) == table[name][y][side]


def test_multiclass_gradient():
    oas = S.vector_symbols(3, "o")
    for yy in range(3):
        auto = sp.Matrix([sp.diff(S.multiclass_loss(oas, yy), t) for t in oas])
        assert is_zero(auto - S.multiclass_grad(oas, yy))


# ----------------------------------------------------------------- symbolic vs numeric
def test_symbolic_matches_numeric_at_random_points():
    pairs = [
        (S.sigma, F.sigmoid), (S.softplus, F.softplus), (S.sigmoid_prime, F.sigmoid_prime),
        (S.tanh, F.tanh), (S.relu_prime, F.relu_prime), (S.sign_via_indicators, F.sign),
        (S.heaviside, F.heaviside),
    ]
    pts = list(numeric_points(2)) + [0.0]
    for sym, num in pairs:
        f = sp.lambdify(z, sym(z), "math")
        for v in pts:
            assert float(f(v)) == pytest.approx(float(num(v)), rel=1e-12, abs=1e-15), sym.__name__
    for sym, num in [(S.mse_loss, M.mse_loss), (S.mse_grad, M.mse_grad),
                     (S.ce_loss, M.ce_loss), (S.ce_grad, M.ce_grad),
                     (S.mse_half_loss, M.mse_half_loss), (S.mse_half_grad, M.mse_half_grad)]:
        f = sp.lambdify((o, y), sym(o, y), "math")
        for v in pts:
            for yy in (0, 1):
                assert float(f(v, yy)) == pytest.approx(float(num(v, yy)), rel=1e-10, abs=1e-15)


def test_symbolic_softmax_objects_match_numeric():
    xs = S.vector_symbols(4)
    rng = np.random.default_rng(5)
    x = rng.normal(size=4) * 2
    sub = dict(zip(xs, x))
    s_num = F.softmax(x)
    np.testing.assert_allclose(np.array(S.softmax(xs).subs(sub).evalf(), dtype=float).ravel(),
                               s_num, rtol=1e-12)
    np.testing.assert_allclose(np.array(S.softmax_jacobian(xs).subs(sub).evalf(), dtype=float),
                               F.softmax_jacobian(s_num), rtol=1e-11, atol=1e-15)
    oas = S.vector_symbols(4, "o")
    for yy in range(4):
        val = float(S.multiclass_loss(oas, yy).subs(dict(zip(oas, x))).evalf())
        assert val == pytest.approx(M.multiclass_loss(x, yy), rel=1e-12)
        g = np.array(S.multiclass_grad(oas, yy).subs(dict(zip(oas, x))).evalf(), dtype=float)
        np.testing.assert_allclose(g.ravel(), M.grad_oa(s_num, yy), rtol=1e-11, atol=1e-15)


# ----------------------------------------------------------------- independent sympy MLP
def test_sympy_mlp_backward():
    d, dh, m = 3, 2, 4
    W1 = sp.Matrix(dh, d, lambda j, i: sp.Symbol(f"W1_{j}{i}"))
    b1 = sp.Matrix(dh, 1, lambda j, _: sp.Symbol(f"b1_{j}"))
    W2 = sp.Matrix(m, dh, lambda k, j: sp.Symbol(f"W2_{k}{j}"))
    b2 = sp.Matrix(m, 1, lambda k, _: sp.Symbol(f"b2_{k}"))
    rng = np.random.default_rng(11)
    x = rng.normal(size=d)
    yy = 2
    ha = W1 * sp.Matrix(x) + b1
    hs = ha.applyfunc(lambda t: 1 / (1 + sp.exp(-t)))
    oa = W2 * hs + b2
    loss = -oa[yy] + sp.log(sum(sp.exp(t) for t in oa))
    P = M.init_params(d, dh, m, rng)
    sym = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    point = {}
    for name, mat in sym.items():
        vals = P[name].reshape(mat.shape)
        for idx in np.ndindex(mat.shape):
            point[mat[idx]] = float(vals[idx])
    r = M.backward(x, yy, P)
    assert float(loss.subs(point)) == pytest.approx(r["loss"], rel=1e-12)
    for name, mat in sym.items():
        grad = r["grad_" + name].reshape(mat.shape)
        for idx in np.ndindex(mat.shape):
            want = float(sp.diff(loss, mat[idx]).subs(point))
            assert grad[idx] == pytest.approx(want, rel=1e-10, abs=1e-14), (name, idx)


def test_vector_functions_accept_n():
    xs = S.vector_symbols(3)
    assert S.softmax_component(3, 1) == S.softmax_component(xs, 1)
    assert S.softmax_partial(3, 0, 2) == S.softmax_partial(xs, 0, 2)
    assert S.softmax_jacobian(3) == S.softmax_jacobian(xs)
    assert S.l2_squared_grad(3) == S.l2_squared_grad(xs)
    assert S.multiclass_loss(3, 0) == S.multiclass_loss(S.vector_symbols(3, "o"), 0)
