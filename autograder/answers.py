"""Reference answers as data: computed once per version of the rubric and the reference, kept
on disk, never computed again for each submission (issue 17).

What a student's answers are compared with depends only on the rubric, its seed and the
instructor's code: the seeded cases of every check (inputs.py), what the reference gives on
them, and, for the diagnosis, what each catalogued wrong twin answers to the calls a grading
makes (diagnosis.py). Every such value goes through `value(key, compute)`: served from this
process's memo, else computed (and kept in the memo). `precompute()` fills the memo by grading
the full-marks answers in this process (instructor code, as the diagnosis runs it) and every
twin on the calls that grading made, then writes the memo to one file named by a hash of
every source the values depend on. A grading process reads that file once, at its first
look-up; whatever is not in it (a missing, stale or corrupt file, a rubric under test, a call
no full-marks grading makes) is computed live: the same values either way (the cache changes
no grade: tests/test_answers.py grades with and without it and compares results.json).

`python -m autograder precompute` writes it (setup.sh, for the Gradescope image); the CLI's
grade and batch, the mutation analysis and the tests' session write it when it is missing.

The course's rubric, parsed and checked, is kept in the same folder (rubric.load).

Where: AG_ANSWERS names the folder ("off" computes everything live, writes nothing); default
.cache/answers in the repository. Instructor data: the folder is 0700 and the file 0600, both
of the grader's user, and a file that is not (or whose folder others can write) is not read.
It lives in the autograder's source, which the sandbox never shows to student code: not bound
into the jail (namespaces), and without namespaces the per-grading uid cannot enter a 0700
folder of another user (on Gradescope the whole source is locked 0700 too). Pickle, because
only the grader itself writes it, in a folder only it can write (never anything from a student).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / ".cache" / "answers"
FORMAT = 1                       # bump when the file's layout or its keys change
MAGIC = b"ift3395-answers\n"

_memo: dict = {}
_state = {"pid": None, "loaded": None, "misses": 0, "hits": 0}


# ------------------------------------------------------------------ where, which version
def folder() -> Path | None:
    """The cache folder, or None when AG_ANSWERS turns the cache off."""
    where = os.environ.get("AG_ANSWERS", "")
    if where.lower() in ("0", "off", "no"):
        return None
    return Path(where) if where else DEFAULT_DIR


def sources() -> list:
    """Every file the cached values depend on: the rubric and catalogue, the grader's code (cases,
    checks, targets, diagnosis...), the reference, outils.py and the full-marks file (the base of
    the twins). The sandbox's code is left out: it computes none of them."""
    files = [p for p in sorted((REPO / "autograder").glob("*")) if p.suffix in (".py", ".yaml")]
    files += sorted((REPO / "reference").glob("*.py"))
    files += [REPO / "student_template" / "outils.py", REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"]
    return files


def version() -> str:
    """A hash of sources() and of what computes with them (Python, numpy): names the file."""
    import numpy
    h = hashlib.sha256(("%d %s %s" % (FORMAT, sys.version, numpy.__version__)).encode())
    for p in sources():
        h.update(p.relative_to(REPO).as_posix().encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"-")
        h.update(b"\0")
    return h.hexdigest()[:24]


def path() -> Path | None:
    where = folder()
    return None if where is None else where / ("answers-%s.pickle" % version())


# ------------------------------------------------------------------ the memo
def _mine() -> dict:
    """This process's memo: a forked child starts from its parent's, as read-only data."""
    if _state["pid"] != os.getpid():
        _state.update(pid=os.getpid())
    return _state


def _ensure_loaded() -> None:
    st = _mine()
    if st["loaded"] is None:
        st["loaded"] = False
        data = read()
        if data is not None:
            _memo.update(data)
            st["loaded"] = True


def value(key: tuple, compute):
    """The value of `key` (a tuple of str and ints naming what is computed, never anything a
    student gave): from the memo (and the file), else compute() now and keep it. Arrays in the
    result are made read-only: the same object serves every later grading of this process."""
    _ensure_loaded()
    try:
        out = _memo[key]
        _state["hits"] += 1
        return out
    except KeyError:
        pass
    _state["misses"] += 1
    out = _frozen(compute())
    _memo[key] = out
    return out


def _frozen(v):
    import numpy as np
    if isinstance(v, np.ndarray):
        v.flags.writeable = False
    elif isinstance(v, dict):
        for e in v.values():
            _frozen(e)
    elif isinstance(v, (list, tuple)):
        for e in v:
            _frozen(e)
    return v


def check_key(ctx, check) -> str:
    """Everything a check's seeded cases depend on: the seed, the item, the check, its options."""
    return json.dumps([ctx.rubric.seed, ctx.item.id, check.id, check.options], sort_keys=True, default=repr)


def stats() -> dict:
    """Look-ups served from the memo, values computed, and whether the file was read."""
    _mine()
    return {"hits": _state["hits"], "misses": _state["misses"], "loaded": bool(_state["loaded"]),
            "entries": len(_memo)}


def reset(load: bool = True) -> None:
    """Forget the memo (tests, precompute); load=False: do not read the file at the next look-up."""
    _memo.clear()
    _state.update(pid=os.getpid(), loaded=None if load else False, misses=0, hits=0)


# ------------------------------------------------------------------ the file
def _trusted(p: Path) -> bool:
    """Written by this user only: the file and its folder ours, nobody else may write them."""
    try:
        for st in (os.stat(p.parent), os.stat(p)):
            if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return False
        return not os.stat(p).st_mode & 0o077
    except OSError:
        return False


def read() -> dict | None:
    """The file's values, or None if there is none for this version or it is not sound."""
    p = path()
    data = read_pickle(p.name) if p is not None else None
    return data if isinstance(data, dict) else None


def write(data: dict) -> Path | None:
    """Write the values atomically for this version (removing older versions' files); None if the
    folder cannot be written (then everything is computed live, as without a file)."""
    p = path()
    return write_pickle(p.name, data) if p is not None else None


def read_pickle(name: str):
    """What write_pickle(name, ...) kept in the folder, or None (none, off, not ours, corrupt)."""
    where = folder()
    p = where / name if where is not None else None
    if p is None or not p.is_file() or not _trusted(p):
        return None
    try:
        blob = p.read_bytes()
        head, digest, body = blob[:len(MAGIC)], blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
        if head != MAGIC or hashlib.sha256(body).digest() != digest:
            return None
        return pickle.loads(body)  # noqa: S301 - the grader's own file (see the module's docstring)
    except Exception:  # noqa: BLE001 - a corrupt file is a missing file: computed again
        return None


def write_pickle(name: str, data) -> Path | None:
    """Keep `data` as folder/name ("kind-version.pickle"), atomically, and remove the other
    versions of that kind; None if the folder is off or cannot be written."""
    where = folder()
    if where is None:
        return None
    p = where / name
    try:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(p.parent, 0o700)
        body = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".%s-" % name.split("-")[0])       # 0600
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + hashlib.sha256(body).digest() + body)
        os.replace(tmp, p)
        for old in p.parent.glob("%s-*.pickle" % name.split("-")[0]):
            if old != p:
                old.unlink(missing_ok=True)
        return p
    except (OSError, pickle.PicklingError):
        return None


# ------------------------------------------------------------------ computing them all
def precompute(rubric=None) -> dict:
    """Compute every reference answer of the rubric into this process's memo and write the file.
    Returns {"path" (None if not written), "entries", "seconds" (CPU), "full_marks" (the
    full-marks answers got every point: else some values are left to be computed live)}."""
    import time
    from .rubric import keep
    t0 = time.process_time()
    course = keep()             # the course's rubric, parsed once for every later process too
    rubric = rubric or course
    reset(load=False)
    full = _grade_full_marks(rubric)
    data = dict(_memo)
    written = write(data)
    _mine()["loaded"] = written is not None
    return {"path": written, "entries": len(data), "seconds": time.process_time() - t0, "full_marks": full}


def ensure(rubric=None) -> None:
    """Read the file; compute and write it when it is missing, stale or unsound (where the folder
    can be written: else the values are computed live as they are needed)."""
    if folder() is None:
        return
    _ensure_loaded()
    if not _state["loaded"]:
        precompute(rubric)


def _grade_full_marks(rubric) -> bool:
    """Grade the full-marks answers in this process (each call answered by diagnosis.base_call,
    instructor code), which computes every case and expected value into the memo; then every
    diagnosable twin of the catalogue on the calls that grading made. True if full marks."""
    from . import diagnosis, grading
    from .misconceptions import BASE, load
    from .session import read_source

    session = _FullMarksSession(read_source(BASE))
    full, calls = True, {}
    defined = set(diagnosis.base_functions())
    for item in rubric.items:
        session.calls = calls.setdefault(item.id, [])
        full = grading.grade_item(session, rubric, item, rubric.language, defined).full and full
    for m in load():
        if m.diagnose:
            diagnosis.twin_outcomes(m, calls.get(m.item, []))
    return full


class _FullMarksSession:
    """A Session whose answers are the full-marks file's, computed in this process; it keeps
    the calls made (diagnosis.Recorder's form: (function, argument lists, outcomes))."""

    def __init__(self, source: bytes):
        from .session import Session
        self._parsed = Session(None, source)      # its source look-ups (function_names_used...)
        self.calls = []

    def call(self, fn, args):
        from . import diagnosis
        out = diagnosis.base_call(fn, args)
        self.calls.append((fn, [list(args)], [out]))
        return out

    def map(self, fn, argsets):
        from . import diagnosis
        outs = [diagnosis.base_call(fn, args) for args in argsets]
        self.calls.append((fn, [list(a) for a in argsets], outs))
        return outs

    def __getattr__(self, name):
        return getattr(self._parsed, name)
