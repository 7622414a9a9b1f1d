"""Q3 of the assignment: convolution / pooling output sizes and parameter counts (pure Python ints).

Conventions: square kernels and windows; ``p`` zeros are added at the start AND at the end of
each spatial axis; ``d`` is the dilation (d = 1: no dilation, effective kernel d(k-1)+1);
floor convention (a window must fit entirely in the padded input; leftover pixels are dropped):

    out = floor((n + 2p - d(k-1) - 1) / s) + 1

Pooling "without overlap" means stride = window size (s = k), no padding.

Item map (Q3)
-------------
====  ==========================================================================
a     ``propagate``, ``q3a_shapes`` -> [(32,61,61), (32,12,12), (128,11,11)], ``q3a_total``
      -> 15488 (= 128*11*11)
b     ``conv_params``, ``q3b_params`` -> 65536 (= 128*32*4*4, without biases)
c     ``valid_configs("c")`` (p = 0, d = 1), ``is_valid_config``
d     ``valid_configs("d")`` (d = 2, p = 2)
e     ``valid_configs("e")`` (p = 1, d = 1, s = 2) -> k in {27, 28}
====  ==========================================================================

For c-e: input (3, 32, 32), output (28, 4, 4) from ONE conv layer with 28 filters; the
channel counts only fix the filter count (28 filters of shape 3 x k x k), not (k, s, p, d).
``valid_configs`` is exhaustive with its default bounds (32): an output of 4 needs
3 <= 3s <= n + 2p - d(k-1) - 1, i.e. d(k-1) <= 28 + 2p and s <= (31 + 2p)/3, which gives
k <= 31 and s <= 11 for every item here.
"""

from __future__ import annotations

from numbers import Integral

__all__ = [
    "conv_output_size", "pool_output_size", "conv_params", "propagate",
    "Q3_INPUT", "Q3_LAYERS", "q3a_shapes", "q3a_total", "q3b_params",
    "Q3_CDE_INPUT", "Q3_CDE_OUTPUT", "CONFIG_CONSTRAINTS", "is_valid_config", "valid_configs",
]


def _is_int(v):
    return isinstance(v, Integral) and not isinstance(v, bool)


def _check(name, v, minimum):
    if not _is_int(v):
        raise ValueError(f"{name} must be an int, got {v!r}")
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v!r}")
    return int(v)


def conv_output_size(n, k, s=1, p=0, d=1):
    """floor((n + 2p - d(k-1) - 1) / s) + 1; ValueError on bad arguments or if the dilated
    kernel d(k-1)+1 does not fit in the padded input (result < 1)."""
    n = _check("n", n, 1)
    k = _check("k", k, 1)
    s = _check("s", s, 1)
    p = _check("p", p, 0)
    d = _check("d", d, 1)
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise ValueError(
            f"effective kernel {d * (k - 1) + 1} larger than padded input {n + 2 * p}")
    return span // s + 1


def pool_output_size(n, k, s=None, p=0):
    """Pooling output size floor((n + 2p - k) / s) + 1; s defaults to k (no overlap)."""
    return conv_output_size(n, k, k if s is None else s, p, 1)


def conv_params(c_in, c_out, k, bias=False):
    """Number of parameters of a conv layer: c_out * c_in * k * k (+ c_out if bias)."""
    c_in = _check("c_in", c_in, 1)
    c_out = _check("c_out", c_out, 1)
    k = _check("k", k, 1)
    return c_out * c_in * k * k + (c_out if bias else 0)


def propagate(shape_chw, layers):
    """Shapes (C, H, W) after each layer of ``layers``.

    Layers are dicts: ``{"type": "conv", "out_channels": C, "k": k, "s": 1, "p": 0, "d": 1}``
    or ``{"type": "maxpool", "k": k, "s": k, "p": 0}`` ("pool"/"avgpool" also accepted; s
    defaults to k). Returns a list of tuples, one per layer.
    """
    c, h, w = (int(v) for v in shape_chw)
    shapes = []
    for layer in layers:
        kind = layer.get("type")
        if kind == "conv":
            k, s, p, d = layer["k"], layer.get("s", 1), layer.get("p", 0), layer.get("d", 1)
            c = _check("out_channels", layer["out_channels"], 1)
            h = conv_output_size(h, k, s, p, d)
            w = conv_output_size(w, k, s, p, d)
        elif kind in ("maxpool", "pool", "avgpool"):
            k, s, p = layer["k"], layer.get("s"), layer.get("p", 0)
            h = pool_output_size(h, k, s, p)
            w = pool_output_size(w, k, s, p)
        else:
            raise ValueError(f"unknown layer type {kind!r}")
        shapes.append((c, h, w))
    return shapes


# --------------------------------------------------------------------------- Q3 a, b
Q3_INPUT = (3, 128, 128)
Q3_LAYERS = (
    {"type": "conv", "out_channels": 32, "k": 8, "s": 2, "p": 0, "d": 1},
    {"type": "maxpool", "k": 5, "s": 5},
    {"type": "conv", "out_channels": 128, "k": 4, "s": 1, "p": 1, "d": 1},
)


def q3a_shapes():
    """Q3a: shapes after each layer: [(32, 61, 61), (32, 12, 12), (128, 11, 11)]."""
    return propagate(Q3_INPUT, Q3_LAYERS)


def q3a_total():
    """Q3a: scalar size of the last output, 128 * 11 * 11 = 15488."""
    c, h, w = q3a_shapes()[-1]
    return c * h * w


def q3b_params():
    """Q3b: weights of the last layer without biases, 128 * 32 * 4 * 4 = 65536."""
    c_in = q3a_shapes()[-2][0]
    last = Q3_LAYERS[-1]
    return conv_params(c_in, last["out_channels"], last["k"], bias=False)


# --------------------------------------------------------------------------- Q3 c, d, e
Q3_CDE_INPUT = (3, 32, 32)
Q3_CDE_OUTPUT = (28, 4, 4)
CONFIG_CONSTRAINTS = {
    "c": {"p": 0, "d": 1},
    "d": {"d": 2, "p": 2},
    "e": {"p": 1, "d": 1, "s": 2},
}


def is_valid_config(item, k, s, p, d, n_in=32, n_out=4):
    """True iff (k, s, p, d) are ints with k, s, d >= 1, p >= 0, match the fixed values of
    ``item`` ("c", "d" or "e"), the dilated kernel fits (d(k-1)+1 <= n_in + 2p) and the
    output size is n_out."""
    if item not in CONFIG_CONSTRAINTS:
        raise ValueError(f"unknown item {item!r}; expected one of {sorted(CONFIG_CONSTRAINTS)}")
    values = {"k": k, "s": s, "p": p, "d": d}
    if not all(_is_int(v) for v in values.values()):
        return False
    if k < 1 or s < 1 or p < 0 or d < 1:
        return False
    if any(values[name] != fixed for name, fixed in CONFIG_CONSTRAINTS[item].items()):
        return False
    if d * (k - 1) + 1 > n_in + 2 * p:
        return False
    return conv_output_size(n_in, k, s, p, d) == n_out


def valid_configs(item, k_max=32, s_max=32, n_in=32, n_out=4):
    """Every (k, s, p, d) with k <= k_max and s <= s_max valid for ``item``, sorted.

    p and d are fixed by every item (and s by item e). The size formula is solved for s at
    each k instead of trying every pair: with span = n_in + 2p - d(k-1) - 1 >= 0 (the dilated
    kernel fits),

        floor(span / s) + 1 = n_out  <=>  (n_out - 1) s <= span < n_out s
                                     <=>  span // n_out + 1 <= s <= span // (n_out - 1)

    (no upper bound when n_out = 1: every s > span gives a single position). So at each k the
    valid strides are one interval, clipped to [1, s_max] (or to the item's fixed s).
    """
    if item not in CONFIG_CONSTRAINTS:
        raise ValueError(f"unknown item {item!r}; expected one of {sorted(CONFIG_CONSTRAINTS)}")
    n_in = _check("n_in", n_in, 1)
    if not _is_int(n_out):
        raise ValueError(f"n_out must be an int, got {n_out!r}")
    fixed = CONFIG_CONSTRAINTS[item]
    p, d = fixed["p"], fixed["d"]
    found = []
    if n_out < 1:                          # an output has at least one position
        return found
    for k in range(1, k_max + 1):
        span = n_in + 2 * p - d * (k - 1) - 1
        if span < 0:                       # the dilated kernel no longer fits, nor for larger k
            break
        lo = span // n_out + 1
        hi = s_max if n_out == 1 else min(s_max, span // (n_out - 1))
        if "s" in fixed:
            lo, hi = max(lo, fixed["s"]), min(hi, fixed["s"])
        found.extend((k, s, p, d) for s in range(max(lo, 1), hi + 1))
    return found
