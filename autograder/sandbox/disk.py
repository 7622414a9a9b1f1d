"""What a sandbox uid wrote to disk, without namespaces (issue 12).

Inside the namespaces the child's /tmp is a private tmpfs of fixed size. Without them
(Gradescope's Docker) there are no quotas: the child gets a private temporary folder
(TMPDIR, HOME, cwd) but can still write wherever "others" may, i.e. the shared
world-writable folders. A per-grading uid makes its files recognisable: the sandbox
totals them after each call (and every second during one) and, past the budget, kills
the uid's processes and deletes the files. The walk only descends where that uid could
have written (its own folders, and folders writable and searchable by others), so a
large /tmp of other owners' private folders costs little.
"""
from __future__ import annotations

import os
import shutil
import stat

SHARED = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")   # world-writable on Debian and Ubuntu
MAX_ENTRIES = 200_000     # entries looked at per walk: beyond, count as over budget


def _others_may_write(st) -> bool:
    return stat.S_ISDIR(st.st_mode) and st.st_mode & 0o003 == 0o003


def owned(uid: int | None, places=SHARED, limit: int = MAX_ENTRIES):
    """Yield (path, lstat) of each entry owned by uid under places (uid None: every entry,
    for a private folder); a folder before its content. Stops after `limit` entries seen."""
    seen = 0
    todo = [(p, uid is None) for p in places]
    while todo:
        top, everything = todo.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for e in entries:
            seen += 1
            if seen > limit:
                yield None, None
                return
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            mine = everything or st.st_uid == uid
            if mine:
                yield e.path, st
            if stat.S_ISDIR(st.st_mode) and (mine or _others_may_write(st)):
                todo.append((e.path, mine))


def usage(uid: int | None, private: str | None, places=SHARED) -> tuple:
    """(bytes, entries) the grading holds: everything in its private folder, and what uid owns
    in the shared places (uid None: the private folder only). (inf, inf) past MAX_ENTRIES."""
    total = count = 0
    walks = ([owned(None, (private,))] if private else []) + ([owned(uid, places)] if uid is not None else [])
    for walk in walks:
        for path, st in walk:
            if path is None:
                return float("inf"), float("inf")
            total += st.st_blocks * 512
            count += 1
    return total, count


def remove(uid: int | None, private: str | None, places=SHARED) -> None:
    """Delete the private folder's content and what uid owns in the shared places."""
    if private:
        for e in list(os.scandir(private)) if os.path.isdir(private) else []:
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)
            else:
                try:
                    os.unlink(e.path)
                except OSError:
                    pass
    if uid is None or uid == 0 or uid == os.getuid():
        return
    for _ in range(3):       # the uid's own folders may hold entries of nobody else: removed whole
        found = [(p, st) for p, st in owned(uid, places, limit=10 * MAX_ENTRIES) if p is not None]
        if not found:
            return
        for p, st in found:
            try:
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)
            except OSError:
                pass
