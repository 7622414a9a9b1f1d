"""One submission being graded: calls into the sandbox, cached, as Outcomes."""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import wire
from .sandbox.runner import ChildFailure, Sandbox

MAX_SOURCE_FOR_AST = 400_000  # bytes; larger files are not parsed in the grader


@dataclass
class Outcome:
    """What one call of a student's function gave: a decoded value or a failure."""
    ok: bool
    value: object = None
    kind: str = "ok"      # ok, missing, not_implemented, exception, timeout, died, too_big,
    #                       bad_value, budget, not_loaded
    error: dict = field(default_factory=dict)


def _outcome(resp: dict, fn: str) -> Outcome:
    if resp.get("ok"):
        try:
            return Outcome(True, wire.dec(resp.get("value")))
        except wire.WireError as exc:
            return Outcome(False, kind="bad_value", error={"message": str(exc)})
        except (RecursionError, MemoryError, OverflowError, ValueError, TypeError):
            return Outcome(False, kind="bad_value", error={"message": "valeur illisible"})
    err = resp.get("error") if isinstance(resp.get("error"), dict) else {}
    etype = str(err.get("type", ""))[:80]
    clean = {"type": etype, "message": str(err.get("message", ""))[:300],
             "line": err.get("line") if isinstance(err.get("line"), int) else None}
    if etype == "Missing":
        return Outcome(False, kind="missing", error=clean)
    if etype == "NotImplementedError":
        return Outcome(False, kind="not_implemented", error=clean)
    if etype == "BadValue":
        return Outcome(False, kind="bad_value", error=clean)
    return Outcome(False, kind="exception", error=clean)


MAX_DEATHS = 2   # a function that killed its process this many times is not called again


class Session:
    """Calls into the sandbox for one submission.

    A function that timed out is not called again: its later calls fail at once
    with the same outcome, so one infinite loop costs the time limit once and
    only the items that use that function. The same after MAX_DEATHS crashes.
    """

    def __init__(self, sandbox: Sandbox, source: bytes):
        self.sandbox = sandbox
        self.source = source
        self._cache: dict = {}
        self._ast = None
        self.state: dict = {}          # cross-check facts (e.g. which convention matched)
        self.given_up: dict = {}       # function -> the Outcome every later call gets
        self._deaths: dict = {}

    def load(self) -> dict:
        return self.sandbox.load()

    def _request(self, req: dict, fn: str, timeout=None):
        if fn in self.given_up:
            return self.given_up[fn]
        try:
            return self.sandbox.request(req, timeout)
        except ChildFailure as exc:
            kind = exc.kind
            if kind not in ("timeout", "died", "too_big", "budget", "not_loaded"):
                kind = "died"
            out = Outcome(False, kind=kind, error={"message": exc.detail})
            if kind == "timeout":
                self.given_up[fn] = out
            elif kind == "died":
                self._deaths[fn] = self._deaths.get(fn, 0) + 1
                if self._deaths[fn] >= MAX_DEATHS:
                    self.given_up[fn] = out
            return out

    def call(self, fn: str, args: list) -> Outcome:
        """One call; identical calls are answered from the cache."""
        payload = [wire.enc(a) for a in args]
        key = ("call", fn, json.dumps(payload, sort_keys=True))
        if key not in self._cache:
            resp = self._request({"op": "call", "fn": fn, "args": payload}, fn)
            self._cache[key] = resp if isinstance(resp, Outcome) else _outcome(resp, fn)
        return self._cache[key]

    def map(self, fn: str, argsets: list) -> list:
        """Many calls in one round trip (the time limit covers them all)."""
        payload = [[wire.enc(a) for a in args] for args in argsets]
        key = ("map", fn, json.dumps(payload, sort_keys=True))
        if key not in self._cache:
            resp = self._request({"op": "map", "fn": fn, "argsets": payload}, fn)
            if isinstance(resp, Outcome):
                outs = [resp] * len(argsets)
            else:
                results = resp.get("results")
                if not isinstance(results, list) or len(results) != len(argsets):
                    outs = [Outcome(False, kind="bad_value", error={"message": "réponse incomplète"})] \
                        * len(argsets)
                else:
                    outs = [_outcome(r if isinstance(r, dict) else {}, fn) for r in results]
            self._cache[key] = outs
        return self._cache[key]

    # ---------------------------------------------------------- source
    def function_names_used(self, fn: str) -> set | None:
        """Names read in the body of def fn (parsed, never executed); None if unknown."""
        if self._ast is None:
            self._ast = False
            if len(self.source) <= MAX_SOURCE_FOR_AST:
                try:
                    self._ast = ast.parse(self.source)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    self._ast = False
        if not self._ast:
            return None
        found = self.definition(fn)
        if found is False:
            return None
        if found is None:
            return set()
        names = set()
        for sub in ast.walk(found):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                names.add(sub.attr)
        return names

    def definition(self, fn: str):
        """The module-level statement that binds fn after the import: a `def`, or an assignment
        (`fn = lambda S: ...`, `fn = _helper`, `fn = functools.partial(...)`: its value is what
        fn is made of). None if fn is never bound; False if the binding in force is unknown
        (e.g. rebound by an import, or in a loop): a dead first definition proves nothing."""
        if not self._ast:
            return False
        found = None
        for node in self._ast.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn:
                found = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and \
                    [t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                     if isinstance(t, ast.Name)] == [fn] and fn not in _bound_names(node.value):
                found = node.value
            elif found is not None and fn in _bound_names(node):
                return False
        return found


def _bound_names(stmt) -> set:
    """Names a module-level statement (re)binds, at any depth of it (not inside functions)."""
    out = set()
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Global):
            out.update(node.names)
        todo.extend(ast.iter_child_nodes(node))
    return out


def read_source(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()
