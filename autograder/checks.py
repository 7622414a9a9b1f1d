"""The answer tests: one function per check kind of the rubric.

Each takes (ctx, check) and returns a Result: passed or not, a short message and,
when it failed, the details (the failing input, what was expected, what came
back). Student values arrive already decoded (wire.py); the reference gives the
expected values; every comparison states its tolerance (rubric `tolerances`).
"""
from __future__ import annotations

import ast
import itertools
import math
import re
import zlib
from dataclasses import dataclass

import numpy as np

from . import answers, difference, exactness, inputs, proof, pyerrors, symbolic, targets, wire
from .session import Outcome


@dataclass
class Result:
    passed: bool
    message: str = ""          # short, safe to show at once
    details: str = ""          # may reveal inputs / expected values
    kind: str = "answer"       # answer (graded on merit) or a failure kind of the call
    fraction: float | None = None
    reveal: str = ""           # states expected values: only in the opt-in after-due-date test


class Ctx:
    """What a check needs: the session, the rubric, the language, the item's state.

    `said` lists the rubric messages a check's result was written with (diff_sign, family,
    rel_pos:o^a, exception:TypeError, ...): the kinds of difference and of failure, kept for
    the teaching team's analysis (grading.CheckOutcome.tags), never shown as such to a student."""

    def __init__(self, session, rubric, lang, item):
        self.session, self.rubric, self.lang, self.item = session, rubric, lang, item
        self.said = []

    def text(self, key, /, **kw) -> str:
        """The rubric message `key` in the feedback's language, its {fields} filled from kw: a
        text of the check's own (a detail, a reveal), not recorded in `said`."""
        return self.rubric.messages[key](self.lang).format(**kw)

    def msg(self, key, /, **kw) -> str:
        """The rubric message `key`, filled as by text(), recorded in `said` as a kind of failure."""
        tag = key + (":" + str(kw["name"]) if key.startswith("rel_") and "name" in kw else "") + \
            (":" + str(kw.get("type") or "?") if key == "exception" else "")
        if tag not in self.said:
            self.said.append(tag)
        return self.text(key, **kw)

    def rng(self, check):
        seed = zlib.crc32(("%d:%s:%s" % (self.rubric.seed, self.item.id, check.id)).encode())
        return np.random.default_rng(seed)

    def tol(self, check):
        return float(check.opt("rtol", self.rubric.rtol)), float(check.opt("atol", self.rubric.atol))


KINDS = {}


def kind(name):
    def deco(fn):
        KINDS[name] = fn
        return fn
    return deco


# ------------------------------------------------------------------ helpers
def call_failure(ctx, fn, out: Outcome) -> Result:
    """The message for a call that did not return a usable value."""
    e = out.error
    line = ""
    if e.get("line"):
        line = (" (ligne %d)" if ctx.lang == "fr" else " (line %d)") % e["line"]
    key = out.kind
    message = e.get("message", "")
    if key == "exception":      # Python's English text, explained (the original follows)
        message = pyerrors.explained(e.get("type", ""), message, ctx.lang)
    text = ctx.msg(key, fn=fn, type=e.get("type", ""), message=message, line=line,
                   seconds=ctx.rubric.limits.get("call_timeout", 5), detail=e.get("message") or "?")
    return Result(False, text, kind=out.kind)


def none_returned(ctx, fn) -> Result:
    """A function that returns None almost always lacks its `return`: say so at once."""
    return Result(False, ctx.text("none_returned", fn=fn), kind="none")


def fmt(v) -> str:
    if isinstance(v, np.ndarray):
        with np.printoptions(precision=6, suppress=True, threshold=40, linewidth=120):
            return np.array2string(v, separator=", ")
    if isinstance(v, float):
        return "%.6g" % v
    if isinstance(v, wire.Expr):
        return symbolic.show(v.tree)
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "vector":
        return "(%d, 1)" % v[1]                 # a column vector; (n,) is accepted too
    if isinstance(v, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, fmt(e)) for k, e in v.items())
    return repr(v)[:200]


def student_form(v, pointwise: bool):
    """1-D reference vectors go to students as column vectors (the assignment's convention)."""
    if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind == "f" and not pointwise:
        return v.reshape(-1, 1)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def cases_for(ctx, check) -> list:
    """The check's seeded cases (the same for every submission: computed once, answers.py)."""
    return answers.value(("cases", answers.check_key(ctx, check)), lambda: _make_cases(ctx, check))


def expected_values(ctx, check, name, keys, cases) -> list:
    """What the reference `name` gives on each case, called with the cases' `keys` (computed once)."""
    fn = targets.resolve(name)
    return answers.value(("expected", answers.check_key(ctx, check), name, tuple(keys)),
                         lambda: [fn(*[case[k] for k in keys]) for case in cases])


def _make_cases(ctx, check) -> list:
    cases = inputs.make_cases(check.opt("cases", "nothing"), ctx.rng(check), check.opt("with"))
    each = check.opt("each")
    if each:
        expanded = []
        for case in cases:
            names = list(each)
            ranges = [range(case[each[n]]) if isinstance(each[n], str) else each[n] for n in names]
            for combo in itertools.product(*ranges):
                expanded.append(dict(case, **dict(zip(names, combo))))
        cases = expanded
    where = check.opt("where")
    if where:
        pred = {"k_ne_y": lambda c: c["k"] != c["y"], "k_eq_y": lambda c: c["k"] == c["y"]}[where]
        cases = [c for c in cases if pred(c)]
    return cases


def as_array(v):
    """A student's numeric answer as a float array, or None if it is not numeric."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return np.asarray(float(v))
    if isinstance(v, np.ndarray):
        return v
    if isinstance(v, list) and _numeric_list(v):
        try:
            return np.asarray(v, dtype=float)      # a list, or a rectangular list of rows
        except ValueError:                          # ragged rows
            return None
    return None


def _numeric_list(v, depth=0) -> bool:
    """A non-empty list of numbers, or (one level down) of such lists."""
    if not isinstance(v, list) or not v:
        return False
    return all(isinstance(e, (int, float)) and not isinstance(e, bool) or depth < 1 and _numeric_list(e, depth + 1)
               for e in v)


def shape_problem(ctx, got: np.ndarray, want: np.ndarray, pointwise=False):
    """None if got's shape is acceptable for want, else a message."""
    if want.ndim == 0:
        return None if got.size == 1 else ctx.msg("wrong_shape", got=got.shape, want="()")
    if want.ndim == 1:
        n = want.shape[0]
        if got.shape in ((n,), (n, 1)) or pointwise and got.size == n and max(got.shape, default=1) == n:
            return None
        if got.shape == (1, n) and n > 1:
            return ctx.msg("row_vector", got=got.shape, want=(n, 1))
        return ctx.msg("wrong_shape", got=got.shape, want=(n, 1))
    if got.shape != want.shape:
        return ctx.msg("wrong_shape", got=got.shape, want=want.shape)
    return None


def compare_numeric(got, want, rtol, atol):
    """(ok, index of first bad element, reason) for same-sized arrays."""
    g, w = got.reshape(-1).astype(float), want.reshape(-1).astype(float)
    with np.errstate(all="ignore"):
        close = np.isclose(g, w, rtol=rtol, atol=atol) | (np.isnan(g) & np.isnan(w)) | \
            (np.isinf(g) & np.isinf(w) & (np.sign(g) == np.sign(w)))
    if close.all():
        return True, None, ""
    i = int(np.argmin(close))
    reason = "not_finite" if not np.isfinite(g[i]) and np.isfinite(w[i]) else "mismatch"
    return False, i, reason


def _describe_case(case, args, idx=None):
    parts = []
    for a in args:
        v = case[a]
        if idx is not None and isinstance(v, np.ndarray) and v.ndim == 1:
            v = float(v[idx])
        parts.append("%s = %s" % (a, fmt(v)))
    return ", ".join(parts)


# ------------------------------------------------------------------ values
@kind("values")
def check_values(ctx, check) -> Result:
    fn, args = check.function, check.opt("args", [])
    rename = check.opt("rename", {})
    pointwise = bool(check.opt("pointwise", False))
    rtol, atol = ctx.tol(check)
    cases = cases_for(ctx, check)
    keys = [next((k for k, v in rename.items() if v == a), a) for a in args]
    expects = [expected_values(ctx, check, n, keys, cases) for n in [check.opt("expect")] +
               list(check.opt("variants", [])) if n] if check.opt("expect") else []

    if pointwise:
        got_all = [_pointwise_answers(ctx, fn, case, keys)
                   for case in cases]
    else:
        outs = ctx.session.map(fn, [[student_form(c[k], False) for k in keys] for c in cases])
        got_all = outs

    fixed = ctx.session.state.get((ctx.item.id, check.opt("same_variant_as")))
    variant_ok = set(range(len(expects))) if fixed is None else {fixed}
    for i, (case, out) in enumerate(zip(cases, got_all)):
        if isinstance(out, Result):
            return out
        if not out.ok:
            return call_failure(ctx, fn, out)
        shown = {a: case[k] for a, k in zip(args, keys)}      # the names the student sees
        if out.value is None:
            return none_returned(ctx, fn)
        got = as_array(out.value)
        if got is None:
            return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("not_numeric", got=fmt(out.value)[:80])))
        if check.opt("within"):
            lo, hi = check.opt("within")
            if not (np.all(np.isfinite(got)) and np.all((got >= lo) & (got <= hi))):
                return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("own_value", point=_describe_case(
                    {difference.display_name(a): v for a, v in shown.items()},
                    [difference.display_name(a) for a in args]), got=fmt(got))))
            continue
        wants = [np.asarray(e[i], dtype=float) for e in expects]
        problem = shape_problem(ctx, got, wants[0], pointwise)
        if problem:
            return Result(False, "%s — %s" % (check.fail(ctx.lang), problem))
        if check.opt("within_where_zero"):
            lo, hi = check.opt("within_where_zero")
            mask = case["zero_mask"].reshape(-1)
            g = got.reshape(-1)
            if not np.all((g[mask] >= lo) & (g[mask] <= hi)):
                return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("own_at_zero", got=", ".join(
                    sorted({fmt(float(v)) for v in g[mask]})))))
            got = np.where(mask, wants[0].reshape(-1), g)
        if check.opt("compare_as") == "integer" and not np.all(np.equal(np.mod(got, 1), 0)):
            return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("not_integer")),
                          ctx.text("your_value", case=_describe_case(shown, args), got=fmt(got)))
        matched = [v for v in sorted(variant_ok) if compare_numeric(got, wants[v], rtol, atol)[0]]
        if not matched:
            ok, idx, reason = compare_numeric(got, wants[min(variant_ok)], rtol, atol)
            w = wants[min(variant_ok)].reshape(-1)
            g = got.reshape(-1)
            if pointwise and not check.opt("no_symbolic_rescue") and _rescued(ctx, check, case, keys, got,
                                                                               wants[min(variant_ok)]):
                continue
            where = _describe_case(shown, args, idx if pointwise else None)
            reveal = ctx.text("received_expected_at", where=where,
                              got=fmt(float(g[idx])) if pointwise else fmt(got),
                              want=fmt(float(w[idx])) if pointwise else fmt(wants[min(variant_ok)]))
            gs, ws = (g, w) if pointwise else _all_answers(got_all, expects[min(variant_ok)])
            msg = numpy_trap(ctx, check) or explain_mismatch(ctx, check, g, w, shown, args, pointwise, rtol, atol, gs, ws)
            return Result(False, msg, reveal=reveal)
        variant_ok = set(matched)
    if check.opt("distinguish") and pointwise:
        constant = _constant_answer(ctx, check, keys)
        if constant:
            return constant
    if check.opt("exact_formula"):      # a calculus answer: the formula itself must be exact
        failure = exactness.judge(ctx, check, cases, keys, min(variant_ok) if expects else 0)
        if failure:
            ctx.session.state.pop(("rescued", ctx.item.id, check.id), None)
            return Result(False, failure)
    if expects and len(expects) > 1:
        ctx.session.state[(ctx.item.id, check.id)] = min(variant_ok)
    note = ctx.session.state.pop(("rescued", ctx.item.id, check.id), "")
    return Result(True, note)


def _constant_answer(ctx, check, keys):
    """A Result if the function returns one and the same value at the rubric's `distinguish`
    points (e.g. 1.b: x = -1 and x = 1): a constant is no derivative of ReLU, even where it
    happens to be right. None otherwise."""
    points = check.opt("distinguish")           # {arg: [values...]}, one point per index
    case = {k: np.asarray(points[k], dtype=float) for k in keys}
    out = _pointwise_answers(ctx, check.function, case, keys)
    got = as_array(out.value) if out.ok else None
    if got is None or got.size != len(next(iter(points.values()))):
        return None              # judged by the values themselves
    g = got.reshape(-1)
    if np.all(g == g[0]):
        where = ctx.text("and").join(", ".join("%s = %s" % (difference.display_name(k), fmt(float(v)))
                                               for k, v in zip(keys, vals))
                                     for vals in zip(*[points[k] for k in keys]))
        return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("constant", where=where)))
    return None


def _all_answers(outs, expected):
    """The student's and the reference's values (`expected`: one per case) over every case with a
    usable answer, flattened and joined: a kind of difference is judged on all the graded inputs."""
    gs, ws = [], []
    for want, out in zip(expected, outs):
        if isinstance(out, Result) or not out.ok:
            continue
        got = as_array(out.value)
        if got is None:
            continue
        want = np.asarray(want, dtype=float)
        if got.size == want.size:
            gs.append(got.reshape(-1).astype(float))
            ws.append(want.reshape(-1))
    return (np.concatenate(gs), np.concatenate(ws)) if gs else (np.zeros(0), np.zeros(0))


def explain_mismatch(ctx, check, g, w, shown, args, pointwise, rtol, atol, gs=None, ws=None) -> str:
    """The message of a wrong numeric answer: where it fails and what kind of difference,
    with the student's own value at one failing point; never the expected value.
    gs, ws: the values over all cases (the kind is judged on them), default g, w."""
    parts = [check.fail(ctx.lang)]
    gs, ws = (g, w) if gs is None else (gs, ws)
    kind_ = difference.classify(gs, ws, rtol, atol) if gs.size >= 2 or not np.all(np.isfinite(gs)) else None
    parts.append(ctx.msg("diff_" + (kind_ or "other")))
    if pointwise:
        with np.errstate(all="ignore"):
            bad = ~(np.isclose(g, w, rtol=rtol, atol=atol) | (np.isnan(g) & np.isnan(w)))
        fam = difference.family({a: shown[a] for a in args if isinstance(shown[a], np.ndarray)}, bad)
        if fam:
            parts.append(ctx.msg("family", where=ctx.text("and").join(
                ctx.msg("rel_" + rel.replace(">0", "pos").replace("<0", "neg").replace("=0", "zero"),
                        name=difference.display_name(name)) for name, rel in fam)))
        i = int(np.argmax(bad))
        mine = fmt(float(g[i]))
        # the student's own value, unless it happens to be an expected value of some graded point
        if mine not in {fmt(float(v)) for v in w}:
            point = ", ".join("%s = %s" % (difference.display_name(a), fmt(float(shown[a][i])))
                              for a in args if isinstance(shown[a], np.ndarray))
            parts.append(ctx.msg("own_value", point=point, got=mine))
    return " — ".join(parts)


def numpy_trap(ctx, check) -> str | None:
    """The message of a numpy pitfall the function's source falls into (rubric `traps`), if any:
    it replaces the item's generic message, which would blame something else."""
    for trap in check.opt("traps", []):
        if trap == "np_diag_of_column" and _np_diag_of_parameter(ctx.session, check.function):
            return ctx.msg("np_diag_of_column", fn=check.function)
    return None


def _np_diag_of_parameter(session, fn) -> bool:
    """Does def fn call <module>.diag(P) (np.diag, numpy.diag) on one of its own parameters?
    On a column vector (n, 1) numpy's diag returns its diagonal, a single element."""
    if session.function_names_used(fn) is None:          # parses the file (never runs it)
        return False
    node = session.definition(fn)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return False
    params = {a.arg for a in node.args.args} - {   # a parameter made 1-D first (S = S.ravel()) is fine
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "diag" \
                and not (isinstance(sub.func.value, ast.Name) and sub.func.value.id == "outils") \
                and sub.args and isinstance(sub.args[0], ast.Name) and sub.args[0].id in params:
            return True
    return False


def _pointwise_answers(ctx, fn, case, keys):
    """Call a scalar function on a batch of points: vectorised first, else point by point."""
    arrays = [case[k] for k in keys]
    n = len(arrays[0])
    out = ctx.session.call(fn, arrays)
    if out.ok:
        got = as_array(out.value)
        if got is not None and got.size == n:
            return Outcome(True, got.reshape(-1))
        if got is not None and got.size == 1 and n == 1:
            return Outcome(True, got.reshape(-1))
    elif out.kind in ("timeout", "died", "budget", "not_loaded", "missing", "not_implemented", "too_big"):
        return out
    outs = ctx.session.map(fn, [[float(a[i]) for a in arrays] for i in range(n)])
    vals = []
    for o in outs:
        if not o.ok and o.kind == "exception" and o.error.get("type") == "OverflowError":
            vals.append(math.nan)      # math.exp(800) raises where np.exp gives inf: same verdict
            continue
        if not o.ok:
            return o
        v = as_array(o.value)
        if v is None or v.size != 1:
            return Outcome(True, o.value)  # reported as a non-numeric answer
        vals.append(float(v.reshape(-1)[0]))
    return Outcome(True, np.asarray(vals))


def _rescued(ctx, check, case, keys, got, want) -> bool:
    """Overflow only: accept if the traced formula, evaluated exactly, matches everywhere."""
    g, w = got.reshape(-1), want.reshape(-1)
    bad = ~np.isclose(g, w, rtol=ctx.tol(check)[0], atol=ctx.tol(check)[1])
    if np.any(bad & np.isfinite(g)) or not np.all(np.isfinite(w[bad])):
        return False
    out = ctx.session.call(check.function, [wire.Sym(k) for k in check.opt("args")])
    if not out.ok or not isinstance(out.value, wire.Expr):
        return False
    rename = check.opt("rename", {})
    for i in np.flatnonzero(bad):
        env = {a: float(case[k][i]) for a, k in zip(check.opt("args"), keys)}
        env = {rename.get(a, a): v for a, v in env.items()}
        val = symbolic.evaluate_exact(out.value.tree, env)
        if val is None or not math.isclose(val, float(w[i]), rel_tol=1e-9, abs_tol=1e-12):
            return False
    ctx.session.state[("rescued", ctx.item.id, check.id)] = ctx.msg("symbolic_rescue")
    return True


# -------------------------------------------------------------------- form
def _trace(ctx, check):
    """Call the function with symbols; returns (Outcome, symbol arguments)."""
    syms = check.opt("symbols", ["x"])
    if isinstance(syms, dict):
        args = [wire.SymArray(tuple("%s%d" % (n, k) for k in range(size)), (size,)) if size > 1
                else wire.Sym(n) for n, size in syms.items()]
    else:
        args = [wire.Sym(n) for n in syms]
    return args


def _sym_env(rng, args, n=48, lo=-4.0, hi=4.0):
    env = {}
    for a in args:
        names = a.names if isinstance(a, wire.SymArray) else (a.name,)
        for name in names:
            env[name] = rng.uniform(lo, hi, n)
    return env


@kind("form")
def check_form(ctx, check) -> Result:
    args = _trace(ctx, check)
    out = ctx.session.call(check.function, args)
    if not out.ok:
        if out.kind == "exception":
            return Result(False, ctx.msg("not_traceable", fn=check.function, message=pyerrors.explained(
                out.error.get("type", ""), out.error.get("message", ""), ctx.lang)))
        return call_failure(ctx, check.function, out)
    if not isinstance(out.value, wire.Expr):
        return Result(False, ctx.msg("not_traceable", fn=check.function,
                                     message=type(out.value).__name__))
    tree = out.value.tree
    unread = symbolic.unreadable_names(tree)
    if unread:
        return Result(False, unreadable(ctx, check.function, unread))
    # the traced formula must also be the right one (not just of the right form)
    env, want = answers.value(("form", answers.check_key(ctx, check), ctx_expect(ctx, check)),
                              lambda: _form_reference(ctx, check, args))
    point = env[args[0].name]
    got = np.broadcast_to(np.asarray(symbolic.evaluate(tree, env), dtype=float), point.shape)
    if not compare_numeric(got, want, *ctx.tol(check))[0]:
        return Result(False, check.fail(ctx.lang), ctx.text("formula_read", formula=symbolic.show(tree)))
    outside = symbolic.symbols_outside(tree, set(check.opt("only_inside", [])))
    allowed = check.opt("allowed")
    extra = symbolic.heads_of(tree) - set(allowed) if allowed else set()
    if outside or extra:
        return Result(False, check.fail(ctx.lang), ctx.text("formula_read", formula=symbolic.show(tree)))
    return Result(True)


def _form_reference(ctx, check, args):
    """The seeded points a traced formula is evaluated at, and the reference's values there."""
    env = _sym_env(ctx.rng(check), args)
    return env, np.asarray(targets.resolve(ctx_expect(ctx, check))(env[args[0].name]), dtype=float)


def unreadable(ctx, fn, names) -> str:
    """The message for a formula holding functions the tracer could not read (np.arctan, ...)."""
    return ctx.msg("unreadable", fn=fn, names=", ".join(sorted(names)))


def ctx_expect(ctx, check):
    """The reference of a form check: the expect of the item's values check it requires."""
    for c in ctx.item.checks:
        if c.id in check.requires and c.opt("expect"):
            return c.opt("expect")
    raise KeyError("form check %s needs a values check in requires" % check.id)


# --------------------------------------------------------------- uses_name
@kind("uses_name")
def check_uses_name(ctx, check) -> Result:
    names = _names_used(ctx.session, check.function)
    if names is None:
        return Result(False, check.fail(ctx.lang), ctx.text("source_unreadable"))
    if not set(check.opt("names")) & names:
        return Result(False, check.fail(ctx.lang))
    return Result(True)


MAX_NAMES_FOLLOWED = 300


def _names_used(session, fn: str) -> set | None:
    """Names read in def fn and, transitively, in the file's own functions that it names
    (a helper defined next to it is the student's code too). Parsed, never executed."""
    names = session.function_names_used(fn)
    if names is None:
        return None
    seen, todo = {fn}, list(names)
    while todo and len(seen) < MAX_NAMES_FOLLOWED:      # each look-up walks the module once
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        more = session.function_names_used(name)     # empty unless a function of the file
        if more:
            names |= more
            todo.extend(more)
    return names


# -------------------------------------------------------------- derivation
def _opaque_exp(z):
    return 2.0 + np.sin(0.9 * z) + 0.05 * z      # positive, and f(a + b) != f(a) f(b)


# Stand-ins for functions in a derivation's end points: equal with them means equal AS AN
# EXPRESSION IN that function, not only in value (e.g. a start equal to S(x + c)_i only
# through exp(a + b) = exp(a) exp(b) has already taken the step the question is about).
OPAQUE = {"sigma": lambda z: 2.0 + np.sin(1.7 * z), "softplus": lambda z: 3.0 + np.cos(1.3 * z) + 0.1 * z * z,
          "exp": _opaque_exp,
          "softmax": lambda k, vals: _opaque_exp(vals[k]) / sum(_opaque_exp(v) for v in vals)}


@kind("derivation")
def check_derivation(ctx, check) -> Result:
    """A "show that" item as a list of expressions (parts: start, end, chain, idea).

    chain: each expression equals the next, in every case, and at least one intermediate
    expression is a real rewriting (autograder/proof.py: not a repeat, padding, or the chain's
    ends combined by arithmetic). idea: an expression of the chain, equal to its start and a real
    rewriting, shows the idea the rubric names (`idea`, a pattern of proof.matches; with
    `idea_before_step`, the expression a real step is made from counts too; with `idea_in_start`,
    the start, unless it is the answer with exp for softmax: proof.idea_candidates). With `each`,
    a chain is traced for every case (i, j) and the chain must hold in all of them; the real step
    and the idea must appear in one at least (for i != j, 1.j's derivative has a zero term)."""
    args = _trace(ctx, check)
    each = check.opt("each") or {}
    combos = [dict(zip(each, c)) for c in itertools.product(*each.values())] if each else [{}]
    rtol, atol = 1e-7, 1e-9
    env = _sym_env(np.random.default_rng(zlib.crc32(ctx.item.id.encode())), args)
    part = check.opt("part")
    notes = set()
    real_step = shown = False
    for combo in combos:
        out = ctx.session.call(check.function, args + list(combo.values()))
        if not out.ok:
            if out.kind == "exception":
                return Result(False, ctx.msg("not_traceable", fn=check.function, message=pyerrors.explained(
                    out.error.get("type", ""), out.error.get("message", ""), ctx.lang)))
            return call_failure(ctx, check.function, out)
        if out.value is None:
            return none_returned(ctx, check.function)
        steps = _steps(out.value)
        where = (" (%s)" % ", ".join("%s = %d" % kv for kv in combo.items())) if combo else ""
        if steps is None:
            return Result(False, ctx.msg("not_traceable", fn=check.function,
                                         message=ctx.text("steps_not_a_list")))
        if len(steps) < 2:
            return Result(False, check.fail(ctx.lang), ctx.text("steps_single", where=where))
        if part in ("chain", "idea"):
            unread = set().union(*(symbolic.unreadable_names(t) for t in steps))
            numeric = _numeric_steps(ctx, check, args, combo, env, len(steps)) if unread else None
            if unread and numeric is None:
                return Result(False, unreadable(ctx, check.function, unread))
            notes |= unread
            targets, target_atoms = _statement_trees(ctx, combo)
            real = [k for k in range(1, len(steps)) if proof.genuine(steps, k, targets, target_atoms)]
        if part == "chain":
            for k in range(len(steps) - 1):
                v = _steps_equal(steps, numeric, k, k + 1, env, rtol, atol)
                if not v.equal:
                    return Result(False, check.fail(ctx.lang), ctx.text(
                        "step_unequal", step=k + 1, next=k + 2, where=where,
                        left=symbolic.show(steps[k], 80), right=symbolic.show(steps[k + 1], 80)))
            real_step = real_step or any(k < len(steps) - 1 for k in real)
        elif part == "idea":
            context = proof.context(check.opt("symbols"), combo)
            candidates = proof.idea_candidates(steps, real, targets, start=check.opt("idea_in_start"),
                                               before_step=check.opt("idea_before_step"))
            shown = shown or any(proof.shows(check.opt("idea"), steps[k], context) and
                                 (k == 0 or _steps_equal(steps, numeric, 0, k, env, rtol, atol).equal)
                                 for k in candidates)
            if shown:
                break
        else:
            tree = steps[0] if part == "start" else steps[-1]
            if symbolic.unreadable_names(tree):
                return Result(False, unreadable(ctx, check.function, symbolic.unreadable_names(tree)))
            target = _target(check, combo)
            if not symbolic.compare_trees(tree, target, env, rtol, atol).equal:
                return Result(False, check.fail(ctx.lang), ctx.text("received_where", got=symbolic.show(tree), where=where))
            if check.opt("opaque"):
                opaque = {h: OPAQUE[h] for h in check.opt("opaque")}
                if not symbolic.compare_trees(tree, target, env, rtol, atol, opaque=opaque).equal:
                    return Result(False, check.fail(ctx.lang), ctx.text("received_where", got=symbolic.show(tree), where=where))
            syms = symbolic.symbols_of(tree)
            if set(check.opt("must_contain", [])) - syms or set(check.opt("free_of", [])) & syms:
                return Result(False, check.fail(ctx.lang), ctx.text("received_where", got=symbolic.show(tree), where=where))
            if set(check.opt("forbid", [])) & symbolic.heads_of(tree):
                return Result(False, check.fail(ctx.lang), ctx.text("received_where", got=symbolic.show(tree), where=where))
            if check.opt("only_inside") and symbolic.symbols_outside(tree, set(check.opt("only_inside"))):
                return Result(False, check.fail(ctx.lang), ctx.text("received_where", got=symbolic.show(tree), where=where))
    if part == "chain" and not real_step:
        return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("no_real_step")))
    if part == "idea" and not shown:
        return Result(False, check.fail(ctx.lang))
    if part == "chain" and notes:
        return Result(True, ctx.msg("checked_numerically", names=", ".join(sorted(notes))))
    return Result(True)


def _steps_equal(steps, numeric, a, b, env, rtol, atol):
    """Are the chain's expressions a and b equal (traced trees, or numbers where unreadable)?"""
    if numeric is not None:
        return symbolic.compare_values(numeric[a], numeric[b], {}, rtol, atol)
    return symbolic.compare_trees(steps[a], steps[b], env, rtol, atol)


def _statement_trees(ctx, combo):
    """The statement's expressions of this derivation item (its start and end checks' targets)
    and their atoms: a step made of these alone is not a step (autograder/proof.py)."""
    trees = [_target(c, combo) for c in ctx.item.checks
             if c.kind == "derivation" and c.opt("part") in ("start", "end") and c.opt("target")]
    return trees, set().union(*(proof.atoms(proof.canon(t)) for t in trees))


NUMERIC_POINTS = 16


def _numeric_steps(ctx, check, args, combo, env, count):
    """The steps of a derivation evaluated by calling the student's function with numbers
    (for steps holding a function the tracer cannot read): one array of NUMERIC_POINTS values
    per step, or None if the calls do not give `count` numbers each time."""
    argsets = []
    for p in range(NUMERIC_POINTS):
        call = []
        for a in args:
            if isinstance(a, wire.SymArray):
                call.append(np.array([float(env[n][p]) for n in a.names]).reshape(a.shape))
            else:
                call.append(float(env[a.name][p]))
        argsets.append(call + list(combo.values()))
    values = []
    for out in ctx.session.map(check.function, argsets):
        if not out.ok or not isinstance(out.value, list) or len(out.value) != count:
            return None
        row = [as_array(v) for v in out.value]
        if any(r is None or r.size != 1 for r in row):
            return None
        values.append([float(r.reshape(-1)[0]) for r in row])
    table = np.asarray(values)
    return [table[:, k] for k in range(count)]


def _steps(value):
    if not isinstance(value, list):
        return None
    steps = []
    for v in value:
        if isinstance(v, wire.Expr):
            steps.append(v.tree)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            steps.append(("num", v))
        else:
            return None
    return steps


def _target(check, combo):
    t = check.opt("target")
    if isinstance(t, str):
        return targets.TREE_TARGETS[t](**combo)
    return _yaml_tree(t)


def _yaml_tree(t):
    """A tree literal from the rubric ([log, [sigma, [sym, x]]]) as tuples."""
    if t[0] in ("sym", "num"):
        return (t[0], t[1])
    return (t[0],) + tuple(_yaml_tree(a) for a in t[1:])


# ------------------------------------------------------------------- exact
def _norm_shape(v):
    """A student's shape answer as a tuple of ints, or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and float(v).is_integer():
        return (int(v),)
    if isinstance(v, (list, tuple)) and all(isinstance(e, (int, float)) and not isinstance(e, bool)
                                            and float(e).is_integer() for e in v):
        return tuple(int(e) for e in v)
    if isinstance(v, np.ndarray) and v.ndim == 1 and np.all(np.mod(v, 1) == 0):
        return tuple(int(e) for e in v)
    return None


def _shape_ok(got, want) -> bool:
    s = _norm_shape(got)
    if s is None:
        return False
    if isinstance(want, tuple) and want and want[0] == "vector":
        return s in ((want[1],), (want[1], 1))
    return s == tuple(want)


def _norm_name(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


@kind("exact")
def check_exact(ctx, check) -> Result:
    fn, args = check.function, check.opt("args", [])
    cases = cases_for(ctx, check)
    outs = ctx.session.map(fn, [[case[a] for a in args] for case in cases])
    compare = check.opt("compare", "number")
    expect = expected_values(ctx, check, check.opt("expect"), args, cases) if check.opt("expect") else None
    for i, (case, out) in enumerate(zip(cases, outs)):
        if not out.ok:
            return call_failure(ctx, fn, out)
        got = out.value
        if got is None:
            return none_returned(ctx, fn)
        key = check.opt("key")
        for k in ([key] if isinstance(key, str) else key or []):
            if not isinstance(got, dict) or k not in got:
                return Result(False, check.fail(ctx.lang), ctx.text("key_missing", key=k))
        if isinstance(key, str):
            got = got[key]
        elif key:       # several keys graded together (2.f: the limits of both gradients)
            got = {k: got[k] for k in key}
        want = expect[i] if expect is not None else None
        if compare == "conclusion":
            return _conclusion(ctx, check, out.value, got)
        choices = check.opt("choices", "ABCDEFG")
        ok = _exact_ok(compare, got, want, check.opt("accept"), choices)
        if not ok and compare == "statements" and statement_letters(got, choices) is None:   # a form problem
            return Result(False, ctx.msg("statements_unreadable", first=choices[0], last=choices[-1]),
                          ctx.text("received", got=fmt(got)))
        if not ok and compare == "statements":
            return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("statements")),
                          reveal=ctx.text("expected", want=", ".join(check.opt("accept"))))
        if not ok and compare == "limits":
            unread = [k for k in want if not isinstance(got, dict) or _limit_table(got.get(k)) is None]
            if unread:      # a form problem, not a wrong limit
                return Result(False, ctx.msg("limits_unreadable", keys=", ".join("« %s »" % k for k in unread)),
                              ctx.text("received", got=fmt(got)))
            return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("limits_together")),
                          ctx.text("received", got=fmt(got)),
                          reveal=ctx.text("expected", want=fmt(want)))
        if not ok:
            shown = _describe_case(case, args)
            return Result(False, check.fail(ctx.lang), reveal=ctx.text(
                "received_expected", case=(shown + " →") if shown else "", got=fmt(got),
                want=fmt(want) if want is not None else " / ".join(map(str, check.opt("accept")))))
    return Result(True)


def _conclusion(ctx, check, answer, got) -> Result:
    """2.f: the better loss is the one whose gradient does not vanish when the prediction is very
    wrong. Judged on the student's OWN limits (rubric `premises`: choice -> key of its limit), so a
    conclusion that follows from them earns its points even when a limit is wrong (that limit
    loses its own points). The rule:
    - the premises must be limits of gradients at all: both tables readable, and both vanish
      where the prediction is right (y = 0, o^a -> -inf and y = 1, o^a -> +inf), else the
      conclusion is not assessed (constant tables earn nothing);
    - where the prediction is very wrong (y = 1, o^a -> -inf and y = 0, o^a -> +inf), the better
      loss is the one whose gradient stays non-zero in BOTH cells while the other's vanishes in at
      least one of them (in one cell is enough: that loss stops learning there). If both stay
      non-zero in both cells, or neither does, the limits do not tell the losses apart and the
      conclusion is not assessed."""
    from reference import mlp
    keeps = {}
    for choice, key in check.opt("premises").items():
        cells = _limit_table(answer.get(key)) if isinstance(answer, dict) else None
        if cells is None:
            return Result(False, ctx.msg("conclusion_undecided"))
        if any(abs(float(cells[y, side])) > 1e-9 for y, side in mlp.RIGHT_SIDE_CELLS):
            return Result(False, ctx.msg("conclusion_undecided"))
        keeps[choice] = all(abs(float(cells[y, side])) > 1e-9 for y, side in mlp.WRONG_SIDE_CELLS)
    follows = [c for c, k in keeps.items() if k]
    if len(follows) != 1:
        return Result(False, ctx.msg("conclusion_undecided"))
    if not isinstance(got, str) or _norm_name(got) != _norm_name(follows[0]):
        return Result(False, check.fail(ctx.lang), ctx.text("received", got=fmt(got)))
    return Result(True)


def _limit_table(v):
    """A 2 x 2 table of limits [y][side] (nested lists, a numpy array, 4 numbers in that order,
    or a dict {0: L[0], 1: L[1]}) as a float array, ±inf allowed; None if unreadable or nan."""
    def lists(x):
        if isinstance(x, dict):     # {0: L[0], 1: L[1]} (keys 0/1, or "0"/"1", or "y=0"/"y=1") is L
            rows = {_norm_name(str(k)).replace("y", ""): e for k, e in x.items()}
            x = [rows.get("0"), rows.get("1")] if set(rows) == {"0", "1"} else None
        return [lists(e) for e in x] if isinstance(x, (list, tuple)) else x
    a = as_array(lists(v))
    if a is None or a.size != 4 or np.isnan(a).any():
        return None
    return a.reshape(2, 2).astype(float)


def _exact_ok(compare, got, want, accept, choices="ABCDEFG") -> bool:
    if compare == "limits":     # several 2 x 2 tables of limits, all or nothing
        if not isinstance(got, dict):
            return False
        for k, w in want.items():
            g = _limit_table(got.get(k))
            if g is None or not np.all(np.isclose(g, np.asarray(w, dtype=float), rtol=1e-9, atol=1e-12)):
                return False
        return True
    if compare == "shape":
        return _shape_ok(got, want)
    if compare == "shapes":
        if not isinstance(got, dict):
            return False
        lower = {_norm_name(k): v for k, v in got.items()}
        return all(_norm_name(k) in lower and _shape_ok(lower[_norm_name(k)], w) for k, w in want.items())
    if compare == "number":
        g = as_array(got)
        return g is not None and g.size == 1 and bool(np.isclose(float(g.reshape(-1)[0]), float(want),
                                                                  rtol=1e-9, atol=1e-12))
    if compare == "names":
        if not isinstance(got, (list, tuple)) or not all(isinstance(e, str) for e in got):
            return False
        return sorted(_norm_name(e) for e in got) == sorted(_norm_name(e) for e in want)
    if compare == "statements":     # the letters of the true statements, all or nothing
        return statement_letters(got, choices) == {a.upper() for a in accept}
    if compare == "choice":     # "B", " b ", "B)", "(b)", "B." are all the letter B
        return isinstance(got, str) and _norm_name(got) in [_norm_name(a) for a in accept]
    raise KeyError(compare)


STATEMENT_SEPARATORS = re.compile(r"[\s,;/&+]+|\b(?:et|and)\b", re.IGNORECASE)


def statement_letters(v, choices="ABCDEFG"):
    """The set of statement letters of a multi-select answer, or None if it cannot be read.

    Read: a list, tuple or set of letters (["A", "c"]; empty strings ignored; "B)", "(b)", "b."
    are B), or one string of letters with or without separators ("A, C", "AC", "A et C",
    "A and C", "A + C"). Unreadable (a form problem, never a wrong choice): anything else, or a
    letter that is not one of `choices`. Graded all or nothing, with no word on which statement
    is misclassified: 2^k answers."""
    if isinstance(v, str):
        tokens = [t for t in STATEMENT_SEPARATORS.split(v) if t]
    elif isinstance(v, (list, tuple, set, frozenset)) and all(isinstance(e, str) for e in v):
        tokens = [t for e in v for t in STATEMENT_SEPARATORS.split(e) if t]
    else:
        return None
    letters = set()
    for tok in tokens:
        word = _norm_name(tok).upper()
        if not word:
            continue            # "", "()", a lone ")"
        if not all(ch in choices for ch in word):
            return None
        letters |= set(word)    # "AC" is A and C
    return letters


# ---------------------------------------------------------------- property
@kind("property")
def check_property(ctx, check) -> Result:
    fn, args = check.function, check.opt("args", [])
    cases = cases_for(ctx, check)
    outs = ctx.session.map(fn, [[student_form(c[a], False) for a in args] for c in cases])
    expect = expected_values(ctx, check, check.opt("expect"), args, cases) if check.opt("expect") else None
    rtol, atol = ctx.tol(check)
    for i, (case, out) in enumerate(zip(cases, outs)):
        if not out.ok:
            return call_failure(ctx, fn, out)
        got = as_array(out.value)
        detail = _describe_case(case, args)
        if got is None:
            return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("not_numeric", got=fmt(out.value)[:80])))
        if not np.all(np.isfinite(got)):
            return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("diff_not_finite")),
                          reveal="%s → %s" % (detail, fmt(got)))
        g = got.reshape(-1)
        if check.opt("property") == "probability_vector":
            if np.any(g < 0) or not math.isclose(float(g.sum()), 1.0, rel_tol=1e-9, abs_tol=1e-9):
                return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("diff_not_probability")),
                              reveal="%s → %s" % (detail, fmt(got)))
        if expect is not None:
            want = np.asarray(expect[i], dtype=float)
            if g.size != want.size or not compare_numeric(g, want, rtol, atol)[0]:
                kind_ = difference.classify(g, want, rtol, atol) if g.size == want.size else None
                return Result(False, "%s — %s" % (check.fail(ctx.lang), ctx.msg("diff_" + (kind_ or "other"))),
                              reveal="%s → %s" % (detail, fmt(got)))
    return Result(True)


# ---------------------------------------------------------- counterexample
@kind("counterexample")
def check_counterexample(ctx, check) -> Result:
    from reference import functions as F
    out = ctx.session.call(check.function, [])
    if not out.ok:
        return call_failure(ctx, check.function, out)
    v = out.value
    if v is None:
        return none_returned(ctx, check.function)
    if not isinstance(v, list) or len(v) != 2:
        return Result(False, check.fail(ctx.lang), ctx.text("received", got=fmt(v)))
    x, c = as_array(v[0]), as_array(v[1])
    if x is None or c is None or c.size != 1 or x.size < 2 or x.size > 1000 or \
            not np.all(np.isfinite(x)) or not np.isfinite(c).all() or float(c.reshape(-1)[0]) < 0:
        return Result(False, check.fail(ctx.lang), ctx.text("received", got=fmt(v)))
    # Decided exactly, not in float64: S(cx) = S(x) iff (c − 1) x is a constant vector,
    # i.e. iff c = 1 or x is constant. (float64 cannot tell S(3x) from S(x) at x = (0, 1000),
    # yet that is a true counterexample.)
    x, c = x.reshape(-1).astype(float), float(c.reshape(-1)[0])
    if c == 1.0 or float(np.max(x)) == float(np.min(x)):
        gap = float(np.max(np.abs(F.softmax(c * x) - F.softmax(x))))
        return Result(False, check.fail(ctx.lang), "c = %s, x = %s : max |S(cx) − S(x)| = %.3g" % (
            fmt(c), fmt(x), gap))
    return Result(True)


# --------------------------------------------------------------- Q3 checks
def _answer_dict(ctx, check):
    out = ctx.session.call(check.function, [])
    if not out.ok:
        return None, call_failure(ctx, check.function, out)
    if out.value is None:
        return None, none_returned(ctx, check.function)
    if not isinstance(out.value, dict):
        return None, Result(False, check.fail(ctx.lang), ctx.text("dict_expected", got=fmt(out.value)))
    return out.value, None


@kind("conv_chain")
def check_conv_chain(ctx, check) -> Result:
    """Shapes of 3.a with error carried forward: each stage is judged on the previous one."""
    from reference import conv
    answer, failure = _answer_dict(ctx, check)
    if failure:
        return failure
    order = ["couche1", "couche2", "couche3"]
    key = check.opt("key")
    raw = answer
    last = channels_last(answer, order)
    if last:
        answer = dict(answer, **{k: (s[2], s[0], s[1]) for k, s in zip(order, last)})
    else:
        answer = dict(answer, **{k: _without_batch(_norm_shape(answer.get(k))) or answer.get(k) for k in order})
    if key == "total":
        # the true total, or the size of the student's own last shape (error carried forward) when
        # that shape has the last layer's channels and positive sizes: (0, 0, 0) with 0 is no answer
        ok_values = {math.prod(conv.q3a_shapes()[-1])}
        prev = _norm_shape(answer.get("couche3"))
        if prev and len(prev) == 3 and prev[0] == conv.q3a_shapes()[-1][0] and min(prev) > 0:
            ok_values.add(math.prod(prev))
        g = _norm_shape(answer.get("total"))
        ok = g is not None and len(g) == 1 and g[0] in ok_values
    else:
        ok = _layer_ok(answer, order, order.index(key))
    note = ctx.msg("channels_last") if last else ""
    if not ok:
        return Result(False, check.fail(ctx.lang) + (" (%s)" % note if note else ""),
                      ctx.text("received_for", key=key, got=fmt(raw.get(key))))
    return Result(True, note)


def _layer_ok(answer, order, k) -> bool:
    """3.a: is layer k's shape right, on the assignment's input or carried forward from the
    student's own previous shape?"""
    from reference import conv
    inputs_ok = [conv.Q3_INPUT if k == 0 else conv.q3a_shapes()[k - 1]]
    if k > 0:
        prev = _norm_shape(answer.get(order[k - 1]))
        if prev and len(prev) == 3 and all(e > 0 for e in prev):
            inputs_ok.append(prev)
    expected = set()
    for shape in inputs_ok:
        try:
            expected.add(tuple(conv.propagate(shape, [conv.Q3_LAYERS[k]])[-1]))
        except ValueError:
            pass
    return _norm_shape(answer.get(order[k])) in expected


def _without_batch(shape):
    """A feature-map shape without a leading batch dimension of 1: (1, 61, 61, 32) -> (61, 61, 32)."""
    return shape[1:] if shape and len(shape) == 4 and shape[0] == 1 else shape


def channels_last(answer, order):
    """The three shapes as (H, W, C) if the whole answer is unambiguously channels-last, the
    order of the assignment's text ((images) × (hauteur) × (largeur) × (canaux)): every layer
    has its two spatial sizes equal and different from its channels, first. Else None."""
    shapes = [_without_batch(_norm_shape(answer.get(k))) for k in order]
    if any(s is None or len(s) != 3 or min(s) <= 0 for s in shapes):
        return None
    if all(s[0] == s[1] != s[2] for s in shapes):
        return shapes
    return None


@kind("conv_config")
def check_conv_config(ctx, check) -> Result:
    """3.c-e: the student's function lists every (k, s, p, d) that takes an n x n input to an
    n_out x n_out output under the item's constraints. The rule, one for both points:
    part near (the first point): on the assignment's case (32 -> 4) the list holds at least one
    valid configuration and at most one that is not (one slip is forgiven: a complete list with a
    typo keeps this point; a lone invalid configuration earns nothing). part exact: on every
    graded (n, n_out) (the assignment's, the edge sizes of inputs.conv_edge_sizes and seeded
    ones) the list is exactly the set of valid configurations (reference.conv.valid_configs),
    order and duplicates free. A single dict counts as a list of one."""
    from reference import conv
    item, fn = check.opt("item"), check.function
    cases = cases_for(ctx, check)
    near = check.opt("part") == "near"
    if near:
        cases = cases[:1]          # the assignment's case comes first (inputs.conv_io)
    outs = ctx.session.map(fn, [[c["n"], c["n_out"]] for c in cases])
    fixed = conv.CONFIG_CONSTRAINTS[item]
    for case, out in zip(cases, outs):
        if not out.ok:
            return call_failure(ctx, fn, out)
        if out.value is None:
            return none_returned(ctx, fn)
        n, n_out = case["n"], case["n_out"]
        where = ctx.text("configs_where", n=n, n_out=n_out)
        configs = _config_list(out.value)
        if configs is None:
            return Result(False, "%s (%s)" % (check.fail(ctx.lang), where),
                          ctx.text("received", got=fmt(out.value)[:200]))
        if not configs and near:
            return Result(False, "%s (%s)" % (check.fail(ctx.lang), ctx.text("configs_empty")))
        want = answers.value(("valid_configs", item, n, n_out), lambda: frozenset(conv.valid_configs(
            item, k_max=n + 2 * fixed["p"] + 1, s_max=n + 2 * fixed["p"] + 1, n_in=n, n_out=n_out)))
        bad = sorted(set(configs) - want)       # the valid set is every configuration of size n_out
        if near and (len(bad) > 1 or len(bad) == len(set(configs))):
            return Result(False, "%s (%s : %s)" % (check.fail(ctx.lang), where, ctx.text(
                "configs_too_many_wrong" if bad and len(bad) < len(set(configs)) else "configs_none_fits")),
                ctx.text("received", got=bad[:5]))
        if not near:
            if bad:
                return Result(False, "%s (%s : %s)" % (check.fail(ctx.lang), where, ctx.text("configs_one_wrong")),
                    ctx.text("received", got=bad[:5]))
            if set(configs) != want:
                return Result(False, "%s (%s : %s)" % (check.fail(ctx.lang), where, ctx.text("configs_missing")),
                              reveal=ctx.text("expected", want=sorted(want)))
    return Result(True)


_CONFIG_KEYS = {"k", "s", "p", "d"}
_EXACT_INT = 2**53          # ints a float holds exactly (as_array's float round trip keeps them)


def _config_list(v):
    """A student's configurations as a list of (k, s, p, d) int tuples: a list, tuple or set of
    dicts {"k", "s", "p", "d"} (keys in any case) or of 4-sequences in that order; a single dict
    is a list of one. None if unreadable (strings, non-integers, missing keys)."""
    if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[1] == 4:
        v = v.tolist()          # one row (k, s, p, d) per configuration
    items = [v] if isinstance(v, dict) else v
    if not isinstance(items, (list, tuple, set, frozenset)) or len(items) > 5000:
        return None
    found = []
    for e in items:
        if isinstance(e, dict) and e.keys() == _CONFIG_KEYS:
            vals = [e["k"], e["s"], e["p"], e["d"]]
        elif isinstance(e, dict):
            low = {_norm_name(str(k)): x for k, x in e.items()}
            vals = [low.get(k) for k in ("k", "s", "p", "d")]
        elif isinstance(e, (list, tuple)) and len(e) == 4:
            vals = list(e)
        else:
            return None
        ints = []
        for x in vals:
            if type(x) is int and -_EXACT_INT <= x <= _EXACT_INT:     # the usual answer, at once
                ints.append(x)
                continue
            a = as_array(x) if not isinstance(x, (bool, str)) and x is not None else None
            if a is None or a.size != 1 or not np.isfinite(a).all() or not float(a.reshape(-1)[0]).is_integer():
                return None
            ints.append(int(a.reshape(-1)[0]))
        found.append(tuple(ints))
    return found
