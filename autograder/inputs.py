"""Seeded input families for the checks (the hidden test inputs).

Each generator takes a numpy Generator and the rubric's `with:` options and
returns a list of cases: dicts of named values in the reference's conventions
(1-D vectors, 0-based labels). The check turns 1-D vectors into the column
vectors the students receive. Shapes use d, d_h and m that all differ, so that
a missing transpose cannot pass.
"""
from __future__ import annotations

import numpy as np

from reference import functions as F, mlp

GENERATORS = {}


def generator(fn):
    GENERATORS[fn.__name__] = fn
    return fn


@generator
def scalar_points(rng, lo=-6.0, hi=6.0, n=64, edges=()):
    """One case: x is a 1-D array of points (a batch of scalars, not a vector)."""
    pts = np.concatenate([np.asarray(edges, dtype=float), rng.uniform(lo, hi, n)])
    return [{"x": pts}]


@generator
def binary_points(rng, lo=-8.0, hi=8.0, n=48, edges=()):
    """Binary-classification inputs: o^a points, each with y = 0 and y = 1."""
    oa = np.concatenate([np.asarray(edges, dtype=float), rng.uniform(lo, hi, n)])
    return [{"oa": np.concatenate([oa, oa]), "y": np.concatenate([np.zeros(oa.size), np.ones(oa.size)])}]


@generator
def vectors(rng, sizes=(1, 3, 6), lo=-5.0, hi=5.0, zeros=False):
    """Random vectors; with zeros=True every case has some exact zero components."""
    cases = []
    for n in sizes:
        x = rng.uniform(lo, hi, n)
        if zeros:
            x[rng.permutation(n)[: max(1, n // 2)]] = 0.0
        cases.append({"x": x, "zero_mask": x == 0})
    return cases


@generator
def softmax_vectors(rng, sizes=(2, 3, 5), scale=2.0):
    return [{"S": F.softmax(rng.normal(0.0, scale, n))} for n in sizes]


@generator
def composed_softmax(rng, n=4, p=3, count=3, identity=False):
    """∇_u log S(x(u))_i cases, every i: x(u) = tanh(A u) + B u at a random u (p ≠ n),
    or with identity=True x(u) = u, so J = I and the answer is e_i − S(u)."""
    cases = []
    for _ in range(count):
        if identity:
            x = rng.normal(0.0, 1.5, n)
            J = np.eye(n)
        else:
            A, B, u = rng.normal(size=(n, p)), rng.normal(size=(n, p)), rng.normal(size=p)
            x = np.tanh(A @ u) + B @ u
            J = (1 - np.tanh(A @ u) ** 2)[:, None] * A + B
        S = F.softmax(x)
        for i in range(n):
            cases.append({"J": J, "S": S, "i": i})
    return cases


def _mlp_case(rng, d, dh, m):
    params = mlp.init_params(d, dh, m, rng)
    for key in ("b1", "b2"):
        params[key] = rng.normal(0.0, 0.5, params[key].shape)
    x = rng.normal(size=d)
    y = int(rng.integers(m))
    fwd = mlp.forward(x, params)
    back = mlp.backward(x, y, params)
    case = {"x": x, "y": y, "d": d, "d_h": dh, "m": m, **params, **fwd, **back}
    return case


@generator
def mlp_cases(rng, d=5, dh=4, m=3, count=4):
    """Forward and backward quantities of a random MLP (the check's `each` adds indices)."""
    return [_mlp_case(rng, d, dh, m) for _ in range(count)]


@generator
def multiclass(rng, m=4, count=6, scale=3.0, large=False, clustered=False):
    """o^a vectors with every label; large=True puts entries near ±1000 (spread over
    [-1000, 1000]); clustered=True adds two vectors whose entries ALL lie near -1000, then
    near +1000: exp underflows (or overflows) for every entry unless the shift is the max."""
    vectors = []
    for _ in range(count):
        oa = rng.normal(0.0, scale, m)
        if large:
            oa = oa / np.max(np.abs(oa)) * 1000.0
        vectors.append(oa)
    if clustered:
        vectors += [-1000.0 + rng.normal(0.0, scale, m), 1000.0 + rng.normal(0.0, scale, m)]
    return [{"oa": oa, "y": y, "m": m, "os": F.softmax(oa)} for oa in vectors for y in range(m)]


@generator
def dataset(rng, n=7, d=5, dh=4, m=3, count=2):
    cases = []
    for _ in range(count):
        params = mlp.init_params(d, dh, m, rng)
        X = rng.normal(size=(n, d))
        Y = rng.integers(0, m, n).astype(np.int64)
        cases.append({"X": X, "Y": Y, **params})
    return cases


@generator
def dims(rng, triples=((5, 4, 3), (7, 2, 6), (3, 8, 2))):
    return [{"d": d, "d_h": dh, "m": m} for d, dh, m in triples]


@generator
def conv_grid(rng, count=60):
    """Valid (n, k, s, p, d) combinations, including ones where the floor matters."""
    cases = []
    while len(cases) < count:
        n, k = int(rng.integers(5, 70)), int(rng.integers(1, 9))
        s, p, d = int(rng.integers(1, 5)), int(rng.integers(0, 4)), int(rng.integers(1, 4))
        if d * (k - 1) + 1 <= n + 2 * p:
            cases.append({"n": n, "k": k, "s": s, "p": p, "d": d})
    return cases


@generator
def conv_params_grid(rng, count=12):
    return [{"c_in": int(rng.integers(1, 65)), "c_out": int(rng.integers(1, 129)),
             "k": int(rng.integers(1, 8))} for _ in range(count)]


@generator
def conv_io(rng, count=4, item=None):
    """3.c-e: (n, n_out) of an n x n input and an n_out x n_out output, the assignment's
    (32, 4) first, then (for an `item`) the edge sizes where loops and shortcuts go wrong, then
    seeded others. Every case has valid configurations for the item (for every item when none
    is named), n_out >= 2 (so the strides are bounded and the sets finite)."""
    from reference import conv
    items = [item] if item else list(conv.CONFIG_CONSTRAINTS)

    def valid(case):
        return all(conv.valid_configs(i, k_max=case["n"] + 2 * conv.CONFIG_CONSTRAINTS[i]["p"] + 1,
                                      s_max=case["n"] + 2 * conv.CONFIG_CONSTRAINTS[i]["p"] + 1,
                                      n_in=case["n"], n_out=case["n_out"]) for i in items)
    cases = [{"n": 32, "n_out": 4}]
    if item:
        cases += [c for c in conv_edge_sizes(item) if c not in cases]
    wanted = len(cases) + count
    while len(cases) < wanted:
        case = {"n": int(rng.integers(12, 65)), "n_out": int(rng.integers(2, 8))}
        if case not in cases and valid(case):
            cases.append(case)
    return cases


def conv_edge_sizes(item, small=(7, 9)):
    """The sizes a complete list must also get right: n_out = 2 for the assignment's n = 32 (the
    largest kernels, k up to n + 2p), and for small inputs (n < 16) the smallest and the largest
    output sizes the item can reach."""
    from reference import conv
    fixed = conv.CONFIG_CONSTRAINTS[item]
    out = [{"n": 32, "n_out": 2}]
    for n in small:
        top = n + 2 * fixed["p"]
        sizes = {conv.conv_output_size(n, k, s, fixed["p"], fixed["d"])
                 for k in range(1, top + 1) if fixed["d"] * (k - 1) + 1 <= top
                 for s in ([fixed["s"]] if "s" in fixed else range(1, top + 1))}
        reachable = sorted(v for v in sizes if v >= 2)
        for n_out in (reachable[:1] + reachable[-1:]) if reachable else []:
            if {"n": n, "n_out": n_out} not in out:
                out.append({"n": n, "n_out": n_out})
    return out


@generator
def nothing(rng):
    return [{}]


def make_cases(name: str, rng, options: dict) -> list:
    return GENERATORS[name](rng, **(options or {}))
