"""Batch grading: every submission of a folder, in parallel, resumable.

    python -m autograder batch DIR|ARCHIVE.zip [--out OUTDIR] [--jobs N] [--lang en] [--force]
                               [--csv excel-fr] [--roster LIST.csv]

DIR is either a plain folder (one student file or one sub-folder per student)
or Gradescope's "Export Submissions" archive, unzipped: one sub-folder per
submission and a `submission_metadata.yml` naming the submitters. The archive
itself (a .zip) is unpacked first, as hostile input (autograder/export_zip.py),
into OUTDIR/export. --roster names the submissions of a plain folder
(autograder/roster.py), for gradescope.csv.

Each submission is graded in a worker process of a pool, one per core. Each worker
starts one warm process (autograder/warm_worker.py) that forks every submission's
sandboxed child, a fresh isolated process per submission without a new interpreter and
numpy import; if it cannot start, the batch says so once and each submission starts its
own child, as `./ag grade` does (AG_WARM=0 asks for that). A worker writes two files per submission,
atomically: results/<key>.json (the results.json Gradescope would have) and
state/<key>.json (the checkpoint: the submission's content hash, the grader's
fingerprint, and every item's and check's outcome). A later run skips every
submission whose checkpoint matches its content and the grader, so an
interrupted batch resumes where it stopped, and a changed submission or a
changed rubric is regraded (and so is a submission that met an internal error). Nothing a submission does stops the batch: it gets a
status (graded, no_file, load_error, timed_out, internal_error) and the batch
goes on. At the end: gradebook.csv, gradebook.xlsx and gradescope.csv (autograder/gradebook.py),
analysis.txt, report.html and one feedback page per submission (feedback/<key>.html,
autograder/feedback_pages.py). Every word printed is in the batch's language (--lang); the
sandbox's notes are said once per batch, not once per worker.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from pathlib import Path

from .stopping import POLL, STOP_SIGNALS, Stop, blocked, die_with_parent, stop_pool

REPO = Path(__file__).resolve().parent.parent
METADATA = "submission_metadata.yml"
STATE_VERSION = 2           # 2: failed checks carry their kinds of difference (tags)
STATUSES = ("graded", "no_file", "load_error", "timed_out", "internal_error")
RETRIED = {"internal_error"}  # not the student's doing, maybe transient: a rerun grades these again
WALL_TIMEOUT = 480            # seconds for one submission, as in gradescope_flow
# Modules that do not change a grade: editing them keeps the checkpoints valid.
NOT_GRADING = {"batch.py", "stopping.py", "analysis.py", "html_report.py", "gradebook.py", "handout.py", "packaging.py",
               "__main__.py", "gradescope_flow.py", "feedback_pages.py", "roster.py", "export_zip.py"}


# ------------------------------------------------------------------ discovery
@dataclass
class Submission:
    key: str                     # unique, file-name safe: names the results and state files
    path: Path | None            # a student file or folder; None if the export lists no folder
    identity: dict = field(default_factory=dict)   # name, email, sid (';'-joined for groups)
    hash: str = ""


class _TolerantLoader:
    """A yaml SafeLoader that reads unknown tags (Ruby objects, ...) as plain data."""

    @staticmethod
    def make():
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def plain(loader, suffix, node):
            if isinstance(node, yaml.MappingNode):
                return loader.construct_mapping(node, deep=True)
            if isinstance(node, yaml.SequenceNode):
                return loader.construct_sequence(node, deep=True)
            return loader.construct_scalar(node)
        Loader.add_multi_constructor("!", plain)
        Loader.add_multi_constructor("tag:", plain)
        return Loader


def _plain_key(k) -> str:
    """Gradescope writes Ruby symbols as keys (':name'); accept both spellings."""
    return str(k).lstrip(":")


def read_metadata(path: Path) -> dict:
    """{submission folder name: identity dict} from Gradescope's submission_metadata.yml."""
    import yaml
    with open(path, encoding="utf-8") as f:
        raw = yaml.load(f, Loader=_TolerantLoader.make())  # noqa: S506 - a SafeLoader subclass
    if not isinstance(raw, dict):
        raise ValueError("%s: a mapping of submission folders is expected" % path)
    out = {}
    for folder, entry in raw.items():
        entry = {_plain_key(k): v for k, v in entry.items()} if isinstance(entry, dict) else {}
        people = entry.get("submitters") or []
        people = [{_plain_key(k): v for k, v in p.items()} for p in people if isinstance(p, dict)]
        ident = {key: "; ".join(str(p.get(key) or "") for p in people).strip("; ")
                 for key in ("name", "email", "sid")}
        if entry.get("created_at") is not None:
            ident["created_at"] = str(entry["created_at"])
        out[str(folder)] = ident
    return out


def find_metadata(root: Path) -> Path | None:
    """The export's metadata, at the top or inside the one folder the archive unzipped into."""
    if (root / METADATA).is_file():
        return root / METADATA
    subs = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "__MACOSX"))]
    if len(subs) == 1 and (subs[0] / METADATA).is_file():
        return subs[0] / METADATA
    return None


def _safe_key(name: str, taken: set) -> str:
    key = re.sub(r"[^\w.@+-]", "_", name).strip("._") or "soumission"
    base, n = key, 2
    while key in taken:
        key, n = "%s_%d" % (base, n), n + 1
    taken.add(key)
    return key


def discover(root: Path, exclude: Path | None = None) -> tuple:
    """(layout, [Submission]) for a plain folder or a Gradescope export."""
    from .locate import IGNORED
    root = Path(root)
    exclude = exclude.resolve() if exclude else None
    taken: set = set()
    meta_path = find_metadata(root)
    subs = []
    if meta_path is not None:
        base = meta_path.parent
        meta = read_metadata(meta_path)
        folders = {p.name: p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "__MACOSX"))
                   and (exclude is None or p.resolve() != exclude)}
        for name in sorted(set(meta) | set(folders)):
            subs.append(Submission(_safe_key(name, taken), folders.get(name), dict(meta.get(name, {}))))
        return "gradescope", subs
    for p in sorted(root.iterdir()):
        if p.name.startswith((".", "__MACOSX")) or (exclude is not None and p.resolve() == exclude):
            continue
        if p.is_dir():
            subs.append(Submission(_safe_key(p.name, taken), p, {"name": p.name}))
        elif p.is_file() and p.suffix == ".py" and p.name not in IGNORED:
            subs.append(Submission(_safe_key(p.stem, taken), p, {"name": p.stem}))
    return "plain", subs


def content_hash(path: Path | None) -> str:
    """sha256 of a submission: the file's bytes, or every file's relative path and bytes."""
    h = hashlib.sha256()
    if path is None or not path.exists():
        h.update(b"absent")
        return h.hexdigest()
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts)
    for p in files:
        h.update(p.relative_to(path).as_posix().encode() if p != path else b".")
        h.update(b"\0")
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def grader_fingerprint(lang: str) -> str:
    """What a grade depends on: the rubric, the grading code, the reference, outils.py."""
    h = hashlib.sha256(("v%d:%s" % (STATE_VERSION, lang)).encode())
    files = [p for p in sorted((REPO / "autograder").rglob("*")) if p.suffix in (".py", ".yaml")
             and "__pycache__" not in p.parts and p.name not in NOT_GRADING]
    files += sorted((REPO / "reference").rglob("*.py")) + [REPO / "student_template" / "outils.py"]
    for p in files:
        h.update(p.relative_to(REPO).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


# ------------------------------------------------------------------ one submission
def _write_json(path: Path, data) -> None:
    """Atomic: a reader (or an interrupted run) sees the old file or the new one, never half."""
    tmp = path.with_name(".%s.%d.tmp" % (path.name, os.getpid()))
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


class _WallTimeout(BaseException):
    """Not an Exception: grade_item's net for grader bugs must not catch it."""


# A signal's handler runs wherever the process happens to be. In a worker, outside a
# submission's grading, that is inside concurrent.futures' and multiprocessing's own code:
# an exception raised there, e.g. between taking the result queue's lock and releasing it,
# leaves that lock held for ever, and the next result sent waits on it (seen: a batch hung
# after Ctrl-C, its worker waiting on that lock). So a handler raises only while _GRADING,
# and otherwise notes the signal for grade_task to act on at a safe point.
_GRADING = False


def _on_wall(signum, frame):
    if _GRADING:
        raise _WallTimeout()


def _wall_clock(seconds: float) -> threading.Timer:
    """After `seconds`, SIGUSR1 to this (main) thread raises _WallTimeout wherever grading is.
    (Not SIGALRM: the symbolic comparisons use the process's one real-time interval timer.)"""
    main = threading.main_thread().ident
    signal.signal(signal.SIGUSR1, _on_wall)
    timer = threading.Timer(seconds, signal.pthread_kill, (main, signal.SIGUSR1))
    timer.daemon = True
    timer.start()
    return timer


_STOPPING = False            # set in a worker when the batch is interrupted: write no checkpoint


def _on_term(signum, frame):
    """The parent stops the workers with SIGTERM: a grading unwinds (its finally kills the
    sandboxed child); between gradings the worker starts no other and waits for the pool's
    end (or is killed: see stopping.stop_pool)."""
    global _STOPPING
    _STOPPING = True
    if _GRADING:
        raise SystemExit(143)


def _on_int(signum, frame):
    """Ctrl-C reaches the whole process group: the parent stops the workers; the submission
    being graded must not be checkpointed, whatever its grading saw meanwhile."""
    global _STOPPING
    _STOPPING = True


_RUBRIC = None
_USER = None
NOTE_PREFIX = "ag: sandbox: "


class _NoteCatcher:
    """A worker's stderr: the sandbox's notes (one line each, said once per process) are kept
    to travel with the next record, so that the parent says each once per batch; anything
    else goes through."""

    def __init__(self, real):
        self.real, self.notes, self._buf = real, [], ""

    def write(self, text):
        self._buf += text
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            if line.startswith(NOTE_PREFIX):
                self.notes.append(line)
            else:
                self.real.write(line + "\n")
        return len(text)

    def flush(self):
        if self._buf and not NOTE_PREFIX.startswith(self._buf[:len(NOTE_PREFIX)]):
            self.real.write(self._buf)
            self._buf = ""
        self.real.flush()

    def take(self) -> list:
        out, self.notes = self.notes, []
        return out

    def __getattr__(self, name):
        return getattr(self.real, name)


def _init_worker(users) -> None:
    """Pool worker set-up: SIGINT is the parent's business (the worker only notes it; a batch
    that ignores it, started in the background, has workers that ignore it too); SIGTERM,
    sent by the parent when interrupted, unwinds cleanly; both were blocked by the parent
    while it started this process, until these handlers are in place. The worker dies with
    its parent (nothing else would end it: it waits on the pool's queue). Then the worker's
    warm process (it closes when the worker ends; if it cannot start, records say so)."""
    global _RUBRIC, _USER
    die_with_parent()
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _on_int)
    signal.signal(signal.SIGTERM, _on_term)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    sys.stderr = _NoteCatcher(sys.stderr)
    _interrupt_for_tests("start")
    from . import warm_worker
    from .rubric import load
    from .sandbox.runner import sandbox_user
    _RUBRIC = load()
    _USER = users.get() if users is not None else sandbox_user()
    if not _STOPPING:
        warm_worker.start()


def _record(task, status, message, report=None, assessed=False, done=()) -> dict:
    """The checkpoint: every item's and check's outcome (from the report, or the items done so far)."""
    items = {it.id: {"points": it.points, "bonus": it.bonus, "status": it.status, "checks": {
        c.id: ({"passed": True} if c.passed else {"passed": False, "kind": c.kind, "message": c.message[:300],
                                                   "tags": list(getattr(c, "tags", ()))})
        for c in it.checks}, "misconceptions": [str(m) for m in (getattr(it, "misconceptions", None) or ())]}
        for it in (report.items if report is not None else done)}
    return {"version": STATE_VERSION, "submission": task["key"], "hash": task["hash"],
            "grader": task["grader"], "lang": task["lang"], "status": status, "message": message,
            "assessed": assessed, "items": items,
            "regular": round(sum(i["points"] for i in items.values() if not i["bonus"]), 2),
            "bonus": round(sum(i["points"] for i in items.values() if i["bonus"]), 2)}


def _status_of(report, sandbox) -> str:
    loaded = sandbox.loaded or {}
    if report.status == "load_error":
        etype = str((loaded.get("error") or {}).get("type", ""))
        return "timed_out" if etype == "Load:timeout" else "load_error"
    kinds = {c.kind for it in report.items for c in it.checks}
    if "budget" in kinds:
        return "timed_out"
    if any(it.status == "internal_error" for it in report.items):
        return "internal_error"
    return "graded"


def _first_line(text: str, n: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def grade_task(task: dict) -> dict:
    """Grade one submission in a pool worker; write its results and checkpoint; return the record."""
    from . import feedback, warm_worker
    from .gradescope_flow import fallback_results
    from .grading import grade_submission, limits_from, no_file_report
    from .sandbox.runner import Sandbox

    if task.get("crash_for_tests"):      # lets the tests prove a dead worker does not stop the batch
        os._exit(3)
    global _GRADING
    rubric, lang = _RUBRIC, task["lang"]
    t0 = time.monotonic()
    sandbox, done, interrupted, sandboxes = None, [], False, []
    wall = _wall_clock(max(1.0, float(task["timeout"])))
    try:
        _GRADING = True                  # until the finally: a signal may raise (see _GRADING)
        if _STOPPING:                    # the batch is being stopped: grade nothing more
            raise SystemExit(143)

        def make_sandbox(path):
            _interrupt_for_tests("grading", task["key"])
            sandboxes.append(Sandbox(path, task.get("limits") or limits_from(rubric), user=_USER,
                                     warm=warm_worker.server()))
            return sandboxes[-1]

        if not task["path"]:
            report = no_file_report(rubric, lang, "Aucun dossier pour cette soumission dans l'export."
                                    if lang != "en" else "No folder for this submission in the export.")
        else:
            report = grade_submission(Path(task["path"]), rubric, lang, make_sandbox, on_item=done.append)
        _GRADING = False                 # graded: from here on no signal raises (nor the wall clock)
        sandbox = sandboxes[0] if sandboxes else None
        status = "no_file" if report.status == "no_file" else _status_of(report, sandbox)
        results = feedback.results_json(report, rubric, lang)
        record = _record(task, status, _first_line(report.message), report, report.status == "graded")
    except _WallTimeout:
        interrupted = True
        msg = ("La correction a dépassé %d s et a été arrêtée." if lang != "en" else
               "Grading exceeded %d s and was stopped.") % task["timeout"]
        results = fallback_results(msg, rubric, lang, done)
        record = _record(task, "timed_out", msg, done=done)
    except Exception:
        _GRADING = False
        interrupted = True
        tb = traceback.format_exc(limit=4)
        msg = _message(lang, "internal") + _first_line(tb.splitlines()[-1])
        results = fallback_results(msg, rubric, lang, done, instructor_note=tb[-1500:])
        record = _record(task, "internal_error", msg, done=done)
    finally:
        _GRADING = False                 # first: wall.cancel() takes a lock (Event.set)
        wall.cancel()
        sandbox = sandbox or (sandboxes[0] if sandboxes else None)
        if sandbox is not None:
            sandbox.close()
    warm = bool(sandboxes) and sandboxes[0].warm is not None
    if warm and interrupted and not _STOPPING:   # stopped mid-grading: maybe mid-exchange with the warm process
        warm_worker.discard()
    record["seconds"] = round(time.monotonic() - t0, 2)
    record["warm"] = warm           # the child was forked by the worker's warm process
    if not warm and warm_worker.failure():
        record["warm_failed"] = warm_worker.failure()
    if _STOPPING:
        raise SystemExit(143)
    out = Path(task["out"])
    _write_json(out / "results" / (task["key"] + ".json"), results)
    _write_json(out / "state" / (task["key"] + ".json"), record)    # last: marks it done
    if isinstance(sys.stderr, _NoteCatcher):
        record = dict(record, notes=sys.stderr.take())     # not in the checkpoint
    _interrupt_for_tests("sending", task["key"])
    return record


def _interrupt_for_tests(phase: str, key: str = "") -> None:
    """AG_TEST_INTERRUPT=PHASE[:KEY]: a Ctrl-C (SIGINT to the batch's process group) sent by a
    worker at that moment, for the tests to cover each on purpose: 'start' (the worker's
    start-up, before its warm process), 'grading:KEY' (KEY's sandbox about to start),
    'sending:KEY' (KEY's checkpoint written, its result about to go to the parent)."""
    want = os.environ.get("AG_TEST_INTERRUPT")
    if want and want == (phase + ":" + key if key else phase):
        os.killpg(0, signal.SIGINT)


# ------------------------------------------------------------------ progress
class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, a line now and then otherwise."""

    def __init__(self, total: int, stream=None, enabled: bool = True, lang: str = "fr"):
        self.total, self.stream, self.enabled, self.lang = total, stream or sys.stderr, enabled, lang
        self.done, self.counts = 0, {}
        self.t0 = self._last = time.monotonic()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_pct = -1
        self.said: set = set()

    def update(self, status: str) -> None:
        self.done += 1
        self.counts[status] = self.counts.get(status, 0) + 1
        if not self.enabled:
            return
        now = time.monotonic()
        pct = int(100 * self.done / max(1, self.total))
        if self.tty:
            if now - self._last >= 0.1 or self.done == self.total:
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()
                self._last = now
        elif pct // 10 != self._last_pct // 10 or now - self._last >= 15 or self.done == self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last, self._last_pct = now, pct

    def note(self, text: str) -> None:
        """A note (e.g. the sandbox's) printed once per batch, whichever worker said it."""
        if text in self.said:
            return
        self.said.add(text)
        if self.enabled:
            self.stream.write(("\r\x1b[K" if self.tty and self.done else "") + text + "\n")
            self.stream.flush()

    def line(self) -> str:
        width = 30
        frac = self.done / max(1, self.total)
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        elapsed = time.monotonic() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        from .analysis import status_counts
        return ("[%s] %d/%d %3d%%  %.2f/s  reste %d:%02d  (%s)" if self.lang != "en" else
                "[%s] %d/%d %3d%%  %.2f/s  ETA %d:%02d  (%s)") % (
            bar, self.done, self.total, int(100 * frac), rate, eta // 60, eta % 60,
            status_counts(self.counts, self.lang))

    def close(self) -> None:
        if self.enabled and self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()


# ------------------------------------------------------------------ the batch
@dataclass
class BatchResult:
    layout: str
    submissions: list
    records: dict                # key -> record
    graded_now: int
    resumed: int
    seconds: float
    jobs: int
    interrupted: int = 0         # the signal that stopped the batch (SIGINT, SIGTERM), or 0
    out: Path | None = None
    notes: list = field(default_factory=list)    # for the TA, said even with -q (e.g. the class list's matching)
    roster: bool = False                         # a class list (--roster) named the submissions


def load_state(out: Path, key: str) -> dict | None:
    try:
        with open(out / "state" / (key + ".json"), encoding="utf-8") as f:
            rec = json.load(f)
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) else None


def _sandbox_users(jobs: int, log, lang: str = "fr") -> tuple:
    """(jobs, users for the workers, or None for the default sandbox user).

    As root with the sandbox user, a sandbox that runs without namespaces kills every process
    of its user when it closes, which would kill the other workers' children: then each worker
    needs a user of its own (ag_student, ag_student1, ...), or the batch runs fewer workers."""
    from .sandbox.runner import sandbox_user
    first = sandbox_user()
    if first is None or jobs == 1 or first.per_grading:    # per-grading uids: nothing shared
        return jobs, None
    if not _JAILED.get(first.name):         # a success is remembered, a failure tried again
        _JAILED[first.name] = _probe_jail(first, log, lang)
    if _JAILED[first.name]:        # a pid namespace per sandbox: workers can share the user
        return jobs, None
    users = [first] + [u for u in (sandbox_user("%s%d" % (first.name, i)) for i in range(1, jobs)) if u]
    if len(users) < jobs:
        log(("batch : sans espaces de noms, un utilisateur de bac à sable par processus est nécessaire "
             "(%s, %s1, ...) : %d processus au lieu de %d." if lang != "en" else
             "batch: without namespaces each process needs a sandbox user of its own (%s, %s1, ...): "
             "%d processes instead of %d.") % (first.name, first.name, len(users), jobs))
    return len(users), users


_JAILED: dict = {}


def _probe_jail(user, log, lang: str = "fr") -> bool:
    """Does a sandbox get its namespaces on this machine? (Started once per process.)"""
    from .grading import limits_from
    from .rubric import load
    from .sandbox.runner import Sandbox
    probe = Sandbox(REPO / "student_template" / "devoir3.py", limits_from(load()), user=user)
    try:
        probe.load()
        jailed = probe.jailed
    except Exception as exc:  # noqa: BLE001 - the workers will meet (and record) the same failure
        log(("batch : le bac à sable ne démarre pas (%s)." if lang != "en" else
             "batch: the sandbox does not start (%s).") % _first_line(str(exc)))
        jailed = False
    finally:
        probe.close()
    return jailed


def plan(subs: list, out: Path, fp: str, force: bool = False) -> tuple:
    """({key: record} of the submissions already done, [Submission] to grade): a checkpoint counts
    if it is for the same content and the same grader, and its results file is there."""
    records, todo = {}, []
    for s in subs:
        s.hash = content_hash(s.path)
        rec = None if force else load_state(out, s.key)
        if rec and rec.get("hash") == s.hash and rec.get("grader") == fp and rec.get("status") not in RETRIED \
                and (out / "results" / (s.key + ".json")).is_file():
            records[s.key] = rec
        else:
            todo.append(s)
    return records, todo


def run_batch(root: Path, out: Path, jobs: int | None = None, lang: str | None = None, force: bool = False,
              timeout: int = WALL_TIMEOUT, limits=None, progress: bool = True, stream=None,
              crash_for_tests: str | None = None, roster: list | None = None) -> BatchResult:
    """Grade (or resume) every submission of root into out; see the module docstring.
    roster: [roster.Student] that names the submissions without an identity."""
    from .rubric import load
    root, out = Path(root), Path(out)
    stream = stream or sys.stderr

    def log(msg):
        if progress:
            stream.write(msg + "\n")
            stream.flush()

    rubric = load()
    lang = lang or rubric.language
    if not root.is_dir():
        raise FileNotFoundError("%s n'est pas un dossier / is not a folder" % root)
    from . import answers
    answers.ensure(rubric)     # the reference answers, once for the whole batch (its workers read them)
    layout, subs = discover(root, exclude=out)
    notes = []
    if roster is not None:          # even an empty list: the TA asked for it, the note says what it matched
        from . import roster as roster_mod
        notes.append(roster_mod.summary(roster_mod.apply(subs, roster), lang))
    for d in ("results", "state"):
        (out / d).mkdir(parents=True, exist_ok=True)
    fp = grader_fingerprint(lang)
    records, todo = plan(subs, out, fp, force)
    resumed = len(records)
    jobs = max(1, min(jobs or _cpu_count(), len(todo) or 1))
    catcher = _NoteCatcher(sys.stderr)        # the probe's sandbox may note something: said once, below
    sys.stderr = catcher
    try:
        jobs, users = _sandbox_users(jobs, log, lang)
    finally:
        sys.stderr = catcher.real
        catcher.flush()
    fr = lang != "en"
    where = {"gradescope": "export Gradescope" if fr else "Gradescope export",
             "plain": "un dossier ou fichier par soumission" if fr else "one folder or file per submission"}
    log(("batch : %d soumissions (%s) ; %d déjà corrigées, %d à corriger avec %d processus." if fr else
         "batch: %d submissions (%s); %d already graded, %d to grade with %d processes.") % (
        len(subs), where.get(layout, layout), resumed, len(todo), jobs))
    t0 = time.monotonic()
    bar = Progress(len(todo), stream, progress, lang)
    for text in catcher.take():
        bar.note(text)
    tasks = [{"key": s.key, "path": str(s.path) if s.path else None, "hash": s.hash, "grader": fp,
              "lang": lang, "out": str(out), "timeout": timeout, "limits": limits,
              "crash_for_tests": crash_for_tests is not None and s.key == crash_for_tests} for s in todo]
    with Stop() as stop:
        try:
            if tasks:
                _run_pool(tasks, jobs, users, records, bar, stop)
        finally:
            bar.close()
    seconds = time.monotonic() - t0
    return BatchResult(layout, subs, records, len(records) - resumed, resumed, seconds, jobs, stop.signum, out, notes,
                       roster=roster is not None)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _run_pool(tasks: list, jobs: int, users, records: dict, bar: Progress, stop: Stop) -> None:
    """Grade every task, unless stop says otherwise. When a worker dies the pool breaks and
    the submissions in flight are suspects: each is graded again alone, and one that kills its
    worker again is recorded as an internal error; the others are graded normally."""
    pending = list(reversed(tasks))
    suspects: list = []
    while pending and not stop.signum:
        suspects += _pool_round(pending, jobs, users, records, bar, stop)
    for task in suspects:
        if stop.signum:
            return
        if _pool_round([task], 1, users, records, bar, stop) and not stop.signum:
            records[task["key"]] = _failed_record(task, DIED_TWICE)
            bar.update("internal_error")


def _pool_round(pending: list, jobs: int, users, records: dict, bar: Progress, stop: Stop) -> list:
    """Run tasks popped from `pending` with `jobs` in flight until none is left, the pool
    breaks or the batch is stopped; returns the tasks that were in flight when it broke."""
    ctx = multiprocessing.get_context("spawn")     # no fork of a threaded parent
    queue = None
    if users is not None:
        queue = ctx.Queue()
        for u in users[:jobs]:
            queue.put(u)
    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(queue,))
    running: dict = {}
    lost: list = []
    finished = False
    try:
        while (pending or running) and not stop.signum:
            while pending and len(running) < jobs and not lost:
                task = pending.pop()
                resource_tracker.ensure_running()      # its start would unblock them (bpo-33613)
                with blocked():          # a worker started here waits for its handlers
                    running[ex.submit(grade_task, task)] = task
            if not running:
                break
            done, _ = wait(list(running), timeout=POLL, return_when=FIRST_COMPLETED)   # POLL: see Stop
            for fut in done:
                task = running.pop(fut)
                try:
                    rec = fut.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                except (KeyboardInterrupt, SystemExit):
                    # a worker ends its task with SystemExit(143) when it saw Ctrl-C or SIGTERM;
                    # its result can reach us before our own signal does: we are interrupted
                    stop.signum = stop.signum or signal.SIGINT
                    continue
                except BaseException as exc:  # noqa: BLE001 - e.g. an unpicklable result
                    rec = _failed_record(task, "%s: %s" % (type(exc).__name__, _first_line(str(exc))))
                for text in rec.pop("notes", None) or ():
                    bar.note(text)
                if rec.get("warm_failed"):
                    bar.note(_message(task.get("lang", "fr"), "warm_failed"))
                records[task["key"]] = rec
                bar.update(rec["status"])
        finished = not stop.signum
    finally:
        if finished:
            ex.shutdown(wait=True, cancel_futures=True)
        else:       # SIGTERM: a grading unwinds (its sandboxed child killed, no checkpoint)
            stop_pool(ex)
    return lost


DIED_TWICE = "died twice"
MESSAGES = {
    "fr": {DIED_TWICE: "Le processus de correction s'est arrêté deux fois sur cette soumission : à revoir à la main.",
           "internal": "Erreur interne du correcteur : ",
           "warm_failed": "batch : le processus chaud du bac à sable ne démarre pas : chaque soumission démarre "
                          "son propre interpréteur (même isolation, plus lent)."},
    "en": {DIED_TWICE: "The grading process died twice on this submission: review it by hand.",
           "internal": "Internal grader error: ",
           "warm_failed": "batch: the sandbox's warm process does not start: each submission starts its own "
                          "interpreter (same isolation, slower)."},
}


def _message(lang: str, key: str) -> str:
    return MESSAGES["en" if lang == "en" else "fr"][key]


def _failed_record(task: dict, why: str) -> dict:
    """The worker gave no record for this submission: write an internal_error one so the batch finishes."""
    from .gradescope_flow import fallback_results
    lang = task.get("lang", "fr")
    msg = _message(lang, DIED_TWICE) if why == DIED_TWICE else _message(lang, "internal") + why
    rec = _record(task, "internal_error", msg)
    rec["seconds"] = 0.0
    out = Path(task["out"])
    _write_json(out / "results" / (task["key"] + ".json"), fallback_results(msg))
    _write_json(out / "state" / (task["key"] + ".json"), rec)
    return rec


# ------------------------------------------------------------------ outputs
def write_outputs(result: BatchResult, rubric, lang: str, csv_dialect: str = "plain") -> dict:
    """gradebook.csv/.xlsx, gradescope.csv, analysis.txt, report.html, feedback/<key>.html and
    batch.json in result.out; their paths, the analysis text under "table" and the notes for
    the TA (e.g. why gradescope.csv is not written) under "notes"."""
    from . import analysis, feedback_pages, gradebook, html_report
    out = result.out
    records = [result.records[s.key] for s in result.submissions if s.key in result.records]
    catalogue = analysis.load_catalogue()
    stats = analysis.analyze(records, rubric, lang, catalogue=catalogue)
    paths = gradebook.write_all(out, result.submissions, result.records, rubric, lang, csv_dialect, stats,
                                roster=result.roster)
    paths["notes"] = list(result.notes) + paths["notes"]
    table = analysis.text_table(stats, lang)
    (out / "analysis.txt").write_text(table + "\n", encoding="utf-8")
    names = {s.key: s.identity.get("name") or s.key for s in result.submissions}
    unassessed = [(s.key, analysis.status_word(result.records[s.key]["status"], lang, plural=False))
                  for s in result.submissions if s.key in result.records and not result.records[s.key].get("assessed")]
    (out / "report.html").write_text(html_report.render(stats, rubric, lang, names, unassessed), encoding="utf-8")
    feedback = feedback_pages.write_pages(out, result.submissions, result.records, rubric, lang, catalogue)
    summary = {"layout": result.layout, "submissions": len(result.submissions), "graded_now": result.graded_now,
               "resumed": result.resumed, "jobs": result.jobs, "wall_seconds": round(result.seconds, 2),
               "per_second": round(result.graded_now / result.seconds, 3) if result.seconds > 0 else None,
               "statuses": {s: sum(1 for r in records if r["status"] == s) for s in STATUSES},
               "notes": list(paths["notes"])}
    _write_json(out / "batch.json", summary)
    paths.update(analysis=out / "analysis.txt", report=out / "report.html", summary=out / "batch.json", table=table,
                 feedback=feedback)
    return paths


def default_out(root: Path) -> Path:
    root = Path(root).resolve()
    return root.parent / (root.name + "-correction")


def main(args) -> int:
    """The `batch` command; 130 after Ctrl-C (143 after SIGTERM), the checkpoints kept."""
    from .rubric import load
    rubric = load()
    lang = args.lang or rubric.language
    fr = lang != "en"
    try:
        return _main(args, rubric, lang)
    except KeyboardInterrupt:          # before the pool or after it: no grading is under way
        print("Interrompu : relancez la même commande pour reprendre (rien n'est recorrigé)." if fr else
              "Interrupted: run the same command again to resume (nothing is regraded).", file=sys.stderr)
        return 130


def _main(args, rubric, lang: str) -> int:
    from . import roster as roster_mod
    from .export_zip import ArchiveError, unpack
    root = Path(args.dir)
    archive = root.suffix.lower() == ".zip" and root.is_file()
    out = Path(args.out) if args.out else (root.parent / (root.stem + "-correction") if archive else default_out(root))
    try:
        students = roster_mod.read(Path(args.roster), lang) if getattr(args, "roster", None) else None
        if archive:
            unpacked = unpack(root, out, lang)
            if unpacked.note(lang):
                print(unpacked.note(lang), file=sys.stderr)
            root = unpacked.root
        result = run_batch(root, out, args.jobs, lang, args.force, args.timeout, progress=not args.quiet,
                           roster=students)
    except (FileNotFoundError, ArchiveError, roster_mod.RosterError) as exc:
        print(exc, file=sys.stderr)
        return 2
    fr = lang != "en"
    if result.interrupted:
        print(("Interrompu : %d/%d soumissions ont leurs résultats dans %s ; relancez la même commande "
               "pour reprendre (rien n'est recorrigé)." if fr else
               "Interrupted: %d/%d submissions have their results in %s; run the same command again to "
               "resume (nothing is regraded).") % (len(result.records), len(result.submissions), out),
              file=sys.stderr)
        return 128 + result.interrupted
    paths = write_outputs(result, rubric, lang, getattr(args, "csv", None) or "plain")
    print(paths["table"])
    print()
    rate = result.graded_now / result.seconds if result.seconds > 0 else 0.0
    print(("%d soumissions : %d corrigées maintenant en %.1f s (%.2f/s, %d processus), %d reprises."
           if fr else "%d submissions: %d graded now in %.1f s (%.2f/s, %d processes), %d resumed.") % (
        len(result.submissions), result.graded_now, result.seconds, rate, result.jobs, result.resumed))
    for key in ("gradebook", "xlsx", "gradescope", "analysis", "report", "feedback"):
        if paths[key] is not None:
            print("  %s" % paths[key])
    print("  %s" % (out / "results"))
    for note in paths["notes"]:
        print(note, file=sys.stderr)
    return 0
