"""Closed forms of Q1 and Q2 as sympy expressions.

Import explicitly (``from reference import symbolic``): ``import reference`` does not load sympy.

Every function takes the sympy symbol(s) to build the expression in. Vectors are tuples of
symbols (see ``vector_symbols``); class labels are 0-based indices into such tuples.

Item map: Q1a ``sign_via_indicators``; Q1b ``relu_prime``; Q1c ``sigmoid_prime``;
Q1d ``identity_1d``; Q1e ``identity_1e``; Q1f ``l2_squared_grad``; Q1g ``l1_grad``;
Q1h ``softmax_scaled_component``; Q1i ``identity_1i``; Q1j ``softmax_partial``;
Q1k ``softmax_jacobian``; Q1l ``grad_log_softmax_composed``; Q2c ``softmax_component``;
Q2d ``mse_loss``/``mse_grad``; Q2e ``ce_loss``/``ce_grad``; Q2f ``mse_grad``/``ce_grad``
(limits); Q2g/Q2i ``multiclass_loss``/``multiclass_grad``. The answer key is ``reference.key``.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "sigma", "tanh", "softplus", "sigmoid_prime", "indicator", "heaviside", "relu",
    "relu_prime", "sign_via_indicators", "identity_1d", "identity_1e", "vector_symbols",
    "softmax", "softmax_component", "softmax_scaled_component", "softmax_partial",
    "softmax_jacobian", "identity_1i", "l2_squared", "l2_squared_grad", "l1_norm", "l1_grad",
    "grad_log_softmax_composed", "mse_loss", "mse_grad", "mse_half_loss", "mse_half_grad",
    "ce_loss", "ce_grad", "multiclass_loss", "multiclass_grad",
]


# --------------------------------------------------------------------------- Q1 scalars
def sigma(z):
    """sigma(z) = 1 / (1 + exp(-z))."""
    return 1 / (1 + sp.exp(-z))


def tanh(z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))


def softplus(z):
    """softplus(z) = log(1 + exp(z))."""
    return sp.log(1 + sp.exp(z))


def sigmoid_prime(z):
    """Q1c: sigma'(z) = sigma(z) (1 - sigma(z))."""
    return sigma(z) * (1 - sigma(z))


def indicator(cond):
    """1_cond as a Piecewise (1 where cond holds, else 0)."""
    return sp.Piecewise((1, cond), (0, True))


def heaviside(z):
    """H(z): 1 if z > 0, 0 if z < 0, 1/2 at 0."""
    return sp.Piecewise((1, z > 0), (0, z < 0), (sp.Rational(1, 2), True))


def relu(z):
    """rect(z) = z 1_{z>0}."""
    return sp.Piecewise((z, z > 0), (0, True))


def relu_prime(z, at_zero=0):
    """Q1b: rect'(z) = 1 if z > 0, 0 if z < 0 (undefined at 0; ``at_zero`` there)."""
    return sp.Piecewise((1, z > 0), (0, z < 0), (at_zero, True))


def sign_via_indicators(z):
    """Q1a: sign(z) = 1_{z>0} - 1_{z<0}."""
    return indicator(z > 0) - indicator(z < 0)


def identity_1d(z):
    """Q1d: Eq(log sigma(z), -softplus(-z)) (unevaluated)."""
    return sp.Eq(sp.log(sigma(z)), -softplus(-z), evaluate=False)


def identity_1e(z):
    """Q1e: Eq(softplus(z) - softplus(-z), z) (unevaluated)."""
    return sp.Eq(softplus(z) - softplus(-z), z, evaluate=False)


# --------------------------------------------------------------------------- Q1 vectors
def vector_symbols(n, name="x", **assumptions):
    """(x1, ..., xn): n real sympy symbols (1-based names as in the text; index 0 is x1)."""
    assumptions.setdefault("real", True)
    return tuple(sp.symbols(f"{name}1:{n + 1}", **assumptions))


def _vec(xs, name="x"):
    """A tuple of symbols: ``xs`` itself, or ``vector_symbols(xs, name)`` when xs is an int n."""
    return vector_symbols(xs, name) if isinstance(xs, int) else tuple(xs)


def softmax_component(xs, i):
    """S(x)_i = exp(x_i) / sum_j exp(x_j) (i 0-based; xs symbols, or n for x1..xn)."""
    xs = _vec(xs)
    return sp.exp(xs[i]) / sum(sp.exp(x) for x in xs)


def softmax(xs):
    """S(x) as an n x 1 sympy Matrix."""
    xs = _vec(xs)
    return sp.Matrix([softmax_component(xs, i) for i in range(len(xs))])


def softmax_scaled_component(xs, c, i):
    """Q1h: S_c(x)_i = S(c x)_i."""
    xs = _vec(xs)
    return softmax_component([c * x for x in xs], i)


def softmax_partial(xs, i, j):
    """Q1j closed form: dS_i/dx_j = S_i 1_{i=j} - S_i S_j."""
    xs = _vec(xs)
    s_i = softmax_component(xs, i)
    s_j = softmax_component(xs, j)
    return s_i * (1 if i == j else 0) - s_i * s_j


def softmax_jacobian(xs):
    """Q1k closed form: diag(S) - S S^T (n x n Matrix)."""
    s = softmax(xs)
    return sp.diag(*s) - s * s.T


def identity_1i(xs, c, i):
    """Q1i: Eq(S(x + c)_i, S(x)_i) (unevaluated)."""
    xs = _vec(xs)
    return sp.Eq(softmax_component([x + c for x in xs], i), softmax_component(xs, i),
                 evaluate=False)


def l2_squared(xs):
    """||x||_2^2 = sum x_i^2."""
    xs = _vec(xs)
    return sum(x ** 2 for x in xs)


def l2_squared_grad(xs):
    """Q1f: 2x (n x 1 Matrix)."""
    xs = _vec(xs)
    return sp.Matrix([2 * x for x in xs])


def l1_norm(xs):
    """||x||_1 = sum |x_i|."""
    xs = _vec(xs)
    return sum(sp.Abs(x) for x in xs)


def l1_grad(xs):
    """Q1g: sign(x) (n x 1 Matrix; sympy sign(0) = 0, the subgradient convention)."""
    xs = _vec(xs)
    return sp.Matrix([sp.sign(x) for x in xs])


def grad_log_softmax_composed(x_of_u, us, i):
    """Q1l closed form: grad_u x_i - sum_j S(x)_j grad_u x_j (p x 1 Matrix).

    ``x_of_u`` are the n expressions x_j(u), ``us`` the p symbols u.
    """
    n = len(x_of_u)
    s = [softmax_component(x_of_u, j) for j in range(n)]
    return sp.Matrix([
        sp.diff(x_of_u[i], u) - sum(s[j] * sp.diff(x_of_u[j], u) for j in range(n))
        for u in us
    ])


# --------------------------------------------------------------------------- Q2
def mse_loss(o, y):
    """Q2d: (sigma(o) - y)^2."""
    return (sigma(o) - y) ** 2


def mse_grad(o, y):
    """Q2d: 2 (sigma(o) - y) sigma(o) (1 - sigma(o))."""
    return 2 * (sigma(o) - y) * sigma(o) * (1 - sigma(o))


def mse_half_loss(o, y):
    """(sigma(o) - y)^2 / 2."""
    return (sigma(o) - y) ** 2 / 2


def mse_half_grad(o, y):
    """(sigma(o) - y) sigma(o) (1 - sigma(o))."""
    return (sigma(o) - y) * sigma(o) * (1 - sigma(o))


def ce_loss(o, y):
    """Q2e: -(y log sigma(o) + (1 - y) log(1 - sigma(o)))."""
    return -(y * sp.log(sigma(o)) + (1 - y) * sp.log(1 - sigma(o)))


def ce_grad(o, y):
    """Q2e: sigma(o) - y."""
    return sigma(o) - y


def multiclass_loss(oas, y):
    """Q2g: -o^a_y + log sum_k exp(o^a_k) (y 0-based index into ``oas``, or m for o1..om)."""
    oas = _vec(oas, "o")
    return -oas[y] + sp.log(sum(sp.exp(o) for o in oas))


def multiclass_grad(oas, y):
    """Q2i closed form: o^s - onehot(y) (m x 1 Matrix)."""
    oas = _vec(oas, "o")
    return sp.Matrix([softmax_component(oas, k) - (1 if k == y else 0)
                      for k in range(len(oas))])
