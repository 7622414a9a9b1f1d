"""The Gradescope flow end to end, on a relocated root: run_autograder in, results.json out."""
import json
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.feedback import results_json
from autograder.grading import grade_file
from conftest import FULL_MARKS, REPO, TEMPLATE, flow_env, gradescope_root
from gradescope_spec import problems


def run_flow(tmp_path, files: dict, metadata: dict | None = None) -> dict:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    if metadata is not None:      # Gradescope writes it beside the submission
        (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    for name, content in files.items():
        p = root / "submission" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    subprocess.run([str(REPO / "run_autograder")], env=flow_env(root), check=True, timeout=300,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert problems(data) == []
    return data


def test_full_marks_earns_every_point(tmp_path, rubric):
    # beyond the feedback budget (3 diagnosed submissions in the 24 h before): every point still
    times = ["2025-03-11T%02d:00:00.000000-04:00" % h for h in (9, 10, 11, 12)]
    data = run_flow(tmp_path, {"devoir3.py": FULL_MARKS.read_bytes()}, {
        "created_at": times[-1], "previous_submissions": [{"submission_time": t, "score": 58.0} for t in times[:-1]]})
    assert data["output"].startswith("Rétroaction détaillée épuisée") and "mercredi 12 mars 2025 à 9 h 00" in data["output"]
    assert data["extra_data"]["feedback_budget"]["diagnosed"] is False
    tests = [t for t in data["tests"] if t.get("number") != "9.9"]
    assert [t["number"] for t in tests] == [i.id for i in rubric.items]
    assert all(t["status"] == "passed" for t in tests)
    assert data["score"] == 58
    bonus = {i.id for i in rubric.items if i.bonus}
    for t, item in zip(tests, rubric.items):
        assert t["score"] == item.points
        # bonus items are extra credit: max_score 0 so the autograder's total is 48
        assert t["max_score"] == (0 if item.id in bonus else item.points)
        assert ("bonus" in t["name"]) == (item.id in bonus)
    assert sum(t["max_score"] for t in tests) == 48


def test_blank_template_scores_zero_everywhere(tmp_path):
    data = run_flow(tmp_path, {"devoir3.py": TEMPLATE.read_bytes()})
    items = [t for t in data["tests"] if t.get("number") != "9.9"]
    assert len(items) == 32 and data["score"] == 0
    for t in items:
        assert t["score"] == 0
        assert "NotImplementedError" in t["output"] or "non implémenté" in t["output"], t


def test_missing_file_is_named(tmp_path):
    data = run_flow(tmp_path, {"notes.txt": "bonjour"})
    assert data["score"] == 0 and len(data["tests"]) >= 32
    assert "devoir3.py introuvable" in data["output"] and "notes.txt" in data["output"]


def test_misnamed_file_is_found_and_said(tmp_path):
    data = run_flow(tmp_path, {"travail/Devoir3.py": FULL_MARKS.read_bytes()})
    assert data["score"] == 58
    assert "Devoir3.py" in data["output"] and "nommez-le exactement devoir3.py" in data["output"]


def test_syntax_error_gives_the_line(tmp_path):
    src = FULL_MARKS.read_text(encoding="utf-8").replace("return 2 * x", "return 2 * x)", 1)
    line = src.splitlines().index("    return 2 * x)") + 1
    data = run_flow(tmp_path, {"devoir3.py": src})
    assert data["score"] == 0
    assert "Erreur de syntaxe ligne %d" % line in data["output"]


def test_import_error_names_the_module(tmp_path):
    """A module the grader does not have costs only the functions that use it (issue 11)."""
    src = "import torch\n" + FULL_MARKS.read_text(encoding="utf-8")
    data = run_flow(tmp_path, {"devoir3.py": src})
    assert data["score"] == 58 and "torch" in data["output"]


def test_latin1_file_is_read_with_a_note(tmp_path):
    src = FULL_MARKS.read_text(encoding="utf-8")  # has accents: é, à, ∂ ...
    data = run_flow(tmp_path, {"devoir3.py": src.encode("cp1252", errors="replace")})
    assert data["score"] == 58 and "UTF-8" in data["output"]


def test_one_broken_function_costs_its_item_only(tmp_path, rubric):
    src = FULL_MARKS.read_text(encoding="utf-8").replace(
        "return W2.T @ grad_oa", "raise ValueError('oups')", 1)
    data = run_flow(tmp_path, {"devoir3.py": src})
    by_number = {t["number"]: t for t in data["tests"]}
    assert by_number["2.m"]["score"] == 0.5          # the dimensions sub-check still earns
    assert "ValueError" in by_number["2.m"]["output"] and "oups" in by_number["2.m"]["output"]
    assert data["score"] == 58 - 1.5


@pytest.mark.skipif(shutil.which("strace") is None, reason="counts through strace, which is not installed")
def test_one_grading_starts_one_interpreter_and_imports_numpy_once(tmp_path):
    """Work counted, not timed (issue 17): at Gradescope's 0.5 CPU each Python start-up and
    numpy import is paid twice over in wall time. The supervisor checks that its interpreter
    has numpy (run_autograder starts none to check), imports it, forks the warm process before
    it reads anything secret, and forks the grading process; the warm process forks the
    student's child. Counted with strace over one grading of the full-marks file: the
    interpreters executed (before: run_autograder's check of the venv, the supervisor, the
    worker, the child: 4) and the processes that read numpy's __init__ (before: 2)."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "devoir3.py").write_bytes(FULL_MARKS.read_bytes())
    log = tmp_path / "strace.txt"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve,openat", "-e", "signal=none", "-o", str(log),
                    str(REPO / "run_autograder")], env=flow_env(root), check=True, timeout=300,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))["score"] == 58
    lines = log.read_text(errors="replace").splitlines()
    interpreters = [ln for ln in lines if re.search(r'execve\("[^"]*/python[0-9.]*", .*\) = 0$', ln)]
    numpy_imports = {ln.split()[0] for ln in lines
                     if re.search(r'openat\(.*/numpy/(__pycache__/)?__init__[.a-z0-9-]*py[c]?", .*\) = \d+$', ln)}
    assert len(interpreters) == 1, interpreters      # the supervisor
    assert len(numpy_imports) == 1, numpy_imports


def test_deterministic(rubric):
    a = results_json(grade_file(FULL_MARKS, rubric), rubric, "fr")
    b = results_json(grade_file(FULL_MARKS, rubric), rubric, "fr")
    assert a == b


def test_english_feedback(rubric):
    src = grade_file(TEMPLATE, rubric, "en")
    data = results_json(src, rubric, "en")
    assert "is not implemented yet" in data["tests"][0]["output"]
    assert data["output"].startswith("Total: 0 / 48")


def test_zip_has_both_scripts_at_its_root(tmp_path):
    out = tmp_path / "ag.zip"
    subprocess.run([sys.executable, "-m", "autograder", "zip", "--out", str(out)],
                   cwd=REPO, check=True, stdout=subprocess.PIPE)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        assert (z.getinfo("run_autograder").external_attr >> 16) & 0o111
        assert "autograder/rubric.yaml" in names and "student_template/outils.py" in names
        # of the examples, only the full-marks file: the base of the misconception catalogue's twins
        assert not any(n.startswith(("tests/", "examples/", ".venv/")) for n in names
                       if n != "examples/submissions/full_marks/devoir3.py")
        assert "examples/submissions/full_marks/devoir3.py" in names and "autograder/misconceptions.yaml" in names


def test_a_grader_bug_costs_one_item_and_stays_with_the_instructors(rubric, monkeypatch):
    """A check that crashes marks its item for review; the traceback goes to a hidden test only."""
    from autograder import checks

    def broken(ctx, check):
        raise RuntimeError("bogue-interne-secret")
    monkeypatch.setitem(checks.KINDS, "counterexample", broken)
    report = grade_file(FULL_MARKS, rubric)
    data = results_json(report, rubric, "fr")
    assert problems(data) == []
    by_number = {t["number"]: t for t in data["tests"]}
    assert by_number["1.h"]["score"] == 0 and "revu" in by_number["1.h"]["output"]
    assert data["score"] == 57
    hidden = [t for t in data["tests"] if "bogue-interne-secret" in json.dumps(t)]
    assert [t["visibility"] for t in hidden] == ["hidden"]
    assert "bogue-interne-secret" not in data["output"]


def test_a_set_is_an_answer_too(tmp_path, rubric):
    src = FULL_MARKS.read_text(encoding="utf-8").replace(
        'return ["W1", "b1", "W2", "b2"]', 'return {"W2", "b1", "W1", "b2"}', 1)
    p = tmp_path / "devoir3.py"
    p.write_text(src, encoding="utf-8")
    report = grade_file(p, rubric)
    assert report.regular == 48


# ------------------------------------ the interpreter run_autograder picks (issue 18)
def _unusable_venv(path, how: str):
    """A venv that run_autograder must pass over: its python fails, or it has no numpy."""
    if how == "no numpy":
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    else:
        (path / "bin").mkdir(parents=True)
        (path / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")
        (path / "bin" / "python").chmod(0o755)
    return path


@pytest.mark.parametrize("how", ["no numpy", "python fails"])
def test_an_unusable_venv_is_passed_over_and_said(tmp_path, how):
    """As an unusable /opt/ift3395-venv left by an earlier setup.sh: the checkout's venv grades."""
    broken = _unusable_venv(tmp_path / "venv", how)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "devoir3.py").write_bytes(FULL_MARKS.read_bytes())
    env = flow_env(root, AG_VENV=str(broken))
    done = subprocess.run([str(REPO / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert data["score"] == 58, done.stderr[-2000:]
    assert "%s/bin/python cannot import numpy: not used" % broken in done.stderr


def test_without_any_usable_venv_the_student_is_told_and_the_instructor_why(tmp_path):
    """Gradescope's layout (ROOT/source, no .venv there) with a broken venv: a results file
    that says the grader failed, and a stderr line naming the cause."""
    root = gradescope_root(tmp_path)
    (root / "submission" / "devoir3.py").write_bytes(FULL_MARKS.read_bytes())
    env = flow_env(root, AG_VENV=str(_unusable_venv(tmp_path / "venv", "python fails")))
    done = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert data["score"] == 0 and "Erreur interne du correcteur" in data["output"]
    assert "no usable Python environment" in done.stderr and "setup.sh" in done.stderr
