"""Issue 11: correct work in real student habits keeps its points, every stated rule is graded,
and the feedback names the right thing. One test per kind; the cases are data in
tests/student_habits.py, graded once (2 processes) and checked kind by kind."""
import numpy as np
import pytest

import corpora
from student_habits import CASES

from conftest import REPO


@pytest.fixture(scope="module")
def graded():
    """{case: (status, {item: (points, max, all its messages)})}, every case graded once
    (tests/corpora.py: shared with the self-check parity test)."""
    return {name: (items.status, {i: (r[0], r[1], "\n".join(c.message for c in r.checks.values()))
                                  for i, r in items.items()})
            for name, items in corpora.graded(corpora.habits()).items()}


def _problems(case, status, items):
    out = []
    if status != "graded":
        return ["%s: status %s" % (case.name, status)]
    for item, (pts, mx, msgs) in items.items():
        want = case.points.get(item, mx if case.others else None)
        if want is not None and pts != want:
            out.append("%s: %s got %s, expected %s (%s)" % (case.name, item, pts, want, msgs.replace("\n", " | ")))
    for item, text in case.says.items():
        if text not in items[item][2]:
            out.append("%s: %s does not say %r: %s" % (case.name, item, text, items[item][2]))
    for item, texts in case.never_says.items():
        for text in texts:
            if text in items[item][2]:
                out.append("%s: %s says %r: %s" % (case.name, item, text, items[item][2]))
    return out


def test_every_case_has_a_kind_and_at_least_three_per_kind():
    kinds = [c.kind for c in CASES]
    assert len({c.name for c in CASES}) == len(CASES)
    for k in set(kinds):
        assert kinds.count(k) >= 3, k


@pytest.mark.parametrize("kind", sorted({c.kind for c in CASES}))
def test_kind(graded, kind):
    problems = []
    for case in CASES:
        if case.kind == kind:
            problems += _problems(case, *graded[case.name])
    assert not problems, "\n".join(problems)


# ---- 8. no silent constant: == and != on a symbol are conditions the grader reads
def _tracer():
    import importlib.util
    spec = importlib.util.spec_from_file_location("outils_under_test", REPO / "student_template" / "outils.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("write, at_zero, elsewhere", [
    (lambda o, x: o.indicatrice(x == 0), 1.0, 0.0),
    (lambda o, x: o.indicatrice(x != 0), 0.0, 1.0),
    (lambda o, x: o.indicatrice(np.equal(x, 0)), 1.0, 0.0),
    (lambda o, x: 1 - o.indicatrice(x == 0) - 2 * o.indicatrice(x < 0), 0.0, 1.0),   # sign(x) at 0 and 1
])
def test_equality_conditions_are_traced_not_constant(write, at_zero, elsewhere):
    from autograder import symbolic, wire
    o = _tracer()
    traced = write(o, o.Symbole(("sym", "x")))
    assert isinstance(traced, o.Symbole) and symbolic.symbols_of(traced.node) == {"x"}
    tree = wire.tree(_as_lists(traced.node), [wire.MAX_TREE])       # crosses the wire
    got = symbolic.evaluate(tree, {"x": np.array([0.0, 1.0])})
    assert list(got) == [at_zero, elsewhere]


def test_if_on_an_equality_still_says_use_indicatrice():
    o = _tracer()
    with pytest.raises(TypeError, match="indicatrice"):
        if o.Symbole(("sym", "x")) == 0:
            pass


def _as_lists(node):
    if node[0] in ("num", "sym"):
        return list(node)
    return [node[0]] + [_as_lists(a) for a in node[1:]]


# ---- 4 and 5. the template's docstrings and the rubric's checks say the same thing
def _docstrings():
    import ast
    tree = ast.parse((REPO / "student_template" / "devoir3.py").read_text(encoding="utf-8"))
    return {n.name: ast.get_docstring(n) or "" for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_docstrings_state_what_is_graded_and_nothing_ungraded(rubric):
    docs = _docstrings()
    checks = {(it.id, c.id): c for it in rubric.items for c in it.checks}
    # a source check's required name is in the function's docstring (1.k diag, 2.c exp)
    for (item, cid), c in checks.items():
        if c.kind == "uses_name":
            assert any(n in docs[c.function] for n in c.opt("names")), (item, cid)
    assert ("2.c", "avec_exp") in checks and "exp" in docs["q2c_softmax"]
    # 2.a, 2.k, 2.m, 2.o: how a value is written is not graded, so no docstring demands it
    assert "somme sur k" not in docs["q2a_preactivation_j"]
    assert not [fn for fn, doc in docs.items() if "sous forme" in doc]
    # 2.e: the docstring asks a finite loss at |o^a| ≈ 1000, and the check asks exactly that
    assert "finie" in docs["q2e_perte_ce"] and "exacte" not in docs["q2e_perte_ce"]
    stable = checks[("2.e", "stable")]
    assert stable.opt("within") and not stable.opt("expect")
    # 2.f: the conclusion is judged on the student's own limits, and the docstring says so
    assert checks[("2.f", "conclusion")].opt("premises") and "VOS" in docs["q2f_limites"]
    # 3.a: the assignment's own order is accepted, and the docstring says so
    assert "(hauteur, largeur, canaux)" in docs["q3a_formes"]


# ---- 2. an unread function crosses the wire as a name on an allowlist of characters, nothing more
@pytest.mark.parametrize("node, ok", [
    (["unread", "np.arctan", ["sym", "x"]], True),
    (["unread", "np.arctan2", ["sym", "x"], ["num", 1]], True),
    (["unread", "os.system('rm')", ["sym", "x"]], False),
    (["unread", 5, ["sym", "x"]], False),
    (["unread", "np.arctan"], False),
    (["unread", "np.f", ["num", 1], ["num", 1], ["num", 1], ["num", 1]], False),
    (["eq", ["sym", "x"], ["num", 0]], True),
    (["eq", ["sym", "x"]], False),
])
def test_wire_reads_unread_and_equality_nodes_strictly(node, ok):
    from autograder import wire
    if ok:
        assert wire.tree(node, [wire.MAX_TREE])[0] == node[0]
    else:
        with pytest.raises(wire.WireError):
            wire.tree(node, [wire.MAX_TREE])
