"""Issue 20: a script that knows no calculus earns almost nothing on the calculus.

Each family below is a submission a student who can script but knows no calculus would write,
built from the full-marks example: every calculus answer replaced by the family's method, the
rest left right (so what is counted is the calculus alone). Each is graded ONCE, with the real
grader (a module-scoped fixture, 2 processes), and must earn at most 10 % of the 18 calculus
points of the issue (CALCULUS below).

How the 18 points are counted: the whole of items 1.b, 1.c, 1.d, 1.e, 1.g, 1.i, 1.j, 1.k, 2.n and
2.o, and the derivative sub-checks of 2.d (derivee), 2.e (derivee) and 2.i (k_different_de_y,
k_egal_y). Outside the count: formulas the statement gives (1.l's gradient, 2.i's vector
o^s − onehot(y)), and items where a difference quotient is exact (1.f, 2.j-2.m: linear or
quadratic maps). Points of a counted item that need no calculus stay in the count: 2.o's
dimensions (0.5) are earned by any script that copies shapes.

Families of derivatives and gradients (owner: issue 20 items 1 and 3): central differences with
steps 1e-2 to 1e-10, a forward difference, steps built from 2**-k and np.finfo, a step of 1e-100,
Richardson extrapolation, the complex step, an 8th-order stencil in a loop, steps hidden behind
arithmetic on the symbol, smooth steps sigma(K x) for the kinks, numerical Jacobians filling
float arrays, and sympy.diff + lambdify. Their derivation items (1.d, 1.e, 1.i, 1.j) are left
unimplemented: the derivation families (padded chains, statement-only chains, template-copied
shapes) are graded here too, by their own owner.
"""
from __future__ import annotations

import pytest

from bench import mutants

# item -> the check ids counted (None: the whole item)
CALCULUS = {"1.b": None, "1.c": None, "1.d": None, "1.e": None, "1.g": None, "1.i": None, "1.j": None,
            "1.k": None, "2.n": None, "2.o": None, "2.d": ["derivee"], "2.e": ["derivee"],
            "2.i": ["k_different_de_y", "k_egal_y"]}
CALCULUS_POINTS = 18.0
SHARE = 0.10

DERIVATIONS = ("q1d_etapes", "q1e_etapes", "q1i_etapes", "q1j_etapes")


def _helpers(code):
    """Module-level code placed before the first function of the file."""
    return ("q1a_signe", (r"(?s)\Adef q1a_signe", code.strip("\n") + "\n\n\ndef q1a_signe"))


def _family(name, helpers, bodies, unimplemented=DERIVATIONS):
    changes = [_helpers(helpers)] if helpers else []
    changes += [(fn, body) for fn, body in bodies.items()]
    changes += [(fn, "raise NotImplementedError") for fn in unimplemented if fn not in bodies]
    return name, tuple(changes)


def _derivative_bodies(d="_d"):
    """Every calculus answer from a scalar differentiation operator d(f, x) of the script."""
    return {
        "q1b_derivee_relu": "return %s(relu, x)" % d,
        "q1c_derivee_sigmoide": "return %s(sigma, x)" % d,
        "q1g_gradient_l1": ("g = np.zeros_like(x)\nfor i in range(x.shape[0]):\n"
                            "    e = np.zeros_like(x)\n    e[i, 0] = 1.0\n"
                            "    g[i, 0] = %s(lambda t: np.sum(np.abs(x + t * e)), 0.0)\nreturn g" % d),
        "q1k_jacobienne_softmax": ("x = np.log(S)\nn = S.shape[0]\nJ = np.zeros((n, n))\nfor j in range(n):\n"
                                   "    e = np.zeros((n, 1))\n    e[j, 0] = 1.0\n"
                                   "    J[:, [j]] = %s(lambda t: softmax(x + t * e), 0.0)\nreturn J" % d),
        "q2d_derivee_mse": "return %s(lambda o: q2d_perte_mse(o, y), oa)" % d,
        "q2e_derivee_ce": "return %s(lambda o: q2e_perte_ce(o, y), oa)" % d,
        "q2i_derivee_oa_k": ("e = np.zeros(oa.shape)\ne[k, 0] = 1.0\n"
                             "return %s(lambda t: q2g_perte(oa + t * e, y), 0.0)" % d),
        "q2n_derivee_sigma": "return %s(sigma, z)" % d,
        "q2n_derivee_ha_j": "return grad_hs[j, 0] * %s(sigma, ha[j, 0])" % d,
        "q2o_gradient_ha": "return grad_hs * %s(sigma, ha)" % d,
    }


def _central(h):
    return "H = %s\n\n\ndef _d(f, x):\n    return (f(x + H) - f(x - H)) / (2 * H)\n" % h


COMPLEX_STEP = '''
H = 1e-20


def _cs(f, x):
    return np.imag(f(x + 1j * H)) / H


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _relu(z):
    return np.where(np.real(z) > 0, z, 0 * z)
'''

STENCIL = '''
H = 0.05
W = [1 / 280, -4 / 105, 1 / 5, -4 / 5, 0.0, 4 / 5, -1 / 5, 4 / 105, -1 / 280]


def _d(f, x):
    total = 0.0
    for i, w in enumerate(W):
        if w:
            total = total + w * f(x + (i - 4) * H)
    return total / H
'''

SYMPY = '''
import sympy as _sp


def _d(f, x):
    t = _sp.Symbol("t")
    rule = {relu: _sp.Max(0, t), sigma: 1 / (1 + _sp.exp(-t))}
    return _sp.lambdify(t, _sp.diff(rule[f], t), "numpy")(x)
'''

FAMILIES = [
    *[_family("central_difference_%s" % h, _central(h), _derivative_bodies()) for h in
      ("1e-2", "1e-5", "1e-8", "1e-10")],
    _family("forward_difference_1e-7", "H = 1e-7\n\n\ndef _d(f, x):\n    return (f(x + H) - f(x)) / H\n",
            _derivative_bodies()),
    _family("step_2_pow_minus_20", _central("2.0 ** -20"), _derivative_bodies()),
    _family("step_from_finfo", _central("np.finfo(float).eps ** (1 / 3)"), _derivative_bodies()),
    _family("step_1e-100", _central("1e-100"), _derivative_bodies()),
    _family("richardson", "def _c(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)\n\n\n"
                          "def _d(f, x):\n    return (4 * _c(f, x, 1e-3 / 2) - _c(f, x, 1e-3)) / 3\n",
            _derivative_bodies()),
    _family("step_hidden_in_arithmetic",
            "def _d(f, x):\n    h = (x * 0 + 2.0) ** -17\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
            _derivative_bodies()),
    _family("stencil_8th_order_loop", STENCIL, _derivative_bodies()),
    _family("complex_step", COMPLEX_STEP, {
        "q1b_derivee_relu": "return _cs(_relu, x)",
        "q1c_derivee_sigmoide": "return _cs(_sig, x)",
        "q1g_gradient_l1": "return _cs(lambda t: np.sqrt(t * t), x)",
        "q1k_jacobienne_softmax": ("x = np.log(S)\nn = S.shape[0]\nJ = np.zeros((n, n))\nfor j in range(n):\n"
                                   "    e = np.zeros((n, 1))\n    e[j, 0] = 1.0\n"
                                   "    J[:, [j]] = _cs(lambda t: np.exp(x + t * e) / np.sum(np.exp(x + t * e)), 0.0)\n"
                                   "return J"),
        "q2d_derivee_mse": "return _cs(lambda o: (_sig(o) - y) ** 2, oa)",
        "q2e_derivee_ce": "return _cs(lambda o: -y * np.log(_sig(o)) - (1 - y) * np.log(1 - _sig(o)), oa)",
        "q2i_derivee_oa_k": ("e = np.zeros(oa.shape)\ne[k, 0] = 1.0\n"
                             "return _cs(lambda t: np.log(np.sum(np.exp(oa + t * e))) - (oa + t * e)[y, 0], 0.0)"),
        "q2n_derivee_sigma": "return _cs(_sig, z)",
        "q2n_derivee_ha_j": "return grad_hs[j, 0] * _cs(_sig, ha[j, 0])",
        "q2o_gradient_ha": "return grad_hs * _cs(_sig, ha)",
    }),
    _family("smooth_steps_for_kinks", _central("1e-6"), dict(
        _derivative_bodies(), q1b_derivee_relu="return sigma(1e13 * x)",
        q1g_gradient_l1="return np.tanh(1e13 * x)")),
    _family("sympy_diff_lambdify", SYMPY, _derivative_bodies()),
]


def calculus_by_item(items, rubric) -> dict:
    """{item: points earned on its counted part} of a graded file (CALCULUS)."""
    out = {}
    for item in rubric.items:
        if item.id in CALCULUS:
            points, _, failed = items[item.id]
            counted = CALCULUS[item.id]
            out[item.id] = points if counted is None else \
                sum(c.points for c in item.checks if c.id in counted and c.id not in failed)
    return out


def calculus_points(items, rubric) -> float:
    """The points a graded file earns on the 18 calculus points."""
    return sum(calculus_by_item(items, rubric).values())


def _grade_families(workers=2):
    """{family: {item: (points, max, failed check ids)}}, each family graded once."""
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    jobs = []
    for name, changes in FAMILIES:
        text = base
        for fn, change in changes:
            text = mutants.apply_edit(text, fn, change)
        jobs.append((name, text))
    return {name: items for name, (items, _) in mutants.grade_sources(jobs, workers=workers).items()}


@pytest.fixture(scope="module")
def graded():
    return _grade_families()


def test_the_count_is_the_issues_18_points():
    from autograder.rubric import load
    rubric = load()
    full = {i.id: (i.points, i.points, []) for i in rubric.items}
    assert calculus_points(full, rubric) == CALCULUS_POINTS


@pytest.mark.parametrize("family", [name for name, _ in FAMILIES])
def test_a_script_without_calculus_earns_almost_nothing(graded, family):
    from autograder.rubric import load
    rubric = load()
    items = graded[family]
    earned = calculus_points(items, rubric)
    detail = {i: p for i, p in calculus_by_item(items, rubric).items() if p}
    assert earned <= SHARE * CALCULUS_POINTS, "%s earns %s / 18 on the calculus: %s" % (family, earned, detail)


def table(workers: int = 2) -> str:
    """Each family's points on the 18 calculus points, as text (python tests/test_no_maths.py)."""
    from autograder.rubric import load
    rubric = load()
    results = _grade_families(workers)
    rows = ["%-32s %6s / 18  %s" % ("family", "points", "counted points earned, by item")]
    for name, _ in FAMILIES:
        by_item = calculus_by_item(results[name], rubric)
        rows.append("%-32s %6.2f / 18  %s" % (name, sum(by_item.values()), ", ".join(
            "%s %g" % (i, p) for i, p in by_item.items() if p)))
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())


# ------------------------------------------------------------ item 3: numpy and outils only
ONLY_NUMPY = '''
import os
import sys

import numpy as np
import outils


def direct():
    import sympy
    return str(sympy.diff(sympy.Symbol("x") ** 2))


def by_importlib():
    import importlib
    return str(importlib.import_module("mpmath").mpf(2))


def allowed():
    return float(np.sum(outils.sigma(np.zeros(2))))


def tampered():
    site = os.path.dirname(os.path.dirname(np.__file__))
    sys.meta_path[:] = [m for m in sys.meta_path if "StandIns" not in repr(m)]
    sys.path.append(site)
    for name in [m for m in sys.modules if m.split(".")[0] in ("sympy", "mpmath")]:
        del sys.modules[name]
    import sympy
    return str(sympy.diff(sympy.Symbol("x") ** 2))
'''


def test_student_code_imports_numpy_and_outils_only_on_every_sandbox_path(tmp_path):
    """sympy and mpmath (an exact derivative without calculus) cannot be imported by student code,
    with or without namespaces, freshly started or forked from a warm process: the French
    'module non disponible' message; a student who removes the import guard and puts
    site-packages back still cannot read them wherever the sandbox isolates at all (a jail, or
    a uid of its own)."""
    import os
    from autograder.sandbox.runner import ChildFailure, Sandbox, sandbox_user
    from autograder.sandbox.warm import WarmServer
    path = tmp_path / "devoir3.py"
    path.write_text(ONLY_NUMPY, encoding="utf-8")
    os.chmod(tmp_path, 0o755)
    server = WarmServer.start()
    seen = []
    try:
        for warm in (None, server):
            for namespaces in (None, False):
                sb = Sandbox(path, user=sandbox_user(), namespaces=namespaces, warm=warm)
                try:
                    assert sb.load()["ok"], sb.load()

                    def call(fn):
                        try:
                            return sb.request({"op": "call", "fn": fn, "args": []}, timeout=60)
                        except ChildFailure as exc:
                            return {"ok": False, "error": {"message": exc.kind}}
                    where = "warm=%s namespaces=%s jailed=%s" % (warm is not None, namespaces, sb.jailed)
                    assert call("allowed")["value"]["v"] == 1.0, where
                    for fn in ("direct", "by_importlib"):
                        resp = call(fn)
                        assert not resp["ok"] and "n'est pas disponible" in resp["error"]["message"], (where, resp)
                    isolated = sb.jailed or sb.user is not None
                    resp = call("tampered")
                    assert resp["ok"] is False or not isolated, (where, resp)
                    seen.append(where)
                finally:
                    sb.close()
    finally:
        server.close()
    assert len(seen) == 4
