"""Issue 20: a grade certifies the mathematics. A script that knows no calculus must earn almost
nothing, and nonsense must earn nothing at all.

Families of such scripts, each one whole submission graded once (module fixture, 2 processes):
- nonsense answers: every function of the template returns a constant of some type, zeros of the
  right form, its first argument, or a copy of the statement; no sub-check may pass, except those
  listed in NONSENSE_PASSES with the reason;
- padded derivations (five kinds: affine combinations of the chain's ends, identity-wrapped
  neighbours, repeats, sums and products of the ends, the end with a trivial constant or its
  terms reordered), the statement's start and end alone, the idea's own shape used as padding,
  and the idea in a part that changes nothing (a 1 written through a definition, a term below the
  chain's tolerance): nothing on 1.d, 1.e, 1.i, 1.j;
- shapes copied from the student's zip: nothing on the dimension items.
- derivatives and gradients without calculus (issue 20 item 1): central differences with steps
  1e-2 to 1e-10, a forward difference, steps built from 2**-k and np.finfo, a step of 1e-100,
  Richardson extrapolation, steps hidden behind arithmetic on the symbol, an 8th-order stencil in
  a loop, the complex step, smooth steps sigma(K x) for the kinks, numerical Jacobians filling
  float arrays, sympy.diff + lambdify: every calculus answer of the full-marks file replaced by
  the family's method, its derivations left unimplemented (the families above grade those).
Each family earns at most 10 % of the 18 calculus points (CALCULUS): the whole of 1.b, 1.c, 1.d,
1.e, 1.g, 1.i, 1.j, 1.k, 2.n and 2.o, and the derivative sub-checks of 2.d, 2.e and 2.i. Outside
the count: formulas the statement gives (1.l's gradient, 2.i's vector o^s - onehot(y)) and the
items where a difference quotient is exact (1.f, 2.j-2.m: linear or quadratic maps). Points of a
counted item that need no calculus stay in the count (2.o's dimensions, 0.5, are earned by any
script that gives the shapes). `python tests/test_no_maths.py` prints each family's points.
Last, student code has numpy and outils only (issue 20 item 3), on every sandbox path.
"""
from __future__ import annotations

import ast
import re

import pytest

from bench import mutants
from conftest import REPO, TEMPLATE

# The calculus the statement does not give (issue 20): items, and sub-checks of other items.
CALCULUS = {"1.b": None, "1.c": None, "1.d": None, "1.e": None, "1.g": None, "1.i": None, "1.j": None,
            "1.k": None, "2.n": None, "2.o": None, "2.d": {"derivee"}, "2.e": {"derivee"},
            "2.i": {"k_different_de_y", "k_egal_y"}}
CALCULUS_POINTS = 18
DERIVATIONS = {"q1d_etapes": "1.d", "q1e_etapes": "1.e", "q1i_etapes": "1.i", "q1j_etapes": "1.j"}

# ---------------------------------------------------------------------------- nonsense
NONSENSE = {"zero": "0", "one": "1", "minus_one": "-1", "float": "0.37", "huge": "1e300", "nan": "float('nan')",
            "string": "'A'", "none": "None", "empty_list": "[]", "empty_tuple": "()", "empty_dict": "{}",
            "zeros_array": "np.zeros((3, 1))", "list_of_zeros": "[0, 0, 0]", "identity": "{first}",
            "zeros_like": "np.zeros_like(np.asarray({first}, float))"}

# Zeros and ones in the form each structured answer asks for (dicts of shapes, tables, lists).
FORMED = {
    "q2a_dimension_b1": "({v}, {v})", "q2b_dimensions": '{{"W2": ({v}, {v}), "b2": ({v}, {v})}}',
    "q2k_dimensions": '{{"grad_oa": ({v}, {v}), "hs": ({v}, {v}), "grad_W2": ({v}, {v}), "grad_b2": ({v}, {v})}}',
    "q2m_dimensions": '{{"W2": ({v}, {v}), "grad_oa": ({v}, {v}), "grad_hs": ({v}, {v})}}',
    "q2o_dimensions": '{{"grad_hs": ({v}, {v}), "ha": ({v}, {v}), "grad_ha": ({v}, {v})}}',
    "q3a_formes": '{{"couche1": ({v}, {v}, {v}), "couche2": ({v}, {v}, {v}), "couche3": ({v}, {v}, {v}), "total": {v}}}',
    "q2f_limites": '{{"mse": [[{v}, {v}], [{v}, {v}]], "ce": [[{w}, {w}], [{w}, {w}]], "meilleure": "{best}"}}',
    "q3c_configurations": '[({v}, {v}, {v}, {v})]', "q3d_configurations": '[{{"k": {v}, "s": {v}, "p": 2, "d": 2}}]',
    "q3e_configurations": '[{{"k": {v}, "s": 2, "p": 1, "d": 1}}]',
    "q1h_contre_exemple": "[{v}, {v}], {v}", "q2h_parametres": "[]", "q2c_pourquoi": '""', "q2h_probleme": '"ABCDEFG"',
    "q1d_etapes": "[{v} * x, {v} * x, {v} * x]", "q1e_etapes": "[x, x, x]", "q1i_etapes": "[c, c, c]",
    "q1j_etapes": "[x[0], x[0], x[0]]",
}

# The statement's own expressions where an answer is asked (copies prove nothing).
STATEMENT = {
    "q1d_etapes": "return [log(sigma(x)), -softplus(-x)]",
    "q1e_etapes": "return [softplus(x) - softplus(-x), x]",
    "q1i_etapes": "return [softmax(x + c)[i], softmax(x)[i]]",
    "q1j_etapes": "S = softmax(x)\nreturn [S[i] * indicatrice(i == j) - S[i] * S[j]] * 2",
    "q3c_configurations": "return []", "q3d_configurations": "return []", "q3e_configurations": "return []",
}

# Sub-checks that nonsense passes with reason (the nonsense is the answer there).
NONSENSE_PASSES = {
    ("identity", "2.k", "b2"): "∂L/∂b2 = ∂L/∂o^a: the identity of grad_oa is the answer",
}


def _functions():
    tree = ast.parse(TEMPLATE.read_text(encoding="utf-8"))
    return [(n.name, [a.arg for a in n.args.args]) for n in tree.body if isinstance(n, ast.FunctionDef)]


def _file(bodies: dict, base=None) -> str:
    text = base if base is not None else TEMPLATE.read_text(encoding="utf-8")
    for fn, body in bodies.items():
        text = mutants.apply_edit(text, fn, body)
    return text


def _nonsense(expr: str) -> str:
    return _file({fn: "return " + expr.replace("{first}", args[0] if args else "0") for fn, args in _functions()})


def _formed(v, w, best) -> str:
    bodies = {fn: "return %s" % v for fn, _ in _functions()}
    bodies.update({fn: "return " + f.format(v=v, w=w, best=best) for fn, f in FORMED.items()})
    return _file(bodies)


# ---------------------------------------------------------------------------- padded derivations
ENDS = {   # (start, end) of each derivation as the statement gives them, and the arguments' set-up
    "q1d_etapes": ("", "log(sigma(x))", "-softplus(-x)"),
    "q1e_etapes": ("", "softplus(x) - softplus(-x)", "x"),
    "q1i_etapes": ("", "softmax(x + c)[i]", "softmax(x)[i]"),
    # 1.j's start is not given: the end written with exp stands for it (S unfolded)
    "q1j_etapes": ("Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n",
                   "exp(x[i]) / Z * d - exp(x[i]) / Z * (exp(x[j]) / Z)", "S[i] * d - S[i] * S[j]"),
}
PADDINGS = {   # five kinds of steps that are no steps: s is the start, e the end
    "affine_combinations": "[s, (s + e) / 2, 0.3 * s + 0.7 * e, e]",
    "wrapped_neighbours": "[s, log(exp(s)), -(-s) + 0, e * 1, exp(log(e * e)) / e, e]",
    "repeats": "[s, s, e, e]",
    "sums_and_products_of_ends": "[s, s + e - s, s * e / s, (s + e) * (s + e) / (4 * e), e]",
    "trivial_constants_and_reordering": "[s, 0 + e * exp(0) + log(1), e * exp(x0) * exp(-x0), (1 + 0 * s) * e, e]",
}


# The idea's own shape used as padding (what loosening the ideas could admit, issue 20 review):
# 1.d, 1.e: + log(A / A) with A the idea's 1 + e^{±x}; 1.i: the start times e^c / e^c, then the end
# written with exp; 1.j: the answer with exp for S (in the product rule's shape), times Z / Z, then
# with S unfolded again as exp(x_i - log Z). None shows its idea: each earns nothing.
IDEA_SHAPES = {
    "q1d_etapes": "s, e = log(sigma(x)), -softplus(-x)\nreturn [s, s + log((1 + exp(-x)) / (1 + exp(-x))), e]",
    "q1e_etapes": "s = softplus(x) - softplus(-x)\n"
                  "return [s, s + log((1 + exp(x)) / (1 + exp(x))), log(1 + exp(x)) - log(1 + exp(-x)), x]",
    "q1i_etapes": "s = exp(x[i] + c) / somme(exp(x + c))\n"
                  "return [s, s * exp(c) / exp(c), exp(x[i]) / somme(exp(x)), softmax(x)[i]]",
    "q1j_etapes": "Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n"
                  "copy = d * exp(x[i]) / Z - exp(x[i]) * exp(x[j]) / Z ** 2\n"
                  "return [copy, copy * Z / Z, exp(x[i] - log(Z)) * d - exp(x[i] - log(Z)) * exp(x[j] - log(Z)),\n"
                  "        S[i] * d - S[i] * S[j]]",
}


# Padding the canonical form cannot see (the breaker's review): a 1 written as A / A' with A' = A
# through a definition (exp(softplus(u)) = 1 + e^u, cosh + sinh = exp), or a part too small for the
# chain's tolerance to see (+ 1e-14 e^c e^x, softplus(-x + 1e-10 (1 + e^x))), each carrying the idea.
DISGUISED_ONES = {
    "q1d_etapes": "e = -softplus(-x)\nreturn [log(sigma(x)), e * (1 + exp(-x)) / exp(softplus(-x)), e]",
    "q1e_etapes": "s = softplus(x) - softplus(-x)\nreturn [s, s + log((1 + exp(x)) / exp(softplus(x))), x]",
    "q1i_etapes": "e = exp(x[i]) / somme(exp(x))\n"
                  "return [softmax(x + c)[i], e * exp(c) / (cosh(c) + np.sinh(c)), softmax(x)[i]]",
    "q1j_etapes": "Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n"
                  "copy = d * exp(x[i]) / Z - exp(x[i]) * exp(x[j]) / Z ** 2\n"
                  "return [copy, copy * Z / (exp(softplus(log(Z))) - 1), S[i] * d - S[i] * S[j]]",
}
NEGLIGIBLE_PARTS = {
    "q1d_etapes": "return [log(sigma(x)), -softplus(-x + 1e-10 * (1 + exp(x))), -softplus(-x)]",
    "q1e_etapes": "s = softplus(x) - softplus(-x)\nreturn [s, x + 1e-10 * log((1 + exp(x)) * (1 + exp(-x))), x]",
    "q1i_etapes": "e = exp(x[i]) / somme(exp(x))\nreturn [softmax(x + c)[i], e + 1e-14 * exp(c) * exp(x[0]), softmax(x)[i]]",
    "q1j_etapes": "Z = somme(exp(x))\nS = softmax(x)\nd = indicatrice(i == j)\n"
                  "copy = d * exp(x[i]) / Z - exp(x[i]) * exp(x[j]) / Z ** 2\n"
                  "return [copy, copy + 1e-14 * exp(x[j]) / Z ** 2, S[i] * d - S[i] * S[j]]",
}


def _padded(kind: str) -> str:
    bodies = {}
    for fn, (setup, start, end) in ENDS.items():
        x0 = "x[0]" if fn in ("q1i_etapes", "q1j_etapes") else "x"
        chain = PADDINGS[kind].replace("x0", x0)
        bodies[fn] = "%ss = %s\ne = %s\nreturn %s" % (setup, start, end, chain)
    return _file(bodies)


# ---------------------------------------------------------------------------- copied shapes
SHAPE_NAMES = {"b1": "b1", "W2": "W2", "b2": "b2", "grad_oa": "∂L/∂o^a", "hs": "h^s", "grad_W2": "∂L/∂W2",
               "grad_b2": "∂L/∂b2", "grad_hs": "∂L/∂h^s", "ha": "h^a", "grad_ha": "∂L/∂h^a"}
SHAPE_TEXT = re.compile(r"\(\s*(d_h|dh|d|m|1)\s*,\s*(d_h|dh|d|m|1)?\s*\)")


def copied_shapes(text: str) -> dict:
    """What a script reads from the student's zip: for each shape asked by 2.a/2.b/2.k/2.m/2.o, a
    shape written right after its name ("b1 (d_h, 1)", "h^s (d_h, 1)"), and for a gradient the
    shape of what it is the gradient of (the template once said "de même forme que W2")."""
    found = {}
    for key, name in SHAPE_NAMES.items():
        m = re.search(re.escape(name) + r"\s*(?:=[^(\n]{0,30})?\(\s*(\w+)\s*,\s*(\w+)?\s*\)", text)
        if m and all(g in (None, "d_h", "dh", "d", "m", "1") for g in m.groups()):
            found[key] = tuple(g for g in m.groups() if g)
    for key in list(SHAPE_NAMES):
        if key.startswith("grad_") and key not in found and key[5:] in found:
            found[key] = found[key[5:]]
    return found


def _copied_shapes_file(text: str) -> str:
    shapes = copied_shapes(text)

    def shape(key):
        return "(%s)" % ", ".join({"d_h": "d_h", "dh": "d_h", "d": "d", "m": "m", "1": "1"}[g] + ""
                                  for g in shapes.get(key, ("1", "1")))
    keys = {"q2a_dimension_b1": None, "q2b_dimensions": ["W2", "b2"],
            "q2k_dimensions": ["grad_oa", "hs", "grad_W2", "grad_b2"],
            "q2m_dimensions": ["W2", "grad_oa", "grad_hs"], "q2o_dimensions": ["grad_hs", "ha", "grad_ha"]}
    bodies = {fn: "return " + (shape("b1") if ks is None else "{%s}" % ", ".join('"%s": %s' % (k, shape(k)) for k in ks))
              for fn, ks in keys.items()}
    return _file(bodies, base=mutants.FULL_MARKS.read_text(encoding="utf-8"))


def _zip_text() -> str:
    from autograder.handout import handout_members
    return "\n".join(p.read_text(encoding="utf-8") for _, p in handout_members())


SHAPE_CHECKS = {("2.a", "dimension_b1"), ("2.b", "dimensions"), ("2.k", "dimensions"), ("2.m", "dimensions"),
                ("2.o", "dimensions")}


# ---------------------------------------------------------------------------- derivatives without calculus
def _helpers(code):
    """Module-level code placed before the first function of the file."""
    return ("q1a_signe", (r"(?s)\Adef q1a_signe", code.strip("\n") + "\n\n\ndef q1a_signe"))


def _family(name, helpers, bodies, unimplemented=tuple(DERIVATIONS)):
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


# ---------------------------------------------------------------------------- grading, once
def _jobs():
    jobs = [("nonsense:" + name, _nonsense(expr)) for name, expr in NONSENSE.items()]
    jobs += [("nonsense:formed_zeros", _formed(0, 0, "ce")), ("nonsense:formed_ones", _formed(1, 0, "mse")),
             ("nonsense:statement", _file(STATEMENT))]
    jobs += [("padded:" + kind, _padded(kind)) for kind in PADDINGS]
    jobs += [("padded:statement_only", _file({fn: STATEMENT[fn] for fn in DERIVATIONS})),
             ("padded:idea_shapes", _file(IDEA_SHAPES)), ("padded:disguised_ones", _file(DISGUISED_ONES)),
             ("padded:negligible_parts", _file(NEGLIGIBLE_PARTS))]
    jobs += [("shapes:copied_from_the_zip", _copied_shapes_file(_zip_text()))]
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    jobs += [("derivative:" + name, _file(dict(changes), base=base)) for name, changes in FAMILIES]
    return jobs


@pytest.fixture(scope="module")
def graded():
    """{job: {item: ItemResult(points, max, failed check ids)}}, every family graded once."""
    return {name: items for name, (items, _) in mutants.grade_sources(_jobs(), workers=2).items()}


def passing(rubric, items) -> set:
    """(item, sub-check) pairs that passed."""
    return {(it.id, c.id) for it in rubric.items for c in it.checks
            if it.id in items and c.id not in items[it.id][2]}


def calculus_score(rubric, items) -> float:
    total = 0.0
    for it in rubric.items:
        if it.id in CALCULUS and it.id in items:
            subs = CALCULUS[it.id]
            total += sum(c.points for c in it.checks
                         if (subs is None or c.id in subs) and c.id not in items[it.id][2])
    return total


def test_the_calculus_points_are_eighteen(rubric):
    full = {it.id: (it.points, [], []) for it in rubric.items}
    assert calculus_score(rubric, full) == CALCULUS_POINTS


def test_no_sub_check_passes_on_nonsense(rubric, graded):
    found = {(name.split(":", 1)[1], i, c) for name, items in graded.items() if name.startswith("nonsense:")
             for i, c in passing(rubric, items)}
    unexpected = sorted(f for f in found if f not in NONSENSE_PASSES)
    assert not unexpected, "sub-checks passing on nonsense: %s" % unexpected


def test_padded_derivations_and_the_statement_alone_earn_nothing(rubric, graded):
    for name, items in graded.items():
        if name.startswith("padded:"):
            got = {DERIVATIONS[fn]: items[DERIVATIONS[fn]][0] for fn in DERIVATIONS}
            assert not any(got.values()), (name, got)
            assert calculus_score(rubric, items) <= 0.1 * CALCULUS_POINTS, name


def test_shapes_copied_from_the_zip_earn_nothing(rubric, graded):
    items = graded["shapes:copied_from_the_zip"]
    assert not SHAPE_CHECKS & passing(rubric, items), SHAPE_CHECKS & passing(rubric, items)


def test_the_shape_reader_would_have_read_the_old_template():
    """The family is not vacuous: the template's former comments give 2.5 points' worth of shapes."""
    old = ("# d = entrée, d_h = couche cachée, m = classes ; W1 (d_h, d), W2 (m, d_h)\n"
           "h^a (vecteur colonne) à partir de W1 (d_h, d), b1 (d_h, 1), x (d, 1).\n"
           "o^a à partir de W2, b2 (m, 1) et h^s (d_h, 1).\n"
           "∂L/∂o^a (m, 1) en fonction de o^s (m, 1) ; grad_hs = ∂L/∂h^s (d_h, 1) et h^a (d_h, 1)")
    got = copied_shapes(old)
    assert got["b1"] == ("d_h", "1") and got["W2"] == ("m", "d_h") and got["grad_W2"] == ("m", "d_h")
    assert got["grad_ha"] == got["ha"] == ("d_h", "1") and got["grad_b2"] == ("m", "1")


@pytest.mark.parametrize("family", [name for name, _ in FAMILIES])
def test_derivatives_without_calculus_earn_almost_nothing(rubric, graded, family):
    items = graded["derivative:" + family]
    earned = calculus_score(rubric, items)
    detail = {i: items[i][0] for i in CALCULUS if items[i][0]}
    assert earned <= 0.1 * CALCULUS_POINTS, "%s earns %s / 18 on the calculus: %s" % (family, earned, detail)


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


def table(workers: int = 2) -> str:
    """Each family's points on the 18 calculus points, as text (python tests/test_no_maths.py)."""
    from autograder.rubric import load
    rubric = load()
    results = {name: items for name, (items, _) in mutants.grade_sources(_jobs(), workers=workers).items()}
    rows = ["%-44s %6s / 18" % ("family", "points")]
    for name, items in results.items():
        rows.append("%-44s %6.2f / 18" % (name, calculus_score(rubric, items)))
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
