"""The command lines follow their ecosystem's conventions (issue 18): a path that cannot be read
is one French line and a non-zero exit; output piped into a reader that goes away (``| head``)
ends quietly; internal commands stay out of --help, which speaks of the product only; --version."""
import os
import subprocess
import sys

import pytest

from conftest import REPO


def python(*args, **kw):
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300, **kw)


def test_a_missing_path_is_one_french_line_and_a_failure():
    done = python("-m", "autograder", "grade", "/nonexistent/devoir3.py")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == "Chemin introuvable : /nonexistent/devoir3.py"
    done = python("-m", "autograder", "grade", "/nonexistent", "--lang", "en")
    assert done.returncode == 2 and done.stderr.strip() == "No such file or folder: /nonexistent"


def test_an_unreadable_path_is_one_french_line(tmp_path, monkeypatch, capsys):
    from autograder import __main__ as cli
    target = tmp_path / "devoir3.py"
    target.write_text("x = 1\n")
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)   # root reads everything: played
    assert cli.main(["grade", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == "Lecture impossible (permission refusée) : %s" % target


@pytest.mark.parametrize("argv", [["-m", "reference"], ["-m", "reference", "--markdown"],
                                  ["-m", "autograder", "--help"]])
def test_output_into_a_closed_pipe_ends_quietly(argv):
    """As `... | head`: the reader is gone before the first write (deterministic, unlike head)."""
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.Popen([sys.executable, *argv], cwd=REPO, stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    _, err = proc.communicate(timeout=300)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()
    assert err == b"", err.decode()


def test_help_lists_the_product_commands_only():
    done = python("-m", "autograder", "--help")
    assert done.returncode == 0
    for command in ("grade", "batch", "zip", "handout", "gradescope", "mutants", "container-test"):
        assert command in done.stdout
    assert "_worker" not in done.stdout
    for command in ("grade", "batch", "zip", "handout", "gradescope", "mutants"):
        text = python("-m", "autograder", command, "--help").stdout.lower()
        assert "issue" not in text and "re-sign" not in text, command


def test_version():
    from autograder import __version__
    for argv in (["-m", "autograder", "--version"], ["-m", "reference", "--version"]):
        done = python(*argv)
        assert done.returncode == 0 and done.stdout.strip().endswith(__version__), done
