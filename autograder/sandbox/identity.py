"""Who student code runs as: the unprivileged sandbox user (identity layer)."""
from __future__ import annotations

import os
import pwd
from dataclasses import dataclass


@dataclass
class SandboxUser:
    name: str
    uid: int
    gid: int


def sandbox_user(name: str | None = None) -> SandboxUser | None:
    """The unprivileged user to drop to, when we are root and it exists (AG_SANDBOX_USER names
    another one: parallel runs on one machine each need their own, see kill_user_processes)."""
    if os.geteuid() != 0:
        return None
    name = name or os.environ.get("AG_SANDBOX_USER") or "ag_student"
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        return None
    if pw.pw_uid == 0:
        return None
    return SandboxUser(name, pw.pw_uid, pw.pw_gid)
