"""Kernel limits on the child, set between fork and exec (limits layer): rlimits, no new
privileges, the user switch or, as root without a sandbox user, no capabilities."""
from __future__ import annotations

import ctypes
import errno
import os
import signal
from dataclasses import dataclass, fields, replace

from .identity import SandboxUser
from .jail import Jail, build_jail
from .kernel import (CLONE_NEWNET, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, check,
                     libc, prctl)


@dataclass(frozen=True)
class Limits:
    call_timeout: float = 5.0        # wall seconds for one request
    load_timeout: float = 10.0       # wall seconds to import the student's file
    budget: float = 120.0            # wall seconds for the whole submission
    cpu_seconds: int = 60            # RLIMIT_CPU per child process
    memory_bytes: int = 768 * 1024 * 1024   # RLIMIT_AS
    max_processes: int = 64          # RLIMIT_NPROC (per user: after the user switch or in a user namespace)
    max_file_bytes: int = 16 * 1024 * 1024
    max_open_files: int = 64
    hang_allowance: float = 20.0     # seconds lost to time-outs before short_timeout applies
    short_timeout: float = 1.0       # the per-call limit once hang_allowance is spent
    startup_timeout: float = 60.0    # python + numpy in the zygote (no student code yet)
    tmp_bytes: int = 32 * 1024 * 1024   # disk: the private /tmp inside the namespaces, else what the uid wrote
    tmp_files: int = 10_000          # files and folders, likewise


def with_env(limits: Limits, env=None) -> Limits:
    """Apply AG_LIMITS="call_timeout=1,budget=30" (tests, benchmarks, a slow machine)."""
    text = (os.environ if env is None else env).get("AG_LIMITS", "")
    types = {f.name: f.type for f in fields(Limits)}
    changes = {}
    for part in text.replace(";", ",").split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        if key in types and value.strip():
            try:
                changes[key] = (float if "float" in str(types[key]) else int)(float(value))
            except ValueError:
                pass
    return replace(limits, **changes) if changes else limits


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities():
    """Root without a sandbox user: keep uid 0 but no capability, now or after exec."""
    for cap in range(64):
        if prctl(PR_CAPBSET_DROP, cap) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    check(libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "capset")


def socket_filter():
    """A seccomp filter, built here in the parent and loaded by each child: socket() fails with
    EACCES whatever the family (the child needs none: it speaks through inherited pipes;
    socketpair stays allowed), io_uring_setup with EPERM (it can open sockets too). Where
    namespaces are refused (Docker) this is what keeps student code off the network.
    (None, why) when libseccomp or its binding is missing."""
    if "filter" not in _SECCOMP:
        try:
            sc = _pyseccomp()
            f = sc.SyscallFilter(sc.ALLOW)
            f.add_rule(sc.ERRNO(errno.EACCES), "socket")
            try:
                f.add_rule(sc.ERRNO(errno.EPERM), "io_uring_setup")
            except (OSError, ValueError):    # a libseccomp too old to know it
                pass
            _SECCOMP.update(filter=f, why="")
        except (ImportError, OSError, RuntimeError, ValueError, AttributeError) as exc:
            _SECCOMP.update(filter=None, why="%s: %s" % (type(exc).__name__, exc))
    return _SECCOMP["filter"], _SECCOMP["why"]


_SECCOMP: dict = {}
SONAMES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}


def _pyseccomp():
    """pyseccomp, imported without its two `ctypes.util.find_library` look-ups, each of which
    runs `/sbin/ldconfig -p` (two processes: 0.03 s of CPU per grading, twice that in wall time
    at Gradescope's 0.5 CPU): the loader finds libc and libseccomp by their soname, which are
    tried first; the library's own look-up is kept for anything else (or a soname that fails)."""
    import ctypes
    import ctypes.util
    find = ctypes.util.find_library

    def by_soname(name):
        if name in SONAMES:
            try:
                ctypes.CDLL(SONAMES[name])
                return SONAMES[name]
            except OSError:
                pass
        return find(name)
    ctypes.util.find_library = by_soname
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = find
    return pyseccomp


def child_setup(limits: Limits, user: SandboxUser | None, jail: Jail | None, seccomp=None):
    import resource
    uid, gid = os.getuid(), os.getgid()
    root = os.geteuid() == 0

    def setup():
        os.setsid()
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")      # under memory pressure the kernel kills student code first
        except OSError:
            pass
        if jail is not None:
            build_jail(jail, uid, gid)
        elif user is not None:
            libc.unshare(CLONE_NEWNET)   # best effort: no network
        for res, val in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                         (resource.RLIMIT_AS, limits.memory_bytes),
                         (resource.RLIMIT_FSIZE, limits.max_file_bytes),
                         (resource.RLIMIT_NOFILE, limits.max_open_files),
                         (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(res, (val, val))
        if user is not None or (jail is not None and jail.userns):
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
        if user is not None:
            os.setgroups([])
            os.setgid(user.gid)
            os.setuid(user.uid)
        elif root:
            drop_capabilities()
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        if seccomp is not None:
            seccomp.load()           # after no-new-privs (libseccomp would set it too)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full file raises, not kills
    return setup
