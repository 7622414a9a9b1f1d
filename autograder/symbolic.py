"""Expression trees answered by students: evaluate, print, inspect, prove.

Equivalence follows the numeric-then-CAS approach of WeBWorK and STACK:
1. evaluate both trees at many seeded points (numpy, our own evaluator: no
   eval, no lambdify);
2. where that cannot decide (a side overflows to inf/nan where the other is
   finite), ask sympy to simplify the difference, under a time limit because
   `simplify` can run for ever.
sympy is imported lazily, only when step 2 is needed.
"""
from __future__ import annotations

import contextlib
import math
import signal
from dataclasses import dataclass

import numpy as np

# -------------------------------------------------------------- evaluation
_UNARY = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh, "cosh": np.cosh,
    "sinh": np.sinh, "abs": np.abs, "sign": np.sign, "neg": np.negative,
    "sigma": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "relu": lambda z: np.maximum(z, 0.0),
    "heaviside": lambda z: np.heaviside(z, 0.5),
}
_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "pow": np.power, "max": np.maximum, "min": np.minimum,
    "gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal,
    "eq": np.equal, "ne": np.not_equal,
}


class Unreadable(ValueError):
    """The tree holds a function the student's tracer could not read (e.g. np.arctan)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def kids(tree) -> tuple:
    """The sub-trees of a node (a softmax's vector, an unread function's arguments)."""
    if tree[0] in ("num", "sym"):
        return ()
    if tree[0] == "softmax":
        return tree[2]
    if tree[0] == "unread":
        return tree[2:]
    return tree[1:]


def rebuilt(tree, f):
    """The node with f applied to each of its sub-trees (kids), all else kept: a softmax's size,
    an unread function's name; a leaf as it is."""
    h = tree[0]
    if h in ("num", "sym"):
        return tree
    if h == "softmax":
        return (h, tree[1], tuple(f(a) for a in tree[2]))
    if h == "unread":
        return tree[:2] + tuple(f(a) for a in tree[2:])
    return (h,) + tuple(f(a) for a in tree[1:])


def unreadable_names(tree) -> set:
    """Names of the functions of the tree that could not be read (empty if none)."""
    own = {tree[1]} if tree[0] == "unread" else set()
    return own.union(*(unreadable_names(a) for a in kids(tree)))


def evaluate(tree, env: dict, opaque: dict | None = None):
    """Value of a tree with symbols bound to arrays in env (broadcast together).

    opaque maps a head (e.g. 'sigma') to a replacement function: evaluating with
    an arbitrary replacement tests equality *as expressions in that function*.
    """
    with np.errstate(all="ignore"):
        return _ev(tree, env, opaque or {})


def _ev(t, env, opaque):
    head = t[0]
    if head == "num":
        return np.float64(t[1])
    if head == "sym":
        if t[1] not in env:
            raise KeyError(t[1])
        return env[t[1]]
    if head == "ind":
        return np.asarray(_ev(t[1], env, opaque), dtype=float)
    if head == "unread":
        raise Unreadable(t[1])
    if head == "softmax":
        k, vec = t[1], t[2]
        if "softmax" in opaque:
            return opaque["softmax"](k, [_ev(a, env, opaque) for a in vec])
        vals = [_ev(a, env, opaque) for a in vec]
        top = np.maximum.reduce([np.asarray(v, dtype=float) for v in vals])
        exps = [np.exp(v - top) for v in vals]
        return exps[k] / sum(exps)
    if head in opaque:
        return opaque[head](_ev(t[1], env, opaque))
    if head in _UNARY:
        return _UNARY[head](_ev(t[1], env, opaque))
    if head == "pow":
        base, ex = _ev(t[1], env, opaque), _ev(t[2], env, opaque)
        return np.power(np.asarray(base, dtype=float), ex)
    return _BINARY[head](_ev(t[1], env, opaque), _ev(t[2], env, opaque))


# ------------------------------------------------------------- inspection
def symbols_of(tree) -> set:
    if tree[0] == "sym":
        return {tree[1]}
    return set().union(*(symbols_of(a) for a in kids(tree)))


def heads_of(tree) -> set:
    return {tree[0]}.union(*(heads_of(a) for a in kids(tree)))


def symbols_outside(tree, inside: set) -> set:
    """Symbols that occur somewhere not below a node whose head is in `inside`."""
    if tree[0] in inside:
        return set()
    if tree[0] == "sym":
        return {tree[1]}
    return set().union(*(symbols_outside(a, inside) for a in kids(tree)))


def without_padding(tree):
    """The tree without steps that change nothing (+0, -0, *1, /1, **1, --a).

    A derivation must make progress: `log(sigma(x)) + 0` is not a new step.
    """
    h = tree[0]
    if h in ("num", "sym", "softmax", "unread"):
        return rebuilt(tree, without_padding)
    args = tuple(without_padding(a) for a in tree[1:])
    norm = [("num", float(a[1])) if a[0] == "num" else a for a in args]
    z, o = ("num", 0.0), ("num", 1.0)
    if h == "add" and z in norm:
        return args[1] if norm[0] == z else args[0]
    if h == "sub" and norm[1] == z:
        return args[0]
    if h == "mul" and o in norm:
        return args[1] if norm[0] == o else args[0]
    if h in ("div", "pow") and norm[1] == o:
        return args[0]
    if h == "neg" and args[0][0] == "neg":
        return args[0][1]
    return (h,) + args


_INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "div": ("/", 2), "pow": ("**", 3),
          "gt": (">", 0), "ge": (">=", 0), "lt": ("<", 0), "le": ("<=", 0), "eq": ("==", 0), "ne": ("!=", 0)}
_NAMES = {"ind": "indicatrice", "sigma": "sigma", "max": "maximum", "min": "minimum"}


def show(tree, limit: int = 300) -> str:
    """Readable text of a tree, for feedback."""
    s = _show(tree, 0)
    return s if len(s) <= limit else s[:limit - 1] + "…"


def _show(t, prec):
    head = t[0]
    if head == "num":
        v = t[1]
        return repr(int(v)) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else repr(v)
    if head == "sym":
        return t[1]
    if head == "neg":
        s = "-" + _show(t[1], 2)
        return "(%s)" % s if prec > 1 else s
    if head == "softmax":
        return "S(%s)[%d]" % (", ".join(_show(a, 0) for a in t[2]), t[1])
    if head == "unread":
        return "%s(%s)" % (t[1], ", ".join(_show(a, 0) for a in t[2:]))
    if head in _INFIX:
        op, p = _INFIX[head]
        right = p + 1 if head in ("sub", "div") else p
        if head == "pow":
            s = "%s%s%s" % (_show(t[1], p + 1), op, _show(t[2], p))
        else:
            s = "%s %s %s" % (_show(t[1], p), op, _show(t[2], right))
        return "(%s)" % s if prec > p else s
    return "%s(%s)" % (_NAMES.get(head, head), ", ".join(_show(a, 0) for a in t[1:]))


# ------------------------------------------------------------ equivalence
@dataclass
class Verdict:
    equal: bool
    method: str          # 'numeric', 'symbolic', 'structure'
    where: dict | None = None   # a point where they differ
    got: float | None = None
    want: float | None = None


def compare_trees(student, reference, env: dict, rtol: float, atol: float,
                  opaque: dict | None = None, sympy_seconds: float = 2.0) -> Verdict:
    """Is the student's tree equal to the reference tree on the sample env?"""
    if student == reference:
        return Verdict(True, "structure")
    got = np.broadcast_to(np.asarray(evaluate(student, env, opaque), dtype=float), _bshape(env))
    want = np.broadcast_to(np.asarray(evaluate(reference, env, opaque), dtype=float), _bshape(env))
    return compare_values(got, want, env, rtol, atol,
                          prove=None if opaque else (lambda: prove_equal(student, reference, sympy_seconds)))


def compare_values(got, want, env, rtol, atol, prove=None) -> Verdict:
    ok_finite = np.isfinite(got) & np.isfinite(want)
    close = np.isclose(got, want, rtol=rtol, atol=atol) | (ok_finite == False) & (got == want)  # noqa: E712
    bad_finite = ok_finite & ~close
    if bad_finite.any():
        return _differ(bad_finite, got, want, env, "numeric")
    undecided = ~close & ~ok_finite
    if not undecided.any():
        return Verdict(True, "numeric")
    # the student overflows where the reference is finite (or the reverse): exact algebra decides
    if prove is not None and prove():
        return Verdict(True, "symbolic")
    return _differ(undecided, got, want, env, "numeric")


def _bshape(env):
    return np.broadcast_shapes(*[np.shape(v) for v in env.values()]) if env else ()


def _differ(mask, got, want, env, method):
    idx = tuple(int(i) for i in np.argwhere(mask)[0]) if np.ndim(mask) else ()
    where = {k: float(np.broadcast_to(v, mask.shape)[idx]) for k, v in env.items()} if env else {}
    return Verdict(False, method, where, float(got[idx]), float(want[idx]))


# ------------------------------------------------------------------ sympy
class _Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt pure-Python work (sympy) after `seconds`, main thread only."""
    def on_alarm(signum, frame):
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def to_sympy(tree):
    """Build a sympy expression from a validated tree (explicit mapping, no sympify)."""
    import sympy as sp
    h = tree[0]
    if h == "num":
        v = tree[1]
        if isinstance(v, int):
            return sp.Integer(v)
        if math.isfinite(v) and float(v).is_integer():
            return sp.Integer(int(v))
        from fractions import Fraction
        fr = Fraction(v).limit_denominator(1000)
        return sp.Rational(fr.numerator, fr.denominator) if float(fr) == v else sp.Float(v)
    if h == "sym":
        return sp.Symbol(tree[1], real=True)
    if h == "unread":
        raise Unreadable(tree[1])
    if h == "softmax":
        vec = [to_sympy(a) for a in tree[2]]
        return sp.exp(vec[tree[1]]) / sp.Add(*[sp.exp(a) for a in vec])
    a = [to_sympy(x) for x in (tree[1:])]
    table = {
        "add": lambda: a[0] + a[1], "sub": lambda: a[0] - a[1], "mul": lambda: a[0] * a[1],
        "div": lambda: a[0] / a[1], "pow": lambda: a[0] ** a[1], "neg": lambda: -a[0],
        "exp": lambda: sp.exp(a[0]), "log": lambda: sp.log(a[0]), "sqrt": lambda: sp.sqrt(a[0]),
        "tanh": lambda: sp.tanh(a[0]), "cosh": lambda: sp.cosh(a[0]), "sinh": lambda: sp.sinh(a[0]),
        "abs": lambda: sp.Abs(a[0]), "sign": lambda: sp.sign(a[0]),
        "sigma": lambda: 1 / (1 + sp.exp(-a[0])), "softplus": lambda: sp.log(1 + sp.exp(a[0])),
        "relu": lambda: sp.Max(0, a[0]), "heaviside": lambda: sp.Heaviside(a[0], sp.Rational(1, 2)),
        "max": lambda: sp.Max(a[0], a[1]), "min": lambda: sp.Min(a[0], a[1]),
        "gt": lambda: sp.StrictGreaterThan(a[0], a[1]), "ge": lambda: sp.GreaterThan(a[0], a[1]),
        "lt": lambda: sp.StrictLessThan(a[0], a[1]), "le": lambda: sp.LessThan(a[0], a[1]),
        "eq": lambda: sp.Eq(a[0], a[1]), "ne": lambda: sp.Ne(a[0], a[1]),
        "ind": lambda: sp.Piecewise((1, a[0]), (0, True)),
    }
    return table[h]()


_PROOFS_LEFT = [None]      # proofs sympy may still attempt in this grading (None: no limit)


@contextlib.contextmanager
def proof_allowance(count: int | None):
    """At most `count` sympy proofs (prove_equal, each under its time limit) within the block:
    one grading. Honest submissions need none (sympy only decides where float64 overflows); a
    derivation of 100 steps each built to make sympy time out would otherwise cost 2 s a step,
    and 1.j's every case, beyond the grading's wall-clock limit."""
    saved = _PROOFS_LEFT[0]
    _PROOFS_LEFT[0] = count
    try:
        yield
    finally:
        _PROOFS_LEFT[0] = saved


def prove_equal(a, b, seconds: float = 2.0) -> bool:
    """True when sympy shows a - b == 0 within the time limit; False if unsure (and, once the
    grading's proof_allowance is used up, without trying)."""
    if _PROOFS_LEFT[0] is not None:
        if _PROOFS_LEFT[0] <= 0:
            return False
        _PROOFS_LEFT[0] -= 1
    import sympy as sp         # before the time limit: an import cut short by it is a broken module
    try:
        with time_limit(seconds):
            diff = to_sympy(a) - to_sympy(b)
            if diff == 0:
                return True
            for step in (sp.cancel, sp.simplify):
                diff = step(diff.rewrite(sp.exp))
                if diff == 0:
                    return True
    except (_Timeout, RecursionError, ValueError, TypeError, ZeroDivisionError, AttributeError):
        return False
    return False


# ------------------------------------------------------- exact evaluation
def evaluate_exact(tree, env: dict, digits: int = 40):
    """Value of a tree at one point in high precision (mpmath): no overflow at exp(1000).

    Used to tell an unstable-but-exact formula from a wrong one. None if undefined or beyond
    any magnitude (the exactness judge's evaluator, bounded: exp(10^(10^6)) is refused, not
    computed for minutes)."""
    import mpmath

    from . import exactness
    mp = mpmath.mp
    with mp.workdps(digits):
        try:
            v = exactness.evaluate(exactness.dag(tree), {k: mp.mpf(x) for k, x in env.items()}, mp)
        except exactness.Unevaluable:
            return None
        return float(v) if mp.isfinite(v) else None
