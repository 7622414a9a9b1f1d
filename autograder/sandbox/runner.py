"""Parent side of the sandbox: start the child, send requests, enforce limits.

The student's code only ever runs in the processes started here (child.py: a
zygote that imports numpy once and forks a worker per "generation"). Layers,
each used when the machine allows it, each said once on stderr when it does not:

- a user switch: as root, the child runs under a uid and gid of its own for
  each grading (identity.py; AG_SANDBOX_USER names a user instead), which cannot
  signal the grader, read the autograder's locked folders or exceed its process
  limit, and whose processes and files alone are killed and swept afterwards;
- namespaces (as root, or through a user namespace when not root): a new mount
  namespace whose root is an empty tmpfs holding read-only binds of the system
  and of the Python interpreter and venv only (not the repository, not
  /autograder, not /tmp), a private size-limited /tmp, a new network namespace
  (no network), and a new pid namespace whose pid 1 is the zygote: the student
  cannot see or signal any process outside it, and killing pid 1 kills every
  process the student started, daemons included;
- without namespaces (Docker): the interpreter made reachable for the sandbox
  uid (reach.py), no sockets (seccomp), a private temporary folder and a disk
  budget over what the uid writes (disk.py), checked after each call;
- kernel limits per process: CPU seconds, address space, file size, open
  files, processes (per user), core dumps off, oom_score_adj 1000 (the kernel
  kills a student process before the grader), no new privileges, a seccomp
  filter (no socket), and as root without a sandbox user, no capabilities.

Each request has a wall-clock time limit and the submission has a budget.
After a time-out or a crash the zygote kills the worker and everything it
started, and forks a fresh worker (a fork, not a new numpy import); the
session remembers which function hung so that it costs its own item only.
When the seconds lost to time-outs pass `hang_allowance`, later calls get
`short_timeout`, so a file whose every function sleeps still ends quickly.

One layer per file: identity.py (who the child runs as), jail.py (namespaces and
the new root), reach.py (an interpreter the sandbox uid can run), limits.py
(rlimits, no new privileges, seccomp, the user switch), disk.py (what the uid
wrote), reaping.py (the subreaper, killing and sweeping), warm.py and
warm_server.py (a warm process that forks the child, for batch), kernel.py (libc
wrappers); this file holds the policy and the Sandbox (start, stop, the request
protocol).
"""
from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .identity import SandboxUser, fresh_identity, sandbox_user  # noqa: F401 - public names, imported from here
from .jail import JAIL_WORK, Jail, python_binds
from .kernel import F_SETPIPE_SZ, SYS_PIVOT_ROOT
from . import disk, warm
from .limits import Limits, child_setup, socket_filter, with_env  # noqa: F401
from .notes import note_once
from .reach import runnable_python
from .reaping import (LIVE, kill_user_processes, living_processes, remove_user_files,  # noqa: F401
                      set_subreaper, sweep_adopted, sweep_all_adopted, wait_gone)

HERE = Path(__file__).resolve().parent
OUTILS = HERE.parent.parent / "student_template" / "outils.py"
MAX_RESPONSE = 8 * 1024 * 1024   # bytes of one answer line
LOG_KEEP = 2000                  # bytes of the student's own output kept
MAX_RETRIES = 20                 # requests sent again to a fresh child, per submission
DISK_EVERY = 1.0                 # seconds between two looks at the disk during a call (no namespaces)
DISK_FULL = "disque / disk"      # the detail of a "died" failure: past the disk budget


class ChildFailure(Exception):
    """The child did not answer: kind is 'timeout', 'died', 'too_big', 'budget', 'protocol' or 'not_loaded'."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


class SandboxError(RuntimeError):
    """The sandbox itself could not start (not the student's fault): an internal error."""


class BudgetExceeded(Exception):
    """The submission's budget ran out while the grader itself was busy with its answers
    (e.g. evaluating a huge formula exactly): raised in the grading thread (see Sandbox)."""


BUDGET_GRACE = 0.5    # seconds past the budget before the grader's own work is interrupted


# ------------------------------------------------------------------ policy
_NAMESPACES = {"ok": None}     # None: untried; True / False once known (per process)


def namespaces_wanted() -> bool:
    if os.environ.get("AG_SANDBOX_NAMESPACES", "1") in ("0", "no", "off"):
        return False
    return _NAMESPACES["ok"] is not False and SYS_PIVOT_ROOT is not None and sys.platform.startswith("linux")


def describe(user: SandboxUser | None, jailed: bool) -> str:
    parts = [user.name if user else ("uid 0 without capabilities" if os.geteuid() == 0
                                                  else "same user as the grader")]
    parts.append("namespaces (mount, pid, network)" if jailed else "no namespaces")
    return ", ".join(parts)


def _say_isolation(user: SandboxUser | None, jailed: bool) -> None:
    if os.geteuid() != 0:
        note_once("not root: student code runs as the grader's user (no user switch)%s." % (
            ", inside new mount/pid/network namespaces" if jailed else
            " and without namespaces: it could signal the grader or read its files"))
    elif user is None:
        note_once("root without a sandbox user (AG_SANDBOX_USER names none here): student code runs as uid 0 "
                  "without capabilities%s, with no limit on its number of processes."
                  % (" inside namespaces" if jailed else ""))
    elif not jailed:
        note_once("namespaces unavailable: isolation is the user switch to %s and file permissions."
                  % ("a uid of its own per grading" if user.per_grading else user.name))
        repo = HERE.parent.parent
        if os.stat(repo).st_mode & 0o005 and not str(repo).startswith("/autograder/"):
            note_once("%s is readable by %s: on Gradescope the source is locked (chmod 700); here "
                      "restrict it yourself if students' code must not read it." % (repo, "others"))


def _copy_compiled(source: Path, dest: Path) -> None:
    """Copy one of the child's own files (never the student's) with its bytecode, when setup.sh
    (or an import) compiled it: the child, which never writes bytecode, then does not compile it
    again at each grading. The source keeps its modification time, which the .pyc records: a
    stale or foreign .pyc is ignored by Python and the source compiled, as without one. Both
    are root's and read-only to the sandbox user (the folder is not writable by it)."""
    shutil.copy2(source, dest)
    compiled = Path(importlib.util.cache_from_source(str(source)))
    if compiled.is_file():
        cache = dest.parent / "__pycache__"
        cache.mkdir(mode=0o755, exist_ok=True)
        shutil.copyfile(compiled, importlib.util.cache_from_source(str(dest)))
        os.chmod(importlib.util.cache_from_source(str(dest)), 0o644)


# ------------------------------------------------------------------ the sandbox
@dataclass
class Sandbox:
    """One student's file, served by a zygote that forks a fresh worker after each failure."""
    student_file: Path
    limits: Limits = field(default_factory=Limits)
    python: str = sys.executable
    user: SandboxUser | None = None
    namespaces: bool | None = None       # None: when the machine allows it
    warm: object = None                  # a warm.WarmServer: the child is forked by it (batch)
    loaded: dict | None = None           # the answer to the first 'load' (functions or error)
    restarts: int = 0
    retries: int = 0                     # requests sent again after the whole child died
    hang_spent: float = 0.0              # wall seconds lost to time-outs
    jailed: bool = False
    _proc: subprocess.Popen | None = None
    _stage: Path | None = None
    _ctl_r: int = -1
    _ctl_w: int = -1
    _buf: bytes = b""
    _ctlbuf: bytes = b""
    _ctlmsgs: list = field(default_factory=list)
    _gen: int = 0
    _ready: bool = False
    _worker_loaded: bool = False
    _worker_dead: str | None = None
    _next_id: int = 0
    _deadline: float = 0.0
    _log: bytearray = field(default_factory=bytearray)
    _log_total: int = 0
    _started: float = 0.0
    _zygote: int = 0
    _guard: object = None
    _closing: bool = False
    _disk_checked: float = 0.0

    def __post_init__(self):
        self.limits = with_env(self.limits)
        self._deadline = time.monotonic() + self.limits.budget
        self.student_file = Path(self.student_file)
        if self.warm is not None:
            self.python = self.warm.python      # its modules' folders are what the jail must show
        if self.user is not None and self.user.per_grading:
            self.user = fresh_identity()     # never shared with another Sandbox, even by the caller

    # ------------------------------------------------------------- lifecycle
    def _make_stage(self) -> Path:
        stage = Path(tempfile.mkdtemp(prefix="ag-sandbox-"))
        work = stage / "travail"
        work.mkdir()
        (stage / "racine").mkdir()
        for source, name in ((HERE / "child.py", "_enfant.py"), (OUTILS, "outils.py")):
            _copy_compiled(source, work / name)
        shutil.copyfile(self.student_file, work / "devoir3.py")
        for p in work.iterdir():
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(work, 0o755)           # readable, never writable, by the sandbox user
        tmp = stage / "tmp"             # the child's own temporary folder (and its HOME and cwd without namespaces)
        tmp.mkdir(mode=0o700)
        if self.user is not None:
            os.chown(tmp, self.user.uid, self.user.gid)
        os.chmod(stage, 0o711 if self.user is not None else 0o700)
        return stage

    def start(self) -> None:
        """Start the zygote now (its numpy import overlaps the grader's own start-up)."""
        if self._proc is not None:
            return
        if self._stage is None:
            self._stage = self._make_stage()
        if self.namespaces is None:
            self.namespaces = namespaces_wanted()
        jail = None
        if self.namespaces:
            jail = Jail(str(self._stage / "racine"), str(self._stage / "travail"),
                        python_binds(self.python), os.geteuid() != 0, self.limits.tmp_bytes,
                        self.limits.tmp_files)
        work = JAIL_WORK if jail else str(self._stage / "travail")
        python, python_env = self.python, {}
        if jail is None and self.user is not None and self.warm is None:
            try:
                python, python_env = runnable_python(self.python, self.user.uid, self.user.gid)
            except OSError as exc:
                note_once("the sandbox user cannot run %s and no runnable copy could be made (%s): student "
                          "code runs without the user switch (uid 0 without capabilities)." % (self.python, exc))
                self.user = None
        c_r, p_w = os.pipe()          # control: grader -> zygote
        p_r, c_w = os.pipe()          # control: zygote -> grader
        tmp = "/tmp" if jail else str(self._stage / "tmp")
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8",
               "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "AG_CTL": "%d,%d" % (c_r, c_w),
               "AG_PIDNS": "1" if jail else "0",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **python_env}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "AG_TAG"):   # AG_TAG: the tests trace processes
            if key in os.environ:
                env[key] = os.environ[key]
        set_subreaper()
        seccomp, why = socket_filter()
        if seccomp is None:
            note_once("no seccomp filter (%s): without namespaces, student code could open network "
                      "sockets." % why[:200])
        try:
            if self.warm is not None:     # forked by the warm process, which sets up the same layers
                proc = warm.spawn(self.warm, work + "/_enfant.py", env, None if jail else tmp, (c_r, c_w),
                                  self.limits, self.user, jail, seccomp is not None)
            else:
                proc = subprocess.Popen(
                    [python, "-I", "-B", work + "/_enfant.py"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    cwd=None if jail else tmp, env=env, close_fds=True, pass_fds=(c_r, c_w),
                    preexec_fn=child_setup(self.limits, self.user, jail, seccomp))
        except (subprocess.SubprocessError, OSError) as exc:
            proc, why = None, str(exc)
        os.close(c_r)
        os.close(c_w)
        if proc is None:
            os.close(p_r)
            os.close(p_w)
            if self.warm is not None:     # the warm process did not fork: a fresh interpreter instead
                self.warm = None          # (a failure to fork says nothing about namespaces)
                return self.start()
            if jail is None or _NAMESPACES["ok"] is True:
                hint = ""
                if self.user is not None and "Permission denied" in why:
                    hint = (" (the user %s must be able to run %s: every folder above it must be "
                            "readable by that user; setup.sh puts the venv in /opt)" % (self.user.name, python))
                raise SandboxError("the sandboxed child could not start: %s%s" % (why, hint))
            self._no_namespaces(why)
            return self.start()
        self._proc = proc
        try:   # a larger log pipe: a flood of prints costs fewer round trips
            fcntl.fcntl(proc.stderr.fileno(), F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
        self._started = time.time() - 1.0
        LIVE.add(proc.pid)
        self.jailed = jail is not None
        self._ctl_r, self._ctl_w = p_r, p_w
        for fd in (self._proc.stdin.fileno(), self._ctl_w):
            os.set_blocking(fd, False)
        self._buf, self._ctlbuf, self._ctlmsgs = b"", b"", []
        self._gen, self._ready, self._worker_loaded, self._worker_dead = 1, False, False, None
        self._zygote = 0 if jail else proc.pid
        _say_isolation(self.user, self.jailed)

    @property
    def stage(self) -> Path | None:
        """The work folder of this sandbox (removed by close())."""
        return self._stage

    def _no_namespaces(self, why: str) -> None:
        _NAMESPACES["ok"] = False
        self.namespaces = False
        if "preexec_fn" in why:
            why = "unshare, mount or pivot_root refused"
        note_once("namespaces unavailable here (%s): falling back to %s." % (
            why[:200], "the user switch" if self.user else "plain child processes"))

    def _await_ready(self) -> None:
        """The zygote imported numpy and forked the first worker; else this is an infrastructure
        failure (no student code has run yet): killed from outside or silent, try again; never
        started with namespaces that never worked here, try without; else raise SandboxError."""
        end = time.monotonic() + self.limits.startup_timeout
        attempts = 0
        while not self._ready:
            msg = self._ctl_wait(end)
            if msg is not None:
                if msg[0] == "ready":
                    self._ready = True
                    if self.jailed:
                        _NAMESPACES["ok"] = True
                continue
            code = self._proc.poll() if self._proc is not None else None
            detail = self._exit_detail()
            jailed = self.jailed
            log = self._log[:500].decode("utf-8", "replace")
            self._hard_kill()
            attempts += 1
            killed = code is not None and (code < 0 or (jailed and code > 128))
            if attempts < 3 and (killed or code is None):
                self.start()
            elif jailed and _NAMESPACES["ok"] is not True:
                self._no_namespaces("child stopped at start-up: %s" % (detail or "time-out"))
                self.start()
            else:
                raise SandboxError("the sandboxed child did not start (%s): %s" % (detail or "time-out", log))
            end = time.monotonic() + self.limits.startup_timeout

    def _hard_kill(self) -> None:
        """Kill the keeper/zygote/worker tree without asking (the namespace dies with its pid 1),
        and return only when the zygote is gone."""
        proc, self._proc = self._proc, None
        self._ready = self._worker_loaded = False
        if proc is None:
            return
        zygote = self._zygote or proc.pid
        for target in (-proc.pid, zygote, proc.pid):
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        wait_gone(zygote)
        LIVE.discard(proc.pid)
        if self.user is not None and not self.jailed:
            kill_user_processes(self.user.uid)
        elif not self.jailed:
            sweep_adopted(self._started)
        self._close_pipes(proc)

    def _close_pipes(self, proc) -> None:
        self._drain_log(proc.stderr.fileno())
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        for fd in (self._ctl_r, self._ctl_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._ctl_r = self._ctl_w = -1

    def _stop(self) -> None:
        """Ask the zygote to kill everything it started and exit; kill it if it does not."""
        if self._proc is not None and self._ready:
            try:
                self._ctl_send("stop")
                end = time.monotonic() + 2.0
                while True:
                    msg = self._ctl_wait(end)
                    if msg is None or msg[0] == "stopped":
                        break
                if msg is not None:
                    self._proc.wait(timeout=2.0)     # the keeper reaped the zygote: all is dead
            except (ChildFailure, subprocess.TimeoutExpired):
                pass
        if self._proc is not None and self._proc.returncode is not None and self.jailed:
            proc, self._proc = self._proc, None
            self._ready = False
            LIVE.discard(proc.pid)
            self._close_pipes(proc)
            return
        self._hard_kill()

    def _arm_guard(self) -> None:
        """The budget covers the grader's own work on the answers too: once it is over (plus a
        grace), a profiling timer raises BudgetExceeded in the grading thread, which stops the
        item being graded (the grader marks it for review); later calls fail at once ("budget")."""
        if self._guard is not None or threading.current_thread() is not threading.main_thread():
            return

        def on_prof(signum, frame):
            if not self._closing and time.monotonic() > self._deadline + BUDGET_GRACE:
                raise BudgetExceeded("budget of %g s exhausted" % self.limits.budget)
        try:
            self._guard = signal.signal(signal.SIGPROF, on_prof)
            signal.setitimer(signal.ITIMER_PROF, 1.0, 1.0)
        except (ValueError, OSError):
            self._guard = None

    def _disarm_guard(self) -> None:
        self._closing = True
        if self._guard is not None:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, self._guard)
            self._guard = None

    def close(self) -> None:
        """Kill every student process and remove the work folder."""
        self._disarm_guard()
        self._stop()
        if self.user is not None and not self.jailed:
            remove_user_files(self.user.uid)
        if self._stage is not None:
            shutil.rmtree(self._stage, ignore_errors=True)
            self._stage = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------- the log
    def _take_log(self, fd) -> bool:
        try:
            chunk = os.read(fd, 1 << 20)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False
        if not chunk:
            return False
        self._log_total += len(chunk)
        if len(self._log) < LOG_KEEP:
            self._log += chunk[:LOG_KEEP - len(self._log)]
        return True

    def _drain_log(self, fd) -> None:
        try:
            os.set_blocking(fd, False)
            for _ in range(1000):
                if not self._take_log(fd):
                    break
                ready, _, _ = select.select([fd], [], [], 0)
                if not ready:
                    break
        except (OSError, ValueError):
            pass

    @property
    def log(self) -> str:
        """What the student's code printed: the first LOG_KEEP bytes, and how much was cut."""
        text = bytes(self._log).decode("utf-8", "replace")
        if self._log_total > len(self._log):
            text = "[%d octets affichés, seuls les %d premiers sont repris / %d bytes printed, first %d kept]\n" % (
                self._log_total, len(self._log), self._log_total, len(self._log)) + text
        return text

    # ------------------------------------------------------------- control channel
    def _ctl_send(self, text: str) -> None:
        try:
            os.write(self._ctl_w, (text + "\n").encode())
        except (BlockingIOError, OSError):
            raise ChildFailure("died", "zygote")

    def _pump(self, timeout: float, want_response: bool) -> None:
        """Wait up to timeout for anything from the child; file what arrives."""
        proc = self._proc
        fds = [self._ctl_r, proc.stderr.fileno()] + ([proc.stdout.fileno()] if want_response else [])
        ready, _, _ = select.select(fds, [], [], max(0.0, timeout))
        for fd in ready:
            if fd == proc.stderr.fileno():
                self._take_log(fd)
            elif fd == self._ctl_r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    self._ctlmsgs.append(["eof"])
                    continue
                self._ctlbuf += chunk
                while b"\n" in self._ctlbuf:
                    line, _, self._ctlbuf = self._ctlbuf.partition(b"\n")
                    msg = line.decode("ascii", "replace").split()
                    if msg[:1] == ["zygote"] and len(msg) == 2 and msg[1].isdigit():
                        self._zygote = int(msg[1])
                    elif msg:
                        self._ctlmsgs.append(msg)
            else:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    self._ctlmsgs.append(["eof"])
                self._buf += chunk
                if len(self._buf) > MAX_RESPONSE and b"\n" not in self._buf:
                    raise ChildFailure("too_big")

    def _ctl_wait(self, end: float):
        """The next control message, or None if the zygote died or stayed silent until end."""
        while True:
            while self._ctlmsgs:
                msg = self._ctlmsgs.pop(0)
                if msg[0] == "eof":
                    return None
                if msg[0] == "exit" and len(msg) >= 3 and msg[1] == str(self._gen):
                    self._worker_dead = msg[2]
                    continue
                return msg
            left = end - time.monotonic()
            if left <= 0 or self._proc is None:
                return None
            self._pump(left, want_response=False)

    def _reset(self) -> None:
        """A fresh worker (fast: the zygote forks one); a whole new child if the zygote fails us."""
        self.restarts += 1
        self._worker_loaded = False
        if self._proc is not None and self._ready:
            gen = self._gen + 1
            try:
                self._ctl_send("reset %d" % gen)
                end = time.monotonic() + 5.0
                while True:
                    msg = self._ctl_wait(end)
                    if msg is None:
                        break
                    if msg[0] == "ok" and msg[1:2] == [str(gen)]:
                        self._gen, self._worker_dead = gen, None
                        self._discard_responses()
                        return
            except ChildFailure:
                pass
        self._hard_kill()

    def _discard_responses(self) -> None:
        """Every writer of the old generation is dead: what is left in the pipe is stale."""
        fd = self._proc.stdout.fileno()
        os.set_blocking(fd, False)
        try:
            while True:
                if not os.read(fd, 1 << 16):
                    break
        except (BlockingIOError, OSError):
            pass
        os.set_blocking(fd, True)
        self._buf = b""

    def _exit_detail(self) -> str:
        code = None
        if self._worker_dead is not None:
            try:
                code = int(self._worker_dead)
            except ValueError:
                return ""
        elif self._proc is not None:
            try:
                code = self._proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                return ""
            code = 128 - code if self.jailed and code > 128 else code
        if code is None:
            return ""
        if code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return "signal %d" % -code
        return "code %d" % code

    # ------------------------------------------------------------- protocol
    def _write(self, data: bytes, end: float) -> None:
        fd = self._proc.stdin.fileno()
        view = memoryview(data)
        while view:
            left = end - time.monotonic()
            if left <= 0:
                raise ChildFailure("timeout")
            _, ready, _ = select.select([], [fd], [], left)
            if not ready:
                raise ChildFailure("timeout")
            try:
                n = os.write(fd, view)
            except BlockingIOError:
                continue
            except OSError:
                raise ChildFailure("died", self._exit_detail())
            view = view[n:]

    def _note_exits(self) -> None:
        for msg in list(self._ctlmsgs):
            if msg[0] == "eof" and self._worker_dead is None:
                self._worker_dead = "?"
            elif msg[0] == "exit" and msg[1:2] == [str(self._gen)]:
                self._worker_dead = msg[2] if len(msg) > 2 else "?"
                self._ctlmsgs.remove(msg)

    def _disk_over(self) -> bool:
        """Without namespaces: has this grading written more than its disk budget?"""
        self._disk_checked = time.monotonic()
        if self.jailed or self._stage is None:
            return False
        used, entries = disk.usage(self.user.uid if self.user else None, str(self._stage / "tmp"))
        return used > self.limits.tmp_bytes or entries > self.limits.tmp_files

    def _clear_disk(self) -> None:
        """Kill every process of the grading (one may still be writing), then delete its files."""
        self._hard_kill()
        disk.remove(self.user.uid if self.user else None, str(self._stage / "tmp"))

    def _readline(self, end: float) -> bytes:
        while b"\n" not in self._buf:
            if not self.jailed and time.monotonic() - self._disk_checked > DISK_EVERY and self._disk_over():
                raise ChildFailure("died", DISK_FULL)
            self._note_exits()
            if self._worker_dead is not None:
                # its last words may still be in the pipe
                for _ in range(200):
                    before = len(self._buf)
                    self._pump(0, want_response=True)
                    if b"\n" in self._buf or len(self._buf) == before:
                        break
                if b"\n" in self._buf:
                    break
                raise ChildFailure("died", self._exit_detail())
            left = end - time.monotonic()
            if left <= 0:
                raise ChildFailure("timeout")
            self._pump(left if self.jailed else min(left, DISK_EVERY), want_response=True)
        line, _, self._buf = self._buf.partition(b"\n")
        if len(line) > MAX_RESPONSE:
            raise ChildFailure("too_big")
        return line

    def _raw_request(self, req: dict, timeout: float) -> dict:
        """One exchange; without namespaces the grading's disk use is checked after it (and every
        DISK_EVERY seconds during it): past the budget its processes are killed, its files
        deleted, and the request fails (it costs the function that wrote)."""
        try:
            resp = self._exchange(req, timeout)
        except ChildFailure as exc:
            if not self.jailed and (exc.detail == DISK_FULL or exc.kind != "budget" and self._disk_over()):
                self._clear_disk()
                raise ChildFailure("died", DISK_FULL) from None
            raise
        if not self.jailed and self._disk_over():
            self._clear_disk()
            raise ChildFailure("died", DISK_FULL)
        return resp

    def _exchange(self, req: dict, timeout: float) -> dict:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise ChildFailure("budget")
        timeout = min(timeout, left)
        end = time.monotonic() + timeout
        self._next_id += 1
        req = dict(req, id=self._next_id)
        self._write((json.dumps(req) + "\n").encode(), end)
        junk = 0
        while True:
            line = self._readline(end)
            try:
                resp = json.loads(line)
            except (ValueError, RecursionError):
                resp = None
            if isinstance(resp, dict) and resp.get("id") == self._next_id:
                return resp
            # a stale, garbled or forged line (student code can write on the channel): skip it
            junk += 1
            if junk > 10_000:
                raise ChildFailure("protocol", "réponse illisible")

    def _fresh_worker_loaded(self) -> dict:
        """Start, wait for the zygote, and have the current worker import the student's file."""
        if self._proc is None:
            self.start()
        if not self._ready:
            self._await_ready()
        if self._worker_loaded:
            return {"ok": True}
        started = time.monotonic()
        try:
            resp = self._raw_request({"op": "load", "file": "devoir3.py"}, self.limits.load_timeout)
        except ChildFailure as exc:
            if exc.kind == "timeout":
                self.hang_spent += time.monotonic() - started
            self._reset()
            return {"ok": False, "error": {"type": "Load:" + exc.kind, "message": exc.detail, "line": None}}
        if resp.get("ok"):
            self._worker_loaded = True
        return resp

    def load(self) -> dict:
        """Import the student's file; the answer lists its functions or the error."""
        self._arm_guard()
        if self.loaded is None:
            self.loaded = self._fresh_worker_loaded()
        return self.loaded

    def _timeout(self, asked: float | None) -> float:
        t = asked or self.limits.call_timeout
        if self.hang_spent >= self.limits.hang_allowance:
            t = min(t, self.limits.short_timeout)
        return t

    def _zygote_gone(self, seconds: float = 0.5) -> bool:
        """Has the whole child died? (Its end-of-file may not have been read yet: a write to the
        dying worker can fail first.)"""
        if self._proc is None:
            return True
        try:
            self._proc.wait(timeout=seconds)
            return True
        except subprocess.TimeoutExpired:
            return False

    def request(self, req: dict, timeout: float | None = None, _again: bool = True) -> dict:
        """Send one request; on failure replace the worker (the next request loads a fresh one).
        When the whole child had died (its zygote too: without a pid namespace an earlier call
        can kill it, being the same uid), the request is sent once more to a fresh child, so
        that the function called after the attack does not pay for it."""
        loaded = self.load()
        if not loaded.get("ok"):
            raise ChildFailure("not_loaded")
        if not self._worker_loaded:
            again = self._fresh_worker_loaded()
            if not again.get("ok"):
                err = again.get("error") or {}
                kind = str(err.get("type", "")).replace("Load:", "")
                raise ChildFailure(kind if kind in ("timeout", "budget", "died") else "died",
                                   "rechargement du fichier : %s" % err.get("message", ""))
        t = self._timeout(timeout)
        started = time.monotonic()
        try:
            return self._raw_request(req, t)
        except ChildFailure as exc:
            if exc.kind == "timeout":
                self.hang_spent += time.monotonic() - started
            whole_child = (exc.kind == "died" and not self.jailed and exc.detail != DISK_FULL
                           and (self._worker_dead == "?" or self._zygote_gone()))
            if exc.kind != "budget":
                self._reset()
            if whole_child and _again and self.retries < MAX_RETRIES:
                self.retries += 1
                return self.request(req, timeout, _again=False)
            raise
