"""Oracles for reference.mlp (Q2): an independent loop-based MLP and central finite differences.

Shapes d, d_h, m are all different (5, 4, 3) so that any transposition error shows up.
"""

import math

import numpy as np
import pytest

from reference import mlp as M

D, DH, MM = 5, 4, 3
SEED = 12345


# ----------------------------------------------------------------- independent oracle
def o_sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def o_forward(x, P):
    """Loop-based forward pass, straight from the formulas of items a-c."""
    W1, b1, W2, b2 = P["W1"], P["b1"], P["W2"], P["b2"]
    ha = [sum(W1[j][i] * x[i] for i in range(len(x))) + b1[j] for j in range(len(b1))]
    hs = [o_sigmoid(t) for t in ha]
    oa = [sum(W2[k][j] * hs[j] for j in range(len(hs))) + b2[k] for k in range(len(b2))]
    z = sum(math.exp(t) for t in oa)
    os = [math.exp(t) / z for t in oa]
    return ha, hs, oa, os


def o_loss(x, y, P):
    return -math.log(o_forward(x, P)[3][y])


def o_risk(X, Y, P):
    return sum(o_loss(x, y, P) for x, y in zip(X, Y)) / len(X)


def fd_param_grads(fun, P, h=1e-5):
    """Central differences of fun(P) with respect to every entry of every parameter."""
    grads = {}
    for name, value in P.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            Pp = {k: v.copy() for k, v in P.items()}
            Pm = {k: v.copy() for k, v in P.items()}
            Pp[name][idx] += h
            Pm[name][idx] -= h
            g[idx] = (fun(Pp) - fun(Pm)) / (2 * h)
        grads[name] = g
    return grads


def rel_err(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


def fd(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.fixture
def setup():
    rng = np.random.default_rng(SEED)
    P = M.init_params(D, DH, MM, rng)
    X = rng.normal(size=(7, D))
    Y = np.array([0, 2, 1, 1, 0, 2, 2])
    return P, X, Y


# ----------------------------------------------------------------- parameters (a, b, h)
def test_param_shapes_names_count():
    assert M.param_names() == ("W1", "b1", "W2", "b2")
    assert M.param_shapes(D, DH, MM) == {"W1": (DH, D), "b1": (DH,), "W2": (MM, DH), "b2": (MM,)}
    P = M.init_params(D, DH, MM, np.random.default_rng(0))
    assert {k: v.shape for k, v in P.items()} == M.param_shapes(D, DH, MM)
    assert all(v.dtype == np.float64 for v in P.values())
    assert M.param_count(D, DH, MM) == sum(v.size for v in P.values()) == 4 * 6 + 3 * 5
    for d, dh, m in [(1, 1, 2), (784, 100, 10), (3, 7, 2)]:
        assert M.param_count(d, dh, m) == dh * d + dh + m * dh + m


def test_init_params_reproducible():
    a = M.init_params(D, DH, MM, np.random.default_rng(7))
    b = M.init_params(D, DH, MM, 7)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


# ----------------------------------------------------------------- forward (a, b, c)
def test_forward_matches_loop_oracle(setup):
    P, X, _ = setup
    for x in X:
        ha, hs, oa, os = o_forward(x, P)
        f = M.forward(x, P)
        for key, want in zip(("ha", "hs", "oa", "os"), (ha, hs, oa, os)):
            assert f[key].shape == (len(want),)
            np.testing.assert_allclose(f[key], want, rtol=1e-12, atol=1e-14)
        for j in range(DH):
            assert M.hidden_preactivation_j(P["W1"], P["b1"], x, j) == pytest.approx(ha[j], rel=1e-12)
        for k in range(MM):
            assert M.output_preactivation_k(P["W2"], P["b2"], f["hs"], k) == pytest.approx(
                oa[k], rel=1e-12)
        np.testing.assert_allclose(M.hidden_output(f["ha"]), hs, rtol=1e-13)
        np.testing.assert_allclose(M.output_softmax(f["oa"]), os, rtol=1e-13)
    # the batch forward gives the same rows
    fb = M.forward(X, P)
    for i, x in enumerate(X):
        np.testing.assert_allclose(fb["os"][i], M.forward(x, P)["os"], rtol=1e-13)


def test_output_softmax_positive_sums_to_one(setup):
    P, X, _ = setup
    os = M.forward(X * 50, P)["os"]
    assert np.all(os > 0)
    np.testing.assert_allclose(os.sum(axis=1), 1.0, rtol=1e-14)


# ----------------------------------------------------------------- binary losses (d, e, f)
OAS = [-6.0, -2.0, -0.3, 0.0, 0.7, 3.0, 5.5]


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("oa", OAS)
def test_binary_losses_values_and_fd(oa, y):
    mse = lambda t: (o_sigmoid(t) - y) ** 2
    ce = lambda t: -(y * math.log(o_sigmoid(t)) + (1 - y) * math.log(1 - o_sigmoid(t)))
    assert M.mse_loss(oa, y) == pytest.approx(mse(oa), rel=1e-12)
    assert M.mse_half_loss(oa, y) == pytest.approx(mse(oa) / 2, rel=1e-12)
    assert M.ce_loss(oa, y) == pytest.approx(ce(oa), rel=1e-10)
    assert rel_err(M.mse_grad(oa, y), fd(mse, oa)) < 1e-6
    assert rel_err(M.mse_half_grad(oa, y), fd(lambda t: mse(t) / 2, oa)) < 1e-6
    assert rel_err(M.ce_grad(oa, y), fd(ce, oa)) < 1e-6


def test_binary_losses_elementwise():
    oa = np.array(OAS)
    y = np.array([0, 1, 0, 1, 1, 0, 1])
    for fn in (M.mse_loss, M.mse_grad, M.mse_half_loss, M.mse_half_grad, M.ce_loss, M.ce_grad):
        out = fn(oa, y)
        assert out.shape == oa.shape
        np.testing.assert_allclose(out, [fn(a, b) for a, b in zip(oa, y)], rtol=1e-14)


def test_q2f_limits():
    assert M.mse_grad_limit_wrong_side() == 0.0
    assert M.ce_grad_limit_wrong_side() == -1.0
    assert M.mse_grad_limit_wrong_side(0) == 0.0
    assert M.ce_grad_limit_wrong_side(0) == 1.0
    # numerically: confidently wrong predictions
    assert abs(M.mse_grad(-40.0, 1)) < 1e-16 and M.ce_grad(-40.0, 1) == pytest.approx(-1.0)
    assert abs(M.mse_grad(40.0, 0)) < 1e-16 and M.ce_grad(40.0, 0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        M.ce_grad_limit_wrong_side(2)


# ----------------------------------------------------------------- multiclass (g, h, i)
def test_multiclass_loss_and_grad_oa_fd():
    rng = np.random.default_rng(SEED + 1)
    for m in (2, 3, 6):
        oa = rng.normal(size=m) * 3
        for y in range(m):
            naive = -math.log(math.exp(oa[y]) / sum(math.exp(t) for t in oa))
            assert M.multiclass_loss(oa, y) == pytest.approx(naive, rel=1e-12)
            g_fd = np.array([fd(lambda t, k=k: _loss_with(oa, k, t, y), oa[k]) for k in range(m)])
            os = np.exp(oa) / np.exp(oa).sum()
            g = M.grad_oa(os, y)
            assert rel_err(g, g_fd) < 1e-6
            onehot = np.array([1.0 if k == y else 0.0 for k in range(m)])
            np.testing.assert_allclose(g, os - onehot, rtol=1e-14)
            for k in range(m):
                assert M.grad_oa_k(oa, y, k) == pytest.approx(g_fd[k], rel=1e-6, abs=1e-10)


def _loss_with(oa, k, t, y):
    v = list(oa)
    v[k] = t
    return -v[y] + math.log(sum(math.exp(s) for s in v))


def test_onehot_zero_based():
    np.testing.assert_array_equal(M.onehot(0, 3), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(M.onehot(2, 3), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(M.onehot([1, 0], 2), [[0.0, 1.0], [1.0, 0.0]])
    for bad in (3, -1, 1.5):
        with pytest.raises(ValueError):
            M.onehot(bad, 3)
    with pytest.raises(ValueError):
        M.multiclass_loss([0.0, 1.0, 2.0], 3)


def test_multiclass_loss_batch(setup):
    P, X, Y = setup
    oa = M.forward(X, P)["oa"]
    losses = M.multiclass_loss(oa, Y)
    assert losses.shape == (len(Y),)
    np.testing.assert_allclose(losses, [o_loss(x, y, P) for x, y in zip(X, Y)], rtol=1e-12)


def test_empirical_risk(setup):
    P, X, Y = setup
    assert M.empirical_risk(X, Y, P) == pytest.approx(o_risk(X, Y, P), rel=1e-12)


# ----------------------------------------------------------------- backprop (i-o + W1, b1)
def test_fd_full_backward_single_example(setup):
    P, X, Y = setup
    for x, y in zip(X[:3], Y[:3]):
        r = M.backward(x, y, P)
        g_fd = fd_param_grads(lambda Q: o_loss(x, int(y), Q), P)
        for name in ("W1", "b1", "W2", "b2"):
            assert r["grad_" + name].shape == P[name].shape
            assert rel_err(r["grad_" + name], g_fd[name]) < 1e-6, name
        assert r["loss"] == pytest.approx(o_loss(x, int(y), P), rel=1e-12)
        # gradient with respect to the input as well
        gx = np.array([fd(lambda t, i=i: o_loss(_with(x, i, t), int(y), P), x[i]) for i in range(D)])
        assert rel_err(r["grad_x"], gx) < 1e-6


def _with(v, i, t):
    w = np.array(v, dtype=float)
    w[i] = t
    return w


def test_fd_intermediate_gradients(setup):
    """grad_hs and grad_ha by finite differences of the loss as a function of h^s and h^a."""
    P, X, Y = setup
    x, y = X[0], int(Y[0])
    r = M.backward(x, y, P)

    def loss_from_hs(hs):
        oa = P["W2"] @ hs + P["b2"]
        return -oa[y] + math.log(sum(math.exp(t) for t in oa))

    def loss_from_ha(ha):
        return loss_from_hs(np.array([o_sigmoid(t) for t in ha]))

    ghs = np.array([fd(lambda t, j=j: loss_from_hs(_with(r["hs"], j, t)), r["hs"][j]) for j in range(DH)])
    gha = np.array([fd(lambda t, j=j: loss_from_ha(_with(r["ha"], j, t)), r["ha"][j]) for j in range(DH)])
    assert rel_err(r["grad_hs"], ghs) < 1e-6
    assert rel_err(r["grad_ha"], gha) < 1e-6


def test_component_formulas_match_matrix_forms(setup):
    P, X, Y = setup
    x, y = X[1], int(Y[1])
    r = M.backward(x, y, P)
    g_oa, hs, ha = r["grad_oa"], r["hs"], r["ha"]
    assert r["grad_W2"].shape == (MM, DH) and r["grad_b2"].shape == (MM,)
    assert r["grad_hs"].shape == (DH,) and r["grad_ha"].shape == (DH,)
    assert r["grad_W1"].shape == (DH, D) and r["grad_b1"].shape == (DH,)
    for k in range(MM):
        assert M.grad_b2_k(g_oa, k) == g_oa[k]
        for j in range(DH):
            assert M.grad_W2_kj(g_oa, hs, k, j) == pytest.approx(g_oa[k] * hs[j], rel=1e-15)
            assert r["grad_W2"][k, j] == pytest.approx(g_oa[k] * hs[j], rel=1e-15)
    for j in range(DH):
        want = sum(g_oa[k] * P["W2"][k][j] for k in range(MM))
        assert M.grad_hs_j(g_oa, P["W2"], j) == pytest.approx(want, rel=1e-13)
        assert r["grad_hs"][j] == pytest.approx(want, rel=1e-13)
        s = o_sigmoid(ha[j])
        assert M.grad_ha_j(r["grad_hs"], ha, j) == pytest.approx(r["grad_hs"][j] * s * (1 - s), rel=1e-13)
        assert r["grad_ha"][j] == pytest.approx(r["grad_hs"][j] * s * (1 - s), rel=1e-13)
    np.testing.assert_allclose(M.grad_W2(g_oa, hs), r["grad_W2"])
    np.testing.assert_allclose(M.grad_b2(g_oa), g_oa)
    np.testing.assert_allclose(M.grad_hs(g_oa, P["W2"]), r["grad_hs"])
    np.testing.assert_allclose(M.grad_ha(r["grad_hs"], ha), r["grad_ha"])
    np.testing.assert_allclose(M.grad_W1(r["grad_ha"], x), np.outer(r["grad_ha"], x))
    np.testing.assert_allclose(M.grad_b1(r["grad_ha"]), r["grad_ha"])
    np.testing.assert_allclose(M.grad_x(r["grad_ha"], P["W1"]), P["W1"].T @ r["grad_ha"])


def test_fd_batch_risk_gradient(setup):
    P, X, Y = setup
    r = M.backward_batch(X, Y, P)
    g_fd = fd_param_grads(lambda Q: o_risk(X, Y, Q), P)
    for name in ("W1", "b1", "W2", "b2"):
        assert r["grad_" + name].shape == P[name].shape
        assert rel_err(r["grad_" + name], g_fd[name]) < 1e-6, name
    assert r["loss"] == pytest.approx(o_risk(X, Y, P), rel=1e-12)
    # equals the mean of the per-example gradients (item i's formula)
    singles = [M.backward(x, y, P) for x, y in zip(X, Y)]
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(r["grad_" + name],
                                   np.mean([s["grad_" + name] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)


def test_loss_and_grads(setup):
    P, X, Y = setup
    loss, grads = M.loss_and_grads(X, Y, P)
    assert set(grads) == set(P)
    assert loss == pytest.approx(M.empirical_risk(X, Y, P), rel=1e-13)
    loss1, grads1 = M.loss_and_grads(X[0], int(Y[0]), P)
    assert loss1 == pytest.approx(o_loss(X[0], int(Y[0]), P), rel=1e-12)
    np.testing.assert_allclose(grads1["W1"], M.backward(X[0], int(Y[0]), P)["grad_W1"])
