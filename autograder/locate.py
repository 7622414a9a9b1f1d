"""Find the student's file in a submission, and say precisely what is wrong if it is not there."""
from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_FILE = 1_000_000   # bytes
MAX_FILES = 5_000      # files looked at in a submission
MAX_DEPTH = 12         # folder levels looked into
IGNORED = {"outils.py", "autoverification.py"}


@dataclass
class Located:
    path: Path | None
    note: str = ""       # said to the student, e.g. "graded Devoir3.py as devoir3.py"
    error: str = ""      # why nothing can be graded


def locate(submission: Path, expected: str = "devoir3.py", lang: str = "fr") -> Located:
    fr = lang != "en"
    submission = Path(submission)
    if submission.is_file():
        return _checked(submission, "", lang)
    if not submission.is_dir():
        return Located(None, error=("Soumission introuvable : %s" if fr else "Submission not found: %s") % submission)
    files = [p for p in _regular_files(submission)
             if "__MACOSX" not in p.parts and not p.name.startswith("._")]
    exact = [p for p in files if p.name == expected]
    if len(exact) == 1:
        note = "" if exact[0].parent == submission else (
            ("%s trouvé dans un sous-dossier (%s) et corrigé." if fr else "%s found in a sub-folder (%s) and graded.")
            % (expected, exact[0].parent.relative_to(submission)))
        return _checked(exact[0], note, lang)
    stem = expected[:-3].lower()
    close = [p for p in files if p.suffix.lower() in (".py", ".txt", "") and p.name not in IGNORED
             and p.name.lower().startswith(stem)]
    if len(close) == 1:
        return _checked(close[0], ("Fichier « %s » corrigé comme %s : nommez-le exactement %s." if fr else
                                   "File '%s' graded as %s: name it exactly %s.") % (
            close[0].relative_to(submission), expected, expected), lang)
    pys = [p for p in files if p.suffix == ".py" and p.name not in IGNORED]
    if len(pys) == 1 and not close:
        return _checked(pys[0], ("Fichier « %s » corrigé comme %s : nommez-le exactement %s." if fr else
                                 "File '%s' graded as %s: name it exactly %s.") % (
            pys[0].relative_to(submission), expected, expected), lang)
    found = ", ".join(str(p.relative_to(submission)) for p in files[:10]) or ("aucun fichier" if fr else "no file")
    if len(close) > 1 or len(pys) > 1:
        why = ("Plusieurs fichiers possibles (%s) : soumettez un seul fichier nommé %s." if fr else
               "Several candidate files (%s): submit a single file named %s.") % (
            ", ".join(str(p.relative_to(submission)) for p in (close or pys)[:6]), expected)
    else:
        why = ("Fichier %s introuvable. Fichiers reçus : %s." if fr else "File %s not found. Files received: %s.") % (
            expected, found)
    if any(p.suffix.lower() == ".ipynb" for p in files):
        why += (" (Un notebook .ipynb n'est pas accepté : copiez vos fonctions dans %s.)" if fr else
                " (A .ipynb notebook is not accepted: copy your functions into %s.)") % expected
    return Located(None, error=why)


def _scratch() -> Path:
    """A private folder for a re-encoded copy, removed when this process exits."""
    d = tempfile.mkdtemp(prefix="ag-utf8-")
    atexit.register(shutil.rmtree, d, True)
    return Path(d)


def _regular_files(top: Path) -> list:
    """Regular files under top, sorted; symbolic links (to files or folders), fifos and devices
    are neither followed nor listed, and a huge or deep tree is cut short."""
    out = []
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        depth = len(Path(dirpath).relative_to(top).parts)
        dirnames[:] = sorted(d for d in dirnames if depth < MAX_DEPTH and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            try:
                if stat.S_ISREG(os.lstat(p).st_mode):
                    out.append(p)
            except OSError:
                pass
            if len(out) >= MAX_FILES:
                return sorted(out)
    return sorted(out)


def _read_regular(path: Path) -> bytes | None:
    """At most MAX_FILE + 1 bytes of a regular file, never following a link nor blocking on a fifo."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, size = [], 0
        while size <= MAX_FILE:
            chunk = os.read(fd, MAX_FILE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _checked(path: Path, note: str, lang: str) -> Located:
    """Reject binary or huge files; re-encode a UTF-16 or Latin-1/cp1252 file as UTF-8 (with a note)."""
    fr = lang != "en"
    data = _read_regular(path)
    if data is None:
        return Located(None, error=("%s n'est pas un fichier ordinaire (lien symbolique, dossier, ...)." if fr else
                                    "%s is not a regular file (a symbolic link, a folder, ...).") % path.name)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and len(data) <= MAX_FILE:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            fixed = _scratch() / path.name
            fixed.write_text(text, encoding="utf-8")
            extra = ("Le fichier est en UTF-16 ; il a été converti. Enregistrez-le en UTF-8." if fr else
                     "The file is UTF-16; it was converted. Save it as UTF-8.")
            return Located(fixed, (note + " " + extra).strip())
    if len(data) > MAX_FILE:
        return Located(None, error=("Fichier trop volumineux (plus de %d octets)." if fr else
                                    "File too large (over %d bytes).") % MAX_FILE)
    if b"\x00" in data:
        return Located(None, error=("%s n'est pas un fichier texte (octet nul) : est-ce bien un .py ?" if fr else
                                    "%s is not a text file (NUL byte): is it really a .py?") % path.name)
    try:
        data.decode("utf-8")
        return Located(path, note)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
    text = data.decode("cp1252", errors="replace")
    fixed = _scratch() / path.name
    fixed.write_text(text, encoding="utf-8")
    extra = ("Le fichier n'est pas en UTF-8 (ligne %d) ; il a été relu en Windows-1252. Enregistrez-le en UTF-8."
             if fr else "The file is not UTF-8 (line %d); it was read as Windows-1252. Save it as UTF-8.") % line
    return Located(fixed, (note + " " + extra).strip())
