"""Shared fixtures: the repository paths and a loaded rubric; named sandbox users for test_hostile."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FULL_MARKS = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"
TYPICAL = REPO / "examples" / "submissions" / "typical_mistakes" / "devoir3.py"
TEMPLATE = REPO / "student_template" / "devoir3.py"

# As root, student code runs under a uid drawn for each grading (autograder/sandbox/identity.py),
# so concurrent test runs of several clones share no user, no process limit and no clean-up.
# Only test_hostile still names its users (to find a flow's processes and files): named after
# this clone's path, so that two clones' runs never lease the same one.
# The tests that play Gradescope's layout run run_autograder with the venv running the suite
# (the checkout's .venv under ./ag test), never with whatever /opt/ift3395-venv this machine holds.
VENV = Path(sys.prefix)


def flow_env(root: Path, **extra) -> dict:
    """The environment of run_autograder on a relocated root, with this suite's venv."""
    return {**os.environ, "AG_ROOT": str(root), "AG_VENV": str(VENV), **extra}


def gradescope_root(tmp_path: Path) -> Path:
    """A container-like root: ROOT/source is the autograder zip's content, ROOT/run_autograder,
    an empty ROOT/submission (no .venv anywhere under it, as on Gradescope)."""
    import shutil
    from autograder.packaging import zip_members
    root = tmp_path / "autograder"
    for p in zip_members():
        dest = root / "source" / p.relative_to(REPO)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)
    shutil.copy2(REPO / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


CLONE_TAG = hashlib.sha256(str(REPO).encode()).hexdigest()[:6]


def ensure_user(name: str) -> None:
    """Create the system user `name` if missing (root only; another run may be creating users)."""
    import pwd
    for attempt in range(10):
        try:
            pwd.getpwnam(name)
            return
        except KeyError:
            pass
        done = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
                               "/nonexistent", "--shell", "/usr/sbin/nologin", name], capture_output=True)
        if done.returncode in (0, 9):          # 9: it exists (made meanwhile)
            return
        time.sleep(1)                          # /etc/passwd locked by another useradd: try again
    raise RuntimeError("useradd %s: %s" % (name, done.stderr.decode(errors="replace")))


@pytest.fixture(scope="session", autouse=True)
def reference_answers():
    """The reference answers computed once for the whole run (autograder/answers.py), as setup.sh does."""
    from autograder import answers
    answers.ensure()


@pytest.fixture(scope="session")
def rubric():
    from autograder.rubric import load
    return load()


@pytest.fixture(scope="session")
def full_marks_report(rubric):
    from autograder.grading import grade_file
    return grade_file(FULL_MARKS, rubric)


@pytest.fixture(scope="session")
def typical_report(rubric):
    """The typical mistakes example, graded once for every test that renders its feedback."""
    from autograder.grading import grade_file
    return grade_file(TYPICAL, rubric)
