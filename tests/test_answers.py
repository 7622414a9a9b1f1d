"""Reference answers as data (autograder/answers.py, issue 17): the file holds exactly what is
computed live, a grading with it gives the very same results.json as one without it, a missing,
stale, corrupt or foreign file is computed live, student code cannot read it; and a guard that
counts one grading's work (calls), never its time, so that 10 times more work fails anywhere."""
import cProfile
import contextlib
import io
import json
import os
import pstats
import subprocess
from pathlib import Path

import numpy as np
import pytest

from autograder import answers
from autograder.stopping import pool_map
from bench import mutants
from conftest import FULL_MARKS, REPO, TEMPLATE

EXAMPLES = REPO / "examples" / "submissions"


def same(a, b) -> bool:
    """Equal to the bit, type and shape included (nan equal to nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    return a == b


@pytest.fixture
def own_folder(tmp_path, monkeypatch):
    """A cache folder of the test's own; the process's memo is restored afterwards."""
    monkeypatch.setenv("AG_ANSWERS", str(tmp_path / "answers"))
    answers.reset(load=False)
    yield tmp_path / "answers"
    monkeypatch.undo()
    answers.reset()


def test_the_file_holds_exactly_what_is_computed_live(own_folder, rubric):
    done = answers.precompute(rubric)
    assert done["full_marks"] and done["path"] == answers.path() and done["path"].is_file()
    stored = answers.read()
    answers.reset(load=False)
    answers._grade_full_marks(rubric)          # everything again, live, into an empty memo
    live = dict(answers._memo)
    assert stored.keys() == live.keys()
    assert {k[0] for k in live} >= {"cases", "expected", "form", "valid_configs", "twin"}
    assert [k for k in live if not same(stored[k], live[k])] == []


def test_the_kept_rubric_is_the_parsed_rubric(own_folder):
    import pickle
    from autograder import rubric as rubric_module
    assert rubric_module.load() is not None and answers.read_pickle(rubric_module._kept_name((48, 10))) is None
    rubric_module.keep()
    kept = answers.read_pickle(rubric_module._kept_name((48, 10)))
    assert pickle.dumps(kept) == pickle.dumps(rubric_module._parse(rubric_module.RUBRIC_PATH, (48, 10)))
    assert pickle.dumps(rubric_module.load()) == pickle.dumps(kept)


def test_missing_corrupt_foreign_or_stale_files_are_computed_live(own_folder, rubric):
    answers.reset()
    assert answers.value(("test", 1), lambda: 41 + 1) == 42 and not answers.stats()["loaded"]   # no file
    answers.ensure(rubric)                        # rebuilt where writable: 0700 folder, 0600 file
    p = answers.path()
    assert p.is_file() and oct(os.stat(own_folder).st_mode & 0o777) == "0o700"
    assert oct(os.stat(p).st_mode & 0o777) == "0o600"
    good = p.read_bytes()
    for broken in (good[:len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]), b"", b"garbage"):
        p.write_bytes(broken)
        assert answers.read() is None
    p.write_bytes(good)
    assert answers.read() is not None
    for mode, folder_mode in ((0o644, 0o700), (0o600, 0o777)):     # others could read it or replace it
        os.chmod(p, mode)
        os.chmod(own_folder, folder_mode)
        assert answers.read() is None
    os.chmod(p, 0o600)
    os.chmod(own_folder, 0o700)
    stale = own_folder / "answers-0123456789abcdef01234567.pickle"     # another version's
    stale.write_bytes(good)
    os.chmod(stale, 0o600)
    p.unlink()
    answers.reset()
    assert answers.value(("cases", "no such check"), lambda: [1]) == [1] and not answers.stats()["loaded"]
    answers.ensure(rubric)
    assert p.is_file() and not stale.exists()


def test_an_unwritable_folder_or_off_computes_everything_live(monkeypatch, rubric):
    for where in ("off", "/proc/ag-no-such-folder"):
        monkeypatch.setenv("AG_ANSWERS", where)
        answers.reset()
        answers.ensure(rubric)                      # neither raises nor writes
        assert answers.write({}) is None
        assert answers.value(("test", 2), lambda: "live") == "live"
    monkeypatch.undo()
    answers.reset()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the sandbox's uid switch")
def test_a_sandbox_uid_cannot_read_the_file():
    """Without namespaces (Gradescope's Docker) student code runs under a uid of its own: the
    file and its folder are the grader's, 0600 and 0700. (With namespaces the repository is not
    even in the jail: tests/test_hostile.py's lecture_secrets looks for it on every path.)"""
    p = answers.path()
    assert p.is_file()

    def drop():
        os.setgroups([])
        os.setgid(2147480007)
        os.setuid(2147480007)
    for cmd in (["cat", str(p)], ["ls", str(p.parent)]):
        r = subprocess.run(cmd, preexec_fn=drop, cwd="/", capture_output=True)
        assert r.returncode != 0 and b"ermission denied" in r.stderr, (cmd, r)


# ------------------------------------------------------------------ the same results, byte for byte
class Recording:
    """The Sandbox interface over a real sandbox, keeping every answer (or failure) it gave."""

    def __init__(self, real):
        self.real, self.answers, self.loaded = real, {}, None

    def start(self):
        self.real.start()

    def load(self):
        self.loaded = self.real.load()
        return self.loaded

    def request(self, req, timeout=None):
        from autograder.sandbox.runner import ChildFailure
        key = json.dumps(req, sort_keys=True)
        try:
            self.answers[key] = self.real.request(req, timeout)
        except ChildFailure as exc:
            self.answers[key] = exc
        if isinstance(self.answers[key], ChildFailure):
            raise self.answers[key]
        return self.answers[key]

    def close(self):
        self.real.close()

    @property
    def log(self):
        return self.real.log


class Replay:
    """The same answers again, without running anything: the grader's own work only."""

    def __init__(self, recording):
        self.rec, self.log = recording, recording.log

    def start(self):
        pass

    def load(self):
        return self.rec.loaded

    def request(self, req, timeout=None):
        key = json.dumps(req, sort_keys=True)
        assert key in self.rec.answers, "a request the first grading did not make: %s" % key[:200]
        if isinstance(self.rec.answers[key], Exception):
            raise self.rec.answers[key]
        return self.rec.answers[key]

    def close(self):
        pass


def _with_and_without(job):
    """(name, status, results with the file, results computed live): one sandboxed grading,
    replayed with an empty memo that does not read the file."""
    import tempfile
    from autograder import feedback, grading
    from autograder.rubric import load
    from autograder.sandbox.runner import Sandbox, sandbox_user
    from autograder import warm_worker
    name, text = job
    rubric = load()
    texts = []
    with tempfile.TemporaryDirectory(prefix="ag-answers-") as tmp:
        path = Path(tmp) / "devoir3.py"
        path.write_text(text, encoding="utf-8")
        for load_file in (True, False):
            answers.reset(load=load_file)
            if load_file:
                rec = Recording(Sandbox(path, grading.limits_from(rubric), user=sandbox_user(),
                                        warm=warm_worker.server()))
                report = grading.grade_file(path, rubric, sandbox=rec)
                assert answers.stats()["loaded"]
            else:
                report = grading.grade_file(path, rubric, sandbox=Replay(rec))
                assert not answers.stats()["loaded"] and answers.stats()["misses"]
            texts.append(json.dumps(feedback.results_json(report, rubric, "fr"), ensure_ascii=False, indent=2)
                         + feedback.table(report, "fr", verbose=True))
    return name, report.status, texts[0], texts[1]


def _corpus() -> list:
    """Every example, and every mutant of the catalogue, equivalent form and student habit,
    grouped a few per file (bench.mutants.packs): about 30 gradings for all of them."""
    from equivalent_forms import FORMS
    from student_habits import CASES
    jobs = [(d.name, (d / "devoir3.py").read_text(encoding="utf-8")) for d in sorted(EXAMPLES.iterdir())
            if (d / "devoir3.py").is_file()]
    jobs.append(("blank", TEMPLATE.read_text(encoding="utf-8")))
    base = FULL_MARKS.read_text(encoding="utf-8")
    for group, edits in (("mutants", mutants.MUTANTS), ("forms", FORMS), ("habits", CASES)):
        for n, pack in enumerate(mutants.packs(edits)):
            text = base
            for edit in pack:
                for fn, change in edit.changes:
                    text = mutants.apply_edit(text, fn, change)
            jobs.append(("%s%d" % (group, n), text))
    return jobs


def test_results_with_the_file_are_byte_identical_to_results_computed_live():
    """Grades, feedback and the teaching team's view with expected values: the same
    bytes whether the reference answers come from the file or are computed during the grading."""
    jobs = _corpus()
    done = pool_map(_with_and_without, jobs, 2, mutants.init_pool_worker)
    assert [name for name, status, *_ in done if status != "graded" and name != "blank"] == []
    differ = [name for name, _, cached, live in done if cached != live]
    assert differ == []


# ------------------------------------------------------------------ the work of one grading, counted
# Calls of the reference and of the input generators in one in-process grading of the
# full-marks file (cProfile's counts: the same on any machine). Today: about 460 with the file
# (3.a's error carried forward on the student's own shapes), about 22,700 live; before issue 17
# the 3.c-e enumeration alone made 134,206 is_valid_config calls. The bounds leave a 3x margin.
MAX_WITH_FILE = 1_200
MAX_LIVE = 70_000


def _counted(name: str, load_file: bool) -> dict:
    from autograder.grading import grade_file
    from bench.sandbox_cost import InProcess
    answers.reset(load=load_file)
    path = EXAMPLES / name / "devoir3.py"
    prof = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
        prof.enable()
        report = grade_file(path, _RUBRIC, sandbox=InProcess(path))
        prof.disable()
    stats = pstats.Stats(prof).stats
    counts = {"reference": sum(v[1] for (f, _, _), v in stats.items()
                               if f.startswith(str(REPO / "reference")) or f == str(REPO / "autograder" / "inputs.py")),
              "twins compiled": sum(v[1] for (f, _, fn), v in stats.items()
                                    if f == str(REPO / "autograder" / "diagnosis.py") and fn in ("twin", "_base")),
              "points": report.regular + report.bonus}
    counts.update(answers.stats())
    return counts


_RUBRIC = None


def test_one_grading_computes_no_reference_answer_and_counts_its_work(rubric):
    global _RUBRIC
    _RUBRIC = rubric
    try:
        for name in ("full_marks", "typical_mistakes"):
            on = _counted(name, True)
            assert on["loaded"] and on["misses"] == 0 and on["twins compiled"] == 0, on
            assert on["reference"] <= MAX_WITH_FILE, on
        live = _counted("full_marks", False)
        assert live["points"] == 58 and live["misses"] > 0
        assert live["reference"] <= MAX_LIVE, live
    finally:
        answers.reset()
