"""Python's and numpy's own English error texts, explained in the student's language.

The explanations are data (python_errors.yaml, beside the rubric); the original text
follows the explanation, so nothing is lost for a student who searches it.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from .rubric import yaml_loader

DATA = Path(__file__).with_name("python_errors.yaml")


@functools.lru_cache(maxsize=1)
def _table():
    import yaml
    with open(DATA, encoding="utf-8") as f:
        raw = yaml.load(f, Loader=yaml_loader())  # noqa: S506 - a safe loader
    errors = []
    for e in raw["errors"]:
        types = e["type"] if isinstance(e["type"], list) else [e["type"]]
        errors.append((set(types), re.compile(e["match"], re.I), e["fr"], e["en"]))
    warnings = [(re.compile(w["match"], re.I), w["fr"], w["en"]) for w in raw["warnings"]]
    return errors, warnings


def explain(etype: str, message: str, lang: str) -> str:
    """The explanation of an exception (type name, message), or "" when none is known."""
    for types, pattern, fr, en in _table()[0]:
        if etype in types and pattern.search(message or ""):
            return en if lang == "en" else fr
    return ""


def explained(etype: str, message: str, lang: str) -> str:
    """"explanation (original: Type: message)", or "Type: message" when nothing is known."""
    original = "%s : %s" % (etype, message) if message else etype
    text = explain(etype, message, lang)
    if not text:
        return original
    return "%s (%s %s)" % (text, "original :" if lang != "en" else "original:", original)


# An absolute path up to a .py file: the sandbox's work folder (random without namespaces, so it
# would make two gradings of one file differ) or the grader's own folders.
_PATH = re.compile(r"(?<![\w.])/(?:[^\s/:'\"()<>]+/)+(?=[\w.-]+\.py\b)")


def without_paths(log: str) -> str:
    """What the student's code printed, with every folder before a .py file name removed
    ("/tmp/ag-sandbox-x1/travail/devoir3.py:12" becomes "devoir3.py:12")."""
    return _PATH.sub("", log)


WARNING = re.compile(r"^(?P<path>[^\n]*?)(?P<file>[\w.-]+\.py):(?P<line>\d+): RuntimeWarning: (?P<msg>[^\n]*)\n"
                     r"(?P<code>[ \t]+[^\n]*\n?)?", re.M)


def warnings_text(log: str, lang: str) -> str:
    """numpy's RuntimeWarnings in what the student's code printed, in the student's language: a
    warning raised inside outils.py is attributed to outils without the grader's paths."""
    fr = lang != "en"

    def one(m):
        kind = next(((f if fr else e) for p, f, e in _table()[1] if p.search(m.group("msg"))), m.group("msg"))
        if m.group("file") == "outils.py":
            where = "dans une fonction de outils appelée par votre code" if fr else \
                "inside an outils function called by your code"
        else:
            where = ("%s, ligne %s" if fr else "%s, line %s") % (m.group("file"), m.group("line"))
        head = "Avertissement de numpy" if fr else "numpy warning"
        text = ("%s (%s) : %s [RuntimeWarning: %s]\n" if fr else "%s (%s): %s [RuntimeWarning: %s]\n") % (
            head, where, kind, m.group("msg"))
        if m.group("file") != "outils.py" and m.group("code"):
            text += m.group("code") if m.group("code").endswith("\n") else m.group("code") + "\n"
        return text
    return WARNING.sub(one, log)
