"""The batch's gradebooks: one row per submission, in three forms.

  gradebook.csv    headers in the batch's language with each item's maximum ("1.a (/1)"),
                   then total, bonus, status (in words) and message. Dialect `plain`
                   (default): comma, UTF-8 without BOM, decimal point — for scripts.
                   Dialect `excel-fr`: semicolon, UTF-8 with BOM, decimal comma — what a
                   French-locale Excel or LibreOffice opens by double-click into columns
                   with the accents right.
  gradebook.xlsx   the same table as a spreadsheet (openpyxl): numbers are numbers whatever
                   the reader's locale; row 1 the items' maxima, row 2 the header (both frozen,
                   with the identity columns), filters on; total and bonus are formulas, so
                   an edited score updates them. A second sheet holds the item analysis.
  gradescope.csv   for a score upload to Gradescope: one row per student (a group submission
                   gives a row to each member): Name, SID, Email, Total Score (regular +
                   bonus, as the autograder's results.json scores it); comma, UTF-8. The
                   names follow Gradescope's grade export (SID, Total Score) and its roster's
                   required columns (name, email); not tried against a live upload. The
                   identities come from the export's submission_metadata.yml or from --roster
                   (autograder/roster.py); without either the file is not written and a note
                   says why.

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


NOTE = {
    "fr": {"max": "points maximum", "analysis": "analyse",
           "analysis_title": "Analyse par item (calculée lors de la correction)",
           "analysis_note": "Sur les {a} soumissions évaluées (fichier chargé) parmi {n}. Moyenne, plein, partiel, "
                            "zéro et non tenté : comme dans report.html. Discrimination : corrélation entre le score "
                            "de l'item et le total sans cet item (item-reste, corrigée ; point-bisériale pour un item "
                            "tout ou rien). Ces valeurs ne suivent pas les modifications de la feuille « {sheet} » "
                            "(où total et bonus sont des formules).",
           "cols": ("rang", "item", "intitulé", "points", "bonus", "moyenne", "moyenne (%)", "plein", "partiel",
                    "zéro", "non tenté", "discrimination", "ont perdu des points", "vérification la plus échouée",
                    "erreur diagnostiquée la plus fréquente"),
           "yes": "oui"},
    "en": {"max": "maximum points", "analysis": "analysis",
           "analysis_title": "Item analysis (computed when graded)",
           "analysis_note": "Over the {a} assessed submissions (file loaded) of {n}. Mean, full, partial, zero and "
                            "not attempted: as in report.html. Discrimination: correlation between the item's score "
                            "and the total without that item (corrected item-rest; point-biserial for an all-or-"
                            "nothing item). These values do not follow edits of the \"{sheet}\" sheet (where total "
                            "and bonus are formulas).",
           "cols": ("rank", "item", "title", "points", "bonus", "mean", "mean (%)", "full", "partial", "zero",
                    "not attempted", "discrimination", "lost points", "most failed check",
                    "most frequent diagnosed mistake"),
           "yes": "yes"},
}
FIRST_ITEM_COLUMN = len(IDENTITY["fr"]) + 1          # column E: the items follow the identity columns


def _ranges(columns: list, row: int) -> str:
    """'E3:H3,J3:K3' for the 1-based column numbers (sorted), grouped into contiguous ranges."""
    from openpyxl.utils import get_column_letter
    groups, start, prev = [], None, None
    for c in columns:
        if start is None:
            start = prev = c
        elif c == prev + 1:
            prev = c
        else:
            groups.append((start, prev))
            start = prev = c
    if start is not None:
        groups.append((start, prev))
    return ",".join("%s%d:%s%d" % (get_column_letter(a), row, get_column_letter(b), row) if a != b else
                    "%s%d" % (get_column_letter(a), row) for a, b in groups)


def write_xlsx(path: Path, head: list, body: list, title: str = "notes", rubric=None, stats=None,
               lang: str = "fr") -> None:
    """The gradebook as a spreadsheet. With the rubric: row 1 holds each item's maximum, row 2
    the header, the submissions follow; total and bonus are formulas (=SUM of the item cells),
    so editing a score updates them; rows 1-2 and the identity columns stay in view; filters
    on the header. With stats (analysis.Stats): a second sheet, the item analysis."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    t = NOTE["en" if lang == "en" else "fr"]
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    top = 1
    if rubric is not None:
        first = FIRST_ITEM_COLUMN
        regular = [first + k for k, it in enumerate(rubric.items) if not it.bonus]
        bonus = [first + k for k, it in enumerate(rubric.items) if it.bonus]
        total_col, bonus_col = first + len(rubric.items), first + len(rubric.items) + 1
        maxima = [t["max"]] + [None] * (first - 2) + [it.points for it in rubric.items]
        ws.append(maxima + ["=SUM(%s)" % _ranges(regular, 1), "=SUM(%s)" % _ranges(bonus, 1)])
        for cell in ws[1]:
            cell.font = Font(italic=True, color="555555")
        top = 2
    ws.append(head)
    for r in body:
        row = list(r)
        if rubric is not None:
            n = ws.max_row + 1
            row[total_col - 1] = "=SUM(%s)" % _ranges(regular, n)
            row[bonus_col - 1] = "=SUM(%s)" % _ranges(bonus, n)
        ws.append(row)
    for cell in ws[top]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
    ws.freeze_panes = "E%d" % (top + 1)         # maxima, header and identity columns stay in view
    ws.auto_filter.ref = "A%d:%s%d" % (top, get_column_letter(len(head)), top + len(body))
    for i, h in enumerate(head, 1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in body[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)
    if stats is not None:
        _analysis_sheet(wb.create_sheet(t["analysis"]), stats, lang, title, Font, Alignment)
    wb.save(path)
    _pin_timestamps(Path(path))


PINNED = "2000-01-01T00:00:00Z"


def _pin_timestamps(path: Path) -> None:
    """openpyxl stamps the time of saving in docProps/core.xml and in every zip entry: rewrite
    them with a fixed date, so that the same grades give the same bytes (deterministic output)."""
    import os
    import re
    import zipfile
    with zipfile.ZipFile(path) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    tmp = path.with_name(".%s.tmp" % path.name)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + PINNED.encode(), data)
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    os.replace(tmp, path)


def _analysis_sheet(ws, stats, lang: str, notes_sheet: str, Font, Alignment) -> None:
    t = NOTE["en" if lang == "en" else "fr"]
    ws.append([t["analysis_title"]])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([t["analysis_note"].format(a=stats.n_assessed, n=stats.n_total, sheet=notes_sheet)])
    ws.merge_cells("A2:O2")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 48
    ws.append([])
    ws.append(list(t["cols"]))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for rank_no, it in enumerate(stats.items, 1):
        misc = it.misconceptions[0] if it.misconceptions else None
        ws.append([rank_no, it.id, it.title, it.max_points, t["yes"] if it.bonus else "",
                   None if it.mean is None else round(it.mean, 4),
                   None if it.mean_share is None else round(it.mean_share, 4),
                   round(it.full, 4), round(it.partial, 4), round(it.zero, 4), round(it.not_done, 4),
                   None if it.discrimination is None else round(it.discrimination, 4), len(it.losers),
                   it.worst.name if it.worst is not None else "",
                   "%s (%d) [%s]" % (misc.text, misc.count, misc.id) if misc else ""])
        row = ws.max_row
        for col in "GHIJK":
            ws["%s%d" % (col, row)].number_format = "0%"
        ws["L%d" % row].number_format = "0.00"
    ws.freeze_panes = "C5"
    for col, width in zip("ABCDEFGHIJKLMNO", (5, 6, 38, 7, 6, 9, 10, 7, 8, 7, 10, 14, 12, 30, 60)):
        ws.column_dimensions[col].width = width


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
        w.writerows(r for r in gradescope_rows(submissions, records) if r[1] or r[2])   # Gradescope matches on these


def write_all(out: Path, submissions: list, records: dict, rubric, lang: str, dialect: str = "plain",
              stats=None, roster: bool = False) -> dict:
    """gradebook.csv, gradebook.xlsx and gradescope.csv in out; their paths, and under "notes"
    what the TA should know about gradescope.csv (not written when no submission has an email
    or a student number: a plain folder without --roster, or whose --roster matched nothing)."""
    head, body = header(rubric, lang), rows(submissions, records, rubric, lang)
    paths = {"gradebook": out / "gradebook.csv", "xlsx": out / "gradebook.xlsx", "gradescope": out / "gradescope.csv"}
    write_csv(paths["gradebook"], head, body, dialect)
    write_xlsx(paths["xlsx"], head, body, "notes" if lang != "en" else "grades", rubric, stats, lang)
    up = gradescope_rows(submissions, records)
    identified = [r for r in up if r[1] or r[2]]
    notes = []
    if not identified:
        paths["gradescope"].unlink(missing_ok=True)
        paths["gradescope"] = None
        notes.append((ROSTER_MATCHED_NOTHING if roster else MISSING_IDENTITIES)["en" if lang == "en" else "fr"])
    else:
        write_gradescope_csv(paths["gradescope"], submissions, records)
        anonymous = sorted({r[0] for r in up if not (r[1] or r[2])})
        if anonymous:
            notes.append(UNIDENTIFIED["en" if lang == "en" else "fr"].format(
                k=len(anonymous), names=", ".join(anonymous[:10]) + (", …" if len(anonymous) > 10 else "")))
    paths["notes"] = notes
    return paths


MISSING_IDENTITIES = {
    "fr": "gradescope.csv n'est pas écrit : aucune soumission n'a de courriel ni de matricule (un dossier ordinaire, "
          "sans l'export de Gradescope et son submission_metadata.yml). Pour l'écrire, donnez la liste des "
          "étudiants : --roster liste.csv (voir docs/ta.md).",
    "en": "gradescope.csv is not written: no submission has an email or a student number (a plain folder, without "
          "Gradescope's export and its submission_metadata.yml). To write it, give the class list: "
          "--roster list.csv (see docs/ta.md).",
}
ROSTER_MATCHED_NOTHING = {
    "fr": "gradescope.csv n'est pas écrit : la liste d'étudiants (--roster) n'a identifié aucune soumission. "
          "Chaque dossier ou fichier de soumission (sans .py) doit y figurer tel quel dans une colonne : "
          "soumission, matricule, courriel (ou sa partie avant @) ou nom (voir docs/ta.md).",
    "en": "gradescope.csv is not written: the class list (--roster) identified no submission. Each "
          "submission's folder or file name (without .py) must appear in it as is, in one column: "
          "submission, student number, email (or its part before @) or name (see docs/ta.md).",
}
UNIDENTIFIED = {
    "fr": "gradescope.csv : {k} soumission(s) sans courriel ni matricule, absentes du fichier : {names}.",
    "en": "gradescope.csv: {k} submission(s) with neither email nor student number, left out: {names}.",
}
