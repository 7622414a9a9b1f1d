"""Parent side of the sandbox: start the child, send requests, enforce limits.

The student's code only ever runs in the child started here. Each request has
a wall-clock time limit; the child also has kernel limits (CPU seconds, address
space, processes, file size, open files). After a time-out or a crash the whole
process group is killed and a fresh child is started for the next request, so
one bad function costs its own item only. When the grader runs as root the
child drops to an unprivileged user and loses the network.
"""
from __future__ import annotations

import json
import os
import pwd
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTILS = HERE.parent.parent / "student_template" / "outils.py"
MAX_RESPONSE = 8 * 1024 * 1024   # bytes of one answer line
LOG_KEEP = 2000                  # characters of the student's own output kept


@dataclass(frozen=True)
class Limits:
    call_timeout: float = 5.0        # wall seconds for one request
    load_timeout: float = 10.0       # wall seconds to import the student's file
    budget: float = 120.0            # wall seconds for the whole submission
    cpu_seconds: int = 60            # RLIMIT_CPU per child process
    memory_bytes: int = 768 * 1024 * 1024   # RLIMIT_AS
    max_processes: int = 64          # RLIMIT_NPROC (per user: meaningful after the user switch)
    max_file_bytes: int = 16 * 1024 * 1024
    max_open_files: int = 64


class ChildFailure(Exception):
    """The child did not answer: kind is 'timeout', 'died', 'too_big', 'budget' or 'protocol'."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


@dataclass
class SandboxUser:
    name: str
    uid: int
    gid: int


def sandbox_user(name: str = "ag_student") -> SandboxUser | None:
    """The unprivileged user to drop to, when we are root and it exists."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        return None
    return SandboxUser(name, pw.pw_uid, pw.pw_gid)


def _unshare_network() -> None:
    """Best effort: a new, empty network namespace (needs CAP_SYS_ADMIN)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.unshare(0x40000000)  # CLONE_NEWNET; failure leaves the network as it is
    except Exception:
        pass


def _preexec(limits: Limits, user: SandboxUser | None):
    import resource

    def setup():
        os.setsid()
        if user is not None:
            _unshare_network()
        for res, val in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                         (resource.RLIMIT_AS, limits.memory_bytes),
                         (resource.RLIMIT_FSIZE, limits.max_file_bytes),
                         (resource.RLIMIT_NOFILE, limits.max_open_files),
                         (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(res, (val, val))
        if user is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
            os.setgroups([])
            os.setgid(user.gid)
            os.setuid(user.uid)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full log raises, not kills
    return setup


def kill_user_processes(uid: int) -> None:
    """SIGKILL every process of uid (they cannot escape by changing process group)."""
    for _ in range(3):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.stat("/proc/" + entry).st_uid == uid:
                    os.kill(int(entry), signal.SIGKILL)
                    found = True
            except (OSError, ProcessLookupError):
                pass
        if not found:
            return
        time.sleep(0.02)


@dataclass
class Sandbox:
    """One student's file, served by a (re)startable child process."""
    student_file: Path
    limits: Limits = field(default_factory=Limits)
    python: str = sys.executable
    user: SandboxUser | None = None
    _proc: subprocess.Popen | None = None
    _work: Path | None = None
    _buf: bytes = b""
    _next_id: int = 0
    _deadline: float = 0.0
    loaded: dict | None = None          # the answer to 'load' (functions or error)
    restarts: int = 0
    log: str = ""

    def __post_init__(self):
        self._deadline = time.monotonic() + self.limits.budget

    # lifecycle ------------------------------------------------------------
    def _make_workdir(self) -> Path:
        work = Path(tempfile.mkdtemp(prefix="ag-sandbox-"))
        shutil.copyfile(HERE / "child.py", work / "_enfant.py")
        shutil.copyfile(OUTILS, work / "outils.py")
        shutil.copyfile(self.student_file, work / "devoir3.py")
        if self.user is not None:
            for p in [work, *work.iterdir()]:
                os.chown(p, self.user.uid, self.user.gid)
        os.chmod(work, 0o700)
        return work

    def start(self) -> None:
        """Start the child now (its numpy import overlaps the grader's own start-up)."""
        if self._proc is not None:
            return
        self._work = self._make_workdir()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self._work), "LANG": "C.UTF-8",
               "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if key in os.environ:
                env[key] = os.environ[key]
        self._proc = subprocess.Popen(
            [self.python, "-I", "-B", str(self._work / "_enfant.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self._work, env=env, close_fds=True,
            preexec_fn=_preexec(self.limits, self.user))
        self._buf = b""

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        if self.user is not None:
            kill_user_processes(self.user.uid)
        self._collect_log()

    def _collect_log(self) -> None:
        if self._work is None:
            return
        try:
            with open(self._work / "sortie.log", "rb") as f:
                chunk = f.read(LOG_KEEP)
            text = chunk.decode("utf-8", "replace")
            if text and len(self.log) < LOG_KEEP:
                self.log = (self.log + text)[:LOG_KEEP]
        except OSError:
            pass

    def close(self) -> None:
        """Kill every student process and remove the work folder."""
        self._kill()
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # protocol -------------------------------------------------------------
    def _readline(self, timeout: float) -> bytes:
        fd = self._proc.stdout.fileno()
        end = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = end - time.monotonic()
            if left <= 0:
                raise ChildFailure("timeout")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise ChildFailure("timeout")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ChildFailure("died", self._exit_detail())
            self._buf += chunk
            if len(self._buf) > MAX_RESPONSE:
                raise ChildFailure("too_big")
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def _exit_detail(self) -> str:
        try:
            code = self._proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return ""
        if code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return "signal %d" % -code
        return "code %d" % code

    def _raw_request(self, req: dict, timeout: float) -> dict:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise ChildFailure("budget")
        timeout = min(timeout, left)
        self._next_id += 1
        req = dict(req, id=self._next_id)
        try:
            self._proc.stdin.write((json.dumps(req) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise ChildFailure("died", self._exit_detail())
        while True:
            line = self._readline(timeout)
            try:
                resp = json.loads(line)
            except ValueError:
                raise ChildFailure("protocol", "réponse illisible")
            if not isinstance(resp, dict):
                raise ChildFailure("protocol", "réponse illisible")
            if resp.get("id") == self._next_id:
                return resp
            # a stale or forged line: ignore it and keep waiting for ours

    def _ensure_loaded(self) -> dict:
        if self.loaded is not None and not self.loaded.get("ok"):
            return self.loaded            # a file that does not load is not retried
        if self._proc is None:
            self.start()
            self.loaded = None
        if self.loaded is None:
            try:
                self.loaded = self._raw_request({"op": "load", "file": "devoir3.py"},
                                                self.limits.load_timeout)
            except ChildFailure as exc:
                self._kill()
                self.loaded = {"ok": False, "error": {"type": "Load:" + exc.kind,
                                                      "message": exc.detail, "line": None}}
        return self.loaded

    def load(self) -> dict:
        """Import the student's file; the answer lists its functions or the error."""
        return self._ensure_loaded()

    def request(self, req: dict, timeout: float | None = None) -> dict:
        """Send one request; on failure kill the child (the next request restarts it)."""
        loaded = self._ensure_loaded()
        if not loaded.get("ok"):
            raise ChildFailure("not_loaded")
        try:
            return self._raw_request(req, timeout or self.limits.call_timeout)
        except ChildFailure:
            self._kill()
            self.restarts += 1
            raise
