"""Expected answers that are about the grading form rather than the mathematics.

The mathematics lives in `reference/`; here are the adapters the rubric names
with `target.*`: expected shapes in the students' column-vector convention,
and the expression trees that a derivation must start or end at.
"""
from __future__ import annotations

from reference import mlp


def resolve(name: str):
    """'functions.sign' -> reference.functions.sign; 'target.x' -> this module's x."""
    module, _, attr = name.partition(".")
    if module == "target":
        fn = globals().get(attr)
    else:
        import importlib
        if module not in ("functions", "mlp", "conv"):
            raise KeyError(name)
        fn = getattr(importlib.import_module("reference." + module), attr, None)
    if fn is None or not callable(fn):
        raise KeyError(name)
    return fn


# -------------------------------------------------------------- shapes
def _vec(n):
    return ("vector", n)


def shape_b1(d, d_h, m):
    return _vec(d_h)


def shapes_2b(d, d_h, m):
    return {"W2": (m, d_h), "b2": _vec(m)}


def shapes_2k(d, d_h, m):
    return {"grad_oa": _vec(m), "hs": _vec(d_h), "grad_W2": (m, d_h), "grad_b2": _vec(m)}


def shapes_2m(d, d_h, m):
    return {"W2": (m, d_h), "grad_oa": _vec(m), "grad_hs": _vec(d_h)}


def shapes_2o(d, d_h, m):
    return {"grad_hs": _vec(d_h), "ha": _vec(d_h), "grad_ha": _vec(d_h)}


def empirical_risk(X, Y, W1, b1, W2, b2):
    return mlp.empirical_risk(X, Y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2})


# ------------------------------------------------ derivation end points
def _x(n):
    return tuple(("sym", "x%d" % k) for k in range(n))


def softmax_shifted(i, n=3):
    """S(x + c)_i as a tree."""
    return ("softmax", i, tuple(("add", xk, ("sym", "c")) for xk in _x(n)))


def softmax_component(i, n=3):
    return ("softmax", i, _x(n))


def softmax_partial_x(i, j, n=3):
    """S_i 1{i=j} − S_i S_j as a tree (its value is all that is compared)."""
    s_i, s_j = ("softmax", i, _x(n)), ("softmax", j, _x(n))
    diag_term = s_i if i == j else ("num", 0)
    return ("sub", diag_term, ("mul", s_i, s_j))


TREE_TARGETS = {"softmax_shifted": softmax_shifted, "softmax_component": softmax_component,
                "softmax_partial_x": softmax_partial_x}


# ------------------------------------------ exact formulas of the calculus answers (issue 20)
# The reference formula of each `expect` of a values check with `exact_formula:`, as a tree of its
# arguments (a symbol leaf, an array of symbol leaves, or a plain number), evaluated in
# multiprecision by autograder/exactness.py. Any correct way of writing it is equal to it.
def _num(v):
    return ("num", v)


def _sigmoid_prime(z):
    s = ("sigma", z)
    return ("mul", s, ("sub", _num(1), s))


def _flat(a):
    return list(a.reshape(-1)) if hasattr(a, "reshape") else [a]


def _relu_prime(x):
    return ("ind", ("gt", x, _num(0)))


def _l1_grad(x):
    return [("sign", e) for e in _flat(x)]


def _softmax_jacobian(S):
    s = _flat(S)
    return [[("sub", s[i] if i == j else _num(0), ("mul", s[i], s[j])) for j in range(len(s))]
            for i in range(len(s))]


def _mse_grad(oa, y, factor=2):
    return ("mul", ("mul", _num(factor), ("sub", ("sigma", oa), _num(y))), _sigmoid_prime(oa))


def _grad_oa_k(oa, y, k):
    return ("sub", ("softmax", int(k), tuple(_flat(oa))), _num(1 if int(k) == int(y) else 0))


def _grad_ha(grad_hs, ha):
    return [("mul", g, _sigmoid_prime(a)) for g, a in zip(_flat(grad_hs), _flat(ha))]


FORMULAS = {
    "functions.relu_prime": _relu_prime,
    "functions.sigmoid_prime": _sigmoid_prime,
    "functions.l1_grad": _l1_grad,
    "functions.softmax_jacobian": _softmax_jacobian,
    "mlp.mse_grad": _mse_grad,
    "mlp.mse_half_grad": lambda oa, y: _mse_grad(oa, y, 1),
    "mlp.ce_grad": lambda oa, y: ("sub", ("sigma", oa), _num(y)),
    "mlp.grad_oa_k": _grad_oa_k,
    "mlp.grad_ha_j": lambda grad_hs, ha, j: ("mul", _flat(grad_hs)[int(j)], _sigmoid_prime(_flat(ha)[int(j)])),
    "mlp.grad_ha": _grad_ha,
}
