"""The rubric covers every item with the assignment's points, and its loader rejects typos."""
import ast
import re
import string
from pathlib import Path

import pytest

from autograder.rubric import RubricError, load
from autograder.targets import resolve
from conftest import REPO, TEMPLATE

ASSIGNMENT = {  # from ../shared/assignment/README.md
    "1": {"a": 1, "b": 2, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1, "i": 1, "j": 1, "k": 1, "l": 3},
    "2": {"a": 2, "b": 2, "c": 1, "d": 2, "e": 2, "f": 2, "g": 2, "h": 2, "i": 3, "j": 3, "k": 2, "l": 2,
          "m": 2, "n": 3, "o": 2},
    "3": {"a": 3, "b": 2, "c": 2, "d": 2, "e": 2},
}
BONUS = {"2.e", "2.f", "3.c", "3.d", "3.e"}


def test_every_item_with_its_points(rubric):
    expected = {"%s.%s" % (q, l): p for q, items in ASSIGNMENT.items() for l, p in items.items()}
    got = {i.id: i.points for i in rubric.items}
    assert got == expected
    assert {i.id for i in rubric.items if i.bonus} == BONUS
    assert rubric.regular_points == 48 and rubric.bonus_points == 10


def test_every_check_points_to_a_template_function(rubric):
    tree = ast.parse(TEMPLATE.read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    used = set(rubric.functions())
    assert used <= defined, used - defined
    assert defined <= used, "template functions no check grades: %s" % (defined - used)


def test_every_expected_value_resolves(rubric):
    for item in rubric.items:
        for check in item.checks:
            for name in [check.opt("expect")] + list(check.opt("variants", [])):
                if name:
                    assert callable(resolve(name)), (item.id, check.id, name)


def test_messages_in_both_languages(rubric):
    for item in rubric.items:
        assert item.title.fr and item.title.en
        for check in item.checks:
            assert check.fail.fr and check.fail.en, (item.id, check.id)
            # students read the title, never the internal id (en_zero, x_egal_u, arrivee)
            assert check.title.fr and check.title.en and check.id not in (check.title.fr, check.title.en), \
                (item.id, check.id)


def test_the_checks_texts_are_rubric_messages(rubric):
    """Every text a check writes comes from rubric.yaml's messages (ctx.text, ctx.msg): each key
    the checks name exists (a key only a rare failure reaches would otherwise raise there, in
    front of a student), its fr and en fill the same {fields}, and no inline text is left."""
    fields = {k: [{f for _, f, *_ in string.Formatter().parse(getattr(t, lang)) if f} for lang in ("fr", "en")]
              for k, t in rubric.messages.items()}
    assert [k for k, (fr, en) in fields.items() if fr != en] == []
    missing = []
    for path in sorted((REPO / "autograder").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.args
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == "ctx"):
                continue
            assert call.func.attr != "t", "%s:%d: an inline text; put it in rubric.yaml's messages" % (
                path.name, call.lineno)
            if call.func.attr not in ("text", "msg"):
                continue
            for name, whole in _message_keys(call.args[0]):
                if not (name in fields if whole else any(k.startswith(name) for k in fields)):
                    missing.append("%s:%d %s" % (path.name, call.lineno, name))
    assert missing == []


def _message_keys(node) -> list:
    """(key, whole) a message key expression names: "k", a if c else b, or a prefix "diff_" + kind."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, True)]
    if isinstance(node, ast.IfExp):
        return _message_keys(node.body) + _message_keys(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return [(node.left.value, False)]
    return []


def test_the_feedback_policy_is_a_rubric_setting(tmp_path):
    assert load().reveal_expected == "never"
    text = (REPO / "autograder" / "rubric.yaml").read_text(encoding="utf-8")
    p = tmp_path / "rubric.yaml"
    p.write_text(text.replace("feedback: {reveal_expected: never,", "feedback: {reveal_expected: after_due_date,"),
                 encoding="utf-8")
    assert load(p).reveal_expected == "after_due_date"
    p.write_text(text.replace("feedback: {reveal_expected: never,", "feedback: {reveal_expected: soon,"),
                 encoding="utf-8")
    with pytest.raises(RubricError, match="reveal_expected"):
        load(p)


def _broken(tmp_path, old, new):
    text = (REPO / "autograder" / "rubric.yaml").read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "rubric.yaml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old,new,pattern", [
    ("    kind: values\n", "    kind: valeurs\n", r"line \d+: unknown kind 'valeurs'"),
    ("    pointwise: true\n", "    pointwize: true\n", r"line \d+: check valeurs: unknown key\(s\) for kind values: pointwize"),
    ("  points: 3\n  checks:\n  - id: x_egal_u", "  points: 4\n  checks:\n  - id: x_egal_u",
     r"item 1.l: its checks add up to 3 points, not 4"),
    ("    points: 0.5\n", "    points: 0.3\n", r"multiple of 0.25"),
    ("    requires: valeurs\n", "    requires: valeur\n", r"requires 'valeur'"),
])
def test_typos_name_the_line_and_key(tmp_path, old, new, pattern):
    with pytest.raises(RubricError, match=pattern):
        load(_broken(tmp_path, old, new))


def test_totals_are_enforced(tmp_path):
    p = _broken(tmp_path, '- id: "1.a"\n  title', '- id: "1.a"\n  bonus: true\n  title')
    with pytest.raises(RubricError, match="47 \\+ 11 bonus"):
        load(p)


def test_load_failure_texts_come_from_the_rubric_unchanged():
    """Why a file did not load is said with the rubric's load_* messages; the texts are those the
    grader wrote before they moved into rubric.yaml, byte for byte."""
    from autograder import grading, pyerrors
    rubric = load()

    def said(lang, **err):
        return grading._load_failed(rubric, lang, err).message
    explained = pyerrors.explained("SyntaxError", "invalid syntax", "fr")
    assert said("fr", type="SyntaxError", line=3, message="invalid syntax", text="def f(:") == (
        "Erreur de syntaxe ligne 3 : " + explained + "\n    def f(:")
    assert said("en", type="ModuleNotFoundError", message="No module named 'scipy'") == (
        "The file imports a module that is not available: No module named 'scipy'. Only numpy and outils are.")
    assert said("fr", type="ModuleNotFoundError", message="No module named 'scipy'") == (
        "Le fichier importe un module introuvable : No module named 'scipy'. Seuls numpy et outils sont disponibles.")
    assert said("fr", type="Load:timeout") == ("Le chargement du fichier n'a pas abouti (délai dépassé) : du code "
                                               "exécuté à l'import (hors des fonctions) boucle ou plante.")
    assert said("en", type="Load:too_big") == ("Loading the file did not finish (answer too large): code run at "
                                               "import (outside functions) loops or crashes.")
    assert "n'a pas abouti (other) :" in said("fr", type="Load:other")          # an unknown kind, as is
    explained = pyerrors.explained("NameError", "name 'foo' is not defined", "fr")
    assert said("fr", type="NameError", line=12, message="name 'foo' is not defined") == (
        "Le fichier échoue à l'import (ligne 12) : " + explained)
    explained = pyerrors.explained("ZeroDivisionError", "division by zero", "en")
    assert said("en", type="ZeroDivisionError", message="division by zero") == (
        "The file fails on import: " + explained)
