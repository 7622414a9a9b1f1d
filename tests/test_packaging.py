"""pyproject.toml declares the package: `pip install -e .` gives a console script that grades
(issue 18). Done offline in a throwaway venv that sees the checkout's venv (its pinned
dependencies and the build backend setuptools, pinned in requirements-dev.txt)."""
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import FULL_MARKS, REPO


def test_pip_install_editable_gives_a_console_script_that_grades(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # the checkout's venv below the throwaway one: its numpy, sympy, ..., pip and setuptools
    (Path(purelib) / "checkout-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                           "--no-index", "-e", str(REPO)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    script = venv / "bin" / "ift3395-autograder"
    graded = subprocess.run([str(script), "grade", str(FULL_MARKS)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600)
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert "Total : 48 / 48, bonus : 10 / 10" in graded.stdout
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("ift3395-autograder ")


def test_the_lock_files_pin_every_declared_dependency():
    """pyproject.toml's ranges name the packages requirements*.txt pin, and no other."""
    import re
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    declared = set()
    for block in re.findall(r"^(?:dependencies|test) = \[(.*?)\]", text, re.S | re.M):
        declared |= {re.split(r"[<>=!~ ]", d.strip().strip('"'))[0].lower()
                     for d in block.split(",") if d.strip().strip('"')}
    pinned = set()
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (REPO / name).read_text(encoding="utf-8").splitlines():
            if "==" in line and not line.startswith("#"):
                pinned.add(line.split("==")[0].strip().lower())
    indirect = {"et-xmlfile", "setuptools"}      # dependencies of dependencies; the build backend
    assert declared <= pinned, declared - pinned
    assert pinned - declared <= indirect, pinned - declared - indirect
