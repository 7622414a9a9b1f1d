"""Q1 of the assignment: usual functions, their derivatives and softmax (numpy, float64).

Conventions
-----------
* Inputs are array_like; outputs are float64 numpy arrays (a numpy float64 scalar when the
  input is a scalar). Vectors are 1-D arrays of shape ``(n,)``.
* ReLU'(0) = 0 by default (``relu_prime(x, at_zero=0.0)``); the L1 subgradient at 0 is 0
  (``np.sign`` convention); Heaviside(0) = 1/2 as in the text; sign(0) = 0.
* Underflow to 0 (e.g. ``exp(-1000)``) is the correct answer and is never reported, even under
  ``np.errstate(all="raise")``; overflow, invalid operations and division by zero do not occur
  for finite inputs of the stable functions (sigmoid, softplus, softmax, logsumexp).

Item map (Q1)
-------------
====  ==========================================================================
a     ``sign_via_indicators`` (= 1_{x>0} - 1_{x<0}), ``sign``, ``indicator``
b     ``relu_prime`` (with ``relu``, ``rect_via_indicator``)
c     ``sigmoid_prime`` (= sigma(x)(1 - sigma(x)))
d     ``identity_1d_residual`` (ln sigma(x) + softplus(-x) = 0)
e     ``identity_1e_residual`` (softplus(x) - softplus(-x) - x = 0)
f     ``l2_squared``, ``l2_squared_grad`` (= 2x)
g     ``l1_norm``, ``l1_grad`` (= sign(x))
h     ``softmax_scaled``, ``is_scaling_counterexample``, ``scaling_counterexample``
i     ``identity_1i_residual`` (S(x + c) - S(x) = 0)
j     ``softmax_partial`` (S_i 1_{i=j} - S_i S_j)
k     ``softmax_jacobian`` (diag(S) - S S^T), ``softmax_jacobian_from_x``
l     ``grad_log_softmax_composed`` (grad x_i - E_{j~S}[grad x_j])
====  ==========================================================================
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "sigmoid", "tanh", "softplus", "sign", "heaviside", "indicator", "relu", "relu_prime",
    "rect_via_indicator", "sign_via_indicators", "sigmoid_prime", "diag", "l2_squared",
    "l2_squared_grad", "l1_norm", "l1_grad", "logsumexp", "softmax", "softmax_partial",
    "softmax_jacobian", "softmax_jacobian_from_x", "grad_log_softmax_composed",
    "softmax_scaled", "is_scaling_counterexample", "scaling_counterexample",
    "identity_1d_residual", "identity_1e_residual", "identity_1i_residual",
]


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _out(a):
    """0-d arrays become numpy float64 scalars; other arrays are returned as they are."""
    a = np.asarray(a, dtype=np.float64)
    return a[()] if a.ndim == 0 else a


# --------------------------------------------------------------------------- scalar functions
def sigmoid(x):
    """sigma(x) = 1 / (1 + exp(-x)), stable for any finite x (no overflow, no warning)."""
    x = _f64(x)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return _out(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def tanh(x):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x)."""
    return _out(np.tanh(_f64(x)))


def softplus(x):
    """softplus(x) = ln(1 + exp(x)), stable (``np.logaddexp(0, x)``)."""
    return _out(np.logaddexp(0.0, _f64(x)))


def sign(x):
    """sign(x): +1 if x > 0, -1 if x < 0, 0 if x = 0."""
    return _out(np.sign(_f64(x)))


def heaviside(x):
    """H(x): 1 if x > 0, 0 if x < 0, 1/2 if x = 0 (the text's convention)."""
    return _out(np.heaviside(_f64(x), 0.5))


def indicator(cond):
    """1_S: 1.0 where the (boolean) condition holds, else 0.0, as a float64 array."""
    return _out(np.asarray(cond, dtype=bool).astype(np.float64))


def relu(x):
    """rect(x) = max(0, x)."""
    return _out(np.maximum(0.0, _f64(x)))


def rect_via_indicator(x):
    """rect(x) = x * 1_{x>0} (the text's definition, extraction error fixed)."""
    x = _f64(x)
    return _out(x * indicator(x > 0))


def relu_prime(x, at_zero=0.0):
    """rect'(x) = 1_{x>0} for x != 0; value ``at_zero`` (default 0) at x = 0."""
    x = _f64(x)
    return _out(np.where(x > 0, 1.0, np.where(x < 0, 0.0, float(at_zero))))


def sign_via_indicators(x):
    """Q1a: sign(x) = 1_{x>0} - 1_{x<0}."""
    x = _f64(x)
    return _out(indicator(x > 0) - indicator(x < 0))


def sigmoid_prime(x):
    """sigma'(x) = sigma(x) (1 - sigma(x))."""
    s = sigmoid(x)
    return _out(s * (1.0 - s))


# --------------------------------------------------------------------------- vectors
def diag(v):
    """diag(v): the n x n matrix with v on its diagonal (v must be 1-D)."""
    v = _f64(v)
    if v.ndim != 1:
        raise ValueError(f"diag expects a 1-D vector, got shape {v.shape}")
    return np.diag(v)


def l2_squared(x):
    """||x||_2^2 = sum_i x_i^2."""
    x = _f64(x)
    return np.float64(np.sum(x * x))


def l2_squared_grad(x):
    """d||x||_2^2 / dx = 2x."""
    return _out(2.0 * _f64(x))


def l1_norm(x):
    """||x||_1 = sum_i |x_i|."""
    return np.float64(np.sum(np.abs(_f64(x))))


def l1_grad(x):
    """d||x||_1 / dx = sign(x) (subgradient 0 at x_i = 0)."""
    return _out(np.sign(_f64(x)))


# --------------------------------------------------------------------------- softmax
def logsumexp(x, axis=-1):
    """log sum_j exp(x_j) along ``axis``, stable (max subtraction)."""
    x = _f64(x)
    m = np.max(x, axis=axis, keepdims=True)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return _out(np.squeeze(r, axis=axis))


def softmax(x, axis=-1):
    """S(x)_i = exp(x_i) / sum_j exp(x_j) along ``axis``, stable (max subtraction)."""
    x = _f64(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_partial(s, i, j):
    """Q1j: dS_i/dx_j = S_i 1_{i=j} - S_i S_j, given the softmax vector ``s`` = S(x)."""
    s = _f64(s)
    return np.float64(s[i] * (1.0 if i == j else 0.0) - s[i] * s[j])


def softmax_jacobian(s):
    """Q1k: dS/dx = diag(S) - S S^T (n x n, entry (i, j) = dS_i/dx_j), given s = S(x)."""
    s = _f64(s)
    if s.ndim != 1:
        raise ValueError(f"softmax_jacobian expects a 1-D vector, got shape {s.shape}")
    return np.diag(s) - np.outer(s, s)


def softmax_jacobian_from_x(x):
    """Jacobian of the softmax at x: ``softmax_jacobian(softmax(x))``."""
    return softmax_jacobian(softmax(x))


def grad_log_softmax_composed(jac, s, i):
    """Q1l: grad_u log S(x(u))_i = grad_u x_i - sum_j S_j grad_u x_j = jac[i] - s @ jac.

    ``jac`` is dx/du of shape (n, p) (row k = grad_u x_k), ``s`` = S(x(u)) of shape (n,).
    The second term is E_j[grad_u x_j] for j ~ Categorical(S(x(u))). Returns shape (p,).
    """
    jac = _f64(jac)
    s = _f64(s)
    if jac.ndim == 1:  # p = 1 given as a vector of length n
        jac = jac[:, None]
    return jac[i] - s @ jac


def softmax_scaled(x, c):
    """Q1h: S_c(x) = S(c x)."""
    return softmax(float(c) * _f64(x))


def is_scaling_counterexample(x, c, tol=1e-9):
    """True iff c >= 0 is finite and max_i |S(c x)_i - S(x)_i| > tol (so S_c != S at x)."""
    try:
        c = float(c)
    except (TypeError, ValueError):
        return False
    x = _f64(x)
    if not np.isfinite(c) or c < 0 or x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        return False
    return bool(np.max(np.abs(softmax_scaled(x, c) - softmax(x))) > tol)


def scaling_counterexample():
    """A witness for Q1h: x = (0, 1), c = 2 gives S(x) = (0.269, 0.731) but S(2x) = (0.119, 0.881)."""
    return np.array([0.0, 1.0]), 2.0


# --------------------------------------------------------------------------- identities
def identity_1d_residual(x):
    """Q1d residual ln sigma(x) + softplus(-x) (~0; meaningful while sigma(x) > 0, |x| < ~700)."""
    return _out(np.log(sigmoid(x)) + softplus(-_f64(x)))


def identity_1e_residual(x):
    """Q1e residual softplus(x) - softplus(-x) - x (~0)."""
    x = _f64(x)
    return _out(softplus(x) - softplus(-x) - x)


def identity_1i_residual(x, c):
    """Q1i residual S(x + c) - S(x) (vector, ~0) for a scalar constant c."""
    x = _f64(x)
    return softmax(x + float(c)) - softmax(x)


# Underflow to 0 (exp(-1000), products of tiny numbers) is the right answer here: never report
# it, even when the caller runs under np.errstate(all="raise") or np.seterr(all="raise").
def _ignore_underflow(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(under="ignore"):
            return fn(*args, **kwargs)
    return wrapper


for _name in __all__:
    globals()[_name] = _ignore_underflow(globals()[_name])
del _name
