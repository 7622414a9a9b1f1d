"""The batch's gradebooks: one row per submission, in three forms.

  gradebook.csv    headers in the batch's language with each item's maximum ("1.a (/1)"),
                   then total, bonus, status (in words) and message. Dialect `plain`
                   (default): comma, UTF-8 without BOM, decimal point — for scripts.
                   Dialect `excel-fr`: semicolon, UTF-8 with BOM, decimal comma — what a
                   French-locale Excel or LibreOffice opens by double-click into columns
                   with the accents right.
  gradebook.xlsx   the same table as a spreadsheet (openpyxl): numbers are numbers whatever
                   the reader's locale; header row frozen, filters on.
  gradescope.csv   for a score upload to Gradescope: one row per student (a group submission
                   gives a row to each member): Name, SID, Email, Total Score (regular +
                   bonus, as the autograder's results.json scores it); comma, UTF-8. The
                   names follow Gradescope's grade export (SID, Total Score) and its roster's
                   required columns (name, email); not tried against a live upload.

Why openpyxl and not a hand-written .xlsx: it is the maintained reference writer for the
format (pinned in requirements.txt); a zip of hand-made XML would be ours to keep valid.
"""
from __future__ import annotations

import csv
from pathlib import Path

from .analysis import status_word

DIALECTS = ("plain", "excel-fr")
IDENTITY = {"fr": ("soumission", "nom", "courriel", "matricule"), "en": ("submission", "name", "email", "sid")}
TAIL = {"fr": ("statut", "message"), "en": ("status", "message")}
GRADESCOPE_COLUMNS = ("Name", "SID", "Email", "Total Score")


def _pts(x: float) -> str:
    from .feedback import pts
    return pts(x)


def header(rubric, lang: str) -> list:
    """['soumission', 'nom', 'courriel', 'matricule', '1.a (/1)', ..., 'total (/48)', 'bonus (/10)',
    'statut', 'message'] (English words with --lang en)."""
    key = "en" if lang == "en" else "fr"
    return (list(IDENTITY[key]) + ["%s (/%s)" % (it.id, _pts(it.points)) for it in rubric.items]
            + ["total (/%s)" % _pts(rubric.regular_points), "bonus (/%s)" % _pts(rubric.bonus_points)]
            + list(TAIL[key]))


def rows(submissions: list, records: dict, rubric, lang: str) -> list:
    """One list per graded submission: identity strings, then numbers (float), then status words."""
    out = []
    for s in submissions:
        rec = records.get(s.key)
        if rec is None:
            continue
        items = rec.get("items", {})
        out.append([s.key, s.identity.get("name", ""), s.identity.get("email", ""), s.identity.get("sid", "")]
                   + [float(items[it.id]["points"]) if it.id in items else 0.0 for it in rubric.items]
                   + [float(rec.get("regular", 0.0)), float(rec.get("bonus", 0.0)),
                      status_word(rec["status"], lang, plural=False), rec.get("message", "")])
    return out


def write_csv(path: Path, head: list, body: list, dialect: str = "plain") -> None:
    if dialect not in DIALECTS:
        raise ValueError("CSV dialect %r: one of %s" % (dialect, ", ".join(DIALECTS)))
    fr = dialect == "excel-fr"

    def cell(v):
        if isinstance(v, float):
            return _pts(v).replace(".", ",") if fr else _pts(v)
        return v
    with open(path, "w", encoding="utf-8-sig" if fr else "utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";" if fr else ",")
        w.writerow(head)
        w.writerows([cell(v) for v in r] for r in body)


def write_xlsx(path: Path, head: list, body: list, title: str = "notes") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(head)
    for r in body:
        ws.append(r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "E2"                      # identity columns and header stay in view
    ws.auto_filter.ref = ws.dimensions
    for i, h in enumerate(head, 1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in body[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)
    wb.save(path)


def gradescope_rows(submissions: list, records: dict) -> list:
    """[Name, SID, Email, Total Score] per student; a group's '; '-joined identities are split."""
    out = []
    for s in submissions:
        rec = records.get(s.key)
        if rec is None:
            continue
        score = _pts(float(rec.get("regular", 0.0)) + float(rec.get("bonus", 0.0)))
        parts = [str(s.identity.get(k, "") or "").split("; ") for k in ("name", "sid", "email")]
        n = max(len(p) for p in parts)
        for i in range(n):
            name, sid, email = (p[i] if i < len(p) else "" for p in parts)
            if name or sid or email:
                out.append([name, sid, email, score])
    return out


def write_gradescope_csv(path: Path, submissions: list, records: dict) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(GRADESCOPE_COLUMNS)
        w.writerows(gradescope_rows(submissions, records))


def write_all(out: Path, submissions: list, records: dict, rubric, lang: str, dialect: str = "plain") -> dict:
    """gradebook.csv, gradebook.xlsx and gradescope.csv in out; their paths."""
    head, body = header(rubric, lang), rows(submissions, records, rubric, lang)
    paths = {"gradebook": out / "gradebook.csv", "xlsx": out / "gradebook.xlsx", "gradescope": out / "gradescope.csv"}
    write_csv(paths["gradebook"], head, body, dialect)
    write_xlsx(paths["xlsx"], head, body, "notes" if lang != "en" else "grades")
    write_gradescope_csv(paths["gradescope"], submissions, records)
    return paths
