"""Oracles for reference.conv (Q3): real convolutions and max-pools computed in numpy, and a
brute-force enumeration of the configurations of items c, d, e."""

import itertools

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from reference import conv as C


# ----------------------------------------------------------------- real operations (oracles)
def real_conv2d(x, w, s=1, p=0, d=1):
    """x (C_in, H, W), w (C_out, C_in, k, k): zero padding p, stride s, dilation d.
    The number of output positions comes from the windows that fit, not from a formula."""
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    span = d * (k - 1) + 1
    win = sliding_window_view(xp, (span, span), axis=(1, 2))  # (C, H', W', span, span)
    win = win[:, ::s, ::s, ::d, ::d]                          # stride and dilation
    return np.einsum("cijab,ocab->oij", win, w)


def naive_conv2d(x, w, s=1, p=0, d=1):
    """Explicit loops over every kernel position that fits in the padded input."""
    c_in, n_h, n_w = x.shape
    c_out, _, k, _ = w.shape
    xp = np.zeros((c_in, n_h + 2 * p, n_w + 2 * p))
    xp[:, p:p + n_h, p:p + n_w] = x
    rows = []
    i0 = 0
    while i0 + d * (k - 1) <= xp.shape[1] - 1:
        row = []
        j0 = 0
        while j0 + d * (k - 1) <= xp.shape[2] - 1:
            val = np.zeros(c_out)
            for o in range(c_out):
                val[o] = sum(w[o, c, a, b] * xp[c, i0 + a * d, j0 + b * d]
                             for c in range(c_in) for a in range(k) for b in range(k))
            row.append(val)
            j0 += s
        rows.append(row)
        i0 += s
    if not rows or not rows[0]:
        return np.zeros((c_out, len(rows), 0))
    return np.array(rows).transpose(2, 0, 1)


def real_maxpool(x, k, s=None):
    s = k if s is None else s
    win = sliding_window_view(x, (k, k), axis=(-2, -1))[..., ::s, ::s, :, :]
    return win.max(axis=(-2, -1))


def naive_maxpool(x, k, s=None):
    s = k if s is None else s
    n = x.shape[-1]
    starts = list(range(0, n - k + 1, s))
    return np.array([[[x[c, i:i + k, j:j + k].max() for j in starts] for i in starts]
                     for c in range(x.shape[0])])


# ----------------------------------------------------------------- the oracles agree
@pytest.mark.parametrize("n,k,s,p,d", [(7, 3, 2, 1, 1), (9, 2, 3, 0, 2), (6, 3, 1, 2, 2),
                                       (5, 1, 4, 0, 1), (8, 4, 2, 1, 1)])
def test_real_conv_matches_naive_loops(n, k, s, p, d):
    rng = np.random.default_rng(n * 100 + k * 10 + s)
    x = rng.normal(size=(2, n, n))
    w = rng.normal(size=(3, 2, k, k))
    a, b = real_conv2d(x, w, s, p, d), naive_conv2d(x, w, s, p, d)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n,k,s", [(7, 2, None), (61, 5, None), (9, 3, 2), (10, 4, 1)])
def test_real_maxpool_matches_naive_loops(n, k, s):
    x = np.random.default_rng(n).normal(size=(2, n, n))
    np.testing.assert_array_equal(real_maxpool(x, k, s), naive_maxpool(x, k, s))


# ----------------------------------------------------------------- formula vs real op
def test_conv_output_size_matches_real_conv_on_grid():
    x_cache = {}
    checked = 0
    for n, k, s, p, d in itertools.product(range(1, 13), range(1, 6), range(1, 5), range(4),
                                           range(1, 4)):
        x = x_cache.setdefault(n, np.ones((1, n, n)))
        w = np.ones((1, 1, k, k))
        if d * (k - 1) + 1 > n + 2 * p:
            with pytest.raises(ValueError):
                C.conv_output_size(n, k, s, p, d)
            with pytest.raises(ValueError):
                real_conv2d(x, w, s, p, d)
            continue
        out = real_conv2d(x, w, s, p, d)
        assert out.shape[1] == out.shape[2] == C.conv_output_size(n, k, s, p, d), (n, k, s, p, d)
        checked += 1
    assert checked > 1500


def test_pool_output_size_matches_real_maxpool_on_grid():
    for n, k, s in itertools.product(range(1, 20), range(1, 7), [None, 1, 2, 3, 5]):
        x = np.ones((1, n, n))
        if k > n:
            with pytest.raises(ValueError):
                C.pool_output_size(n, k, s)
            continue
        out = real_maxpool(x, k, s)
        assert out.shape[1] == C.pool_output_size(n, k, s), (n, k, s)
        if s is None:  # non-overlapping: windows tile floor(n/k)*k pixels
            assert out.shape[1] == n // k


@pytest.mark.parametrize("bad", [
    dict(n=0, k=1), dict(n=5, k=0), dict(n=5, k=2, s=0), dict(n=5, k=2, p=-1),
    dict(n=5, k=2, d=0), dict(n=5.0, k=2), dict(n=5, k=True), dict(n=3, k=4),
    dict(n=3, k=2, d=3),
])
def test_conv_output_size_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        C.conv_output_size(**bad)


def test_conv_output_size_accepts_numpy_ints():
    assert C.conv_output_size(np.int64(32), np.int32(5)) == 28


# ----------------------------------------------------------------- Q3 a, b with real layers
def test_q3ab_with_real_layers():
    rng = np.random.default_rng(3)
    x = rng.normal(size=C.Q3_INPUT)
    w1 = rng.normal(size=(32, 3, 8, 8))
    h1 = real_conv2d(x, w1, s=2, p=0)
    h2 = real_maxpool(h1, 5)
    w3 = rng.normal(size=(128, 32, 4, 4))
    h3 = real_conv2d(h2, w3, s=1, p=1)
    assert [h1.shape, h2.shape, h3.shape] == [(32, 61, 61), (32, 12, 12), (128, 11, 11)]
    assert C.q3a_shapes() == [h1.shape, h2.shape, h3.shape]
    assert C.propagate(C.Q3_INPUT, C.Q3_LAYERS) == C.q3a_shapes()
    assert C.q3a_total() == h3.size == 15488
    assert C.q3b_params() == w3.size == 65536
    assert C.conv_params(32, 128, 4, bias=True) == w3.size + 128
    assert all(isinstance(v, int) for shape in C.q3a_shapes() for v in shape)


def test_q3_layers_match_text():
    conv1, pool, conv3 = C.Q3_LAYERS
    assert (conv1["type"], conv1["out_channels"], conv1["k"], conv1["s"], conv1["p"]) == (
        "conv", 32, 8, 2, 0)
    assert (pool["type"], pool["k"], pool.get("s", pool["k"])) == ("maxpool", 5, 5)
    assert (conv3["type"], conv3["out_channels"], conv3["k"], conv3["s"], conv3["p"]) == (
        "conv", 128, 4, 1, 1)
    assert C.Q3_INPUT == (3, 128, 128)


def test_propagate_rejects_unknown_layer():
    with pytest.raises(ValueError):
        C.propagate((3, 8, 8), [{"type": "dense"}])


# ----------------------------------------------------------------- Q3 c, d, e brute force
FIXED = {"c": {"p": 0, "d": 1}, "d": {"d": 2, "p": 2}, "e": {"p": 1, "d": 1, "s": 2}}


def brute_force(item, n_in=32, n_out=4):
    """Every (k, s, p, d) in a box much larger than needed, counting output positions
    directly (range of window starts), with the item's fixed values."""
    found = []
    for k, s, p, d in itertools.product(range(1, 65), range(1, 65), range(0, 6), range(1, 5)):
        vals = {"k": k, "s": s, "p": p, "d": d}
        if any(vals[key] != v for key, v in FIXED[item].items()):
            continue
        last_start = n_in + 2 * p - (d * (k - 1) + 1)
        if last_start < 0:
            continue
        if len(range(0, last_start + 1, s)) == n_out:
            found.append((k, s, p, d))
    return sorted(found)


@pytest.mark.parametrize("item", ["c", "d", "e"])
def test_valid_configs_equal_brute_force(item):
    assert C.CONFIG_CONSTRAINTS == FIXED
    expected = brute_force(item)
    assert C.valid_configs(item) == expected
    assert C.valid_configs(item, k_max=64, s_max=64) == expected
    for k, s, p, d in expected:
        assert C.is_valid_config(item, k, s, p, d)
        out = real_conv2d(np.ones((3, 32, 32)), np.ones((28, 3, k, k)), s, p, d)
        assert out.shape == (28, 4, 4)


def plain_brute_force(item, k_max, s_max, n_in, n_out):
    """Every pair (k, s) tried one at a time, the output counted as window starts."""
    p, d = FIXED[item]["p"], FIXED[item]["d"]
    found = []
    for k in range(1, k_max + 1):
        for s in range(1, s_max + 1):
            last_start = n_in + 2 * p - (d * (k - 1) + 1)
            if FIXED[item].get("s", s) == s and last_start >= 0 and len(range(0, last_start + 1, s)) == n_out:
                found.append((k, s, p, d))
    return found


@pytest.mark.parametrize("item", ["c", "d", "e"])
def test_valid_configs_solved_for_s_equal_brute_force_over_sizes(item):
    """The stride solved from the size formula at each k (reference.conv.valid_configs) gives
    exactly the pairs a plain brute force finds, for small, edge and large sizes and bounds."""
    p = FIXED[item]["p"]
    for n_in in (1, 2, 3, 4, 5, 7, 8, 12, 16, 31, 32, 33, 47, 64):
        for n_out in (-1, 0, 1, 2, 3, 4, 7, 9, n_in + 2 * p):
            for k_max, s_max in ((n_in + 2 * p + 1,) * 2, (32, 32), (3, 2), (1, 1), (70, 5)):
                assert C.valid_configs(item, k_max, s_max, n_in, n_out) == \
                    plain_brute_force(item, k_max, s_max, n_in, n_out), (n_in, n_out, k_max, s_max)


def test_item_e_by_hand():
    # floor((32 + 2 - (k - 1) - 1) / 2) + 1 = 4  <=>  34 - k in {6, 7}  <=>  k in {27, 28}
    assert C.valid_configs("e") == [(27, 2, 1, 1), (28, 2, 1, 1)]
    assert (29, 1, 0, 1) in C.valid_configs("c")   # 32 - 29 + 1 = 4
    assert (8, 8, 0, 1) in C.valid_configs("c")    # 4 disjoint 8x8 patches
    assert (17, 1, 2, 2) in C.valid_configs("d")   # 36 - 33 + 1 = 4


@pytest.mark.parametrize("args,ok", [
    (("c", 29, 1, 0, 1), True),
    (("c", 29, 1, 1, 1), False),     # p fixed to 0
    (("d", 17, 1, 2, 1), False),     # d fixed to 2
    (("e", 28, 1, 1, 1), False),     # s fixed to 2
    (("e", 28, 2, 1, 1), True),
    (("c", 28.0, 1, 0, 1), False),   # not an int
    (("c", 0, 1, 0, 1), False),
    (("c", 5, 0, 0, 1), False),
    (("c", 40, 1, 0, 1), False),     # kernel larger than input
    (("c", 30, 1, 0, 1), False),     # output 3, not 4
])
def test_is_valid_config_cases(args, ok):
    assert C.is_valid_config(*args) is ok


def test_unknown_item():
    with pytest.raises(ValueError):
        C.valid_configs("a")
    with pytest.raises(ValueError):
        C.is_valid_config("f", 1, 1, 0, 1)
