"""Diagnosis: does a student's answer behave like a mistake of the misconception catalogue?

The grader computes the catalogued wrong answer itself: the full-marks file with the
catalogue's edit (instructor code, run in the grader's process with outils and numpy; never
the student's code), called on the very arguments the item's checks sent to the student's
sandboxed function. When every such call gives, on the wrong twin, what it gave the student
(the same value, formula or error), the item's feedback carries that mistake's diagnosis.
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import json
import re
import sys
import types
import zlib

import numpy as np

from . import answers
from .misconceptions import BASE, OUTILS, Misconception, function_span, by_id, load


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=1)
def _outils():
    """outils, loaded once for the catalogue's twins (one Symbole class for all of them)."""
    spec = importlib.util.spec_from_file_location("outils", OUTILS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=1)
def _base():
    """The full-marks file, executed once: (its source lines, its function spans, its namespace)."""
    source = BASE.read_text(encoding="utf-8")
    tree = ast.parse(source)
    spans = {node.name: function_span(source, node.name, tree) for node in tree.body
             if isinstance(node, ast.FunctionDef)}
    namespace = {"__name__": "devoir3_catalogue"}
    _exec(source, namespace, "<catalogue base>")
    return source.splitlines(keepends=True), spans, namespace


def _exec(source, namespace, filename):
    saved = sys.modules.get("outils")
    sys.modules["outils"] = _outils()
    try:
        with np.errstate(all="ignore"):
            exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - instructor code
    finally:
        if saved is None:
            sys.modules.pop("outils", None)
        else:
            sys.modules["outils"] = saved


@functools.lru_cache(maxsize=None)
def twin(mid: str):
    """The catalogued wrong answer `mid` as a module, run in the grader's process: instructor
    code (the full-marks file with the catalogue's edit), never the student's. Only the edited
    function is compiled again, into a copy of the full-marks namespace (the other functions
    are the full-marks ones, as in the mutant file)."""
    m = by_id()[mid]
    lines, spans, namespace = _base()
    start, body_start, end = spans[m.function]
    segment = "".join(lines[start:end])
    if isinstance(m.change, str):
        body = "".join("    " + ln + "\n" if ln.strip() else "\n" for ln in m.change.strip("\n").split("\n"))
        segment = "".join(lines[start:body_start]) + body
    else:
        segment, count = re.subn(m.change[0], m.change[1], segment)
        if count == 0:
            raise ValueError("edit of %s: pattern %r not found" % (m.function, m.change[0]))
    module = types.ModuleType("devoir3_" + re.sub(r"\W", "_", mid))
    module.__dict__.update({k: v for k, v in namespace.items() if k != "__name__"})
    _exec(segment, module.__dict__, "<catalogue %s>" % mid)
    return module


class Recorder:
    """A Session seen through a check: records every call (function, argument lists, outcomes)
    so that a failed item's calls can be replayed on the catalogued wrong twins."""

    def __init__(self, session):
        self._session = session
        self.calls = []

    def call(self, fn, args):
        out = self._session.call(fn, args)
        self.calls.append((fn, [list(args)], [out]))
        return out

    def map(self, fn, argsets):
        outs = self._session.map(fn, argsets)
        self.calls.append((fn, [list(a) for a in argsets], list(outs)))
        return outs

    def __getattr__(self, name):
        return getattr(self._session, name)


def _to_twin(arg):
    from . import wire
    O = _outils()
    if isinstance(arg, wire.Sym):
        return O.Symbole(("sym", arg.name))
    if isinstance(arg, wire.SymArray):
        out = np.empty(len(arg.names), dtype=object)
        for i, name in enumerate(arg.names):
            out[i] = O.Symbole(("sym", name))
        return out.reshape(arg.shape).view(O.VecteurSymbolique)     # as the child passes it
    if isinstance(arg, np.ndarray):
        return arg.copy()
    if isinstance(arg, list):
        return [_to_twin(a) for a in arg]
    if isinstance(arg, tuple):
        return tuple(_to_twin(a) for a in arg)
    return arg


def _tree(node):
    if node[0] == "softmax":
        return ("softmax", node[1], tuple(_tree(a) for a in node[2]))
    if node[0] in ("num", "sym"):
        return node
    return (node[0],) + tuple(_tree(a) for a in node[1:])


def _from_twin(v):
    """A twin's value in the form the student's answer arrives in (wire.dec's types)."""
    from . import wire
    O = _outils()
    if isinstance(v, O.Symbole):
        return wire.Expr(_tree(v.node))
    if isinstance(v, np.ndarray) and v.dtype == object:
        if any(isinstance(e, O.Symbole) for e in v.flat):      # numbers among formulas: num leaves
            return wire.ExprArray(tuple(v.shape), tuple(_tree(O._node(e)) for e in v.flat))
        return np.asarray(v, dtype=float).view(np.ndarray)
    if isinstance(v, (list, tuple)):
        return [_from_twin(e) for e in v]
    if isinstance(v, dict):
        return {str(k): _from_twin(e) for k, e in v.items()}
    if isinstance(v, (np.integer, np.floating)):
        return v.item()
    return v


def _same_tree(a, b) -> bool:
    from . import symbolic
    if symbolic.heads_of(a) != symbolic.heads_of(b):
        return False
    names = sorted(symbolic.symbols_of(a) | symbolic.symbols_of(b))
    rng = np.random.default_rng(zlib.crc32(" ".join(names).encode()))
    env = {n: rng.uniform(-2.0, 2.0, 16) for n in names}
    try:
        return bool(symbolic.compare_trees(a, b, env, 1e-7, 1e-9).equal)
    except Exception:   # noqa: BLE001 - an unreadable tree is simply not the same
        return False


def same_value(student, twin_value) -> bool:
    """Does the student's answer (as decoded from the sandbox) equal the twin's?"""
    from . import wire
    from .checks import as_array
    a, b = student, twin_value
    if isinstance(a, wire.Expr) or isinstance(b, wire.Expr):
        if isinstance(a, wire.Expr) and isinstance(b, wire.Expr):
            return _same_tree(a.tree, b.tree)
        return False
    if isinstance(a, wire.ExprArray) or isinstance(b, wire.ExprArray):
        return isinstance(a, wire.ExprArray) and isinstance(b, wire.ExprArray) and a.shape == b.shape \
            and all(_same_tree(x, y) for x, y in zip(a.items, b.items))
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            return False
        return all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a.strip().lower() == b.strip().lower()
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(e, str) for e in a + b):
        return {e.strip().lower() for e in a} == {e.strip().lower() for e in b}   # sets of names, letters
    ga, gb = as_array(a), as_array(b)
    if ga is None or gb is None:
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            return all(same_value(x, y) for x, y in zip(a, b))
        return False
    if ga.size != gb.size:
        return False
    if ga.ndim >= 2 and gb.ndim >= 2 and ga.shape != gb.shape:
        return False
    with np.errstate(all="ignore"):
        x, y = ga.reshape(-1).astype(float), gb.reshape(-1).astype(float)
        return bool(np.all(np.isclose(x, y, rtol=1e-6, atol=1e-9) | (np.isnan(x) & np.isnan(y))
                           | (np.isinf(x) & np.isinf(y) & (np.sign(x) == np.sign(y)))))


def _twin_outcome(module, fn, args):
    from . import wire
    f = getattr(module, fn, None)
    try:
        with np.errstate(all="ignore"):
            if any(isinstance(a, (wire.Sym, wire.SymArray)) for a in args):    # read as the child reads it
                return True, _from_twin(_outils()._trace(f, lambda: [_to_twin(a) for a in args]))
            return True, _from_twin(f(*[_to_twin(a) for a in args]))
    except Exception as exc:  # noqa: BLE001 - the twin's own error is part of its behaviour
        return False, (type(exc).__name__, str(exc)[:200])


def twin_outcome(m: Misconception, args):
    """(True, value) or (False, (error type, message)): what m's twin answers to args. The same
    for every submission: computed once (answers.py), keyed by the arguments as sent on the wire."""
    from . import wire
    try:
        key = json.dumps([wire.enc(a) for a in args], sort_keys=True)
    except (TypeError, ValueError):
        return _twin_outcome(twin(m.id), m.function, args)
    return answers.value(("twin", m.id, m.function, key), lambda: _twin_outcome(twin(m.id), m.function, args))


def twin_outcomes(m: Misconception, calls) -> None:
    """Compute m's twin's answers to every recorded call of m.function (answers.precompute)."""
    for fn, arglists, _ in calls:
        if fn == m.function:
            for args in arglists:
                twin_outcome(m, args)


@functools.lru_cache(maxsize=1)
def _base_module():
    return types.SimpleNamespace(**{k: v for k, v in _base()[2].items() if isinstance(k, str)})


def base_functions() -> list:
    """The names the full-marks file binds to functions."""
    return [k for k, v in _base()[2].items() if callable(v) and not k.startswith("__")]


def base_call(fn, args):
    """The full-marks file's answer to one call, as a session.Outcome (instructor code, run here)."""
    from .session import Outcome
    ok, value = _twin_outcome(_base_module(), fn, args)
    if ok:
        return Outcome(True, value)
    return Outcome(False, kind="exception", error={"type": value[0], "message": value[1], "line": None})


def behaves_like(m: Misconception, calls) -> bool:
    """Do the recorded calls of m.function give, on m's twin, what they gave the student?"""
    mine = [(args, out) for fn, arglists, outs in calls if fn == m.function
            for args, out in zip(arglists, outs)]
    if not mine or not any(out.ok or out.kind == "exception" for _, out in mine):
        return False        # not implemented, missing, timed out...: nothing to compare
    for args, out in mine:
        ok, value = twin_outcome(m, args)
        if out.ok != ok:
            return False
        if ok and not same_value(out.value, value):
            return False
        if not ok and (out.kind != "exception" or (out.error.get("type"), str(out.error.get("message", ""))[:200])
                       != value):      # the same error, not only the same kind: ValueError is common
            return False
    return True


def diagnose(item_id: str, calls) -> list:
    """The ids of the catalogued mistakes of the item's functions whose twin answers every
    recorded call as the student did (in catalogue order)."""
    called = {fn for fn, _, _ in calls}
    found = []
    for m in load():
        if m.diagnose and m.function in called and m.item == item_id:
            try:
                if behaves_like(m, calls):
                    found.append(m.id)
            except Exception:  # noqa: BLE001 - a diagnosis is a bonus, never a grading failure
                continue
    return found
