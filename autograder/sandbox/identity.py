"""Who student code runs as (identity layer).

As root, by default, a uid and gid of its own for each grading: a random number in a high
range that no account, group or running process has. The kernel counts processes per uid
across every container of a host, so a shared sandbox user (ag_student, uid 999 on every
image) let 64 processes held anywhere on the host make every other grading fail, and the
uid-wide kill after grading reach other gradings' processes (issue 12). With a uid per
grading, RLIMIT_NPROC and that kill reach only this grading's processes.

AG_SANDBOX_USER=name picks a named user instead (the former ag_student; tests that lease
users). Not root: no user switch (None).
"""
from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass

PER_GRADING = (2_000_000_000, 2_100_000_000)    # [low, high) of the per-grading uids and gids


@dataclass
class SandboxUser:
    name: str
    uid: int
    gid: int
    per_grading: bool = False      # a fresh uid per Sandbox (see fresh_identity)


def _mapped_ranges() -> list:
    """[low, high) ranges of uids this process can switch to (its user namespace's map)."""
    out = []
    try:
        with open("/proc/self/uid_map") as f:
            for line in f:
                inside, _, count = (int(x) for x in line.split())
                out.append((inside, inside + count))
    except (OSError, ValueError):
        out = [(0, 2 ** 32 - 1)]
    return out


def _candidates() -> tuple:
    """The per-grading range, or (in a container with a narrow uid map) the top half of the
    largest mapped range."""
    for low, high in _mapped_ranges():
        if low <= PER_GRADING[0] and PER_GRADING[1] <= high:
            return PER_GRADING
    low, high = max(_mapped_ranges(), key=lambda r: r[1] - r[0])
    low = max(low + (high - low) // 2, 60_000)
    if high - low < 1000:
        raise OSError("no free range of uids for the sandbox in this user namespace")
    return low, min(high, 2 ** 31 - 1)


def _in_use(uid: int) -> bool:
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(uid)
            return True
        except KeyError:
            pass
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat("/proc/" + entry).st_uid == uid:
                    return True
            except OSError:
                pass
    return False


def fresh_identity() -> SandboxUser:
    """A uid (= gid) no account, group or process of this machine has (a process in another
    container cannot be seen: the range is 10^8 wide, a collision is that unlikely)."""
    import secrets        # here: its hashlib (OpenSSL, 5 MB of address space) stays out of the warm
    low, high = _candidates()   # process's children, which import this module (warm_server.py)
    for _ in range(50):
        uid = low + secrets.randbelow(high - low)
        if not _in_use(uid):
            return SandboxUser("uid %d" % uid, uid, uid, per_grading=True)
    raise OSError("no free uid found for the sandbox")


def sandbox_user(name: str | None = None) -> SandboxUser | None:
    """The unprivileged identity to drop to when we are root: a per-grading uid, or the named
    user (`name`, else AG_SANDBOX_USER) when it exists. None when not root, or when the named
    user does not exist."""
    if os.geteuid() != 0:
        return None
    name = name or os.environ.get("AG_SANDBOX_USER")
    if not name:
        try:
            return fresh_identity()
        except OSError:
            name = "ag_student"
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        return None
    if pw.pw_uid == 0:
        return None
    return SandboxUser(name, pw.pw_uid, pw.pw_gid)
