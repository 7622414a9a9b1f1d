"""The misconception catalogue (misconceptions.yaml, beside the rubric): one source of truth for
the mutation analysis (bench/mutants.py builds each wrong submission from it) and for the
diagnosis a student reads when an answer behaves like a catalogued mistake.

Entry: id, item (the item the diagnosis belongs to), function, change (a new body, or
{pattern, replace} inside the function of examples/submissions/full_marks/devoir3.py),
loses (the items that must lose points), fr/en (the diagnosis: names the misconception,
never the answer), why (for the instructors), diagnose (false when the mistake cannot be
told from the answer's values, e.g. a right value written in a form the item forbids).

How a diagnosis is made: the grader computes the outputs of the catalogued wrong function
on the graded inputs itself, from the catalogue's source (instructor code, run in the
grader's process with outils and numpy; never the student's code), and compares them with
the student's outputs that the sandbox returned. See `wrong_outputs`.
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import re
import sys
import types
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

CATALOGUE = Path(__file__).with_name("misconceptions.yaml")
REPO = Path(__file__).resolve().parent.parent
# The base every catalogued mistake edits: the full-marks answer (shipped in the Gradescope zip,
# which the sandboxed student code cannot read).
BASE = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"
OUTILS = REPO / "student_template" / "outils.py"


@dataclass(frozen=True)
class Misconception:
    id: str
    item: str
    function: str
    change: object            # str (new body) or (pattern, replacement)
    loses: frozenset
    fr: str
    en: str
    why: str = ""
    diagnose: bool = True

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@functools.lru_cache(maxsize=1)
def load(path: str | None = None) -> tuple:
    p = Path(path) if path else CATALOGUE
    if not p.exists():
        return ()
    with open(p, encoding="utf-8") as f:
        raw = yaml.safe_load(f) or []
    out, seen = [], set()
    for e in raw:
        for key in ("id", "item", "function", "change", "fr", "en"):
            if key not in e:
                raise ValueError("misconceptions.yaml: entry %r lacks %r" % (e.get("id"), key))
        if e["id"] in seen:
            raise ValueError("misconceptions.yaml: duplicate id %r" % e["id"])
        seen.add(e["id"])
        ch = e["change"]
        change = ch if isinstance(ch, str) else (ch["pattern"], ch["replace"])
        loses = e.get("loses", [e["item"]])
        loses = frozenset([loses] if isinstance(loses, str) else loses)
        out.append(Misconception(str(e["id"]), str(e["item"]), e["function"], change, loses,
                                 e["fr"].strip(), e["en"].strip(), str(e.get("why", "")).strip(),
                                 bool(e.get("diagnose", True))))
    return tuple(out)


def by_id() -> dict:
    return {m.id: m for m in load()}


def diagnosis(mid: str, lang: str) -> str:
    m = by_id().get(mid)
    return m.text(lang) if m else ""


def for_function(fn: str) -> list:
    return [m for m in load() if m.function == fn and m.diagnose]


# ---------------------------------------------------------------------------- editing
def _function_span(source: str, function: str):
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str)
            body_start = first.end_lineno if has_doc else first.lineno - 1   # 0-based line index
            return node.lineno - 1, body_start, node.end_lineno
    raise KeyError("no function %s in the file" % function)


def apply_edit(source: str, function: str, change) -> str:
    """The source with one function changed: a new body (str) or a regex (pattern, repl) inside it."""
    lines = source.splitlines(keepends=True)
    start, body_start, end = _function_span(source, function)
    if isinstance(change, str):
        body = "".join("    " + ln + "\n" if ln.strip() else "\n" for ln in change.strip("\n").split("\n"))
        return "".join(lines[:body_start]) + body + "".join(lines[end:])
    pattern, repl = change
    text = "".join(lines[start:end])
    new, count = re.subn(pattern, repl, text)
    if count == 0:
        raise ValueError("edit of %s: pattern %r not found" % (function, pattern))
    return "".join(lines[:start]) + new + "".join(lines[end:])


# ----------------------------------------------------------------- the wrong twins
@functools.lru_cache(maxsize=1)
def _outils():
    spec = importlib.util.spec_from_file_location("outils", OUTILS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=1)
def _base():
    """The full-marks file, executed once: (its source lines, its function spans, its namespace)."""
    source = BASE.read_text(encoding="utf-8")
    spans = {node.name: None for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    for name in spans:
        spans[name] = _function_span(source, name)
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
        return out.reshape(arg.shape)
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
        if all(isinstance(e, O.Symbole) for e in v.flat):
            return wire.ExprArray(tuple(v.shape), tuple(_tree(e.node) for e in v.flat))
        return v.astype(float)
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
    f = getattr(module, fn, None)
    try:
        with np.errstate(all="ignore"):
            return True, _from_twin(f(*[_to_twin(a) for a in args]))
    except Exception as exc:  # noqa: BLE001 - the twin's own error is part of its behaviour
        return False, type(exc).__name__


def behaves_like(m: Misconception, calls) -> bool:
    """Do the recorded calls of m.function give, on m's twin, what they gave the student?"""
    mine = [(args, out) for fn, arglists, outs in calls if fn == m.function
            for args, out in zip(arglists, outs)]
    if not mine or not any(out.ok or out.kind == "exception" for _, out in mine):
        return False        # not implemented, missing, timed out...: nothing to compare
    module = twin(m.id)
    for args, out in mine:
        ok, value = _twin_outcome(module, m.function, args)
        if out.ok != ok:
            return False
        if ok and not same_value(out.value, value):
            return False
        if not ok and (out.kind != "exception" or out.error.get("type") != value):
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
