"""Calculus answers are exact formulas (issue 20): is the student's traced formula EXACTLY the
derivative, gradient or Jacobian, or only an approximation of it (a difference quotient of any
step, Richardson extrapolation, a high-order stencil, a smooth step for a kink)?

A values check with `exact_formula:` in the rubric earns its points only if, besides its float64 values,
the function read as a formula (outils' tracer, every `if` on a symbol followed) equals the
reference formula (autograder/targets.py FORMULAS) at seeded points evaluated in multiprecision
(mpmath). Two families of points, both chosen after the formula is known:

* moderate points, at a precision that grows with the formula: P = 40 + 4 n decimal digits for
  a formula of n distinct sub-expressions, agreement required to P - 15 digits. A scheme that
  approximates a derivative from points within a radius r loses log10(1/r) digits to
  cancellation (so r > 1e-15 to agree to P - 15 digits) and is wrong by about (r / pi)^k for an
  order k, which needs k + 1 evaluations of the function, each at least 4 sub-expressions: it
  cannot reach P - 15 digits within its own size (docs/exact_formulas.md gives the arithmetic).
  An exact formula agrees to the last digits whatever its size. Formulas over MAX_NODES distinct
  sub-expressions are not evaluated (honest ones have under 60);
* tiny points, |x| about 10^-E with E beyond every magnitude the formula's own sub-expressions
  take at the moderate points: a difference quotient of a kink (ReLU, |x|) or a steep smooth step
  sigma(K x) is exact away from the kink but not within a step of it.

What is judged is the formula, never float64 values: sigma(1 - sigma) at large x, e^-x/(1+e^-x)^2
or a clipped sigma are exact formulas. A tiny constant added to a denominator or under a log or
a sqrt (a stability guard, s / (s + 1e-12)) is read as 0. The float constant of e (np.e,
math.e) is read as e.
"""
from __future__ import annotations

import math

import numpy as np

from . import pyerrors, symbolic, targets, wire

MAX_NODES = 200          # distinct sub-expressions of one formula (element of an array)
MAX_COMBOS = 4           # traced calls of one check (integer arguments, shapes): one wrong is enough
MAX_ENTRIES = 4          # traced arrays have at most this many entries per vector
SLACK = 15               # digits an exact formula may lose to rounding at the moderate points
MODERATE = 3             # moderate points per traced call
TINY = 2                 # tiny points per traced call
GUARD = 1e-6             # largest additive stability guard read as 0
HUGE_EXPONENT = 100_000  # |log10| of a value beyond which a formula is not evaluated
# mpmath's mag(v), from the value's binary exponent (0.4 us against 33 us for a log10 at the working
# precision, for each node at each point: 0.08 s of CPU in a full-marks grading), bounds log2|v| to
# [mag - 3, mag]: below this bound |log10 v| cannot exceed HUGE_EXPONENT, and the log10 is skipped.
SURELY_MODERATE_BITS = int(HUGE_EXPONENT * math.log2(10)) - 8
# |argument| of exp, cosh, sinh beyond which the value is beyond HUGE_EXPONENT: refused before
# mpmath computes it (exp(10^20000) at 840 digits takes minutes; the value would be refused anyway)
EXP_LIMIT = HUGE_EXPONENT * math.log(10)


class Unevaluable(ValueError):
    """The formula is undefined or absurdly large at a graded point."""


# ------------------------------------------------------------------ formulas as DAGs
def dag(tree):
    """The distinct sub-expressions of a tree, children first: [(head, extra, child ids)]."""
    ids, nodes = {}, []

    def visit(t):
        head = t[0]
        if head in ("num", "sym"):
            key = (head, t[1], ())
        else:
            if head == "softmax":
                extra, children = t[1], t[2]
            elif head == "unread":
                extra, children = t[1], t[2:]
            else:
                extra, children = None, t[1:]
            key = (head, extra, tuple(visit(c) for c in children))
        if key not in ids:
            ids[key] = len(nodes)
            nodes.append(key)
        return ids[key]

    visit(tree)
    return nodes


def unguarded(tree):
    """The tree with its additive stability guards (E + c, 0 < |c| <= GUARD, in a denominator or
    under log or sqrt) read as E: s / (s + 1e-12) is the formula s / s."""
    head = tree[0]
    if head in ("num", "sym", "softmax", "unread"):
        return symbolic.rebuilt(tree, unguarded)
    kids = [unguarded(a) for a in tree[1:]]
    guarded = {"div": [1], "log": [0], "sqrt": [0]}.get(head, [])
    for k in guarded:
        kids[k] = _without_guard(kids[k])
    return (head,) + tuple(kids)


def _without_guard(t):
    if t[0] == "add":
        for c, e in ((t[1], t[2]), (t[2], t[1])):
            if c[0] == "num" and 0 < abs(float(c[1])) <= GUARD and symbolic.symbols_of(e):
                return e
    return t


# ------------------------------------------------------------------ multiprecision evaluation
def _leaf(v, mp):
    f = float(v)
    if f == math.e:
        return mp.e
    if f == math.pi:
        return mp.pi
    return mp.mpf(v)


def evaluate(nodes, env, mp, magnitudes=None):
    """Values of every node at one point (env: symbol -> mpf); raise Unevaluable if the last is
    undefined. magnitudes (a list) receives |value| of every defined non-zero node."""
    vals = []
    for head, extra, kids in nodes:
        a = [vals[k] for k in kids]
        try:
            v = _op(head, extra, a, kids, nodes, vals, env, mp)
        except Unevaluable:
            raise
        except (ValueError, ZeroDivisionError, TypeError, OverflowError, KeyError):
            v = None
        if v is not None:
            if isinstance(v, mp.mpc) or not mp.isfinite(v):
                v = None
            elif v and abs(mp.mag(v)) > SURELY_MODERATE_BITS and abs(mp.log10(abs(v))) > HUGE_EXPONENT:
                raise Unevaluable("magnitude")
            elif v and magnitudes is not None:
                magnitudes.append(abs(v))
        vals.append(v)
    if vals[-1] is None:
        raise Unevaluable("undefined")
    return vals[-1]


def _op(head, extra, a, kids, nodes, vals, env, mp):
    if head == "num":
        return _leaf(extra, mp)
    if head == "sym":
        return env[extra]
    if head == "mul":        # 1{c} * (undefined) = 0: the unused side of an `if` or np.where
        for k, other in ((0, 1), (1, 0)):
            if nodes[kids[k]][0] == "ind" and a[k] == 0:
                return mp.mpf(0)
    if any(v is None for v in a):
        return None
    if head == "softmax":
        top = max(a)
        exps = [_exp(mp, v - top) for v in a]
        return exps[extra] / mp.fsum(exps)
    fn = _MP.get(head)
    if fn is None:           # unread or unknown: not a formula the grader can evaluate
        raise ValueError(head)
    return fn(mp, *a)


def _pow(mp, a, b):
    if a < 0 and b != int(b):
        raise ValueError("pow")
    if b == int(b) and abs(b) < 10**6:
        return mp.power(a, int(b))         # by squaring: fast, whatever the magnitude
    if a != 0 and abs(b * mp.log(abs(a))) > EXP_LIMIT:
        raise Unevaluable("magnitude")
    return mp.power(a, b)


def _bounded(a):
    """Refuse (before mpmath spends minutes on it) an argument whose exponential is beyond
    HUGE_EXPONENT: every formula holding such a value is refused anyway."""
    if abs(a) > EXP_LIMIT:
        raise Unevaluable("magnitude")
    return a


def _exp(mp, a):
    return mp.exp(_bounded(a))


def _sigma(mp, a):
    if a > EXP_LIMIT:
        return mp.mpf(1)            # 1 - e^-a: 1 at any working precision (at most 840 digits)
    return 1 / (1 + _exp(mp, -a)) if a >= 0 else _exp(mp, a) / (1 + _exp(mp, a))


def _softplus(mp, a):
    if a > EXP_LIMIT:
        return a
    return a + mp.log1p(_exp(mp, -a)) if a > 0 else mp.log1p(_exp(mp, a))


def _tanh(mp, a):
    return mp.mpf(mp.sign(a)) if abs(a) > EXP_LIMIT else mp.tanh(a)


def _cmp(op):
    return lambda mp, a, b: mp.mpf(1 if op(a, b) else 0)


_MP = {
    "add": lambda mp, a, b: a + b, "sub": lambda mp, a, b: a - b, "mul": lambda mp, a, b: a * b,
    "div": lambda mp, a, b: a / b, "pow": _pow, "neg": lambda mp, a: -a,
    "exp": _exp, "log": lambda mp, a: mp.log(a) if a > 0 else None,
    "sqrt": lambda mp, a: mp.sqrt(a) if a >= 0 else None, "tanh": _tanh,
    "cosh": lambda mp, a: mp.cosh(_bounded(a)), "sinh": lambda mp, a: mp.sinh(_bounded(a)),
    "abs": lambda mp, a: abs(a), "sign": lambda mp, a: mp.mpf(mp.sign(a)),
    "sigma": _sigma, "softplus": _softplus,
    "relu": lambda mp, a: a if a > 0 else mp.mpf(0),
    "heaviside": lambda mp, a: mp.mpf(1) if a > 0 else (mp.mpf(0) if a < 0 else mp.mpf(0.5)),
    "max": lambda mp, a, b: max(a, b), "min": lambda mp, a, b: min(a, b),
    "gt": _cmp(lambda a, b: a > b), "ge": _cmp(lambda a, b: a >= b), "lt": _cmp(lambda a, b: a < b),
    "le": _cmp(lambda a, b: a <= b), "eq": _cmp(lambda a, b: a == b), "ne": _cmp(lambda a, b: a != b),
    "ind": lambda mp, c: mp.mpf(1 if c else 0),
}


def digits_for(nodes: int) -> int:
    """Working precision (decimal digits) for a formula of `nodes` distinct sub-expressions."""
    return 40 + 4 * nodes


# ------------------------------------------------------------------ points
def _moderate(rng, domain, mp, digits):
    """A point of the domain with every digit random (no float64 structure to exploit)."""
    u = mp.mpf(int(rng.integers(1, 10**15))) / 10**15 + mp.mpf(int(rng.integers(0, 10**15))) / 10**30
    if domain == "positive":
        return mp.mpf(0.25) + 3 * u
    if domain == "negative":
        return -(mp.mpf(0.25) + 3 * u)
    return (mp.mpf(0.25) + 3 * u) * (1 if rng.random() < 0.5 else -1)


def _tiny(rng, domain, mp, exponent):
    u = 1 + 8 * mp.mpf(int(rng.integers(1, 10**15))) / 10**15
    sign = {"positive": 1, "negative": -1}.get(domain, 1 if rng.random() < 0.5 else -1)
    return sign * u * mp.power(10, -exponent)


def _env(rng, symbols, mp, digits, exponent=None):
    """symbol name -> mpf for one point: symbols is [(names, domain)] (one entry per argument)."""
    env = {}
    for names, domain in symbols:
        if domain == "simplex":        # S = softmax of a moderate point: on the simplex exactly
            xs = [_moderate(rng, "real", mp, digits) for _ in names]
            exps = [mp.exp(x) for x in xs]
            total = mp.fsum(exps)
            env.update({n: e / total for n, e in zip(names, exps)})
            continue
        for n in names:
            env[n] = _moderate(rng, domain, mp, digits) if exponent is None else _tiny(rng, domain, mp, exponent)
    return env


# ------------------------------------------------------------------ the judge
def agree(got, want, digits, mp) -> bool:
    tol = mp.power(10, -(digits - SLACK))
    if want == 0:
        return abs(got) <= tol
    return abs(got - want) <= tol * max(abs(want), abs(got))


def check_formulas(pairs, symbols, rng, calls: list | None = None):
    """Judge [(student tree, reference tree)] of one traced call.

    symbols: [(names, domain)]. Returns None if every student formula is exactly its reference,
    else a reason: 'too_large', 'unevaluable' or 'approximation'. calls, if given, receives one
    entry per evaluation of a formula at a point (tests count the work)."""
    import mpmath
    mp = mpmath.mp
    prepared = []
    for student, reference in pairs:
        s_nodes = dag(unguarded(student))
        if len(s_nodes) > MAX_NODES:
            return "too_large"
        prepared.append((s_nodes, dag(reference)))
    digits = digits_for(max(len(s) for s, _ in prepared))
    with mp.workdps(digits):
        exponent = None
        for p in range(MODERATE + TINY):
            tiny = p >= MODERATE
            if tiny:
                if any(dom == "simplex" for _, dom in symbols):
                    break
                env = _env(rng, symbols, mp, digits, exponent)
            else:
                env = _env(rng, symbols, mp, digits)
            for s_nodes, r_nodes in prepared:
                seen = [] if p == 0 else None
                try:
                    got = evaluate(s_nodes, env, mp, seen)
                    want = evaluate(r_nodes, env, mp)
                except Unevaluable:
                    return "unevaluable"
                if calls is not None:
                    calls.append(digits)
                if not agree(got, want, digits, mp):
                    return "approximation"
                if seen is not None:           # beyond every magnitude of the formula's own parts
                    logs = [float(abs(mp.log10(v))) for v in seen] or [0.0]
                    exponent = max(exponent or 0, int(20 + max(logs)))
    return None


def symbolic_args(case_values: dict, symbols: dict):
    """The arguments of one traced call: (grader arguments, [(names, domain)], reference args).

    case_values: argument -> value of one graded case, as the student receives it; symbols:
    argument -> domain for the arguments read as symbols."""
    call, syms, ref = [], [], []
    for arg, value in case_values.items():
        if arg not in symbols:
            call.append(value)
            ref.append(value)
            continue
        shape = np.shape(value)
        if not shape:
            call.append(wire.Sym(arg))
            syms.append(((arg,), symbols[arg]))
            ref.append(("sym", arg))
            continue
        names = tuple("%s%d" % (arg, k) for k in range(int(np.prod(shape))))
        call.append(wire.SymArray(names, tuple(shape)))
        syms.append((names, symbols[arg]))
        leaves = np.empty(len(names), dtype=object)
        for k, n in enumerate(names):
            leaves[k] = ("sym", n)
        ref.append(leaves.reshape(shape))
    return call, syms, ref


def student_trees(value):
    """The traced answer as a flat list of trees, or None if it is not a formula."""
    if isinstance(value, wire.Expr):
        return [value.tree]
    if isinstance(value, wire.ExprArray):
        return list(value.items)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [("num", value)]
    if isinstance(value, np.ndarray) and value.dtype.kind in "fi":   # a constant answer
        return [("num", float(v)) for v in value.reshape(-1)]
    if isinstance(value, list):
        out = []
        for v in value:
            sub = student_trees(v)
            if sub is None:
                return None
            out.extend(sub)
        return out
    return None


def reference_trees(expect: str, ref_args):
    """The reference formula of `expect` (targets.FORMULAS) as a flat list of trees."""
    def flat(out):
        return [out] if isinstance(out, tuple) else [t for e in out for t in flat(e)]
    return flat(targets.FORMULAS[expect](*ref_args))


def reason_message(ctx, fn, reason, detail="") -> str:
    """The French (or English) diagnosis of a formula that is not the exact answer."""
    if reason == "untraceable":
        return "%s %s" % (ctx.msg("not_traceable", fn=fn, message=detail), ctx.msg("formula_needed"))
    if reason == "unreadable":
        return "%s %s" % (ctx.msg("unreadable", fn=fn, names=detail), ctx.msg("formula_needed"))
    return ctx.msg("not_exact_" + reason, fn=fn, nodes=MAX_NODES)


def judge(ctx, check, cases, keys, variant=0):
    """None if the function, read as a formula, is exactly the reference on the check's cases;
    else the message of the failed check (French by default). cases and keys as in
    checks.check_values (keys: the case key of each argument)."""
    spec = check.opt("exact_formula") or {}
    symbols = spec.get("symbols", {})
    expects = [check.opt("expect")] + list(check.opt("variants", []))
    expect = expects[variant]
    args = check.opt("args", [])
    combos, seen = [], set()
    for case in cases:
        values = {}
        for a, k in zip(args, keys):
            v = case[k]
            if a in symbols:
                v = _symbolic_shape(v, bool(check.opt("pointwise")))
                if v is None:
                    break
            values[a] = v
        else:
            for expanded in _pointwise_values(values, symbols, bool(check.opt("pointwise"))):
                key = repr(sorted((a, _key(v)) for a, v in expanded.items()))
                if key not in seen:
                    seen.add(key)
                    combos.append(expanded)
    if not combos:
        return None
    rng = ctx.rng(check)
    if len(combos) > MAX_COMBOS:           # spread over the graded cases (labels, indices, sizes)
        combos = [combos[round(i * (len(combos) - 1) / (MAX_COMBOS - 1))] for i in range(MAX_COMBOS)]
    for values in combos:
        call, syms, ref = symbolic_args(values, symbols)
        out = ctx.session.call(check.function, call)
        if not out.ok:
            if out.kind == "exception":
                return reason_message(ctx, check.function, "untraceable", pyerrors.explained(
                    out.error.get("type", ""), out.error.get("message", ""), ctx.lang))
            return reason_message(ctx, check.function, "untraceable", out.error.get("message", out.kind))
        trees = student_trees(out.value)
        if trees is None:
            return reason_message(ctx, check.function, "untraceable", ctx.text("untraceable_no_formula"))
        unread = set().union(*(symbolic.unreadable_names(t) for t in trees)) if trees else set()
        if unread:
            return reason_message(ctx, check.function, "unreadable", ", ".join(sorted(unread)))
        wanted = reference_trees(expect, ref)
        if len(trees) != len(wanted):
            return reason_message(ctx, check.function, "untraceable", ctx.text("untraceable_shape"))
        reason = check_formulas(list(zip(trees, wanted)), syms, rng, ctx.session.state.setdefault("exact_evals", []))
        if reason:
            return reason_message(ctx, check.function, reason)
    return None


def _symbolic_shape(v, pointwise):
    """The shape a symbolic argument takes (a scalar for pointwise checks), or None if the case's
    arrays are too large to trace (each `if` on an entry doubles the runs)."""
    if pointwise or np.ndim(v) == 0:
        return 0.0
    a = np.asarray(v)
    if a.ndim == 1:
        a = a.reshape(-1, 1)            # the student's column vector
    if max(a.shape) > MAX_ENTRIES:
        return None
    return np.zeros(a.shape)


def _pointwise_values(values, symbols, pointwise):
    """For a pointwise check, one combination per distinct value of its other arguments (y = 0, 1)."""
    if not pointwise:
        return [values]
    others = [a for a in values if a not in symbols]
    if not others:
        return [values]
    distinct = sorted({tuple(float(np.asarray(values[a]).reshape(-1)[i]) for a in others)
                       for i in range(np.asarray(values[others[0]]).size)})
    return [dict(values, **dict(zip(others, combo))) for combo in distinct]


def _key(v):
    if isinstance(v, np.ndarray):
        return ("array", v.shape)
    return v
