"""The Gradescope flow: /autograder/submission in, /autograder/results/results.json out.

`supervise` is what run_autograder calls. It does only light work itself: it
locks the autograder's folders away from the sandbox user, runs the grading in a
worker process with an overall time limit, kills every leftover student process,
checks the worker's results and moves them into place — or writes a valid
results file that says what went wrong. A results.json is written every time.
The root is a parameter so tests can play a container in a temporary folder.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKER_TIMEOUT = 480          # seconds; Gradescope's default limit is 600
REPO = Path(__file__).resolve().parent.parent


def lock_down(root: Path) -> None:
    """As root: the sandbox user can reach nothing under the autograder root."""
    if os.geteuid() != 0:
        return
    for sub in ("source", "results", "submission"):
        p = root / sub
        if p.exists():
            os.chown(p, 0, 0)
            os.chmod(p, 0o700)
    os.chmod(root, 0o711)


def fallback_results(message: str) -> dict:
    """A valid results file for when grading itself could not finish."""
    return {
        "score": 0.0,
        "output": message,
        "output_format": "text",
        "tests": [{
            "name": "Correction automatique / Autograding",
            "number": "0",
            "score": 0.0,
            "max_score": 0.0,
            "status": "failed",
            "output": message,
            "visibility": "visible",
        }],
    }


def valid_results(data) -> bool:
    """The parts of Gradescope's results specification that we produce."""
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list) or not data["tests"]:
        return False
    for t in data["tests"]:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            return False
        for key in ("score", "max_score"):
            if key in t and (isinstance(t[key], bool) or not isinstance(t[key], (int, float))):
                return False
        if t.get("visibility", "visible") not in ("visible", "hidden", "after_due_date", "after_published"):
            return False
        if t.get("status", "passed") not in ("passed", "failed"):
            return False
    return isinstance(data.get("score", 0), (int, float))


def write_results(root: Path, data: dict) -> Path:
    out_dir = root / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".results-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
    final = out_dir / "results.json"
    os.replace(tmp, final)
    return final


def supervise(root: Path, lang: str | None = None) -> int:
    root = Path(root)
    try:
        lock_down(root)
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix="ag-results-", suffix=".json")
    os.close(fd)
    cmd = [sys.executable, "-m", "autograder", "_worker", "--root", str(root), "--out", tmp]
    if lang:
        cmd += ["--lang", lang]
    started = time.monotonic()
    message = None
    try:
        proc = subprocess.run(cmd, cwd=REPO, timeout=WORKER_TIMEOUT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, start_new_session=True)
        if proc.returncode != 0:
            message = ("Erreur interne du correcteur (code %d) : prévenez l'équipe enseignante.\n"
                       "Internal grader error: please tell the teaching team.\n%s" % (
                           proc.returncode, proc.stderr.decode("utf-8", "replace")[-1500:]))
    except subprocess.TimeoutExpired:
        message = ("La correction a dépassé %d s et a été arrêtée : prévenez l'équipe enseignante.\n"
                   "Grading exceeded %d s and was stopped." % (WORKER_TIMEOUT, WORKER_TIMEOUT))
    finally:
        from .sandbox.runner import kill_user_processes, sandbox_user
        user = sandbox_user()
        if user is not None:
            kill_user_processes(user.uid)
    data = None
    if message is None:
        try:
            with open(tmp, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = None
        if not valid_results(data):
            message = "Le correcteur n'a pas produit de résultats valides. / The grader produced no valid results."
            data = None
    os.unlink(tmp)
    if data is None:
        data = fallback_results(message)
    write_results(root, data)
    print("results.json written (%.1f s)" % (time.monotonic() - started))
    return 0


def worker(root: Path, out: Path, lang: str | None) -> int:
    """Grade root/submission and write the results dict to `out`."""
    from . import feedback
    from .grading import Report, grade_file
    from .locate import locate
    from .rubric import load

    rubric = load()
    lang = lang or rubric.language
    found = locate(root / "submission", rubric.student_file, lang)
    if found.path is None:
        from .grading import _load_failed
        report = _load_failed(rubric, lang, {"type": "NoFile"})
        report = Report(report.items, "no_file", found.error)
    else:
        report = grade_file(found.path, rubric, lang)
        if found.note:
            report.message = (found.note + "\n" + report.message).strip()
    data = feedback.results_json(report, rubric, lang)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    return 0
