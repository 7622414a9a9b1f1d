"""A class list (--roster FILE) that names the submissions of a plain folder: the name, email
and student number gradescope.csv needs.

The file: CSV with a header row, comma or semicolon, UTF-8 (with or without BOM) or
Windows-1252. Columns recognised by their header (case, accents, spaces and punctuation
ignored); each is optional, but a row needs an email or a student number to be of use:
  submission   soumission, submission, dossier, folder, fichier, file: the name of the
               student's folder or file in the batch (without .py)
  student no.  matricule, sid, student id, id, numero, numero etudiant
  email        courriel, email, e-mail, mail, adresse courriel
  name         nom complet, full name, name, etudiant, student; or first and last name in
               two columns: prenom / first name and nom / last name (nom alone is the name)
A submission is matched to the row whose submission, student number, email, part of the email
before @, or name equals the submission's folder or file name (case and accents ignored); a
name that matches several rows, or several submissions matching one row, are left unmatched
and reported, never guessed. A submission that already has an email or a student number (a
Gradescope export) keeps its own.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = {
    "submission": ("soumission", "submission", "dossier", "folder", "fichier", "file"),
    "sid": ("matricule", "sid", "studentid", "id", "numero", "numeroetudiant", "noetudiant"),
    "email": ("courriel", "email", "mail", "adressecourriel", "emailaddress", "adressecourrielle"),
    "name": ("nomcomplet", "fullname", "name", "etudiant", "student", "nometprenom"),
    "first": ("prenom", "firstname", "givenname"),
    "last": ("nom", "lastname", "nomdefamille", "surname", "familyname"),
}
MAX_ROSTER = 5_000_000         # bytes


def plain(text: str) -> str:
    """Lower case, accents and everything but letters and digits dropped: 'Zoé Côté' -> 'zoecote'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Student:
    name: str = ""
    sid: str = ""
    email: str = ""
    submission: str = ""

    def keys(self) -> set:
        out = {plain(self.submission), plain(self.sid), plain(self.email), plain(self.name)}
        if "@" in self.email:
            out.add(plain(self.email.split("@", 1)[0]))
        return out - {""}


@dataclass
class Matching:
    matched: int = 0
    unmatched: list = field(default_factory=list)     # submission names without a row
    ambiguous: list = field(default_factory=list)     # submission names matching several rows
    unused: int = 0                                    # rows that named no submission


class RosterError(ValueError):
    """The roster cannot be read: the message says why, in the batch's language."""


def read(path: Path, lang: str = "fr") -> list:
    """[Student] of the roster file; RosterError if it has no usable column."""
    fr = lang != "en"
    try:
        data = Path(path).read_bytes()[:MAX_ROSTER + 1]
    except OSError as exc:
        raise RosterError(("liste d'étudiants illisible : %s" if fr else "class list unreadable: %s") % exc)
    if len(data) > MAX_ROSTER:
        raise RosterError("liste d'étudiants trop volumineuse" if fr else "class list too large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    head = next(reader, [])
    where = {}
    for i, h in enumerate(head):
        key = plain(h)
        for field_name, names in COLUMNS.items():
            if key in names and field_name not in where:
                where[field_name] = i
    if "first" in where and "last" not in where and "name" not in where:
        where.pop("first")
    if "last" in where and "first" not in where:          # "nom" alone: the whole name
        where.setdefault("name", where.pop("last"))
    if not ({"sid", "email"} & set(where)):
        raise RosterError(("liste d'étudiants %s : ni colonne de matricule ni de courriel (en-têtes lus : %s)"
                           if fr else "class list %s: no student-number nor email column (headers read: %s)")
                          % (Path(path).name, ", ".join(head) or "—"))
    students = []
    for row in reader:
        def cell(name):
            i = where.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""
        name = cell("name") or " ".join(x for x in (cell("first"), cell("last")) if x)
        s = Student(name=name, sid=cell("sid"), email=cell("email"), submission=cell("submission"))
        if s.sid or s.email:
            students.append(s)
    return students


def apply(submissions: list, students: list) -> Matching:
    """Give each submission without email and student number the identity of its roster row
    (see the module docstring); returns what matched and what did not."""
    index: dict = {}
    for n, s in enumerate(students):
        for k in s.keys():
            index.setdefault(k, set()).add(n)
    result = Matching()
    claims: dict = {}
    for sub in submissions:
        if sub.identity.get("email") or sub.identity.get("sid"):
            continue
        own = sub.path.stem if sub.path is not None and sub.path.is_file() else (sub.path.name if sub.path else sub.key)
        rows = index.get(plain(own), set())
        if len(rows) == 1:
            claims.setdefault(next(iter(rows)), []).append((sub, own))
        elif rows:
            result.ambiguous.append(own)
        else:
            result.unmatched.append(own)
    for n, subs in sorted(claims.items()):
        if len(subs) > 1:
            result.ambiguous += [own for _, own in subs]
            continue
        sub, _ = subs[0]
        s = students[n]
        sub.identity.update(name=s.name or sub.identity.get("name", ""), sid=s.sid, email=s.email)
        result.matched += 1
    result.unused = len(students) - len(claims)
    result.unmatched.sort()
    result.ambiguous.sort()
    return result


def summary(m: Matching, lang: str = "fr") -> str:
    """One line for the batch's output."""
    fr = lang != "en"
    if m.matched == 0 and (m.unmatched or m.ambiguous):
        text = (NOTHING_MATCHED["fr"] if fr else NOTHING_MATCHED["en"])
    else:
        text = ("liste d'étudiants : %d soumission(s) identifiée(s)" if fr else
                "class list: %d submission(s) identified") % m.matched
    if m.unmatched:
        text += (" ; sans ligne correspondante : %s" if fr else "; no matching row: %s") % _few(m.unmatched)
    if m.ambiguous:
        text += (" ; ambiguës (plusieurs lignes) : %s" if fr else "; ambiguous (several rows): %s") % _few(m.ambiguous)
    if m.unused:
        text += (" ; %d ligne(s) sans soumission" if fr else "; %d row(s) without a submission") % m.unused
    return text + "."


NOTHING_MATCHED = {
    "fr": "liste d'étudiants : aucune soumission identifiée (aucun nom de dossier ou de fichier n'y figure "
          "comme soumission, matricule, courriel, partie du courriel avant @ ou nom)",
    "en": "class list: no submission identified (no folder or file name appears in it as a submission, "
          "student number, email, part of the email before @ or name)",
}


def _few(names: list, n: int = 10) -> str:
    return ", ".join(names[:n]) + (", …" if len(names) > n else "")
