"""Process reaping: the subreaper, killing a uid's processes, sweeping orphans and the files
a uid left in the shared temporary folders (without namespaces)."""
from __future__ import annotations

import os
import select
import signal
import time

from . import disk
from .disk import SHARED
from .kernel import PR_SET_CHILD_SUBREAPER, prctl

LIVE: set = set()             # pids of the children started here (never swept as orphans)


def set_subreaper() -> None:
    """Orphans of our children come back to us (not to init), so none can outlive grading unseen."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def _state_and_parent(pid: int):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
        rest = stat[stat.rindex(b")") + 2:].split()
        return rest[0].decode(), int(rest[1])
    except (OSError, ValueError, IndexError):
        return None, None


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    """Wait until pid has exited (reaping it if it was orphaned onto us)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        state, ppid = _state_and_parent(pid)
        if state is None:
            return True
        if state in ("Z", "X"):
            if ppid == os.getpid():
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
                return True
            if ppid not in (None, 0) and _state_and_parent(ppid)[0] is None:
                return True
        time.sleep(0.005)
    return False


def wait_child(pid: int, timeout: float | None = None):
    """Reap our child pid, waiting at most timeout seconds (None: for ever): its exit code
    (negative: the signal), or None if it is still running. Woken by its exit (a pidfd), not
    by polling, where the kernel has pidfds (Linux 5.3; a seccomp profile may refuse them)."""
    end = None if timeout is None else time.monotonic() + timeout
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    try:
        delay = 0.0005
        while True:
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return -9            # reaped elsewhere: its status is lost
            if done:
                return os.waitstatus_to_exitcode(status)
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                return None
            if fd is not None:
                select.select([fd], [], [], left)
            else:
                time.sleep(delay if left is None else min(delay, left))
                delay = min(delay * 2, 0.05)
    finally:
        if fd is not None:
            os.close(fd)


def kill_user_processes(uid: int, seconds: float = 5.0) -> bool:
    """SIGKILL every process of uid (they cannot escape by changing process group) and wait
    until none is left alive; zombies orphaned onto us are reaped. True when none is left."""
    if uid == 0 or uid == os.getuid():
        return True
    end = time.monotonic() + seconds
    while True:
        alive = living_processes(uid)
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for pid in alive:
            state, ppid = _state_and_parent(pid)
            if state in ("Z", "X") and ppid == os.getpid():
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
        if not alive:
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.005)


def living_processes(uid: int | None = None, environ: bytes | None = None) -> list:
    """Pids of the processes that are not zombies, of uid and/or whose initial environment
    holds `environ` (e.g. b"AG_TAG=..."): for the supervisor and the tests."""
    out = []
    for pid in _pids():
        try:
            if uid is not None and os.stat("/proc/%d" % pid).st_uid != uid:
                continue
            if environ is not None:
                with open("/proc/%d/environ" % pid, "rb") as f:
                    if environ not in f.read():
                        continue
            if _state_and_parent(pid)[0] not in (None, "Z", "X"):
                out.append(pid)
        except OSError:
            pass
    return out


def remove_user_files(uid: int, places=SHARED) -> None:
    """Delete what uid left in the shared writable folders (without namespaces: disk bombs)."""
    disk.remove(uid, None, places)


def _start_time(pid: int) -> float | None:
    """Wall-clock start of pid (seconds since the epoch), from /proc."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
        ticks = int(stat[stat.rindex(b")") + 2:].split()[19])
        with open("/proc/stat", "rb") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith(b"btime"))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def sweep_adopted(since: float) -> None:
    """Kill the processes that were orphaned onto us (we are a subreaper) after `since`:
    without namespaces or a user switch, a student's daemon ends up here."""
    me = os.getpid()
    for _ in range(20):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in LIVE:
                continue
            try:
                with open("/proc/%s/stat" % entry, "rb") as f:
                    stat = f.read()
                if int(stat[stat.rindex(b")") + 2:].split()[1]) != me:
                    continue
            except (OSError, ValueError, IndexError):
                continue
            start = _start_time(int(entry))
            if start is None or start < since:
                continue
            try:
                with open("/proc/%s/environ" % entry, "rb") as f:
                    if b"AG_CTL=" not in f.read():
                        continue      # not started by a sandbox (e.g. a pool worker)
            except OSError:
                continue
            try:
                os.kill(int(entry), signal.SIGKILL)
                os.waitpid(int(entry), 0)
                found = True
            except (OSError, ChildProcessError):
                pass
        if not found:
            return


def sweep_all_adopted(seconds: float = 10.0) -> None:
    """For a process with no children of its own left (the supervisor once its worker has
    exited): kill and reap every process orphaned onto it, until none is left."""
    me = os.getpid()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        kids = children(me)
        if not kids:
            return
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        time.sleep(0.005)


def children(pid: int) -> list:
    """The pids whose parent is pid (from /proc)."""
    return [p for p in _pids() if _state_and_parent(p)[1] == pid]


def _pids() -> list:
    return [int(e) for e in os.listdir("/proc") if e.isdigit()]
