"""Unpack a zip of submissions (Gradescope's "Export Submissions", or any zip of a folder of
submissions) for `./ag batch export.zip`, treating it as hostile input.

An archive holds whatever students uploaded: nothing in it may write outside the destination
(absolute paths, drive letters, `..`: "zip slip"), create a link, a device or a fifo (only
regular files and folders are made; a member whose Unix mode is a symbolic link is skipped),
or fill the disk (a zip bomb): at most MAX_MEMBERS members, MAX_MEMBER bytes each and
MAX_TOTAL in all, counted on the bytes actually inflated, never on the sizes the archive
declares, and a member that inflates more than MAX_RATIO times its compressed size is
refused past 1 MB. Encrypted members, names too long, and duplicates (the second of two names
that land on the same path) are skipped and counted. Files are created 0644 and folders 0755,
never through an existing link (O_NOFOLLOW, O_EXCL).

Why not zipfile.extractall: it sanitises names but has no limit on what a member inflates to
and writes a symbolic link's target as a file; tarfile's extraction filters have no zip
counterpart in the standard library.

The archive is unpacked once into <out>/export (a checkpoint, <out>/export.sha256, holds the
archive's hash): a batch run again on the same archive resumes, a different archive replaces it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 50_000
MAX_MEMBER = 200 * 1024 * 1024         # bytes, one member inflated
MAX_TOTAL = 2 * 1024 * 1024 * 1024     # bytes, the whole archive inflated
MAX_RATIO = 200                        # inflated / compressed, for members past RATIO_FROM
RATIO_FROM = 1024 * 1024
MAX_NAME = 255                         # bytes of one path component
MAX_PATH = 1024                        # bytes of a whole path
MAX_DEPTH = 32
CHUNK = 1 << 20


class ArchiveError(ValueError):
    """The archive is refused as a whole; the message says why, in the batch's language."""


@dataclass
class Unpacked:
    root: Path                                       # where the batch looks for submissions
    files: int = 0
    skipped: dict = field(default_factory=dict)      # reason -> count
    reused: bool = False                             # unpacked by an earlier run

    def note(self, lang: str = "fr") -> str:
        if not self.skipped:
            return ""
        words = SKIPPED["en" if lang == "en" else "fr"]
        return ("archive : éléments ignorés : %s" if lang != "en" else "archive: members skipped: %s") % ", ".join(
            "%s %d" % (words.get(k, k), n) for k, n in sorted(self.skipped.items()))


SKIPPED = {
    "fr": {"unsafe_path": "chemin hors du dossier", "link": "lien symbolique", "special": "fichier spécial",
           "encrypted": "chiffré", "too_long": "nom trop long", "duplicate": "en double", "too_deep": "trop profond"},
    "en": {"unsafe_path": "path outside the folder", "link": "symbolic link", "special": "special file",
           "encrypted": "encrypted", "too_long": "name too long", "duplicate": "duplicate", "too_deep": "too deep"},
}


def _msg(lang: str, fr: str, en: str, *args) -> str:
    return (en if lang == "en" else fr) % args


def safe_parts(name: str) -> tuple | None:
    """The path components of a member's name, or None when it would leave the destination
    (absolute, a drive letter, `..`) or names nothing. Backslashes count as separators."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or any("\x00" in p for p in parts):
        return None
    return tuple(parts)


def _kind(info: zipfile.ZipInfo) -> str:
    """'dir', 'file', 'link' or 'special', from the member's name and Unix mode (when it has one)."""
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "link"
    if info.is_dir():
        return "dir"
    if mode and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return "special"
    return "file"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def unpack(archive: Path, out: Path, lang: str = "fr") -> Unpacked:
    """Unpack archive into out/export (see the module docstring); the submissions' root."""
    archive, out = Path(archive), Path(out)
    dest, mark = out / "export", out / "export.sha256"
    digest = _sha256(archive)
    if dest.is_dir() and mark.is_file() and mark.read_text(encoding="ascii").strip() == digest:
        return Unpacked(_root(dest), reused=True)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".export.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o755)
    try:
        result = _extract(archive, tmp, lang)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(dest, ignore_errors=True)
    mark.unlink(missing_ok=True)
    os.replace(tmp, dest)
    mark.write_text(digest + "\n", encoding="ascii")
    result.root = _root(dest)
    return result


def _root(dest: Path) -> Path:
    """The folder to grade: the export itself, or the one folder it holds (an archive of a
    folder, or Gradescope's assignment_<id>_export/ wrapper)."""
    entries = [p for p in dest.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return dest


def _extract(archive: Path, dest: Path, lang: str) -> Unpacked:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(_msg(lang, "%s n'est pas une archive zip lisible (%s).", "%s is not a readable zip (%s).",
                                archive.name, exc)) from None
    result = Unpacked(dest)
    skipped = result.skipped
    total, made = 0, set()
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(_msg(lang, "archive refusée : %d éléments (au plus %d).",
                                    "archive refused: %d members (at most %d).", len(infos), MAX_MEMBERS))
        for info in infos:
            parts = safe_parts(info.filename)
            kind = _kind(info)
            why = None
            if parts is None:
                why = "unsafe_path"
            elif kind in ("link", "special"):
                why = kind
            elif info.flag_bits & 0x1:
                why = "encrypted"
            elif any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME for p in parts) or \
                    len("/".join(parts).encode("utf-8", "surrogateescape")) > MAX_PATH:
                why = "too_long"
            elif len(parts) > MAX_DEPTH:
                why = "too_deep"
            elif parts in made:
                why = "duplicate"
            if why:
                skipped[why] = skipped.get(why, 0) + 1
                continue
            target = dest.joinpath(*parts)
            if kind == "dir":
                if not _make_dirs(dest, parts):
                    skipped["duplicate"] = skipped.get("duplicate", 0) + 1
                continue
            if not _make_dirs(dest, parts[:-1]):
                skipped["duplicate"] = skipped.get("duplicate", 0) + 1
                continue
            made.add(parts)
            total = _write_member(zf, info, target, total, lang)
            result.files += 1
    return result


def _make_dirs(dest: Path, parts: tuple) -> bool:
    """Create the folders of parts under dest, never through a link or over a file."""
    here = dest
    for p in parts:
        here = here / p
        try:
            os.mkdir(here, 0o755)
        except FileExistsError:
            st = os.lstat(here)
            if not stat.S_ISDIR(st.st_mode):
                return False
    return True


def _write_member(zf, info, target: Path, total: int, lang: str) -> int:
    """Inflate one member into target, counting the bytes as they come; returns the new total."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError:
        return total                       # a folder of that name came first: nothing to write
    written = 0
    try:
        with zf.open(info) as src, os.fdopen(fd, "wb") as dst:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                total += len(chunk)
                if written > MAX_MEMBER:
                    raise ArchiveError(_msg(lang, "archive refusée : %s dépasse %d Mo une fois décompressé.",
                                            "archive refused: %s exceeds %d MB once inflated.",
                                            info.filename, MAX_MEMBER // 2 ** 20))
                if total > MAX_TOTAL:
                    raise ArchiveError(_msg(lang, "archive refusée : plus de %d Go une fois décompressée.",
                                            "archive refused: over %d GB once inflated.", MAX_TOTAL // 2 ** 30))
                if written > RATIO_FROM and written > MAX_RATIO * max(info.compress_size, 1):
                    raise ArchiveError(_msg(lang, "archive refusée : %s se décompresse plus de %d fois (bombe zip ?).",
                                            "archive refused: %s inflates over %d times (a zip bomb?).",
                                            info.filename, MAX_RATIO))
                dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ArchiveError(_msg(lang, "archive illisible : %s (%s).", "unreadable archive: %s (%s).",
                                info.filename, exc)) from None
    return total
