"""The plain-data boundary between grader and child, grader side.

Arguments go out as JSON; answers come back as JSON and are decoded here with
an allowlist of shapes: numbers, strings, lists, dicts, float64 arrays (raw
little-endian bytes, never pickle) and expression trees whose heads are listed
in TREE_HEADS. Nothing from the child is imported, unpickled or evaluated.
"""
from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 14
MAX_ITEMS = 200_000
MAX_TREE = 2_000              # nodes per expression (the largest legitimate answer has under 50)
MAX_VALUE_NODES = 20_000      # nodes of all the expressions of one answer together
MAX_TREES = 100               # expressions in one answer (a derivation has a handful of steps)
MAX_TREE_DEPTH = 200          # deeper trees would exhaust the recursion of the grader's checks
MAX_INT = 2**63               # larger ints are refused (float() of them would overflow)

# head -> number of children (None: any number >= 1)
TREE_HEADS = {
    "num": 1, "sym": 1,
    "add": 2, "sub": 2, "mul": 2, "div": 2, "pow": 2, "neg": 1,
    "exp": 1, "log": 1, "sqrt": 1, "tanh": 1, "cosh": 1, "sinh": 1, "abs": 1,
    "sigma": 1, "softplus": 1, "relu": 1, "heaviside": 1, "sign": 1,
    "max": 2, "min": 2, "ind": 1, "gt": 2, "ge": 2, "lt": 2, "le": 2, "eq": 2, "ne": 2,
    "softmax": 2,
    "unread": None,     # ["unread", "np.arctan", arg, ...]: a function the tracer cannot read
}
UNREAD_ARGS = 3         # at most this many arguments under an unread function
SYMBOL_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class WireError(ValueError):
    """The child sent something outside the allowlist."""


@dataclass(frozen=True)
class Expr:
    """A validated expression tree (nested tuples) answered by the student."""
    tree: tuple


@dataclass(frozen=True)
class ExprArray:
    shape: tuple
    items: tuple  # of trees


# ---------------------------------------------------------------- outgoing
def enc(v):
    """Encode a grader-side argument (numbers, arrays, symbols, lists)."""
    if isinstance(v, Sym):
        return {"t": "sym", "v": v.name}
    if isinstance(v, SymArray):
        return {"t": "symarray", "v": list(v.names), "shape": list(v.shape)}
    if isinstance(v, (bool, np.bool_)):
        return {"t": "bool", "v": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"t": "int", "v": int(v)}
    if isinstance(v, (float, np.floating)):
        return {"t": "float", "v": float(v)}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, np.ndarray):
        dtype = "<i8" if v.dtype.kind in "iu" else "<f8"
        data = np.ascontiguousarray(v, dtype=dtype).tobytes()
        return {"t": "array", "shape": list(v.shape), "dtype": dtype,
                "b64": base64.b64encode(data).decode("ascii")}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [enc(e) for e in v]}
    if isinstance(v, list):
        return {"t": "list", "v": [enc(e) for e in v]}
    raise TypeError("cannot send %r" % type(v))


@dataclass(frozen=True)
class Sym:
    name: str


@dataclass(frozen=True)
class SymArray:
    names: tuple
    shape: tuple


# ---------------------------------------------------------------- incoming
def dec(w, depth: int = 0, _trees=None):
    """Decode one answer value; raise WireError on anything unexpected.

    Expressions are bounded in size (each, and all of one answer together) and in number:
    the grader's own work on them (sampling, exact evaluation, sympy) stays bounded too."""
    if _trees is None:
        _trees = {"nodes": [MAX_VALUE_NODES], "count": 0}
    if depth > MAX_DEPTH:
        raise WireError("value nested too deep")
    if not isinstance(w, dict) or not isinstance(w.get("t"), str):
        raise WireError("malformed value")
    t = w["t"]
    if t == "none":
        return None
    if t == "bool":
        return _typed(w.get("v"), bool)
    if t == "int":
        v = w.get("v")
        if not isinstance(v, int) or isinstance(v, bool):
            raise WireError("malformed int")
        if abs(v) >= MAX_INT:
            raise WireError("entier trop grand")
        return v
    if t == "float":
        return _float(w.get("v"))
    if t == "str":
        return _typed(w.get("v"), str)[:500]
    if t == "array":
        shape = _shape(w.get("shape"))
        try:
            raw = base64.b64decode(_typed(w.get("b64"), str), validate=True)
        except (binascii.Error, ValueError):
            raise WireError("malformed array data")
        n = math.prod(shape)
        if len(raw) != 8 * n:
            raise WireError("array data does not match its shape")
        return np.frombuffer(raw, dtype="<f8").astype(np.float64).reshape(shape)
    if t == "exprarray":
        shape = _shape(w.get("shape"))
        items = _typed(w.get("v"), list)
        if len(items) != math.prod(shape):
            raise WireError("expression array does not match its shape")
        budget = [MAX_TREE]
        return ExprArray(shape, tuple(_counted(i, budget, _trees) for i in items))
    if t == "expr":
        return Expr(_counted(w.get("v"), [MAX_TREE], _trees))
    if t == "list":
        items = _typed(w.get("v"), list)
        if len(items) > 10_000:
            raise WireError("list too long")
        return [dec(e, depth + 1, _trees) for e in items]
    if t == "dict":
        pairs = _typed(w.get("v"), list)
        if len(pairs) > 1_000:
            raise WireError("dict too large")
        out = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("malformed dict")
            out[_typed(pair[0], str)[:100]] = dec(pair[1], depth + 1, _trees)
        return out
    raise WireError("unknown value type %r" % t[:20])


def _counted(node, budget, trees) -> tuple:
    trees["count"] += 1
    if trees["count"] > MAX_TREES:
        raise WireError("trop d'expressions (plus de %d)" % MAX_TREES)
    before = budget[0]
    out = tree(node, budget)
    trees["nodes"][0] -= before - budget[0]
    if trees["nodes"][0] < 0:
        raise WireError("expressions trop grandes au total (plus de %d nœuds)" % MAX_VALUE_NODES)
    return out


def tree(node, budget, depth: int = 0) -> tuple:
    """Validate an expression tree against TREE_HEADS and return it as tuples."""
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError("expression trop grande (plus de %d nœuds)" % MAX_TREE)
    if depth > MAX_TREE_DEPTH:
        raise WireError("expression trop imbriquée (plus de %d niveaux)" % MAX_TREE_DEPTH)
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise WireError("malformed expression")
    head, args = node[0], node[1:]
    if head not in TREE_HEADS:
        raise WireError("unknown operation %r in expression" % head[:20])
    arity = TREE_HEADS[head]
    if arity is not None and len(args) != arity:
        raise WireError("wrong arity for %r" % head)
    if head == "num":
        v = args[0]
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise WireError("malformed number")
        if isinstance(v, int) and abs(v) > 10**15:
            raise WireError("entier trop grand dans une expression")
        return ("num", _float(v) if not isinstance(v, int) else v)
    if head == "sym":
        name = _typed(args[0], str)
        if not name or len(name) > 40 or not set(name) <= SYMBOL_CHARS:
            raise WireError("malformed symbol")
        return ("sym", name)
    if head == "unread":
        if not args or not isinstance(args[0], str) or not 1 <= len(args) - 1 <= UNREAD_ARGS:
            raise WireError("malformed unread function")
        name = args[0][:40]
        if not set(name) <= SYMBOL_CHARS | {"."}:
            raise WireError("malformed unread function")
        return ("unread", name) + tuple(tree(a, budget, depth + 1) for a in args[1:])
    if head == "softmax":
        k, vec = args
        if not isinstance(k, int) or isinstance(k, bool) or not isinstance(vec, list) or not vec:
            raise WireError("malformed softmax")
        if not 0 <= k < len(vec) or len(vec) > 100:
            raise WireError("softmax index out of range")
        return ("softmax", k, tuple(tree(a, budget, depth + 1) for a in vec))
    return (head,) + tuple(tree(a, budget, depth + 1) for a in args)


def _typed(v, typ):
    if not isinstance(v, typ):
        raise WireError("expected %s" % typ.__name__)
    return v


def _float(v) -> float:
    if isinstance(v, str):
        specials = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
        if v not in specials:
            raise WireError("malformed float")
        return specials[v]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise WireError("malformed float")
    try:
        return float(v)
    except OverflowError:
        raise WireError("nombre trop grand") from None


def _shape(s) -> tuple:
    if not isinstance(s, list) or len(s) > 6:
        raise WireError("malformed shape")
    for d in s:
        if not isinstance(d, int) or isinstance(d, bool) or d < 0:
            raise WireError("malformed shape")
    if math.prod(s) > MAX_ITEMS:
        raise WireError("array too large")
    return tuple(s)
