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

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("misconceptions.yaml")


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
