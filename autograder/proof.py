"""What counts as a step of a derivation, and whether a derivation shows its idea.

A "show that" item is answered as a list of traced expressions (checks.check_derivation).
Equal neighbours are not enough: [start, (start + end) / 2, end] is a chain of equalities
that proves nothing. This module reads the chain's trees structurally:

- `light(tree)`: the tree with padding removed (+ 0, x 1, / 1, ** 1, double negation),
  numbers folded, sums and products flattened (a - b is a + (-1) b, a / b is a b^-1);
  nothing cancelled. Ideas are matched on it.
- `canon(tree)`: light, then like terms and like factors merged (a + b - a is b,
  a b / a is b), log(exp(a)) and exp(log(a)) unwrapped, exp(a) exp(-a) folded, every
  sum and product sorted. Two expressions with the same canonical form differ only by
  rewritings that need no mathematics: one is not a step after the other.
- `genuine(...)`: an expression is a real step when it is not the canonical copy of the
  statement's ends, of the chain's start or of an earlier step, is not built from the
  chain's ends by arithmetic alone (the midpoint, any affine combination, sums,
  products, identities wrapped around them) and uses something beyond the atoms of the
  statement's own expressions.
- `unpadded(tree)`: the light form without its inert parts: a sub-expression (or a group of
  factors or terms) that does not change the expression's value beyond the chain's tolerance,
  replaced by its value. `e (1 + e^x) / exp(softplus(x))` is e times a 1 the canonical form
  cannot see; `e + 1e-14 e^c e^x`, or `softplus(-x + 1e-10 (1 + e^x))`, is e to the chain's
  tolerance. Such a part shows no idea and makes no step.
- `matches(pattern, tree)`: the idea a rubric item names (its `idea` pattern, data in
  rubric.yaml), matched on the light form. The pattern language is documented at `matches`.

Deliberately not sympy: its simplifier proves equalities (which the chain check already
does); here the question is the opposite one, whether a rewriting took any mathematics,
and that is a property of the written form.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import math
import zlib

import numpy as np

from .symbolic import _BINARY, _UNARY, kids as _children, rebuilt     # the evaluator's own tables

ARITH = ("add", "mul", "pow", "num")


# ------------------------------------------------------------------ light form
@functools.lru_cache(maxsize=4096)
def light(t):
    """Padding removed, numbers folded, add/mul flattened (n-ary), sub/div/neg/sqrt rewritten."""
    h = t[0]
    if h == "num":
        return ("num", float(t[1]))
    if h == "sym":
        return t
    if h == "softmax":
        return ("softmax", t[1], tuple(light(a) for a in t[2]))
    if h == "unread":
        return t[:2] + tuple(light(a) for a in t[2:])
    if h == "add":          # n-ary once light: light(light(t)) is light(t)
        return _sum([light(a) for a in t[1:]])
    if h == "sub":
        return _sum([light(t[1]), _prod([("num", -1.0), light(t[2])])])
    if h == "neg":
        return _prod([("num", -1.0), light(t[1])])
    if h == "mul":
        return _prod([light(a) for a in t[1:]])
    if h == "div":
        return _prod([light(t[1]), _pow(light(t[2]), ("num", -1.0))])
    if h == "pow":
        return _pow(light(t[1]), light(t[2]))
    if h == "sqrt":
        return _pow(light(t[1]), ("num", 0.5))
    args = tuple(light(a) for a in t[1:])
    return _fold(h, args)


def _num(v):
    return ("num", float(v))


def _is_num(t):
    return t[0] == "num"


def _sum(parts):
    terms, const = [], 0.0
    for p in parts:
        for q in (p[1:] if p[0] == "add" else (p,)):
            if _is_num(q):
                const += q[1]
            else:
                terms.append(q)
    if const != 0.0 or not terms:
        terms.append(_num(const))
    return terms[0] if len(terms) == 1 else ("add",) + tuple(terms)


def _prod(parts):
    factors, coef = [], 1.0
    for p in parts:
        for q in (p[1:] if p[0] == "mul" else (p,)):
            if _is_num(q):
                coef *= q[1]
            else:
                factors.append(q)
    if coef == 0.0:
        return _num(0.0)
    if coef != 1.0 or not factors:
        factors.insert(0, _num(coef))
    return factors[0] if len(factors) == 1 else ("mul",) + tuple(factors)


def _pow(base, ex):
    if _is_num(base) and abs(base[1] - math.e) < 1e-12 and not _is_num(ex):    # math.e ** x is e^x
        return ("exp", ex)
    if _is_num(ex):
        k = ex[1]
        if k == 1.0:
            return base
        if k == 0.0:
            return _num(1.0)
        if _is_num(base):
            v = _safe(lambda: base[1] ** k)
            if v is not None:
                return _num(v)
        if base[0] == "pow" and _is_num(base[2]):           # (a^p)^q = a^(pq): padding, not a step
            return _pow(base[1], _num(base[2][1] * k))
        if base[0] == "exp":                                 # (e^a)^k = e^(ka): 1 / e^x is e^-x
            return ("exp", _prod([_num(k), base[1]]))
        if base[0] == "mul":                                 # (a b)^k = a^k b^k
            return _prod([_pow(f, ex) for f in base[1:]])
    return ("pow", base, ex)


_FOLD = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "cosh": math.cosh, "sinh": math.sinh,
         "abs": abs, "sigma": lambda z: 1.0 / (1.0 + math.exp(-z)),
         "softplus": lambda z: math.log1p(math.exp(z))}


def _safe(f):
    try:
        v = f()
    except (ValueError, OverflowError, ZeroDivisionError, TypeError):
        return None
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _fold(h, args):
    """A function of numbers is a number (exp(0) is 1): folding constants is not a step."""
    if h in _FOLD and len(args) == 1 and _is_num(args[0]):
        v = _safe(lambda: _FOLD[h](args[0][1]))
        if v is not None:
            return _num(v)
    return (h,) + args


# ------------------------------------------------------------------ canonical form
@functools.lru_cache(maxsize=4096)
def canon(t):
    """Light form with like terms and factors merged, identity wrappers unwrapped, sorted."""
    prev = None
    t = light(t)
    for _ in range(6):          # merging can expose more merging; a few passes reach the fixpoint
        if t == prev:
            break
        prev, t = t, _canon(t)
    return t


def _key(t):
    return repr(t)


def _canon(t):
    h = t[0]
    if h in ("num", "sym", "softmax", "unread"):
        return rebuilt(t, _canon)
    args = tuple(_canon(a) for a in t[1:])
    if h == "add":
        return _merge_terms(args)
    if h == "mul":
        return _merge_factors(args)
    if h == "pow":
        return _pow(args[0], args[1])
    if h == "log" and args[0][0] == "exp":
        return args[0][1]
    if h == "log" and args[0][0] == "pow" and args[0][1][0] == "exp" and _is_num(args[0][2]):
        return _prod([args[0][2], args[0][1][1]])            # log(exp(a)^k) = k a
    if h == "exp" and args[0][0] == "log":
        return args[0][1]
    if h == "exp" and args[0][0] == "add" and any(_split_term(a)[1][0] == "log" for a in args[0][1:]
                                                  if _split_term(a)[1] is not None):
        return _exp_of_logs(args[0])
    return _fold(h, args)


def _exp_of_logs(arg):
    """exp(a + k log b) = e^a b^k: S_i written exp(x_i - log Z) is e^{x_i} / Z, not a step."""
    rest, factors = [], []
    for a in arg[1:]:
        k, inner = _split_term(a)
        if inner is not None and inner[0] == "log":
            factors.append(_pow(inner[1], _num(k)))
        else:
            rest.append(a)
    return _prod(factors + ([("exp", _sum(rest))] if rest else []))


def _split_term(t):
    """A term as (coefficient, its non-numeric part)."""
    if t[0] == "mul" and _is_num(t[1]):
        rest = t[2:]
        return t[1][1], rest[0] if len(rest) == 1 else ("mul",) + rest
    if _is_num(t):
        return t[1], None
    return 1.0, t


def _merge_terms(args):
    flat = _sum(list(args))
    parts = flat[1:] if flat[0] == "add" else (flat,)
    acc = {}
    for p in parts:
        c, rest = _split_term(p)
        k = _key(rest)
        acc[k] = [acc.get(k, [0.0])[0] + c, rest]
    terms = []
    for k in sorted(acc):
        c, rest = acc[k]
        if abs(c) > 1e-12:
            terms.append(_num(c) if rest is None else _prod([_num(c), rest]))
    return _sum(terms) if terms else _num(0.0)


def _base_exp(f):
    """A factor as (base, numeric exponent)."""
    return (f[1], f[2][1]) if f[0] == "pow" and _is_num(f[2]) else (f, 1.0)


def _merge_factors(args):
    flat = _prod(list(args))
    parts = flat[1:] if flat[0] == "mul" else (flat,)
    coef, acc, exps = 1.0, {}, {}
    for p in parts:
        if _is_num(p):
            coef *= p[1]
            continue
        base, k = _base_exp(p)
        if base[0] == "exp":            # e^(m a) by a, with the exponent m: e^c e^-c is e^0
            m, rest = _split_term(base[1])
            key = _key(rest)
            exps[key] = [exps.get(key, [0.0])[0] + k * m, ("exp", rest if rest is not None else _num(1.0))]
            continue
        key = _key(base)
        acc[key] = [acc.get(key, [0.0])[0] + k, base]
    # exp factors whose exponents add up to a number are that number (e^x e^-x = 1); others stay
    # apart (e^c e^x is the step 1.i asks for, not exp(c + x) again)
    if exps:
        total = canon(_sum([_prod([_num(m), e[1]]) for m, e in exps.values()]))
        if _is_num(total) and _safe(lambda: math.exp(total[1])) is not None:
            coef *= math.exp(total[1])
            exps = {}
    factors = [_pow(acc[k][1], _num(acc[k][0])) for k in sorted(acc) if abs(acc[k][0]) > 1e-12]
    factors += [("exp", _prod([_num(m), e[1]])) for key, (m, e) in sorted(exps.items()) if abs(m) > 1e-12]
    if len(factors) == 1 and factors[0][0] == "add" and coef != 1.0:      # 2 (a + b) is 2a + 2b
        return _merge_terms(tuple(_prod([_num(coef), t]) for t in factors[0][1:]))
    return _prod([_num(coef)] + factors)


# ------------------------------------------------------------------ real steps
def atoms(t) -> set:
    """The maximal non-arithmetic subtrees of a canonical tree (symbols, function calls)."""
    if t[0] == "num":
        return set()
    if t[0] in ("add", "mul"):
        return set().union(*(atoms(a) for a in t[1:]))
    if t[0] == "pow" and _is_num(t[2]):
        return atoms(t[1])
    return {t}


def built_from(t, refs: set, but=None) -> bool:
    """Is t made of whole copies of refs (canonical trees), numbers and arithmetic only,
    identities included? E.g. (start + end) / 2, 0.3 start + 0.7 end, start * end / start.
    t is a tree as traced or its light form; the traced one keeps the copies whole where the
    light form would flatten them into one sum ((s + e) / 2 with s and e sums). t as a whole may
    be `but` (canonical) without being a copy: its parts decide."""
    if _is_num(light(t)) or (canon(t) in refs and canon(t) != but):
        return True
    h = t[0]
    if h in ("add", "mul", "sub", "div", "neg", "sqrt"):
        return all(built_from(a, refs) for a in t[1:])
    if h == "pow":
        return _is_num(light(t[2])) and built_from(t[1], refs)
    if h in ("log", "exp", "abs") and t[1][0] in ("exp", "log", "pow", "sqrt"):     # log(exp(.)), |sqrt(.)|...
        return built_from(t[1][1], refs)
    return False


def genuine(steps, k, targets, target_atoms) -> bool:
    """Is steps[k] a real rewriting in its chain?

    Not one if, up to rewritings that need no mathematics (canon) and its inert parts (unpadded),
    it repeats the statement's
    expressions (targets), the chain's start or an earlier step; if it is built from the chain's
    ends and the statement's expressions by arithmetic alone; or if it uses nothing beyond the
    atoms of the statement's expressions (target_atoms), e.g. 0.5 softplus(x) - 0.5 softplus(-x)
    + 0.5 x. The chain's own end is not compared as a whole: e^c e^x / (e^c S) may precede an end
    written e^x / S (the cancellation is the step)."""
    expr = steps[k]
    core = unpadded(expr)
    if core is None:
        return False
    c = essence(expr)
    others = list(targets) + [s for i, s in enumerate(steps[:k]) if i != k]
    if any(c == essence(o) for o in others):
        return False
    refs = {essence(o) for o in list(targets) + [steps[0], steps[-1]] if o is not expr}
    if any(built_from(t, refs, but=essence(steps[-1])) for t in (expr, light(expr), core)):
        return False
    return not atoms(c) <= target_atoms


# ------------------------------------------------------------------ ideas
def context(symbols, case=None) -> dict:
    """What an idea pattern may refer to: the rubric's vector sizes ({x: 3} is x0, x1, x2) and the
    case traced ({"i": 0, "j": 2})."""
    return {"sizes": vector_sizes(symbols), "case": dict(case or {})}


def shows(pattern, tree, env) -> bool:
    """Does the expression `tree` (as traced) show the idea `pattern`? Matched on its light form;
    `written` patterns also see the sub-expressions as the student grouped them, those of its inert
    parts excepted (unpadded)."""
    core = unpadded(tree)
    if core is None:
        return False
    return matches(pattern, core, dict(env, raw=tree, survivors=set(_subtrees(core))))


def matches(p, t, env=None) -> bool:
    """Does the light-form tree t match pattern p? Patterns (YAML lists in rubric.yaml):

      _                       anything
      [num, v], [sym, name]   that number, that symbol
      [HEAD, p1, ...]         a node of that head whose arguments match p1, ... in order
      [add, p1, ..., "..."]   a sum whose terms match p1, ... one each, in any order; "..." allows
      [mul, p1, ..., "..."]   other terms (factors) too; a quotient a / b is a product a b^-1
      [exponent, p, k]        (inside mul) the factors whose base matches p have exponents adding to
                              k (or to one of the list k)
      [contains, p]           t or one of its sub-trees matches p
      [written, p]            a sub-expression as the student wrote (grouped) it matches p (the light
                              form flattens a / e^c / (b / e^c) into one product)
      [all, p...], [any, p...], [not, p]
      [nonconstant]           t holds a symbol
      [free_of, name...]      t holds none of these symbols or function names
      [normaliser, x]         the sum of exp(x_k) over every component x_0, x_1, ... of the vector x
      [component, x, j]       the component x_j of the vector x, j a case index ("j") or a number
      [cancels, c]            exponentials in which c cancels: an exp whose exponent holds c and is,
                              once like terms merge, free of c and not constant (e^{x_k + c - (x_i + c)}),
                              or a product whose exp factors holding c multiply to such an exp
                              (e^{x_i + c} / e^c); e^c / e^c alone is no cancellation
    """
    env = env or {}
    if p == "_":
        return True
    head = p[0]
    if head in ("num", "sym"):
        return t[0] == head and (t[1] == p[1] if head == "sym" else t[0] == "num" and float(t[1]) == float(p[1]))
    if head == "contains":
        return any(matches(p[1], s, env) for s in _subtrees(t))
    if head == "all":
        return all(matches(q, t, env) for q in p[1:])
    if head == "any":
        return any(matches(q, t, env) for q in p[1:])
    if head == "not":
        return not matches(p[1], t, env)
    if head == "nonconstant":
        return bool(_symbols(t))
    if head == "free_of":
        names = set(p[1:])
        return not (names & _symbols(t) or names & _heads(t))
    if head == "normaliser":
        want = _normaliser_terms(p[1], env)
        return bool(want) and t[0] == "add" and sorted(repr(a) for a in t[1:]) == want
    if head == "component":
        k = env.get("case", {}).get(p[2], p[2])
        return isinstance(k, int) and t == ("sym", "%s%d" % (p[1], k))
    if head == "cancels":
        return _cancels(t, p[1])
    if head == "written":
        raw, survivors = env.get("raw"), env.get("survivors")
        written = [light(s) for s in _subtrees(raw)] if raw is not None else [t]
        return any(matches(p[1], w, env) for w in written
                   if survivors is None or all(q in survivors for q in _parts(w)))
    if head in ("add", "mul"):
        if t[0] != head:
            return False
        return _match_parts(list(p[1:]), list(t[1:]), env)
    if t[0] != head or len(t) != len(p):
        return False
    if head == "softmax":
        return True
    return all(matches(q, s, env) for q, s in zip(p[1:], t[1:]))


def _match_parts(pats, parts, env) -> bool:
    """Each pattern takes parts of its own (one, or for `exponent` all those of its base)."""
    rest_ok = "..." in pats
    pats = [q for q in pats if q != "..."]
    if not pats:
        return rest_ok or not parts
    q, others = pats[0], pats[1:] + (["..."] if rest_ok else [])
    if q[0] == "exponent":
        mine = [s for s in parts if matches(q[1], _base_exp(s)[0], env)]
        total = sum(_base_exp(s)[1] for s in mine)
        if not mine or all(abs(total - float(k)) > 1e-9 for k in (q[2] if isinstance(q[2], list) else [q[2]])):
            return False
        return _match_parts(others, [s for s in parts if all(s is not m for m in mine)], env)
    if q[0] == "normaliser":                  # in a flattened sum, Z's terms are terms of the sum
        want = _normaliser_terms(q[1], env)
        reprs = [repr(s) for s in parts]
        if want and all(w in reprs for w in want):
            rest = list(parts)
            for w in want:
                rest.pop([repr(s) for s in rest].index(w))
            if _match_parts(others, rest, env):
                return True
    for i, s in enumerate(parts):
        if matches(q, s, env) and _match_parts(others, parts[:i] + parts[i + 1:], env):
            return True
    return False


def _normaliser_terms(name, env):
    """The terms exp(x_k) of the sum over the components of the vector symbol `name`."""
    return sorted(repr(("exp", ("sym", "%s%d" % (name, k)))) for k in range(env.get("sizes", {}).get(name) or 0))


def _cancels(t, name) -> bool:
    """Exponentials of t (an exp, or the exp factors of a product) in which `name` cancels."""
    if t[0] == "exp":
        exponents = [t[1]]
    elif t[0] == "mul":
        exponents = [f[1] for f in t[1:] if f[0] == "exp" and name in _symbols(f)]
    else:
        return False
    if not exponents or not any(name in _symbols(e) for e in exponents):
        return False
    merged = canon(_sum(exponents))
    return name not in _symbols(merged) and bool(_symbols(merged))


def _subtrees(t):
    yield t
    if t[0] in ("num", "sym"):
        return
    kids = t[2] if t[0] == "softmax" else (t[2:] if t[0] == "unread" else t[1:])
    for k in kids:
        yield from _subtrees(k)


def _symbols(t) -> set:
    return {s[1] for s in _subtrees(t) if s[0] == "sym"}


def _heads(t) -> set:
    return {s[0] for s in _subtrees(t)}


def idea_candidates(steps, real, targets, start=False, before_step=False) -> list:
    """The expressions of a chain that may show its idea (indices): its real steps (`real`); with
    `before_step`, an expression right before a real step (the step is made from it: a / e^c over
    b / e^c is only a rewriting of the start, the cancellation that follows is the step); with
    `start`, the start itself (1.j: the derivative computed) unless it is, up to rewritings that
    need no mathematics, the statement's expressions (`targets`) or the chain's end, softmax
    written with exp or not: nothing tells such a start from a copy of the answer."""
    out = set(real)
    if before_step:
        out |= {k - 1 for k in real if k - 1 >= (0 if start else 1)}
    ends = list(targets) + [steps[-1]]
    if start and essence(steps[0]) not in {essence(c) for t in ends for c in (t, unfold_softmax(t))}:
        out.add(0)
    return sorted(out)


def unfold_softmax(t):
    """t with each softmax(v)_k written by its definition exp(v_k) / Σ_m exp(v_m)."""
    if t[0] in ("num", "sym"):
        return t
    if t[0] == "softmax":
        args = tuple(unfold_softmax(a) for a in t[2])
        z = ("exp", args[0])
        for a in args[1:]:
            z = ("add", z, ("exp", a))
        return ("div", ("exp", args[t[1]]), z)
    if t[0] == "unread":
        return t
    return (t[0],) + tuple(unfold_softmax(a) for a in t[1:])


def vector_sizes(symbols: dict) -> dict:
    """{name: size} of the rubric's `symbols` (x: 3 is the vector x0, x1, x2)."""
    return {n: s for n, s in symbols.items()} if isinstance(symbols, dict) else {}


# ------------------------------------------------------------------ inert parts
POINTS = 48                  # sample points, as the chain's own equality check (checks._sym_env)
RTOL, ATOL = 1e-7, 1e-9      # the chain's tolerance: a part within it changes nothing the chain sees
MAX_LIGHT_NODES = 300        # a larger expression is no step (honest steps have under 60 nodes)
MAX_FACTORS = 10             # groups of factors (terms) tried in full up to this many, pairs beyond
MAX_REPLACED = 12            # inert parts replaced in one expression
MAX_EVALUATIONS = 20000      # node evaluations for one expression (honest ones: under 2,000); beyond, no step


def essence(t):
    """The canonical form of t without its inert parts (canon(unpadded(t)))."""
    core = unpadded(t)
    return canon(core if core is not None else t)


_WORK = [None]        # this grading's allowance: {"left": evaluations, "charged", "refused": trees}, or None


@contextlib.contextmanager
def work_allowance(count: int | None):
    """At most `count` node evaluations of the inert-part analysis within the block (one grading;
    None: no limit). Honest submissions use a few thousand; past the allowance an expression
    counts as no step. Each distinct expression is charged its cost once in the block, whether
    this process had it cached or not: a grading's verdicts do not depend on what was graded
    before it."""
    saved = _WORK[0]
    _WORK[0] = None if count is None else {"left": count, "charged": set(), "refused": set()}
    try:
        yield
    finally:
        _WORK[0] = saved


def unpadded(t):
    """light(t) with every inert part replaced by its value, or None if t is too large to tell
    (or the grading's work allowance is spent).

    A part is inert when the whole expression, with that part replaced by its mean value, is
    unchanged within the chain's tolerance at the sample points: a sub-expression, or a group of
    the factors of a product (terms of a sum), e.g. (1 + e^x) and 1 / exp(softplus(x)), whose
    product is 1. A group canon already folds to a number (e^c e^-c, the cancellation 1.i asks
    for) is the chain's business, not padding, and stays."""
    work = _WORK[0]
    if work is not None and t not in work["charged"]:
        work["charged"].add(t)
        if work["left"] <= 0:
            work["refused"].add(t)              # nothing left to pay with
        else:
            work["left"] -= _unpadded(t)[1]
            if work["left"] < 0:
                work["refused"].add(t)          # the expression that overdrew: refused for good
    if work is not None and t in work["refused"]:
        return None                             # the same answer each time this grading asks
    return _unpadded(t)[0]


@functools.lru_cache(maxsize=4096)
def _unpadded(t):
    """(unpadded tree or None, node evaluations it took)."""
    with np.errstate(all="ignore"):           # once here: per node evaluation it costs as much as the node
        return _inert_parts_replaced(light(t))


def _inert_parts_replaced(t):
    cost = 0
    for _ in range(MAX_REPLACED):
        flat = _Flat(MAX_EVALUATIONS - cost)
        try:
            flat.read(t)
            found = flat.first_inert()
        except _TooLarge:
            return None, cost + flat.evaluations
        cost += flat.evaluations
        if found is None:
            return t, cost
        t = light(found)
    return t, cost


def _parts(t):
    """The factors or terms of an n-ary node, numbers aside; t itself otherwise."""
    if t[0] in ("add", "mul"):
        return [q for q in t[1:] if not _is_num(q)]
    return [t]


@functools.lru_cache(maxsize=1024)
def _point_values(name):
    """A symbol's POINTS sample values (read-only: shared by every evaluation)."""
    v = np.random.default_rng(zlib.crc32(name.encode())).uniform(-4.0, 4.0, POINTS)
    v.setflags(write=False)
    return v


def _apply(t, vals):
    """The value of node t from its children's values (arrays of POINTS floats); called under
    np.errstate(all="ignore") (_unpadded)."""
    h = t[0]
    if h == "num":
        v = float(t[1])
    elif h == "sym":
        v = _point_values(t[1])
    elif h == "add":
        v = functools.reduce(np.add, vals)          # a few arrays: cheaper than np.sum's stacking
    elif h == "mul":
        v = functools.reduce(np.multiply, vals)
    elif h == "pow":
        v = np.power(vals[0], vals[1])
    elif h == "softmax":
        top = np.max(vals, axis=0)
        exps = np.exp(np.asarray(vals) - top)
        v = exps[t[1]] / np.sum(exps, axis=0)
    elif h == "ind":
        v = vals[0]
    elif h in _UNARY and len(vals) == 1:
        v = _UNARY[h](vals[0])
    elif h in _BINARY and len(vals) == 2:
        v = _BINARY[h](vals[0], vals[1])
    else:                                   # unread: no value
        v = math.nan
    v = np.asarray(v, dtype=float)
    return v if v.shape == (POINTS,) else np.full(POINTS, float(v))


def _mean(v):
    ok = np.isfinite(v)
    return float(np.mean(v[ok])) if ok.sum() * 2 >= POINTS else None


class _TooLarge(Exception):
    """More than MAX_LIGHT_NODES nodes, or more evaluations than the expression's allowance."""


class _Flat:
    """One light tree as a list of nodes (children before parents) with their values."""

    def __init__(self, allowance: int):
        self.trees, self.kids, self.parent, self.vals, self.live = [], [], [], [], []
        self.evaluations, self.allowance = 0, allowance

    def read(self, t):
        self._add(t)
        self.root = len(self.trees) - 1
        w = self.vals[self.root]
        self.finite = np.isfinite(w)
        self.enough = self.finite.sum() * 2 >= POINTS
        self.within = 2 * (ATOL + RTOL * np.abs(w[self.finite]))

    def _add(self, t):
        kids = [self._add(k) for k in _children(t)]
        if len(self.trees) >= MAX_LIGHT_NODES:
            raise _TooLarge()
        i = len(self.trees)
        self.trees.append(t)
        self.kids.append(kids)
        self.parent.append(None)
        for k in kids:
            self.parent[k] = i
        self.vals.append(self._eval(t, [self.vals[k] for k in kids]))
        self.live.append(t[0] == "sym" or any(self.live[k] for k in kids))     # holds a symbol
        return i

    def _eval(self, t, vals):
        if self.evaluations >= self.allowance:     # a deep tree scanned part by part: bounded here
            raise _TooLarge()
        self.evaluations += 1
        return _apply(t, vals)

    def _up(self, i, v):
        """The root's value when node i takes the value v."""
        while self.parent[i] is not None:
            p = self.parent[i]
            v = self._eval(self.trees[p], [v if k == i else self.vals[k] for k in self.kids[p]])
            i = p
        return v

    def _unchanged(self, v):
        fin = self.finite
        if not self.enough or not (np.isfinite(v) == fin).all():
            return False
        return bool((np.abs(v[fin] - self.vals[self.root][fin]) <= self.within).all())

    def first_inert(self):
        """The tree with its first inert part replaced (a sub-expression, top-down, then a group
        of factors or terms), or None."""
        order = list(reversed(range(len(self.trees))))        # parents first
        for i in order[1:]:
            t, up = self.trees[i], self.trees[self.parent[i]][0]
            neutral = {"add": 0.0, "mul": 1.0}.get(up)               # a term gone, a factor gone
            if self.live[i]:
                values = [neutral, _mean(self.vals[i])]
            elif _is_num(t) and neutral is not None and float(t[1]) != neutral:
                values = [neutral]                                    # a number too small to matter
            else:
                continue
            for c in values:
                if c is not None and self._unchanged(self._up(i, np.full(POINTS, c))) \
                        and not (self.live[i] and _is_num(canon(t))):
                    return self._rebuild(self.root, {i: _num(c)})
        order = [i for i in order if self.live[i]]
        for i in order:
            if self.trees[i][0] in ("add", "mul") and len(self.kids[i]) > 2:
                found = self._inert_group(i)
                if found is not None:
                    return found
        return None

    def _inert_group(self, i):
        t, kids = self.trees[i], self.kids[i]
        live = [k for k in kids if self.live[k]]
        sizes = range(2, len(kids)) if len(live) <= MAX_FACTORS else [2]
        combine = np.sum if t[0] == "add" else np.prod
        for size in sizes:
            for group in itertools.combinations(live, size):
                c = _mean(combine([self.vals[k] for k in group], axis=0))
                if c is None:
                    continue
                rest = [self.vals[k] for k in kids if k not in group]
                if not self._unchanged(self._up(i, self._eval(t, rest + [np.full(POINTS, c)]))):
                    continue
                parts = [self.trees[k] for k in group]
                if _is_num(canon(_sum(parts) if t[0] == "add" else _prod(parts))):
                    continue
                kept = tuple(self._rebuild(k, {}) for k in kids if k not in group) + (_num(c),)
                return self._rebuild(self.root, {i: (t[0],) + kept})
        return None

    def _rebuild(self, i, replaced):
        if i in replaced:
            return replaced[i]
        t = self.trees[i]
        kids = tuple(self._rebuild(k, replaced) for k in self.kids[i])
        if t[0] in ("num", "sym"):
            return t
        if t[0] == "softmax":
            return ("softmax", t[1], kids)
        if t[0] == "unread":
            return t[:2] + kids
        return (t[0],) + kids
