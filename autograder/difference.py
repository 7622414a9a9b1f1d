"""Name the kind of a wrong numeric answer without stating the right one (STACK-like notes).

The grader compares a student's values with the reference's on the graded inputs; when they
differ, `classify` says HOW they differ (opposite sign, off by a constant factor or a constant
term, not finite, all zeros, not a probability vector) and `family` says WHERE (the inputs
that fail: x > 0, x = 0, y = 1, |o^a| large ...). The texts of the kinds live in the rubric's
`messages` (keys `diff_*`, `family_*`); nothing here formats an expected value.
"""
from __future__ import annotations

import numpy as np

KINDS = ("not_finite", "zero", "sign", "factor", "offset", "not_probability")


def _close(a, b, rtol, atol) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol)))


def classify(got, want, rtol: float = 1e-6, atol: float = 1e-9, probability: bool = False):
    """The kind of difference between same-sized arrays (a key of KINDS), or None if none fits.

    got, want: float arrays of any shape with the same number of elements; want is the
    reference. probability=True: the reference is a probability vector (softmax)."""
    g = np.asarray(got, dtype=float).reshape(-1)
    w = np.asarray(want, dtype=float).reshape(-1)
    if g.size != w.size or g.size == 0:
        return None
    wf = np.isfinite(w)
    if np.any(~np.isfinite(g) & wf):
        return "not_finite"
    g, w = g[wf], w[wf]
    if g.size == 0:
        return None
    scale = max(float(np.max(np.abs(w))), 1e-300)
    tol = max(atol, 1e-9 * scale)
    if probability and (np.any(g < -tol) or abs(float(g.sum()) - 1.0) > 1e-6):
        return "not_probability"
    if _close(g, 0.0, rtol, tol) and not _close(w, 0.0, rtol, tol):
        return "zero"
    if _close(g, -w, rtol, tol):
        return "sign"
    big = np.abs(w) > 1e-6 * scale
    if np.count_nonzero(big) >= 1:
        ratio = float(np.median(g[big] / w[big]))
        if abs(ratio - 1.0) > 1e-6 and abs(ratio) > 1e-12 and _close(g, ratio * w, 1e-6, tol):
            return "factor"
    d = g - w
    if g.size >= 2 and _close(d, d[0], 1e-6, tol) and abs(d[0]) > tol:
        return "offset"
    return None


def family(values: dict, bad) -> list:
    """Where a pointwise answer fails: [(name, relation)] with relation in ('>0', '<0', '=0',
    'large', 'eq1', 'eq0'), only when the failing points share it and the passing ones do not all.

    values: {argument name: 1-D array of the points}; bad: boolean mask of the failing points."""
    bad = np.asarray(bad, dtype=bool).reshape(-1)
    if not bad.any() or bad.all() and len(values) == 0:
        return []
    out = []
    for name, v in values.items():
        v = np.asarray(v, dtype=float).reshape(-1)
        if v.size != bad.size:
            continue
        vb = v[bad]
        binary = set(np.unique(v)) <= {0.0, 1.0}
        if binary:
            for val, rel in ((1.0, "eq1"), (0.0, "eq0")):
                if np.all(vb == val) and not np.all(v == val):
                    out.append((name, rel))
            continue
        # most specific first: "only for large |x|" says more than "only for x > 0"
        for rel, test in (("=0", vb == 0), ("large", np.abs(vb) >= 100), (">0", vb > 0), ("<0", vb < 0)):
            whole = {"=0": v == 0, ">0": v > 0, "<0": v < 0, "large": np.abs(v) >= 100}[rel]
            if np.all(test) and not np.all(whole):
                out.append((name, rel))
                break
    return out


DISPLAY = {"oa": "o^a", "os": "o^s", "hs": "h^s", "ha": "h^a", "grad_oa": "∂L/∂o^a", "grad_hs": "∂L/∂h^s"}


def display_name(arg: str) -> str:
    """An argument as the assignment writes it (oa -> o^a)."""
    return DISPLAY.get(arg, arg)
