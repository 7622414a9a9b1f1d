"""The self-check students run offline (student_template/autoverification.py) and the grader
never contradict each other.

Each self-check declares the grader's sub-checks it answers for (autoverification.Check):
`same` (the stability checks: same inputs, same property) must pass exactly when they pass;
any other check tests a necessary condition and must never fail where they all pass. Both run
on every file of the test corpora (tests/corpora.py: examples, equivalent forms, student
habits, mutants); the grader's gradings are the ones the other tests use (graded once per
session), the self-check runs on all the files in one process. A pair is compared only where
both evaluate it: the self-check ran the check (not "to do", not skipped), the grader
attempted the sub-checks (not missing, not implemented, not skipped by `requires`), and the
grader passes the other functions the check relies on (`uses`).

Also here: the self-check reads a file with the grader's encoding rules and says the grader's
very note, and its time limit works without SIGALRM (Windows).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import corpora

from conftest import REPO

NOT_EVALUATED = {"missing", "not_implemented", "not_loaded", "requires"}
SELF_CHECK_DIR = REPO / "student_template"


def self_check_records(sources, tmp) -> dict:
    """{name: the self-check's records} for [(name, text)], in one process (1 s per call)."""
    jobs = []
    for n, (name, text) in enumerate(sources):
        folder = tmp / ("f%03d" % n)
        folder.mkdir()
        (folder / "devoir3.py").write_text(text, encoding="utf-8")
        jobs.append([name, str(folder / "devoir3.py")])
    (tmp / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "tests" / "selfcheck_runner.py"), str(tmp / "jobs.json")],
                          capture_output=True, text=True, encoding="utf-8", timeout=1800,
                          env=dict(os.environ, AUTOVERIFICATION_DELAI="1"))
    out = dict(json.loads(line) for line in proc.stdout.splitlines() if line.startswith("["))
    assert proc.returncode == 0 and len(out) == len(jobs), proc.stderr[-3000:]
    return out


def disagreements(records, graded) -> list:
    """The self-check's verdicts that contradict the grader's, for one file."""
    out = []
    for r in records:
        if r["item"] is None or r["status"] not in ("ok", "fail"):
            continue
        item = graded[r["item"]]
        refs = [item.checks[g] for g in r["grader"]]
        attempted = [c for c in refs if c.kind not in NOT_EVALUATED]
        if not attempted or any(not graded[i].checks[c].passed for i, c in r["uses"]):
            continue
        if r["same"]:
            if len(attempted) < len(refs) or (r["status"] == "ok") == all(c.passed for c in refs):
                continue
        elif r["status"] == "ok" or not all(c.passed for c in attempted):
            continue
        out.append("%s %s: self-check %s (%s); grader %s" % (
            r["item"], "/".join(r["grader"]), r["status"], r["text"][:200],
            ", ".join("%s %s%s" % (c.id, "passed" if c.passed else "failed",
                                    "" if c.passed else " (%s: %s)" % (c.kind, c.message[:150])) for c in refs)))
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    sources = corpora.everything()
    graded = corpora.graded(sources)
    return sources, graded, self_check_records(sources, tmp_path_factory.mktemp("parity"))


def _self_check():
    """The self-check module (and outils, which it imports), as a student's folder has them."""
    if str(SELF_CHECK_DIR) not in sys.path:
        sys.path.append(str(SELF_CHECK_DIR))
    import autoverification
    return autoverification


def test_every_grader_reference_exists(rubric):
    autoverification = _self_check()
    checks = {(it.id, c.id) for it in rubric.items for c in it.checks}
    for item, _title, _functions, item_checks in autoverification.items():
        for check in item_checks:
            assert check.grader and {(item, g) for g in check.grader} <= checks, (item, check.grader)
            assert {tuple(u) for u in check.uses} <= checks, (item, check.uses)


def test_self_check_and_grader_never_disagree(both):
    sources, graded, records = both
    problems = []
    for name, _ in sources:
        problems += ["%s: %s" % (name, d) for d in disagreements(records[name], graded[name])]
    assert not problems, "\n" + "\n".join(problems)


def test_the_comparison_has_teeth(both):
    """Every file was checked, and the stability checks were compared both ways on the corpora:
    at least one file where both pass and one where both fail, for each of 2.c, 2.e and 2.g."""
    sources, graded, records = both
    seen = {}
    for name, _ in sources:
        if graded[name].status != "graded":
            continue
        for r in records[name]:
            if r["item"] and r["same"] and r["status"] in ("ok", "fail"):
                refs = [graded[name][r["item"]].checks[g] for g in r["grader"]]
                if all(c.kind not in NOT_EVALUATED for c in refs):
                    seen.setdefault(r["item"], set()).add(r["status"])
    assert seen == {"2.c": {"ok", "fail"}, "2.e": {"ok", "fail"}, "2.g": {"ok", "fail"}}, seen


# ---- the same reading of the file
CP1252 = "def f():\n    return 1\n# é à ç\n".encode("cp1252")
ENCODINGS = {
    "utf-8": "# é\ndef f():\n    return 1\n".encode("utf-8"),
    "utf-8 with BOM": "\ufeff# é\ndef f():\n    return 1\n".encode("utf-8"),
    "windows-1252": CP1252,
    "utf-16 le": "\ufeff# é\ndef f():\n    return 1\n".encode("utf-16-le"),
    "utf-16 be": "\ufeff# é\ndef f():\n    return 1\n".encode("utf-16-be"),
    "nul byte": b"def f():\n    return 1\n\x00\n",
    "too large": b"#" * 1_000_001,
}


@pytest.mark.parametrize("kind", sorted(ENCODINGS))
def test_the_file_is_read_as_the_grader_reads_it(tmp_path, kind):
    from autograder.locate import locate
    autoverification = _self_check()
    path = tmp_path / "devoir3.py"
    path.write_bytes(ENCODINGS[kind])
    found = locate(path, "devoir3.py", "fr")
    try:
        text, note = autoverification.read_source(str(path))
    except autoverification.Unreadable as exc:
        assert found.path is None and found.error == str(exc)
        return
    assert found.path is not None and found.note == note
    assert found.path.read_bytes().decode("utf-8") == text


def test_a_windows_1252_file_gets_the_note_and_how_to_fix_it(tmp_path):
    folder = tmp_path / "etu"
    folder.mkdir()
    for name in ("outils.py", "autoverification.py"):
        (folder / name).write_bytes((SELF_CHECK_DIR / name).read_bytes())
    text = corpora.base().replace("Fonctions", "Fonctions (accentuées : é)", 1)
    (folder / "devoir3.py").write_bytes(text.encode("cp1252", errors="replace"))
    proc = subprocess.run([sys.executable, "autoverification.py"], cwd=folder, capture_output=True, timeout=300)
    out = proc.stdout.decode("utf-8")
    assert "[NOTE]   Le fichier n'est pas en UTF-8 (ligne" in out and "relu en Windows-1252" in out, out[:2000]
    assert "Enregistrer avec l'encodage" in out and "erreur de syntaxe" not in out
    assert proc.returncode == 0 and "0 échec(s)" in out, out[-3000:]


def test_the_time_limit_needs_no_sigalrm(tmp_path):
    """Where signal has no SIGALRM (Windows), the self-check still stops a loop, and outils still
    tries a student's own helper under a time limit (a watchdog thread)."""
    script = textwrap.dedent('''
        import io, signal, sys
        for name in ("SIGALRM", "setitimer", "ITIMER_REAL", "alarm"):
            if hasattr(signal, name):
                delattr(signal, name)
        sys.path.insert(0, sys.argv[1])
        import autoverification, outils
        ns = {}
        exec("def sigma(z):\\n    while True:\\n        pass\\n", ns)
        print("adopted", outils._adopt_own_helpers(ns, seconds=0.5, budget=1.0))
        out = io.StringIO()
        autoverification.run(sys.argv[2], out)
        print(out.getvalue())
    ''')
    text = corpora.base()
    text = text.replace("def q2l_derivee_hs_j(", "def q2l_derivee_hs_j(*args):\n    while True:\n        pass\n\n\n"
                        "def _q2l_unused(", 1)
    (tmp_path / "devoir3.py").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", script, str(SELF_CHECK_DIR), str(tmp_path / "devoir3.py")],
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env=dict(os.environ, AUTOVERIFICATION_DELAI="1"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "adopted []" in proc.stdout
    assert "q2l_derivee_hs_j n'a pas répondu en 1 s" in proc.stdout and "1 échec(s)" in proc.stdout, proc.stdout[-3000:]


def kinds_of_extreme(vectors) -> set:
    """'+', '-' (the largest component in absolute value is +1000 or -1000; both when the vector
    spans them), 'near -1000', 'near +1000' (every component there)."""
    import numpy as np
    out = set()
    for v in vectors:
        v = np.asarray(v, dtype=float)
        if np.ptp(v) < 100:
            out.add("near %+d" % round(np.mean(v), -3))
        else:
            out |= {"%+d" % round(x, -3) for x in v if abs(x) >= 999}
    return out


def test_the_stability_checks_test_the_graders_extremes(rubric):
    """The self-check's |o^a| ≈ 1000 inputs are of every kind the grader's 2.c and 2.g stability
    sub-checks draw (+1000, -1000, all near -1000, all near +1000), and none is one of them
    (the grader's inputs stay with the grader)."""
    import numpy as np

    from autograder.checks import Ctx, cases_for
    mine = _self_check().EXTREMES
    for item_id, check_id in (("2.c", "probabilites"), ("2.g", "stable")):
        item = next(it for it in rubric.items if it.id == item_id)
        check = next(c for c in item.checks if c.id == check_id)
        drawn = [case["oa"] for case in cases_for(Ctx(None, rubric, "fr", item), check)]
        assert kinds_of_extreme(drawn) == {"+1000", "-1000", "near -1000", "near +1000"}, item_id
        assert kinds_of_extreme(mine) >= kinds_of_extreme(drawn), item_id
        assert not any(np.allclose(v, w) for v in drawn for w in mine)
