"""The namespaces and the jail: a new root that shows only the system, the interpreter and
its venv (of its installed packages, numpy only), the work folder (read-only at JAIL_WORK) and
a private size-limited /tmp."""
from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

from .kernel import (CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS,
                     MNT_DETACH, MS_BIND, MS_NODEV, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT,
                     SYS_PIVOT_ROOT, check, libc)

JAIL_WORK = "/travail"           # the work folder, seen from inside the namespaces
SYSTEM_TOPS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")


def _mount(src, dst, fstype, flags, data=None):
    check(libc.mount(src.encode() if src else None, dst.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None), "mount %s" % dst)


def _bind(src, dst, writable=False):
    _mount(src, dst, None, MS_BIND | MS_REC)
    if not writable:
        _mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


@dataclass(frozen=True)
class Jail:
    """Where the namespaces' root is built, what it shows, and whether a user namespace is needed."""
    root: str                # an empty folder: mount point of the new root (a tmpfs)
    work: str                # the work folder, bound read-only at JAIL_WORK
    binds: tuple             # read-only binds at the same path (interpreter, venv)
    userns: bool             # not root: namespaces through a user namespace
    tmp_bytes: int
    tmp_files: int = 10_000


def build_jail(j: Jail, uid: int, gid: int) -> None:
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    if j.userns:
        flags |= CLONE_NEWUSER
    check(libc.unshare(flags), "unshare")
    if j.userns:
        for name, text in (("setgroups", "deny"), ("uid_map", "%d %d 1" % (uid, uid)),
                           ("gid_map", "%d %d 1" % (gid, gid))):
            with open("/proc/self/" + name, "w") as f:
                f.write(text)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    r = j.root
    _mount("tmpfs", r, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    for top in SYSTEM_TOPS:
        if os.path.islink(top):
            os.symlink(os.readlink(top), r + top)
        elif os.path.isdir(top):
            os.mkdir(r + top)
            _bind(top, r + top)
    os.mkdir(r + "/tmp")
    _mount("tmpfs", r + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=%d,nr_inodes=%d,mode=1777" % (j.tmp_bytes, j.tmp_files))
    for path in j.binds:          # after /tmp: a venv in /tmp stays visible (and read-only)
        os.makedirs(r + path, exist_ok=True)
        _bind(path, r + path)
        _numpy_only(path, r)
    os.mkdir(r + "/dev")
    for dev in DEVICES:
        if os.path.exists("/dev/" + dev):
            open(r + "/dev/" + dev, "w").close()
            _bind("/dev/" + dev, r + "/dev/" + dev, writable=True)
    os.mkdir(r + "/etc")
    for name in ("ld.so.cache", "ld.so.conf"):
        if os.path.isfile("/etc/" + name):
            open(r + "/etc/" + name, "w").close()
            _bind("/etc/" + name, r + "/etc/" + name)
    os.mkdir(r + JAIL_WORK)
    _bind(j.work, r + JAIL_WORK)
    os.mkdir(r + "/.ancien")
    check(libc.syscall(SYS_PIVOT_ROOT, r.encode(), (r + "/.ancien").encode()), "pivot_root")
    os.chdir("/")
    check(libc.umount2(b"/.ancien", MNT_DETACH), "umount")
    os.rmdir("/.ancien")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(JAIL_WORK)


def is_numpy(name: str) -> bool:
    """An entry of site-packages that student code may read: numpy's own (issue 20)."""
    return name == "numpy" or name.startswith(("numpy.", "numpy-"))


def path_lines_only(entry: str) -> bool:
    """A .pth file that only names folders (no `import` line): the interpreter needs it to find
    numpy elsewhere; it runs no code of the grader's packages."""
    if not entry.endswith(".pth") or not os.path.isfile(entry):
        return False
    with open(entry, encoding="utf-8", errors="replace") as f:
        return not any(line.startswith(("import ", "import\t")) for line in f)


def _numpy_only(path: str, r: str) -> None:
    """Student code has numpy and nothing else of the venv (issue 20): each site-packages folder
    under path is covered, in the new root r, by an empty tmpfs holding only numpy's folders."""
    for lib in ("lib", "lib64"):
        base = os.path.join(path, lib)
        if not os.path.isdir(base) or os.path.islink(base):
            continue
        for version in sorted(os.listdir(base)):
            site = os.path.join(base, version, "site-packages")
            if not version.startswith("python") or not os.path.isdir(site):
                continue
            _mount("tmpfs", r + site, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
            for name in sorted(os.listdir(site)):
                entry = site + "/" + name
                if is_numpy(name) and os.path.isdir(entry) and not os.path.islink(entry):
                    os.mkdir(r + entry)
                elif path_lines_only(entry):          # a .pth naming another folder of numpy's
                    open(r + entry, "w").close()
                else:
                    continue
                _bind(entry, r + entry)
            _mount(None, r + site, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def python_binds(python: str) -> tuple:
    """The folders the interpreter needs, outside the system folders bound anyway."""
    cands = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for p in (os.path.abspath(python), os.path.realpath(python)):
        cands.add(os.path.dirname(os.path.dirname(p)))
    cands |= {os.path.realpath(c) for c in list(cands)}
    keep = []
    for c in sorted(cands, key=len):
        c = os.path.normpath(c)
        if c == "/" or any(c == t or c.startswith(t + "/") for t in SYSTEM_TOPS):
            continue
        if not os.path.isdir(c) or any(c == k or c.startswith(k + "/") for k in keep):
            continue
        keep.append(c)
    return tuple(keep)

