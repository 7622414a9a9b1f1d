"""Shared fixtures: the repository paths and a loaded rubric; as root, this clone's sandbox users."""
import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FULL_MARKS = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"
TEMPLATE = REPO / "student_template" / "devoir3.py"

# As root, the sandbox switches to an unprivileged user. Test runs of several clones on one
# machine must not share it: the process limit counts per user machine-wide, and a clean-up
# kills every process of the user (runner.sandbox_user, kill_user_processes), so another
# run's fork bomb or clean-up would make this run's children fail to start or die, at random.
# Each clone gets its own users (named after its path); AG_SANDBOX_USER set beforehand wins.
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


if os.geteuid() == 0 and "AG_SANDBOX_USER" not in os.environ:
    ensure_user("ag_t" + CLONE_TAG)
    os.environ["AG_SANDBOX_USER"] = "ag_t" + CLONE_TAG


@pytest.fixture(scope="session")
def rubric():
    from autograder.rubric import load
    return load()


@pytest.fixture(scope="session")
def full_marks_report(rubric):
    from autograder.grading import grade_file
    return grade_file(FULL_MARKS, rubric)
