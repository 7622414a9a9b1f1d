"""Q2 of the assignment: a one-hidden-layer MLP classifier, its losses and backpropagation (numpy).

Network: h^a = W1 x + b1, h^s = sigma(h^a), o^a = W2 h^s + b2, o^s = softmax(o^a).
Shapes: x (d,), W1 (d_h, d), b1 (d_h,), W2 (m, d_h), b2 (m,). ``params`` is a dict with keys
``"W1", "b1", "W2", "b2"``.

Labels are 0-based: y in {0, ..., m-1} (the assignment's y minus 1). Binary losses take
y in {0, 1} and are elementwise on scalars or arrays. L_MSE(sigma(o), y) = (sigma(o) - y)^2
(no 1/2; the 1/2 variant is ``mse_half_loss``/``mse_half_grad``).

Forward functions accept one example x of shape (d,) or a batch X of shape (n, d) (rows are
examples). The ``*_j``/``*_k`` functions give one component by its scalar formula.

Item map (Q2)
-------------
====  ==========================================================================
a     ``param_shapes`` (b1: (d_h,)), ``hidden_preactivation``, ``hidden_preactivation_j``,
      ``hidden_output``
b     ``param_shapes`` (W2: (m, d_h), b2: (m,)), ``output_preactivation``,
      ``output_preactivation_k``
c     ``output_softmax`` (positive, sums to 1)
d     ``mse_loss``, ``mse_grad`` (= 2(sigma - y) sigma (1 - sigma)); ``mse_half_*``
e     ``ce_loss``, ``ce_grad`` (= sigma - y)
f     ``mse_grad_limit_wrong_side`` (0), ``ce_grad_limit_wrong_side`` (-1 for y=1, +1 for y=0),
      ``grad_limits`` (both gradients, y in {0, 1}, o^a -> -inf / +inf: the graded table)
g     ``multiclass_loss`` (= -o^a_y + log sum_k exp o^a_k)
h     ``empirical_risk``, ``param_names``, ``param_shapes``, ``param_count``
i     ``grad_oa`` (= o^s - onehot_m(y)), ``grad_oa_k``, ``onehot``
j     ``grad_W2_kj`` (= dL/do^a_k h^s_j), ``grad_b2_k`` (= dL/do^a_k)
k     ``grad_W2`` (= dL/do^a (h^s)^T, m x d_h), ``grad_b2`` (m,)
l     ``grad_hs_j`` (= sum_k dL/do^a_k W2_kj)
m     ``grad_hs`` (= W2^T dL/do^a, d_h)
n     ``grad_ha_j`` (= dL/dh^s_j sigma'(h^a_j)), ``reference.functions.sigmoid_prime``
o     ``grad_ha`` (= dL/dh^s * sigma'(h^a), elementwise, d_h)
--    ``grad_W1``, ``grad_b1``, ``grad_x``, ``backward``, ``backward_batch``, ``loss_and_grads``
====  ==========================================================================
"""

from __future__ import annotations


import numpy as np

from .functions import _ignore_underflow, logsumexp, sigmoid, sigmoid_prime, softmax, softplus

__all__ = [
    "param_names", "param_shapes", "param_count", "init_params",
    "hidden_preactivation", "hidden_preactivation_j", "hidden_output",
    "output_preactivation", "output_preactivation_k", "output_softmax", "forward",
    "mse_loss", "mse_grad", "mse_half_loss", "mse_half_grad", "ce_loss", "ce_grad",
    "mse_grad_limit_wrong_side", "ce_grad_limit_wrong_side", "grad_limits",
    "multiclass_loss", "empirical_risk", "onehot",
    "grad_oa", "grad_oa_k", "grad_W2", "grad_W2_kj", "grad_b2", "grad_b2_k",
    "grad_hs", "grad_hs_j", "grad_ha", "grad_ha_j", "grad_W1", "grad_b1", "grad_x",
    "backward", "backward_batch", "loss_and_grads",
]

_NAMES = ("W1", "b1", "W2", "b2")


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _out(a):
    a = np.asarray(a, dtype=np.float64)
    return a[()] if a.ndim == 0 else a


# --------------------------------------------------------------------------- parameters
def param_names():
    """Names of the parameter set theta, in order: ("W1", "b1", "W2", "b2")."""
    return _NAMES


def param_shapes(d, dh, m):
    """Shapes of theta: W1 (dh, d), b1 (dh,), W2 (m, dh), b2 (m,)."""
    return {"W1": (dh, d), "b1": (dh,), "W2": (m, dh), "b2": (m,)}


def param_count(d, dh, m):
    """n_theta = d_h (d + 1) + m (d_h + 1)."""
    return dh * (d + 1) + m * (dh + 1)


def init_params(d, dh, m, rng=None):
    """Random parameters: W ~ N(0, 1/fan_in), b ~ N(0, 0.5^2) (non-zero biases, for testing).

    ``rng`` is a ``np.random.Generator`` or anything ``np.random.default_rng`` accepts.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(d), size=(dh, d)),
        "b1": rng.normal(0.0, 0.5, size=(dh,)),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(dh), size=(m, dh)),
        "b2": rng.normal(0.0, 0.5, size=(m,)),
    }


# --------------------------------------------------------------------------- forward
def hidden_preactivation(W1, b1, x):
    """Q2a: h^a = W1 x + b1, shape (d_h,) (or (n, d_h) for a batch X of shape (n, d))."""
    return _f64(x) @ _f64(W1).T + _f64(b1)


def hidden_preactivation_j(W1, b1, x, j):
    """Q2a: h^a_j = sum_i W1_{j,i} x_i + b1_j."""
    return np.float64(_f64(W1)[j] @ _f64(x) + _f64(b1)[j])


def hidden_output(ha):
    """Q2a: h^s = sigma(h^a), elementwise."""
    return sigmoid(ha)


def output_preactivation(W2, b2, hs):
    """Q2b: o^a = W2 h^s + b2, shape (m,) (or (n, m) for a batch)."""
    return _f64(hs) @ _f64(W2).T + _f64(b2)


def output_preactivation_k(W2, b2, hs, k):
    """Q2b: o^a_k = sum_j W2_{k,j} h^s_j + b2_k."""
    return np.float64(_f64(W2)[k] @ _f64(hs) + _f64(b2)[k])


def output_softmax(oa):
    """Q2c: o^s_k = exp(o^a_k) / sum_k' exp(o^a_k'), stable, along the last axis."""
    return softmax(oa, axis=-1)


def forward(x, params):
    """Forward pass: dict with ha, hs, oa, os (for one x (d,) or a batch X (n, d))."""
    ha = hidden_preactivation(params["W1"], params["b1"], x)
    hs = hidden_output(ha)
    oa = output_preactivation(params["W2"], params["b2"], hs)
    return {"ha": ha, "hs": hs, "oa": oa, "os": output_softmax(oa)}


# --------------------------------------------------------------------------- binary losses
def mse_loss(oa, y):
    """Q2d: L_MSE(sigma(o^a), y) = (sigma(o^a) - y)^2, y in {0, 1}."""
    return _out((sigmoid(oa) - _f64(y)) ** 2)


def mse_grad(oa, y):
    """Q2d: dL_MSE/do^a = 2 (sigma(o^a) - y) sigma(o^a) (1 - sigma(o^a))."""
    s = sigmoid(oa)
    return _out(2.0 * (s - _f64(y)) * s * (1.0 - s))


def mse_half_loss(oa, y):
    """1/2 (sigma(o^a) - y)^2 (the other usual MSE convention)."""
    return _out(0.5 * (sigmoid(oa) - _f64(y)) ** 2)


def mse_half_grad(oa, y):
    """d/do^a of 1/2 (sigma(o^a) - y)^2 = (sigma - y) sigma (1 - sigma)."""
    s = sigmoid(oa)
    return _out((s - _f64(y)) * s * (1.0 - s))


def ce_loss(oa, y):
    """Q2e: L_CE = -[y log sigma(o^a) + (1 - y) log(1 - sigma(o^a))]
    = y softplus(-o^a) + (1 - y) softplus(o^a), finite for any finite o^a."""
    oa = _f64(oa)
    y = _f64(y)
    return _out(y * softplus(-oa) + (1.0 - y) * softplus(oa))


def ce_grad(oa, y):
    """Q2e: dL_CE/do^a = sigma(o^a) - y."""
    return _out(sigmoid(oa) - _f64(y))


def mse_grad_limit_wrong_side(y=1):
    """Q2f: lim dL_MSE/do^a when the prediction is confidently wrong (o^a -> -inf with y = 1,
    or o^a -> +inf with y = 0) is 0: the gradient vanishes, learning stalls."""
    _check_binary(y)
    return 0.0


def ce_grad_limit_wrong_side(y=1):
    """Q2f: lim dL_CE/do^a when confidently wrong: -1 (o^a -> -inf, y = 1) or +1
    (o^a -> +inf, y = 0): the gradient stays of size 1 and pushes o^a the right way."""
    _check_binary(y)
    return -1.0 if y == 1 else 1.0


def grad_limits():
    """Q2f as graded: {"mse": L, "ce": L} where L[y][side] is the limit of dL/do^a for the
    label y in {0, 1} as o^a -> -inf (side 0) or +inf (side 1).

    MSE: 2(sigma - y) sigma (1 - sigma) -> 0 on every side (sigma(1 - sigma) -> 0; the same
    for the half convention). CE: sigma - y -> [[0, 1], [-1, 0]]. The confidently wrong cells
    are L[1][0] (y = 1, o^a -> -inf) and L[0][1] (y = 0, o^a -> +inf).
    """
    return {"mse": [[0.0, 0.0], [0.0, 0.0]],
            "ce": [[0.0, 1.0], [-1.0, 0.0]]}


WRONG_SIDE_CELLS = ((1, 0), (0, 1))   # (y, side) where the prediction is confidently wrong
RIGHT_SIDE_CELLS = ((0, 0), (1, 1))   # (y, side) where the prediction is right: every gradient vanishes


def _check_binary(y):
    if y not in (0, 1):
        raise ValueError(f"binary label must be 0 or 1, got {y!r}")


# --------------------------------------------------------------------------- multiclass
def _labels(y, m):
    y_arr = np.asarray(y)
    if y_arr.dtype == bool or not np.issubdtype(y_arr.dtype, np.integer):
        if not (np.issubdtype(y_arr.dtype, np.floating) and np.all(y_arr == np.round(y_arr))):
            raise ValueError(f"labels must be integers, got {y!r}")
        y_arr = y_arr.astype(np.int64)
    if np.any(y_arr < 0) or np.any(y_arr >= m):
        raise ValueError(f"labels must be 0-based in {{0, ..., {m - 1}}}, got {y!r}")
    return y_arr


def onehot(y, m):
    """onehot_m(y): length-m vector with a 1 at (0-based) position y; (n, m) for an array y."""
    y_arr = _labels(y, m)
    return np.eye(m, dtype=np.float64)[y_arr]


def multiclass_loss(oa, y):
    """Q2g: L = -log o^s_y = -o^a_y + log sum_k exp(o^a_k) (stable). oa (m,) with y an int,
    or oa (n, m) with y (n,) giving n losses."""
    oa = _f64(oa)
    y_arr = _labels(y, oa.shape[-1])
    if oa.ndim == 1:
        return np.float64(logsumexp(oa) - oa[int(y_arr)])
    picked = np.take_along_axis(oa, y_arr[:, None], axis=-1)[:, 0]
    return logsumexp(oa, axis=-1) - picked


def empirical_risk(X, Y, params):
    """Q2h: R_hat = 1/n sum_i L(x_i, y_i); X (n, d) rows are examples, Y (n,) 0-based."""
    X = np.atleast_2d(_f64(X))
    oa = forward(X, params)["oa"]
    return np.float64(np.mean(multiclass_loss(oa, np.asarray(Y).reshape(-1))))


# --------------------------------------------------------------------------- backward pieces
def grad_oa(os, y):
    """Q2i: dL/do^a = o^s - onehot_m(y), shape (m,) (or (n, m))."""
    os = _f64(os)
    return os - onehot(y, os.shape[-1])


def grad_oa_k(oa, y, k):
    """Q2i: dL/do^a_k = o^s_k - 1_{k=y} (from o^a, scalar)."""
    return np.float64(softmax(oa)[k] - (1.0 if int(k) == int(y) else 0.0))


def grad_W2(grad_oa, hs):
    """Q2k: dL/dW2 = (dL/do^a) (h^s)^T, shape (m, d_h)."""
    return np.outer(_f64(grad_oa), _f64(hs))


def grad_W2_kj(grad_oa, hs, k, j):
    """Q2j: dL/dW2_kj = dL/do^a_k * h^s_j."""
    return np.float64(_f64(grad_oa)[k] * _f64(hs)[j])


def grad_b2(grad_oa):
    """Q2k: dL/db2 = dL/do^a, shape (m,)."""
    return np.array(grad_oa, dtype=np.float64)


def grad_b2_k(grad_oa, k):
    """Q2j: dL/db2_k = dL/do^a_k."""
    return np.float64(_f64(grad_oa)[k])


def grad_hs(grad_oa, W2):
    """Q2m: dL/dh^s = W2^T dL/do^a, shape (d_h,)."""
    return _f64(W2).T @ _f64(grad_oa)


def grad_hs_j(grad_oa, W2, j):
    """Q2l: dL/dh^s_j = sum_k dL/do^a_k * W2_kj."""
    return np.float64(_f64(grad_oa) @ _f64(W2)[:, j])


def grad_ha(grad_hs, ha):
    """Q2o: dL/dh^a = dL/dh^s * sigma'(h^a) = dL/dh^s * h^s * (1 - h^s), elementwise (d_h,)."""
    return _f64(grad_hs) * sigmoid_prime(ha)


def grad_ha_j(grad_hs, ha, j):
    """Q2n: dL/dh^a_j = dL/dh^s_j * sigma'(h^a_j)."""
    return np.float64(_f64(grad_hs)[j] * sigmoid_prime(_f64(ha)[j]))


def grad_W1(grad_ha, x):
    """dL/dW1 = (dL/dh^a) x^T, shape (d_h, d)."""
    return np.outer(_f64(grad_ha), _f64(x))


def grad_b1(grad_ha):
    """dL/db1 = dL/dh^a, shape (d_h,)."""
    return np.array(grad_ha, dtype=np.float64)


def grad_x(grad_ha, W1):
    """dL/dx = W1^T dL/dh^a, shape (d,)."""
    return _f64(W1).T @ _f64(grad_ha)


# --------------------------------------------------------------------------- full backprop
def backward(x, y, params):
    """Backprop for one example (x (d,), y 0-based int).

    Returns a dict with the forward values ``ha, hs, oa, os``, the ``loss``, and
    ``grad_oa, grad_W2, grad_b2, grad_hs, grad_ha, grad_W1, grad_b1, grad_x``.
    """
    x = _f64(x)
    if x.ndim != 1:
        raise ValueError(f"backward expects one example of shape (d,), got {x.shape}")
    f = forward(x, params)
    g_oa = grad_oa(f["os"], y)
    g_hs = grad_hs(g_oa, params["W2"])
    g_ha = grad_ha(g_hs, f["ha"])
    return {
        **f,
        "loss": multiclass_loss(f["oa"], y),
        "grad_oa": g_oa,
        "grad_W2": grad_W2(g_oa, f["hs"]),
        "grad_b2": grad_b2(g_oa),
        "grad_hs": g_hs,
        "grad_ha": g_ha,
        "grad_W1": grad_W1(g_ha, x),
        "grad_b1": grad_b1(g_ha),
        "grad_x": grad_x(g_ha, params["W1"]),
    }


def backward_batch(X, Y, params):
    """Gradient of the empirical risk R_hat = 1/n sum_i L(x_i, y_i) (X (n, d), Y (n,) 0-based).

    Returns ``loss`` (= R_hat), ``grad_W1, grad_b1, grad_W2, grad_b2`` (means over the batch,
    shaped like the parameters) and the per-example rows ``ha, hs, oa, os, losses,
    grad_oa, grad_hs, grad_ha`` (each (n, .)).
    """
    X = np.atleast_2d(_f64(X))
    Y = np.asarray(Y).reshape(-1)
    n = X.shape[0]
    if Y.shape[0] != n:
        raise ValueError(f"X has {n} rows but Y has {Y.shape[0]} labels")
    f = forward(X, params)
    losses = multiclass_loss(f["oa"], Y)
    g_oa = grad_oa(f["os"], Y)                      # (n, m)
    g_hs = g_oa @ _f64(params["W2"])                # (n, dh)
    g_ha = g_hs * sigmoid_prime(f["ha"])            # (n, dh)
    return {
        **f,
        "losses": losses,
        "loss": np.float64(np.mean(losses)),
        "grad_oa": g_oa,
        "grad_hs": g_hs,
        "grad_ha": g_ha,
        "grad_W2": g_oa.T @ f["hs"] / n,
        "grad_b2": g_oa.mean(axis=0),
        "grad_W1": g_ha.T @ X / n,
        "grad_b1": g_ha.mean(axis=0),
    }


def loss_and_grads(X, Y, params):
    """(loss, grads): grads is a dict keyed like ``params`` ("W1", "b1", "W2", "b2").

    With one example (x of shape (d,), y an int) the loss is L(x, y); with a batch
    (X (n, d), Y (n,)) it is the empirical risk and the grads are its gradient.
    """
    if np.ndim(X) == 1:
        r = backward(X, Y, params)
    else:
        r = backward_batch(X, Y, params)
    return r["loss"], {name: r["grad_" + name] for name in _NAMES}


# Underflow to 0 is the right answer here too (see functions._ignore_underflow).
for _name in __all__:
    globals()[_name] = _ignore_underflow(globals()[_name])
del _name
