"""An interpreter the sandbox user can run, without namespaces (issue 9).

With namespaces the jail binds the interpreter and its venv under a fresh root whose
folders every user can traverse (jail.py). Without them (a container, or
AG_SANDBOX_NAMESPACES=0), a clone under a 0700 folder such as /root/project, or a
Python under /root/.pyenv, cannot be run by the unprivileged sandbox user. Then the
folders the interpreter needs are mirrored once per machine, by hard links (a copy
across file systems), into a root-owned, world-traversable folder of the temporary
directory: the same files, read-only to the sandbox user, and nothing else of the
repository (its sources and reference answers stay out of reach); of the installed packages,
the sandbox user reads numpy's only (issue 20: sympy, mpmath... are the grader's). The mirror is
checked by running it as the sandbox user (import numpy) before it is used.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile

from .jail import is_numpy, path_lines_only, python_binds

_KNOWN: dict = {}      # python -> (path, env) once checked in this process
SKIP_IN_BASE = ("site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip")


def _others_can(path: str, bits: int) -> bool:
    try:
        return os.stat(path).st_mode & bits == bits
    except OSError:
        return False


def reachable(path: str) -> bool:
    """True when any user can reach `path` (every folder above it lets others through) and
    read it; checked along the path as written and along its real path."""
    for p in {os.path.abspath(path), os.path.realpath(path)}:
        parts = p.split("/")
        for i in range(2, len(parts)):
            if not _others_can("/".join(parts[:i]) or "/", stat.S_IXOTH):
                return False
        if not _others_can(p, stat.S_IROTH):
            return False
    return True


def _key(roots: tuple, python: str) -> str:
    import hashlib        # here: OpenSSL stays out of the warm process's children (warm.py imports this module)
    h = hashlib.sha256(os.path.realpath(python).encode() + b"\0numpy-only")   # mirrors since issue 20
    for r in roots:
        h.update(r.encode())
        for sub in ("", "lib"):
            try:
                h.update(str(os.stat(os.path.join(r, sub)).st_mtime_ns).encode())
            except OSError:
                pass
        for dirpath, dirnames, _ in os.walk(os.path.join(r, "lib")):   # site-packages changes on install
            if os.path.basename(dirpath) == "site-packages":
                h.update(str(os.stat(dirpath).st_mtime_ns).encode())
                dirnames[:] = []
            elif dirpath.count("/") - r.count("/") > 2:
                dirnames[:] = []
    return h.hexdigest()[:16]


def _is_base(root: str) -> bool:
    """A Python installation (not a venv): lib/pythonX.Y/os.py below it."""
    return os.path.isfile(os.path.join(root, "lib", "python%d.%d" % sys.version_info[:2], "os.py"))


def _place(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _rewrite(text: str, roots: tuple, mirror: str) -> str:
    for r in roots:
        text = text.replace(r + "/", mirror + r + "/").replace(r + "\n", mirror + r + "\n")
    return text


def _copy_tree(root: str, roots: tuple, build: str, mirror: str, venv_python: bool) -> None:
    """Mirror root into build (links and paths rewritten for where build will be: mirror)."""
    lib = os.path.join(root, "lib", "python%d.%d" % sys.version_info[:2])
    skip_base = venv_python and _is_base(root)
    for dirpath, dirnames, filenames in os.walk(root):
        if skip_base and dirpath == lib:
            dirnames[:] = [d for d in dirnames if d not in SKIP_IN_BASE]
        elif skip_base and dirpath == root:
            dirnames[:] = [d for d in dirnames if d in ("bin", "lib")]
        target = build + dirpath
        os.makedirs(target, mode=0o755, exist_ok=True)
        os.chmod(target, 0o755)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            src, dst = os.path.join(dirpath, name), os.path.join(target, name)
            if os.path.islink(src):
                link = os.readlink(src)
                os.symlink(mirror + link if any(link == r or link.startswith(r + "/") for r in roots)
                           else link, dst)
            elif name == "pyvenv.cfg" or name.endswith(".pth"):
                with open(src, encoding="utf-8", errors="surrogateescape") as f:
                    text = f.read()
                with open(dst, "w", encoding="utf-8", errors="surrogateescape") as f:
                    f.write(_rewrite(text if text.endswith("\n") else text + "\n", roots, mirror))
                os.chmod(dst, 0o644)
            elif os.path.isfile(src):
                _place(src, dst)


def _numpy_only(build: str) -> None:
    """In the mirror, every entry of a site-packages but numpy's is the grader's alone (root
    reads it, the sandbox uid cannot): folders made 0700, files copied (not linked: the venv's
    own must keep their mode) as 0600."""
    for dirpath, dirnames, _ in os.walk(build):
        if os.path.basename(dirpath) != "site-packages":
            continue
        for name in os.listdir(dirpath):
            entry = os.path.join(dirpath, name)
            if is_numpy(name) or os.path.islink(entry) or path_lines_only(entry):
                continue
            if os.path.isdir(entry):
                os.chmod(entry, 0o700)
            else:
                private = entry + ".prive"
                shutil.copy2(entry, private)
                os.chmod(private, 0o600)
                os.replace(private, entry)
        dirnames[:] = []


def _works(python: str, env: dict, uid: int, gid: int) -> bool | None:
    """True: uid imports numpy with python; False: it cannot (the mirror is broken); None: no
    answer (killed, or out of time on a loaded machine), which says nothing of the mirror.
    The check runs in a session of its own: a Ctrl-C meant for the grader's process group
    must not kill it and so pass for a broken mirror, which runnable_python would remove
    while other graders of the machine run from it (seen: their sandboxes could no longer
    import, 'No module named resource')."""
    def drop():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    try:
        code = subprocess.run([python, "-I", "-B", "-c", "import numpy"], env=env, cwd="/", preexec_fn=drop,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                              start_new_session=True).returncode
    except subprocess.TimeoutExpired:
        return None
    except (OSError, subprocess.SubprocessError):
        return False
    return code == 0 if code >= 0 else None


def _ensure_mirror(mirror: str, roots: tuple, venv_python: bool) -> None:
    top = os.path.dirname(mirror)
    st = os.lstat(mirror) if os.path.lexists(mirror) else None
    if st is not None and not (stat.S_ISDIR(st.st_mode) and st.st_uid == 0 and st.st_mode & 0o022 == 0
                               and os.path.exists(os.path.join(mirror, ".complet"))):
        raise OSError("%s exists but is not a complete mirror made by root" % mirror)
    if st is not None:
        return
    build = tempfile.mkdtemp(prefix="ag-python-build-", dir=top)
    try:
        for r in roots:
            _copy_tree(r, roots, build, mirror, venv_python)
        _numpy_only(build)
        os.chmod(build, 0o755)
        with open(os.path.join(build, ".racines"), "w") as f:
            f.write("\n".join(roots))
        open(os.path.join(build, ".complet"), "w").close()
        try:
            os.rename(build, mirror)
        except OSError:          # another grader made it meanwhile
            if not os.path.exists(os.path.join(mirror, ".complet")):
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    _remove_stale(mirror, roots)


def _remove_stale(mirror: str, roots: tuple) -> None:
    """Older mirrors of the same folders (made before a venv change): their hard links would
    keep replaced files alive."""
    top = os.path.dirname(mirror)
    for name in os.listdir(top):
        other = os.path.join(top, name)
        if not name.startswith("ag-python-") or name.startswith("ag-python-build-") or other == mirror:
            continue
        try:
            if os.lstat(other).st_uid != 0:
                continue
            with open(os.path.join(other, ".racines")) as f:
                if f.read() != "\n".join(roots):
                    continue
        except OSError:
            continue
        shutil.rmtree(other, ignore_errors=True)


def runnable_python(python: str, uid: int, gid: int) -> tuple:
    """(interpreter path, extra environment) that uid can run; the interpreter itself when
    every folder it needs is reachable, else a mirror (built once per machine).
    Raises OSError when no mirror can be made or run."""
    if python in _KNOWN:
        return _KNOWN[python]
    roots = python_binds(python)
    if reachable(python) and all(reachable(r) for r in roots):
        return python, {}
    venv_python = sys.prefix != sys.base_prefix
    top = tempfile.gettempdir()
    mirror = os.path.join(top, "ag-python-" + _key(roots, python))
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    libdirs = [mirror + r + "/lib" for r in roots if _is_base(r)]
    if libdirs:      # a Python built with an absolute RUNPATH to its own lib/ (pyenv)
        env["LD_LIBRARY_PATH"] = ":".join(libdirs)
    exe = os.path.abspath(python)
    exe = mirror + exe if any(exe.startswith(r + "/") for r in roots) else exe
    for attempt in (1, 2):
        _ensure_mirror(mirror, roots, venv_python)
        works = _works(exe, env, uid, gid)
        if works:
            break
        if works is None:          # not a verdict on the mirror: others may be running from it
            raise OSError("the mirror %s did not answer as uid %d (killed or out of time)" % (mirror, uid))
        if attempt == 2:
            raise OSError("the mirror %s cannot import numpy as uid %d" % (mirror, uid))
        shutil.rmtree(mirror, ignore_errors=True)     # stale (e.g. a temporary-files cleaner took a part)
    _KNOWN[python] = exe, {k: v for k, v in env.items() if k == "LD_LIBRARY_PATH"}
    return _KNOWN[python]
