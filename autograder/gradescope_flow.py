"""The Gradescope flow: /autograder/submission in, /autograder/results/results.json out.

`supervise` is what run_autograder calls. It does only light work itself: it
locks the autograder's folders away from the sandbox user, runs the grading in a
worker process with an overall time limit, kills every student process that is
left (whatever it did to escape: a new session, a double fork, a daemon that
sleeps), and only then checks the worker's results and moves them into place.

One Python start-up and one numpy import per submission (issue 17: at Gradescope's
0.5 CPU each costs twice its CPU in wall time): the supervisor imports numpy and
forks the warm process (sandbox/warm.py) first, while it holds nothing of the
instructor's (no rubric, no reference answer, no submission, and run_autograder
passed it a few environment variables only); then it loads the rubric and forks the
worker, whose sandboxed child the warm process forks. Neither the worker nor the
child is a new interpreter; the child sets up every isolation layer itself, as a
new one would (tests/test_hostile.py searches its memory for the rubric, a
reference answer and the environment).
When the worker could not finish, the items it graded are kept and the others
are listed as "to be reviewed by hand": a results.json is written every time,
with one test per rubric item. The worker's own stderr (isolation notes, a
traceback) goes to the supervisor's stderr — the instructors' autograder
output — and to a hidden test, never into what students see.
The root is a parameter so tests can play a container in a temporary folder.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKER_TIMEOUT = 480          # seconds; Gradescope's default limit is 600
REPO = Path(__file__).resolve().parent.parent
LOCKED = ("source", "results", "submission")
PRIVATE_FILES = ("submission_metadata.json",)
STDERR_KEEP = 4000


def worker_timeout() -> float:
    try:
        return float(os.environ.get("AG_WORKER_TIMEOUT", WORKER_TIMEOUT))
    except ValueError:
        return WORKER_TIMEOUT


def lock_down(root: Path) -> None:
    """As root: the sandbox user can reach nothing under the autograder root (the venv is
    elsewhere: /opt/ift3395-venv); the student's file reaches the child as a copy."""
    if os.geteuid() != 0:
        return
    for sub in LOCKED:
        p = root / sub
        if p.is_dir() and not p.is_symlink():
            os.chown(p, 0, 0)
            os.chmod(p, 0o700)
    for name in PRIVATE_FILES:
        p = root / name
        if p.is_file() and not p.is_symlink():
            os.chmod(p, 0o600)
    os.chmod(root, 0o700)


def fallback_results(message: str, rubric=None, lang: str = "fr", done: list | None = None,
                     instructor_note: str = "", verdict=None) -> dict:
    """A valid results file for when grading itself could not finish: the items graded so far
    (`done`, ItemOutcomes) and every other rubric item at 0, marked for review by hand.
    verdict: the feedback budget's, as for a finished grading."""
    if rubric is not None:
        try:
            return _partial_results(message, rubric, lang, done or [], instructor_note, verdict)
        except Exception as exc:  # noqa: BLE001 - the plainest file below still gets written
            instructor_note = (instructor_note + "\npartial results failed: %r" % exc).strip()
    tests = [{
        "name": "Correction automatique / Autograding",
        "number": "0",
        "score": 0.0,
        "max_score": 0.0,
        "status": "failed",
        "output": message,
        "visibility": "visible",
    }]
    if rubric is not None:
        tests = [{"name": "%s %s" % (item.id, item.title(lang)), "number": item.id, "score": 0.0,
                  "max_score": 0.0 if item.bonus and rubric.bonus_in_results == "zero_max" else item.points,
                  "status": "failed", "output": message, "visibility": "visible"} for item in rubric.items]
    if instructor_note:
        tests.append(_instructor_test(instructor_note))
    return {"score": 0.0, "output": message, "output_format": "text", "tests": tests}


def _instructor_test(text: str) -> dict:
    return {"name": "Journal du correcteur (équipe enseignante) / Grader log (instructors)",
            "number": "9.99", "score": 0.0, "max_score": 0.0, "status": "passed",
            "output": text[-STDERR_KEEP:], "visibility": "hidden"}


def _partial_results(message, rubric, lang, done, instructor_note, verdict=None) -> dict:
    from . import feedback
    from .grading import CheckOutcome, ItemOutcome, Report
    graded = {it.id: it for it in done}
    fr = lang != "en"
    why = ("Non corrigé : la correction s'est arrêtée avant cet item. À revoir à la main."
           if fr else "Not graded: grading stopped before this item. To be reviewed by hand.")
    items = []
    for item in rubric.items:
        if item.id in graded:
            items.append(graded[item.id])
            continue
        it = ItemOutcome(item.id, item.title(lang), 0.0, item.points, item.bonus, item.visibility,
                         status="internal_error")
        it.checks = [CheckOutcome("correction", 0.0, item.points, False, why, "", "visible", "internal_error")]
        items.append(it)
    data = feedback.results_json(Report(items, "graded", message), rubric, lang, verdict)
    if instructor_note:
        data["tests"].append(_instructor_test(instructor_note))
    return data


def valid_results(data, rubric=None) -> bool:
    """The parts of Gradescope's results specification that we produce, and every rubric item."""
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
    if rubric is not None:
        numbers = [t.get("number") for t in data["tests"]]
        if any(numbers.count(item.id) != 1 for item in rubric.items):
            return False
    score = data.get("score", 0)
    return isinstance(score, (int, float)) and not isinstance(score, bool)


def write_results(root: Path, data: dict) -> Path:
    out_dir = root / "results"
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        out_dir.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".results-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o644)
    final = out_dir / "results.json"
    os.replace(tmp, final)
    return final


def _kill_students(isolation: dict) -> None:
    """After the worker: no student process may be alive when results.json is written.

    Orphans of the worker come back to us (subreaper): killed. With a pid namespace that is
    enough (its pid 1 dies with its keeper, and every process in it with pid 1). Without one,
    or when the worker did not say, every process of the grading's uid is killed and its files
    in the shared temporary folders removed: the uid the worker reported (a uid of this grading
    alone), else the named sandbox user (AG_SANDBOX_USER), never a freshly drawn one."""
    from .sandbox.identity import sandbox_user
    from .sandbox.reaping import kill_user_processes, remove_user_files, sweep_all_adopted
    sweep_all_adopted()
    uid = isolation.get("uid")
    if not (isinstance(uid, int) and not isinstance(uid, bool) and uid > 0):
        user = sandbox_user() if os.environ.get("AG_SANDBOX_USER") else None
        uid = user.uid if user is not None else None
    if uid is not None and isolation.get("started", True) and not isolation.get("namespaces"):
        kill_user_processes(uid, seconds=10)
        remove_user_files(uid)
    sweep_all_adopted()


def _remove_stage(stage) -> None:
    """The sandbox's work folder, when the worker was stopped before it could remove it."""
    if isinstance(stage, str):
        p = Path(stage)
        if p.parent == Path(tempfile.gettempdir()) and p.name.startswith("ag-sandbox-"):
            shutil.rmtree(p, ignore_errors=True)


def budget_verdict(root: Path, rubric):
    """The feedback budget's verdict for this submission, from Gradescope's metadata file beside
    it (None: full feedback: no rubric, no file, or a file we cannot read)."""
    from .budget import decide, read
    return decide(read(Path(root) / "submission_metadata.json"), rubric.budget) if rubric is not None else None


def _load_rubric():
    try:
        from .rubric import load
        return load()
    except Exception:  # noqa: BLE001 - a broken rubric still gets a results file
        return None


def _read_progress(path: Path) -> list:
    from .grading import CheckOutcome, ItemOutcome
    done = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    d = json.loads(line)
                    d["checks"] = [CheckOutcome(**c) for c in d.get("checks", [])]
                    done.append(ItemOutcome(**d))
                except (ValueError, TypeError):
                    break          # a line cut short by the crash
    except OSError:
        pass
    return done


def _fork_warm():
    """The warm process that forks the student's child (sandbox/warm.py), forked from this
    process now, while it holds nothing of the instructor's: no rubric, no reference answer,
    no submission yet. None (the child is then a new interpreter) if AG_WARM=0 or it fails."""
    if os.environ.get("AG_WARM", "1") in ("0", "no", "off") or not hasattr(os, "fork"):
        return None
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = "1"       # before numpy: one thread (0.5 CPU), and no thread to fork
    try:
        from .sandbox.warm import WarmServer
        return WarmServer.fork()
    except (OSError, ImportError, ValueError) as exc:
        sys.stderr.write("gradescope: no warm process (%s: %s): the child starts a new interpreter\n"
                         % (type(exc).__name__, exc))
        return None


def _fork_worker(root: Path, out: Path, lang, rubric, warm, err) -> int:
    """The grading process, forked (not a new interpreter: numpy and the rubric are loaded
    already), in a session of its own, its output to err; its pid."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        os.setsid()
        os.chdir(REPO)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(err.fileno(), 1)
        os.dup2(err.fileno(), 2)
        code = worker(root, out, lang, rubric, warm)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: B036 - whatever happens, this process ends here, never in the caller
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def supervise(root: Path, lang: str | None = None) -> int:
    from .sandbox.reaping import set_subreaper, wait_child   # not the whole sandbox: the worker starts it
    root = Path(root)
    started = time.monotonic()
    set_subreaper()           # a student's daemon orphaned by the worker comes back to us
    if os.geteuid() == 0:
        try:   # best effort (refused in Docker without CAP_SYS_RESOURCE): students get 1000 anyway
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("-500")
        except OSError:
            pass
    try:
        lock_down(root)
    except OSError:
        pass
    warm = _fork_warm()       # first: nothing of the instructor's is in memory yet
    rubric = _load_rubric()
    lang = lang or (rubric.language if rubric else "fr")
    work = Path(tempfile.mkdtemp(prefix="ag-supervise-"))
    out, progress, errlog = work / "results.json", work / "items.jsonl", work / "stderr.txt"
    message = note = None
    limit = worker_timeout()
    with open(errlog, "wb") as err:
        pid = _fork_worker(root, out, lang, rubric, warm, err)
        if warm is not None:
            warm.sock.close()     # the worker holds the other end: the server ends with it
        code = wait_child(pid, limit)
        if code is None:
            message = ("La correction a dépassé %d s et a été arrêtée : prévenez l'équipe enseignante.\n"
                       "Grading exceeded %d s and was stopped." % (limit, limit))
        elif code != 0:
            message = ("Erreur interne du correcteur (code %d) : prévenez l'équipe enseignante.\n"
                       "Internal grader error: please tell the teaching team." % code)
        for target in (-pid, pid):
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if code is None:
            wait_child(pid)
    if warm is not None:      # it kills what it forked when the worker's end closes
        try:
            warm.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            warm.proc.kill()
            warm.proc.wait()
    try:
        isolation = json.loads((work / "sandbox.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        isolation = {}
    isolation = isolation if isinstance(isolation, dict) else {}
    _kill_students(isolation)
    _remove_stage(isolation.get("stage"))
    stderr = errlog.read_bytes()[-STDERR_KEEP:].decode("utf-8", "replace")
    if stderr.strip():
        sys.stderr.write(stderr if stderr.endswith("\n") else stderr + "\n")
    data = None
    if message is None:
        try:
            with open(out, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = None
        if not valid_results(data, rubric):
            message = "Le correcteur n'a pas produit de résultats valides. / The grader produced no valid results."
            data = None
    if data is None:
        note = "%s\n--- stderr du correcteur / grader's stderr ---\n%s" % (message, stderr or "(vide / empty)")
        data = fallback_results(message, rubric, lang, _read_progress(progress), note, budget_verdict(root, rubric))
    shutil.rmtree(work, ignore_errors=True)
    write_results(root, data)
    print("results.json written (%.1f s)" % (time.monotonic() - started))
    return 0


def worker(root: Path, out: Path, lang: str | None, rubric=None, warm=None) -> int:
    """Grade root/submission and write the results dict to `out` (items also to out's progress
    file). rubric: the supervisor's, already loaded (else loaded here); warm: the warm process
    that forks the student's child (else a new interpreter)."""
    from . import feedback
    from .grading import grade_submission, limits_from
    from .rubric import load
    from .sandbox.runner import Sandbox, sandbox_user

    def tell(sandbox=None):   # the supervisor: whether student code ran, how it was contained, where
        Path(out).with_name("sandbox.json").write_text(json.dumps(
            {"started": sandbox is not None, "namespaces": sandbox.jailed if sandbox else None,
             "user": sandbox.user.name if sandbox and sandbox.user else None,
             "uid": sandbox.user.uid if sandbox and sandbox.user else None,
             "stage": str(sandbox.stage) if sandbox and sandbox.stage else None}))

    tell()
    rubric = rubric or load()
    lang = lang or rubric.language
    made = []

    def make_sandbox(path):
        made.append(Sandbox(path, limits_from(rubric), user=sandbox_user(),
                            warm=warm if warm is not None and warm.alive() else None))
        tell(made[0])             # its uid, before any process of that uid exists
        made[0].start()
        tell(made[0])             # before any student code runs: "started", containment unknown
        made[0].load()
        tell(made[0])
        return made[0]

    with open(Path(out).with_name("items.jsonl"), "w", encoding="utf-8") as progress:
        def keep(item):           # graded items survive a worker that dies halfway
            progress.write(json.dumps(dataclasses.asdict(item), ensure_ascii=False) + "\n")
            progress.flush()
        try:
            report = grade_submission(root / "submission", rubric, lang, make_sandbox, on_item=keep)
        finally:
            if made:
                tell(made[0])
    data = feedback.results_json(report, rubric, lang, budget_verdict(root, rubric))
    with open(out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    return 0
