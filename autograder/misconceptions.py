"""The misconception catalogue (misconceptions.yaml, beside the rubric): one source of truth for
the mutation analysis (bench/mutants.py builds each wrong submission from it) and for the
diagnosis a student reads when an answer behaves like a catalogued mistake.

Entry: id, item (the item the diagnosis belongs to), function, change (a new body, or
{pattern, replace} inside the function of examples/submissions/full_marks/devoir3.py),
loses (the items that must lose points), fr/en (the diagnosis: names the misconception,
never the answer; the instructors' text, in the batch report), student (what a student
reads instead: {fr, en} saying what to review rather than which edit to make, or false when
the item is graded together and no diagnosis may say which part is wrong; default fr/en),
why ({fr, en}: the instructors' note, in the batch report's language), diagnose (false when
the mistake cannot be told from the answer's values, e.g. a right value written in a form the
item forbids).

How a diagnosis is made: autograder/diagnosis.py.
"""
from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .rubric import yaml_loader

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
    why: tuple = ("", "")    # (fr, en): the instructors' note
    diagnose: bool = True
    student: object = None    # None: fr/en; False: instructors only; else (fr, en)

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr

    def why_text(self, lang: str) -> str:
        """The instructors' note on why the mistake is worth keeping ("" when none)."""
        return self.why[1] if lang == "en" else self.why[0]

    def student_text(self, lang: str) -> str:
        """The diagnosis a student reads ("" for instructors only)."""
        if self.student is False:
            return ""
        if self.student is None:
            return self.text(lang)
        return self.student[1] if lang == "en" else self.student[0]


@functools.lru_cache(maxsize=1)
def load(path: str | None = None) -> tuple:
    import yaml
    p = Path(path) if path else CATALOGUE
    if not p.exists():
        return ()
    with open(p, encoding="utf-8") as f:
        raw = yaml.load(f, Loader=yaml_loader()) or []  # noqa: S506 - a safe loader
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
        student = e.get("student")
        if isinstance(student, dict) and isinstance(student.get("fr"), str) and isinstance(student.get("en"), str):
            student = (student["fr"].strip(), student["en"].strip())
        elif student is not None and student is not False:
            raise ValueError("misconceptions.yaml: %r: student must be {fr, en} or false" % e["id"])
        why = e.get("why") or {"fr": "", "en": ""}
        if not (isinstance(why, dict) and isinstance(why.get("fr"), str) and isinstance(why.get("en"), str)):
            raise ValueError("misconceptions.yaml: %r: why must be {fr, en}" % e["id"])
        out.append(Misconception(str(e["id"]), str(e["item"]), e["function"], change, loses,
                                 e["fr"].strip(), e["en"].strip(), (why["fr"].strip(), why["en"].strip()),
                                 bool(e.get("diagnose", True)), student))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def by_id() -> dict:
    return {m.id: m for m in load()}


def diagnosis(mid: str, lang: str) -> str:
    """The diagnosis a student reads ("" when it is for the instructors only, or unknown)."""
    m = by_id().get(mid)
    return m.student_text(lang) if m else ""


# ---------------------------------------------------------------------------- editing
def function_span(source: str, function: str, tree=None):
    """(first line, first line of the body after its docstring, end) of def function, 0-based;
    tree: the source already parsed (ast.parse), when several functions are looked up."""
    tree = tree or ast.parse(source)
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
    start, body_start, end = function_span(source, function)
    if isinstance(change, str):
        body = "".join("    " + ln + "\n" if ln.strip() else "\n" for ln in change.strip("\n").split("\n"))
        return "".join(lines[:body_start]) + body + "".join(lines[end:])
    pattern, repl = change
    text = "".join(lines[start:end])
    new, count = re.subn(pattern, repl, text)
    if count == 0:
        raise ValueError("edit of %s: pattern %r not found" % (function, pattern))
    return "".join(lines[:start]) + new + "".join(lines[end:])
