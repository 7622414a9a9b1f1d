"""The example submissions earn exactly the scores recorded beside them.

Every folder examples/submissions/<name>/ with an expected.yaml is graded once (the
reports are cached for the session) and each of its 32 items is a test of its own, so
that a disagreement names the submission and the item. The expected scores were
derived by hand from the rubric's sub-checks, not copied from the grader: where the
grader is known to be wrong, the item carries `grader_defect` (why) and
`grader_gives` (what it awards today) and its test is a strict xfail, so it turns
into a failure the day the grader is fixed and the marker must be removed.

Also here: the full-marks example earns every point, the blank template earns 0 with
a "not implemented" message on every item, and grading is deterministic.

Runtime: about 25 s, mostly broken_pieces, whose infinite loop waits for the per-call
time limit (5 s) twice (once in-process, once through run_autograder).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import FULL_MARKS, REPO, TEMPLATE, flow_env

EXAMPLES = REPO / "examples" / "submissions"
EXPECTED = sorted(EXAMPLES.glob("*/expected.yaml"))
ITEM_IDS = ["1." + c for c in "abcdefghijkl"] + ["2." + c for c in "abcdefghijklmno"] + \
    ["3." + c for c in "abcde"]


def _load_expected(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _name(path: Path) -> str:
    return path.parent.name


class _Reports:
    """Grade each submission once, on first use, as the batch does: each child forked by one
    warm process (sandbox/warm.py), or started alone if it cannot start. (The determinism test
    grades again with a child started alone: both ways must give the same results.json.)"""

    def __init__(self, rubric):
        self.rubric = rubric
        self._cache = {}
        try:
            from autograder.sandbox.warm import WarmServer
            self.warm = WarmServer.start()
        except OSError:
            self.warm = None

    def __getitem__(self, name: str):
        if name not in self._cache:
            from autograder.grading import grade_file, limits_from
            from autograder.sandbox.runner import Sandbox, sandbox_user
            path = EXAMPLES / name / "devoir3.py"
            warm = self.warm if self.warm is not None and self.warm.alive() else None
            sandbox = Sandbox(path, limits_from(self.rubric), user=sandbox_user(), warm=warm)
            self._cache[name] = grade_file(path, self.rubric, sandbox=sandbox)
        return self._cache[name]

    def close(self):
        if self.warm is not None:
            self.warm.close()


@pytest.fixture(scope="session")
def reports(rubric):
    reports = _Reports(rubric)
    yield reports
    reports.close()


def _item(report, item_id):
    return next(i for i in report.items if i.id == item_id)


def _item_params():
    params = []
    for path in EXPECTED:
        expected = _load_expected(path)
        for item_id, exp in expected["items"].items():
            marks = []
            if exp.get("grader_defect"):
                marks.append(pytest.mark.xfail(strict=True, reason="grader defect: " + " ".join(
                    str(exp["grader_defect"]).split())))
            params.append(pytest.param(_name(path), item_id, exp, marks=marks,
                                       id="%s-%s" % (_name(path), item_id)))
    return params


def _total_params():
    params = []
    for path in EXPECTED:
        expected = _load_expected(path)
        defects = [i for i, e in expected["items"].items() if e.get("grader_defect")]
        marks = [pytest.mark.xfail(strict=True, reason="grader defect on item(s) %s" % ", ".join(defects))] \
            if defects else []
        params.append(pytest.param(_name(path), expected, marks=marks, id=_name(path)))
    return params


# ------------------------------------------------------------------ the files
def test_there_are_realistic_examples():
    names = {_name(p) for p in EXPECTED}
    assert len(names) >= 5, names
    assert {"typical_mistakes", "partial", "unusual_but_correct", "fragile_numerics",
            "broken_pieces"} <= names


@pytest.mark.parametrize("path", EXPECTED, ids=_name)
def test_expected_file_is_complete(path, rubric):
    """Every item, with its points within range; every lost point explained."""
    expected = _load_expected(path)
    items = expected["items"]
    assert list(items) == [i.id for i in rubric.items] == ITEM_IDS
    for item in rubric.items:
        exp = items[item.id]
        assert 0 <= exp["score"] <= item.points, item.id
        if exp["score"] < item.points or exp.get("grader_defect"):
            assert exp.get("comment") or exp.get("grader_defect"), "%s: say why it loses points" % item.id
        if exp.get("grader_defect"):
            assert "grader_gives" in exp, item.id
    regular = sum(items[i.id]["score"] for i in rubric.items if not i.bonus)
    bonus = sum(items[i.id]["score"] for i in rubric.items if i.bonus)
    assert expected["total"] == {"regular": pytest.approx(regular), "bonus": pytest.approx(bonus)}


# ------------------------------------------------------- scores, item by item
@pytest.mark.parametrize("name, item_id, exp", _item_params())
def test_item_score(reports, name, item_id, exp):
    item = _item(reports[name], item_id)
    shown = "; ".join("%s %s/%s %s" % (c.id, c.points, c.max_points, c.message) for c in item.checks
                      if not c.passed)
    assert item.points == pytest.approx(exp["score"], abs=1e-9), "%s %s: %s" % (name, item_id, shown)
    if "status" in exp:
        assert item.status == exp["status"]


@pytest.mark.parametrize("name, expected", _total_params())
def test_totals(reports, name, expected):
    report = reports[name]
    assert report.status == "graded"
    assert (report.regular, report.bonus) == (pytest.approx(expected["total"]["regular"]),
                                              pytest.approx(expected["total"]["bonus"]))


def test_broken_pieces_cost_only_their_items(reports):
    """The time-out restarts the child: everything graded after 2.l is still graded."""
    report = reports["broken_pieces"]
    kinds = {(i.id, c.kind) for i in report.items for c in i.checks if not c.passed}
    assert ("2.l", "timeout") in kinds
    assert ("1.f", "exception") in kinds
    assert "devoir3.py chargé" in report.student_output
    assert all(i.status == "graded" for i in report.items)


# ------------------------------------------- the same through run_autograder
@pytest.mark.parametrize("name", ["typical_mistakes", "broken_pieces"])
def test_gradescope_flow_gives_the_recorded_scores(tmp_path, rubric, name):
    """run_autograder on a relocated root: a valid results.json with the recorded scores."""
    from gradescope_spec import problems
    expected = _load_expected(EXAMPLES / name / "expected.yaml")
    assert not any(e.get("grader_defect") for e in expected["items"].values())
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copyfile(EXAMPLES / name / "devoir3.py", root / "submission" / "devoir3.py")
    subprocess.run([str(REPO / "run_autograder")], env=flow_env(root),
                   check=True, timeout=300, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert problems(data) == []
    scores = {t["number"]: t["score"] for t in data["tests"] if t.get("number") in ITEM_IDS}
    assert scores == {i: pytest.approx(e["score"]) for i, e in expected["items"].items()}
    assert data["score"] == pytest.approx(expected["total"]["regular"] + expected["total"]["bonus"])


# ------------------------------------------------------- full marks and blank
def test_full_marks_earns_every_point(full_marks_report, rubric):
    assert full_marks_report.status == "graded"
    for item in full_marks_report.items:
        assert item.full, (item.id, [(c.id, c.message) for c in item.checks if not c.passed])
    assert full_marks_report.regular == pytest.approx(48)
    assert full_marks_report.bonus == pytest.approx(10)


def test_blank_template_earns_zero_with_not_implemented(rubric):
    from autograder import feedback
    from autograder.grading import grade_file
    report = grade_file(TEMPLATE, rubric)
    assert report.status == "graded"
    assert [i.id for i in report.items] == ITEM_IDS
    for item in report.items:
        assert item.points == 0, item.id
        assert item.status == "not_implemented", item.id
        text = feedback.item_text(item, "fr", reveal=False)
        assert "n'est pas encore implémentée (NotImplementedError)" in text, (item.id, text)
    data = feedback.results_json(report, rubric, "fr")
    assert data["score"] == 0
    tests = [t for t in data["tests"] if t.get("number") in ITEM_IDS]
    assert len(tests) == len(ITEM_IDS)
    for t in tests:
        assert t["score"] == 0 and t["output"].startswith("[non implémenté]"), t["number"]


# ---------------------------------------------------------------- determinism
def _without_timings(data):
    data = json.loads(json.dumps(data))
    data.pop("execution_time", None)
    for t in data.get("tests", []):
        t.pop("execution_time", None)
    return data


@pytest.mark.parametrize("name", ["typical_mistakes", "fragile_numerics"])
def test_grading_is_deterministic(reports, rubric, name):
    """The same submission graded twice gives the same results.json (timings aside).

    Both examples make numpy print RuntimeWarnings, quoted in results.json with the
    path of the student's file: the sandbox's work folder must not vary between runs.
    """
    from autograder import feedback
    from autograder.grading import grade_file
    first = feedback.results_json(reports[name], rubric, "fr")
    second = feedback.results_json(grade_file(EXAMPLES / name / "devoir3.py", rubric), rubric, "fr")
    assert "RuntimeWarning" in first["output"]
    assert _without_timings(first) == _without_timings(second)


def test_full_marks_is_an_example_too():
    assert FULL_MARKS.is_file()
