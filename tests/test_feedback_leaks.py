"""Nothing a student sees before the due date gives the answer away (issue 10).

Students resubmit without limit until the due date. Graded here: every catalogued mistake
(autograder/misconceptions.yaml, packed a few per file: one mistake per function and file) and
files whose every function returns one constant of a type (zeros, ones, strings, empty
containers, None, nan, wrong shapes). For every item, the text Gradescope shows at once must
hold none of the answer key's expected values (at the precision shown), expected shapes or Q3
numbers, and no formula of the answer key; and the default results hold no test that stays
hidden until a later date (such a test hides the student's total score until then).

About 40 s on 2 idle cores (about 20 gradings in 2 processes).
"""
from __future__ import annotations

import math
import re
import time
from datetime import datetime, timezone

import numpy as np
import pytest

from autograder import budget, checks, feedback, misconceptions, targets
from autograder.rubric import Text
from bench import mutants
from conftest import TEMPLATE

LATER = {"after_due_date", "after_published"}
CONSTANTS = ["0", "1", "-1.5", '"abc"', "[]", "{}", "None", "float('nan')", "np.zeros((2, 2))",
             "[[1.0, 2.0], [3.0, 4.0]]", "True", '{"k": 1}', "np.ones((3, 1))"]
# Formulas of the answer key (as the rubric used to write them), compared without spaces.
FORMULAS = ["σ(z)(1−σ(z))", "σ(x)(1−σ(x))", "(h^s)ᵀ", "(W2)ᵀ", "o^s−onehot", "σ(o^a)−y", "⌊",
            "c_out×c_in", "−o^a_y+log", "SSᵀ,unematrice", "W^(1)x+b^(1)", "W^(2)h^s+b^(2)",
            "(m,d_h)", "(d_h,1)", "exp(o^a_k)/Σ", "(∂L/∂o^a_k)h^s_j", "Σ_k(∂L/∂o^a_k)W2_kj",
            "⊙σ'(h^a)", "e_i−S", "(1/n)Σ", "c≠1", "sign(x_i)", "argmin", "(∂L/∂h^s_j)σ'",
            "Σ_jS_j", "1{i=j}−S_iS_j", "=o^s_k", "−1.", "(σ(o^a)−y)²", "canaux×hauteur",
            "unecomposanteparneurone", "touslespoidsetbiais", "mpool5×5", "(pasde5)",
            "0parconvention", "xnonconstant", "soustrayezmax", "écrivez-laavecsoftplus"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _packs(entries):
    packs = []
    for e in entries:
        for pack in packs:
            if e.function not in pack:
                pack[e.function] = e
                break
        else:
            packs.append({e.function: e})
    return packs


def _constant_file(const: str) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    import ast
    names = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    for fn in names:
        text = misconceptions.apply_edit(text, fn, "return " + const)
    return text


@pytest.fixture(scope="module")
def graded(rubric):
    """{name: Report}, graded in process pools as the mutation analysis does."""
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    jobs = []
    for n, pack in enumerate(_packs(misconceptions.load())):
        text = base
        for fn, e in pack.items():
            text = misconceptions.apply_edit(text, fn, e.change)
        jobs.append(("catalogue%d" % n, text))
    for k, const in enumerate(CONSTANTS):
        jobs.append(("constant%d" % k, _constant_file(const)))
    return _reports(jobs)


def _grade_one(job):
    import tempfile
    from pathlib import Path

    from autograder.grading import grade_file
    from autograder.rubric import load
    from autograder.sandbox.runner import SandboxError
    name, text = job
    with tempfile.TemporaryDirectory(prefix="ag-leak-") as tmp:
        path = Path(tmp) / "devoir3.py"
        path.write_text(text, encoding="utf-8")
        for attempt in range(mutants.ATTEMPTS):     # as the mutation analysis: a busy machine's
            try:                                   # failed start (fork: EAGAIN) is retried
                return name, grade_file(path, load())
            except SandboxError:
                if attempt == mutants.ATTEMPTS - 1:
                    raise
                from autograder.sandbox import runner
                getattr(runner, "_NAMESPACES", {})["ok"] = None
                time.sleep(1.0)


def _reports(jobs):
    from autograder.stopping import pool_map
    return dict(pool_map(_grade_one, jobs, 2, mutants.init_pool_worker))     # warm processes


def _shown(value) -> set:
    """A number as the feedback could print it."""
    out = set()
    for v in np.asarray(value, dtype=float).reshape(-1):
        if not math.isfinite(v):
            continue
        s = "%.6g" % v
        if len(s.lstrip("-").replace(".", "").lstrip("0")) >= 4:   # 4+ significant digits: not 0, 1, 0.5
            out.add(s)
            out.add(("%.6f" % v).rstrip("0"))
    return out


def _expected_tokens(rubric) -> dict:
    """{item id: {strings of expected values, shapes and Q3 numbers}}."""
    from reference import conv
    out = {}
    for item in rubric.items:
        toks = set()
        ctx = checks.Ctx(None, rubric, "fr", item)
        for check in item.checks:
            if check.kind in ("values", "property", "exact") and check.opt("expect"):
                expect = targets.resolve(check.opt("expect"))
                rename = check.opt("rename", {})
                keys = [next((k for k, v in rename.items() if v == a), a) for a in check.opt("args", [])]
                for case in checks.cases_for(ctx, check):
                    want = expect(*[case[k] for k in keys])
                    if isinstance(want, dict):
                        for w in want.values():
                            shape = (w[1], 1) if isinstance(w, tuple) and w and w[0] == "vector" else tuple(w)
                            toks.add(str(shape))
                    elif isinstance(want, tuple) and want and want[0] == "vector":
                        toks.add(str((want[1], 1)))
                    elif not (isinstance(want, (list, tuple)) and want and isinstance(want[0], str)):
                        toks |= _shown(want)          # (θ's names are in the template's docstring)
        if item.id == "3.a":
            shapes = conv.q3a_shapes()
            toks |= {str(tuple(s)) for s in shapes} | {str(math.prod(shapes[-1]))}
        if item.id == "3.b":
            toks.add(str(conv.q3b_params()))
        own = " ".join(t(lang) for lang in ("fr", "en") for t in [item.title] + [c.title for c in item.checks]
                       + [c.fail for c in item.checks])
        out[item.id] = toks - set(NUMBER.findall(own))   # the rubric's own words (|o^a| ≈ 1000)
    return out


def _visible(data: dict) -> dict:
    """{item id: the text Gradescope shows now}, plus "*" for the whole-submission text."""
    out = {"*": data.get("output", "")}
    for t in data["tests"]:
        if t.get("visibility", "visible") in ("visible",):
            out[t.get("number", t.get("name"))] = t.get("name", "") + "\n" + t.get("output", "")
    return out


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?|\(\d+(?:, \d+)*\)")


def test_no_visible_feedback_gives_the_answer(graded, rubric):
    tokens = _expected_tokens(rubric)
    found = []
    for name, report in graded.items():
        for lang in ("fr", "en"):
            data = feedback.results_json(report, rubric, lang)
            assert not [t for t in data["tests"] if t.get("visibility") in LATER], name
            for number, text in _visible(data).items():
                if number == "*":
                    text = text.split("Ce que votre code a affiché")[0].split("What your code printed")[0]
                flat = _flat(text)
                for f in FORMULAS:
                    if _flat(f) in flat:
                        found.append((name, lang, number, "formula " + f))
                for tok in set(NUMBER.findall(text)):
                    if tok in tokens.get(number, ()):
                        found.append((name, lang, number, "expected value " + tok, text))
                if re.search(r"\battendu\s*:|\bexpected\s*:", text):
                    found.append((name, lang, number, "'attendu :'"))
    assert not found, "\n".join(map(str, found[:40]))


def test_every_item_was_answered_wrongly(graded, rubric):
    """The leak test is only worth something if every item failed somewhere in it."""
    lost = {i.id for r in graded.values() for i in r.items if i.points < i.max_points}
    assert lost == {i.id for i in rubric.items}


def test_rubric_and_catalogue_texts_state_no_answer_formula(rubric):
    texts = [("message " + k, t) for k, t in rubric.messages.items()]
    texts += [("%s/%s" % (i.id, c.id), c.fail) for i in rubric.items for c in i.checks]
    texts += [("misconception " + m.id, Text(m.fr, m.en)) for m in misconceptions.load()]
    texts += [("student text of " + m.id, Text(m.student_text("fr"), m.student_text("en")))
              for m in misconceptions.load()]
    bad = [(where, f) for where, t in texts for f in FORMULAS
           if _flat(f) in _flat(t.fr) or _flat(f) in _flat(t.en)]
    assert not bad, bad


def test_default_policy_reveals_nothing_later(rubric):
    assert rubric.reveal_expected == "never"


def _masked(text: str) -> str:
    """An item's text without its marks and scores."""
    return re.sub(r"^[✓✗] (.*) \([\d.]+/([\d.]+)\)$", r"• \1 (/\2)", text, flags=re.M)


def test_beyond_the_budget_two_wrong_answers_read_the_same(graded, rubric):
    """Issue 16: once the feedback budget is spent, an item's text depends only on its score and
    on which sub-checks pass, for every catalogued mistake and every constant answer."""
    beyond = budget.Verdict(False, 3, 3, 24.0, datetime(2025, 3, 12, 9, 0, tzinfo=timezone.utc))
    texts = {}
    for report in graded.values():
        data = feedback.results_json(report, rubric, "fr", beyond)
        for item, test in zip(report.items, data["tests"]):
            if not item.full:
                texts.setdefault(item.id, set()).add(_masked(test["output"]))
    assert set(texts) == {i.id for i in rubric.items}
    assert not {k: v for k, v in texts.items() if len(v) > 1}


def test_within_the_budget_each_diagnosis_reaches_students_as_the_catalogue_says(graded, rubric):
    """Every catalogued mistake diagnosed keeps its diagnosis (the student text: what to review);
    a part graded together shows none; the precise text stays with the instructors."""
    by_id = misconceptions.by_id()
    seen = set()
    for report in graded.values():
        data = feedback.results_json(report, rubric, "fr")
        for item, test in zip(report.items, data["tests"]):
            assert test.get("extra_data", {}).get("misconceptions", []) == item.misconceptions
            for mid in item.misconceptions:
                m, seen = by_id[mid], seen | {mid}
                if m.student is not False:
                    assert "Diagnostic : " + m.student_text("fr") in test["output"], mid
                if m.student is not None:
                    assert m.fr not in test["output"], mid
    kinds = {"precise" if by_id[m].student is None else "review" if by_id[m].student else "none" for m in seen}
    assert kinds == {"precise", "review", "none"}
