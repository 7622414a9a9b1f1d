"""Batch grading: plain folders and Gradescope exports, checkpoints and resume, broken
submissions that do not stop the batch, the gradebook's columns and totals, the item
analysis and its HTML report (rendered in headless Chromium when it is installed)."""
import csv
import dataclasses
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import analysis, batch, gradebook, html_report
from autograder.gradescope_flow import valid_results
from autograder.grading import limits_from

from conftest import FULL_MARKS, REPO, TEMPLATE

FULL_TEXT = FULL_MARKS.read_text(encoding="utf-8")


def _limits(rubric):
    return dataclasses.replace(limits_from(rubric), load_timeout=2.0)


def _rows(out: Path) -> list:
    """The gradebook's rows keyed by header with the maxima dropped: 'total (/48)' -> 'total'."""
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as f:
        head, *body = list(csv.reader(f))
    keys = [h.split(" (/")[0] for h in head]
    return [dict(zip(keys, r)) for r in body]


@pytest.fixture(scope="module")
def plain(tmp_path_factory, rubric):
    """Seven students, one per way a submission can go: the batch must grade them all."""
    root = tmp_path_factory.mktemp("plain")
    src = root / "rendus"
    for name, text in {"alice": FULL_TEXT, "bob": TEMPLATE.read_text(encoding="utf-8"),
                       "erin": "raise RuntimeError('au chargement')\n",
                       "frank": "while True:\n    pass\n",
                       "grace": FULL_TEXT + "\n# grace\n"}.items():
        (src / name).mkdir(parents=True)
        (src / name / "devoir3.py").write_text(text, encoding="utf-8")
    (src / "carol.py").write_text("def q1a_signe(x)\n    return x\n", encoding="utf-8")   # a file, not a folder
    (src / "dave").mkdir()                                                           # nothing submitted
    (src / "notes.txt").write_text("not a submission\n", encoding="utf-8")
    out = src / "_correction"          # inside the folder: must not be taken for a submission
    result = batch.run_batch(src, out, jobs=2, limits=_limits(rubric), progress=False,
                             crash_for_tests="grace")
    paths = batch.write_outputs(result, rubric, "fr")
    return src, out, result, paths


def test_every_submission_gets_a_status(plain):
    src, out, result, _ = plain
    status = {k: r["status"] for k, r in result.records.items()}
    assert status == {"alice": "graded", "bob": "graded", "carol": "load_error", "dave": "no_file",
                      "erin": "load_error", "frank": "timed_out", "grace": "internal_error"}, {
        k: (r["status"], r["message"]) for k, r in result.records.items()}
    assert result.layout == "plain" and result.graded_now == 7 and result.resumed == 0
    assert result.records["alice"]["regular"] == 48 and result.records["alice"]["bonus"] == 10
    assert all(i["status"] == "not_implemented" for i in result.records["bob"]["items"].values())


def test_results_files_are_gradescope_results(plain, rubric):
    _, out, result, _ = plain
    for key, rec in result.records.items():
        data = json.loads((out / "results" / (key + ".json")).read_text(encoding="utf-8"))
        assert valid_results(data), key
        assert data["score"] == pytest.approx(rec["regular"] + rec["bonus"])
    alice = json.loads((out / "results" / "alice.json").read_text(encoding="utf-8"))
    assert len(alice["tests"]) == len(rubric.items)


def test_gradebook_columns_and_totals(plain, rubric):
    _, out, _, _ = plain
    rows = _rows(out)
    items = [it.id for it in rubric.items]
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert header == (["soumission", "nom", "courriel", "matricule"]
                      + ["%s (/%s)" % (it.id, "%g" % it.points) for it in rubric.items]
                      + ["total (/48)", "bonus (/10)", "statut", "message"])
    assert [r["soumission"] for r in rows] == ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    bonus_ids = {it.id for it in rubric.items if it.bonus}
    for r in rows:
        regular = sum(float(r[i]) for i in items if i not in bonus_ids)
        bonus = sum(float(r[i]) for i in items if i in bonus_ids)
        assert float(r["total"]) == pytest.approx(regular) and float(r["bonus"]) == pytest.approx(bonus)
    alice = rows[0]
    assert (alice["total"], alice["bonus"], alice["statut"]) == ("48", "10", "corrigée")
    assert "syntaxe" in rows[2]["message"] and rows[3]["statut"] == "sans fichier"
    assert {r["statut"] for r in rows} == {"corrigée", "non chargée", "sans fichier", "temps dépassé",
                                           "erreur interne"}
    from openpyxl import load_workbook
    wb = load_workbook(out / "gradebook.xlsx")        # the same table: maxima above the header, live totals
    ws = wb["notes"]
    assert [c.value for c in ws[2]] == header and ws.max_row == len(rows) + 2 and ws.freeze_panes == "E3"
    assert [c.value for c in ws[1]][4:4 + len(items)] == [it.points for it in rubric.items]
    assert ws.cell(1, 1).value == "points maximum"
    total, bonus = len(header) - 3, len(header) - 2                    # 1-based columns of total and bonus
    regular_cols = [5 + k for k, it in enumerate(rubric.items) if not it.bonus]
    for n, r in enumerate(rows, 3):
        assert str(ws.cell(n, total).value).startswith("=SUM(") and str(ws.cell(n, bonus).value).startswith("=SUM(")
        assert _sum_formula(ws, ws.cell(n, total).value) == pytest.approx(float(r["total"]))
        assert _sum_formula(ws, ws.cell(n, bonus).value) == pytest.approx(float(r["bonus"]))
    assert _sum_formula(ws, ws.cell(3, total).value) == sum(ws.cell(3, c).value for c in regular_cols)
    assert ws.cell(3, len(header) - 1).value == "corrigée"
    assert "analyse" in wb.sheetnames and wb["analyse"]["A4"].value == "rang"
    assert [wb["analyse"].cell(5 + k, 2).value for k in range(len(rubric.items))] != []


def _sum_formula(ws, formula: str) -> float:
    """The value of '=SUM(E3:T3,W3:AH3)' over the sheet's cells (what a spreadsheet computes)."""
    from openpyxl.utils import range_boundaries
    assert formula.startswith("=SUM(") and formula.endswith(")")
    total = 0.0
    for part in formula[5:-1].split(","):
        c1, r1, c2, r2 = range_boundaries(part if ":" in part else part + ":" + part)
        total += sum(float(ws.cell(r, c).value or 0) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return total


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
def test_xlsx_formulas_recompute_in_libreoffice(plain, tmp_path):
    """LibreOffice opens gradebook.xlsx and recomputes every formula: the totals it computes are
    the grader's (gradebook.csv), and its maxima row sums to 48 and 10."""
    _, out, _, _ = plain
    subprocess.run([SOFFICE, "--headless", "--norestore", "-env:UserInstallation=%s" % (tmp_path / "lo").as_uri(),
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(out / "gradebook.xlsx")], capture_output=True, timeout=300)
    with open(tmp_path / "gradebook-notes.csv", encoding="utf-8", newline="") as f:
        computed = list(csv.reader(f))
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as f:
        graded = list(csv.reader(f))
    head = graded[0]
    t, b = head.index("total (/48)"), head.index("bonus (/10)")
    assert computed[1] == head and [float(x) for x in computed[0][t:b + 1]] == [48.0, 10.0]
    assert [(r[0], float(r[t]), float(r[b])) for r in computed[2:]] == [(r[0], float(r[t]), float(r[b]))
                                                                        for r in graded[1:]]
    assert (tmp_path / "gradebook-analyse.csv").read_text(encoding="utf-8").count("\n") >= 4 + 32


def test_item_analysis_table_and_report(plain, rubric):
    _, out, result, paths = plain
    table = paths["table"]
    assert "1.a" in table and "3.e" in table and "7 soumissions, dont 2 évaluées" in table
    assert all(len(line) <= 100 for line in table.splitlines())
    assert (out / "analysis.txt").read_text(encoding="utf-8") == table + "\n"
    # statuses in words, never the internal codes
    assert "corrigées 2" in table and "graded" not in table and "load_error" not in table
    stats = analysis.analyze(list(result.records.values()), rubric, "fr")
    one_a = next(s for s in stats.items if s.id == "1.a")
    assert (one_a.n, one_a.mean, one_a.full, one_a.zero, one_a.not_done) == (2, 0.5, 0.5, 0.0, 0.5)
    assert one_a.worst is None            # bob did not attempt it: not a failure
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.index('id="summary"') < page.index('id="totals"') < page.index('id="items"')
    assert page.count('<svg class="chart') == len(rubric.items) + 1
    assert page.count('<details class="item"') == len(rubric.items)          # one collapsible row per item
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)        # nothing to fetch
    assert "<script" not in page and "<link" not in page
    assert "total SANS cet item" in page and "corrigée" in page and "point-bisériale" in page
    # who lost points on 1.a: alice has it; bob (not implemented) lost it, linked to his feedback
    one_a = page[page.index('id="item-1.a"'):page.index("</details>", page.index('id="item-1.a"'))]
    assert 'href="feedback/bob.html#item-1.a"' in one_a and "alice.html" not in one_a
    # every submission has its feedback page; the unassessed ones are listed once, linked
    assert sorted(p.stem for p in (out / "feedback").glob("*.html")) == sorted(result.records)
    assert 'href="feedback/carol.html"' in page and 'href="feedback/dave.html"' in page
    bob = (out / "feedback" / "bob.html").read_text(encoding="utf-8")
    assert 'id="item-1.a"' in bob and "../report.html" in bob and "non implémenté" in bob


def test_ta_outputs_are_deterministic(plain, rubric):
    """The same checkpoints give the same files, byte for byte (the xlsx included: its timestamps
    are pinned)."""
    _, out, result, _ = plain
    names = ["report.html", "analysis.txt", "gradebook.csv", "gradebook.xlsx"] + \
        ["feedback/%s" % p.name for p in sorted((out / "feedback").glob("*.html"))]
    before = {n: (out / n).read_bytes() for n in names}
    batch.write_outputs(result, rubric, "fr")
    assert {n: (out / n).read_bytes() for n in names} == before
    with zipfile.ZipFile(out / "gradebook.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in zf.read("docProps/core.xml")


def _same_grader(monkeypatch, out: Path) -> None:
    """Others may edit the grader meanwhile (its fingerprint would change): keep the recorded one."""
    recorded = json.loads(next((out / "state").glob("*.json")).read_text(encoding="utf-8"))["grader"]
    monkeypatch.setattr(batch, "grader_fingerprint", lambda lang: recorded)


def test_rerun_resumes_without_regrading(plain, rubric, monkeypatch):
    src, out, _, _ = plain
    _same_grader(monkeypatch, out)
    before = {p.name: p.stat().st_mtime_ns for p in (out / "state").iterdir() if p.name != "grace.json"}
    again = batch.run_batch(src, out, jobs=2, limits=_limits(rubric), progress=False)
    # everything is resumed but grace: an internal error is tried again (its worker no longer dies)
    assert (again.graded_now, again.resumed) == (1, 6)
    assert again.records["grace"]["status"] == "graded" and again.records["grace"]["regular"] == 48
    assert {p.name: p.stat().st_mtime_ns for p in (out / "state").iterdir() if p.name != "grace.json"} == before


def test_a_changed_submission_or_grader_is_regraded(tmp_path, rubric, monkeypatch):
    src = tmp_path / "rendus"
    for name in ("ana", "ben"):
        (src / name).mkdir(parents=True)
        (src / name / "devoir3.py").write_text(FULL_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "grader_fingerprint", lambda lang: "grader-v1")
    first = batch.run_batch(src, out, jobs=2, progress=False)
    assert first.graded_now == 2
    (src / "ben" / "devoir3.py").write_text(FULL_TEXT.replace("return 2 * x", "return x"), encoding="utf-8")
    second = batch.run_batch(src, out, jobs=2, progress=False)
    assert (second.graded_now, second.resumed) == (1, 1)
    assert second.records["ben"]["items"]["1.f"]["points"] == 0
    assert second.records["ana"]["regular"] == 48
    _, subs = batch.discover(src)
    done, todo = batch.plan(subs, out, "grader-v1")
    assert (len(done), len(todo)) == (2, 0)
    done, todo = batch.plan(subs, out, "grader-v2")          # e.g. after a fix of the rubric
    assert (len(done), len(todo)) == (0, 2)
    done, todo = batch.plan(subs, out, "grader-v1", force=True)
    assert (len(done), len(todo)) == (0, 2)


def test_fingerprint_covers_what_grades():
    fp = batch.grader_fingerprint("fr")
    assert fp == batch.grader_fingerprint("fr") and fp != batch.grader_fingerprint("en")


METADATA = """\
submission_1001:
  :submitters:
  - :name: Camille Tremblay
    :sid: '20240001'
    :email: camille.tremblay@umontreal.ca
  :created_at: 2026-02-10 22:41:07.512843000 -05:00
  :score: 48.0
  :history: []
submission_1002:
  :submitters:
  - :name: Noah Côté
    :sid: '20240002'
    :email: noah.cote@umontreal.ca
  :created_at: 2026-02-11 09:03:55.000000000 -05:00
  :score: 0.0
  :history:
  - :created_at: 2026-02-09 17:12:00.000000000 -05:00
    :score: 0.0
    :autograder_score: 0.0
submission_1003:
  :submitters:
  - :name: Léa Gagnon
    :sid: '20240003'
    :email: lea.gagnon@umontreal.ca
  - :name: Émile Roy
    :sid: '20240004'
    :email: emile.roy@umontreal.ca
  :created_at: 2026-02-12 23:59:01.000000000 -05:00
  :score: 48.0
  :history: []
submission_1004:
  :submitters:
  - :name: Zoé Morin
    :sid: '20240005'
    :email: zoe.morin@umontreal.ca
  :created_at: 2026-02-12 12:00:00.000000000 -05:00
  :score: 0.0
  :history: []
"""


def test_gradescope_export_layout(tmp_path, rubric):
    """The archive unzips into one folder holding submission_metadata.yml and one folder per submission."""
    export = tmp_path / "assignment_4242_export"
    for folder, text in {"submission_1001": FULL_TEXT, "submission_1002": TEMPLATE.read_text(encoding="utf-8"),
                         "submission_1003": FULL_TEXT + "\n# groupe\n"}.items():
        (export / folder).mkdir(parents=True)
        (export / folder / "devoir3.py").write_text(text, encoding="utf-8")
    (export / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")   # 1004: listed, no folder
    layout, subs = batch.discover(tmp_path)
    assert layout == "gradescope" and [s.key for s in subs] == [
        "submission_1001", "submission_1002", "submission_1003", "submission_1004"]
    out = tmp_path / "out"
    result = batch.run_batch(tmp_path, out, jobs=2, progress=False)
    batch.write_outputs(result, rubric, "en")
    rows = {r["submission"]: r for r in _rows(out)}      # English headers with --lang en
    assert rows["submission_1001"]["name"] == "Camille Tremblay"
    assert rows["submission_1001"]["email"] == "camille.tremblay@umontreal.ca"
    assert rows["submission_1001"]["sid"] == "20240001" and rows["submission_1001"]["total"] == "48"
    assert rows["submission_1003"]["name"] == "Léa Gagnon; Émile Roy"
    assert rows["submission_1003"]["sid"] == "20240003; 20240004"
    assert rows["submission_1002"]["status"] == "graded" and rows["submission_1002"]["total"] == "0"
    assert rows["submission_1004"]["status"] == "no file"
    assert "Item analysis" in (out / "analysis.txt").read_text(encoding="utf-8")
    # Gradescope's upload: one row per student (the group's two members each get the score)
    with open(out / "gradescope.csv", encoding="utf-8", newline="") as f:
        up = list(csv.DictReader(f))
    assert list(up[0]) == ["Name", "SID", "Email", "Total Score"]
    by_sid = {r["SID"]: r for r in up}
    assert by_sid["20240001"]["Email"] == "camille.tremblay@umontreal.ca"
    assert by_sid["20240001"]["Total Score"] == "58"
    assert by_sid["20240003"]["Name"] == "Léa Gagnon" and by_sid["20240004"]["Name"] == "Émile Roy"
    assert by_sid["20240003"]["Total Score"] == by_sid["20240004"]["Total Score"] == "58"
    assert by_sid["20240005"]["Total Score"] == "0" and len(up) == 5


def test_plain_folder_gradescope_csv_needs_a_roster(plain, rubric, tmp_path):
    """A plain folder has no email nor student number: gradescope.csv is not written, and a note
    says why and what to do; with --roster the matched submissions get their identities."""
    from autograder import roster
    src, out, result, paths = plain
    assert paths["gradescope"] is None and not (out / "gradescope.csv").exists()
    assert any("--roster" in n and "gradescope.csv n'est pas écrit" in n for n in paths["notes"])
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["notes"] == paths["notes"]
    (tmp_path / "liste.csv").write_text(
        "Prénom;Nom;Matricule;Courriel;Soumission\n"
        "Alice;Martin;20240001;alice.martin@umontreal.ca;alice\n"
        "Bob;Côté;20240002;bob@umontreal.ca;\n"                  # matched by the email's local part
        "Zoé;Roy;20240009;zoe@umontreal.ca;zoe\n",                # no submission
        encoding="utf-8-sig")
    students = roster.read(tmp_path / "liste.csv")
    subs = [dataclasses.replace(s, identity=dict(s.identity)) for s in result.submissions]
    matching = roster.apply(subs, students)
    assert matching.matched == 2 and matching.unused == 1 and "carol" in matching.unmatched
    assert "2 soumission(s) identifiée(s) ; sans ligne correspondante : carol" in roster.summary(matching)
    (tmp_path / "vide").mkdir()       # the matching is a note for the TA, said even with -q: in batch.json
    alone = batch.run_batch(tmp_path / "vide", tmp_path / "vide-out", jobs=1, progress=False, roster=students)
    alone_notes = batch.write_outputs(alone, rubric, "fr")["notes"]
    assert alone_notes[0] == "liste d'étudiants : 0 soumission(s) identifiée(s) ; 3 ligne(s) sans soumission."
    assert alone_notes[1].startswith("gradescope.csv n'est pas écrit : la liste d'étudiants (--roster) n'a identifié")
    assert json.loads((tmp_path / "vide-out" / "batch.json").read_text(encoding="utf-8"))["notes"] == alone_notes
    strangers = [roster.Student(name="Zoé Roy", sid="20240009", email="zoe@umontreal.ca")]
    nobody = [dataclasses.replace(s, identity=dict(s.identity)) for s in result.submissions]
    none_matched = roster.summary(roster.apply(nobody, strangers))      # a roster that names no submission
    assert none_matched.startswith("liste d'étudiants : aucune soumission identifiée (") and "carol" in none_matched
    assert "n'a identifié aucune soumission" in gradebook.write_all(
        tmp_path, nobody, result.records, rubric, "fr", roster=True)["notes"][0]
    ident = {s.key: s.identity for s in subs}
    assert ident["alice"] == {"name": "Alice Martin", "sid": "20240001", "email": "alice.martin@umontreal.ca"}
    assert ident["bob"]["sid"] == "20240002"
    written = gradebook.write_all(tmp_path, subs, result.records, rubric, "fr")
    with open(tmp_path / "gradescope.csv", encoding="utf-8", newline="") as f:
        up = list(csv.DictReader(f))
    assert [(r["Name"], r["SID"], r["Total Score"]) for r in up] == [("Alice Martin", "20240001", "58"),
                                                                     ("Bob Côté", "20240002", "0")]
    assert any("sans courriel ni matricule" in n and "carol" in n for n in written["notes"])
    (tmp_path / "bad.csv").write_text("nom,groupe\nAlice,A\n", encoding="utf-8")
    with pytest.raises(roster.RosterError, match="ni colonne de matricule ni de courriel"):
        roster.read(tmp_path / "bad.csv")


def _zip(path: Path, members: list) -> Path:
    """A zip with members (name, bytes, unix mode or None), written as given (no sanitising)."""
    import warnings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")                 # "Duplicate name": on purpose
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def test_export_zip_is_unpacked_once_into_the_output(tmp_path):
    """Gradescope's archive: one assignment_<id>_export/ folder with the metadata and a folder per
    submission; unpacked into OUT/export, the batch finds the export layout; a second run reuses it."""
    from autograder import export_zip
    top = "assignment_4242_export/"
    archive = _zip(tmp_path / "export.zip", [
        (top + "submission_metadata.yml", METADATA.encode("utf-8"), None),
        (top + "submission_1001/devoir3.py", FULL_TEXT.encode("utf-8"), 0o100644),
        (top + "submission_1002/devoir3.py", b"x = 1\n", 0o100644),
        ("__MACOSX/" + top + "._submission_metadata.yml", b"\0", None)])
    out = tmp_path / "export-correction"
    first = export_zip.unpack(archive, out)
    assert first.root == out / "export" / "assignment_4242_export" and first.files == 4 and not first.reused
    layout, subs = batch.discover(first.root, exclude=out)
    assert layout == "gradescope" and [s.key for s in subs][:2] == ["submission_1001", "submission_1002"]
    assert subs[0].identity["sid"] == "20240001"
    assert export_zip.unpack(archive, out).reused


def test_batch_command_takes_the_export_zip(tmp_path):
    """`./ag batch export.zip` as a TA types it: unpacked, graded, every output written next to it."""
    top = "assignment_4242_export/"
    archive = _zip(tmp_path / "export.zip", [
        (top + "submission_metadata.yml", METADATA.encode("utf-8"), None),
        (top + "submission_1001/devoir3.py", FULL_TEXT.encode("utf-8"), 0o100644),
        (top + "submission_1002/devoir3.py", TEMPLATE.read_bytes(), 0o100644)])
    proc = subprocess.run([sys.executable, "-m", "autograder", "batch", str(archive), "-q", "--jobs", "2"],
                          cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "export-correction"
    for name in ("gradebook.csv", "gradebook.xlsx", "gradescope.csv", "analysis.txt", "report.html",
                 "feedback/submission_1001.html", "results/submission_1001.json", "export.sha256"):
        assert (out / name).is_file(), name
    with open(out / "gradescope.csv", encoding="utf-8", newline="") as f:
        scores = {r["SID"]: r["Total Score"] for r in csv.DictReader(f)}
    assert scores["20240001"] == "58" and scores["20240002"] == "0" and scores["20240005"] == "0"
    bad = subprocess.run([sys.executable, "-m", "autograder", "batch", str(tmp_path / "absent.zip")], cwd=REPO,
                         capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_hostile_zip_is_refused_or_defused(tmp_path):
    """Zip slip, links, devices, duplicates and bombs: nothing is written outside the destination,
    no link is made, and an archive that inflates past its limits is refused with a French message."""
    import stat as st

    from autograder import export_zip
    archive = _zip(tmp_path / "hostile.zip", [
        ("../evil.py", b"outside", None), ("/abs/evil.py", b"outside", None), ("C:/evil.py", b"x", None),
        ("a/../../evil2.py", b"outside", None), ("ok\\sub\\devoir3.py", b"ok = 1\n", None),
        ("link", b"/etc/passwd", st.S_IFLNK | 0o777), ("fifo", b"", st.S_IFIFO | 0o644),
        ("ok/devoir3.py", b"first\n", 0o100755), ("ok/devoir3.py", b"second\n", 0o100644),
        ("x" * 300 + "/f.py", b"long", None)])
    out = tmp_path / "out"
    got = export_zip.unpack(archive, out)
    made = sorted(p.relative_to(out / "export").as_posix() for p in (out / "export").rglob("*"))
    assert made == ["ok", "ok/devoir3.py", "ok/sub", "ok/sub/devoir3.py"], made
    assert not list(tmp_path.glob("evil*")) and not (out / "evil.py").exists()
    assert (out / "export" / "ok" / "devoir3.py").read_bytes() == b"first\n"
    assert (out / "export" / "ok" / "devoir3.py").stat().st_mode & 0o777 == 0o644
    assert got.skipped == {"unsafe_path": 4, "link": 1, "special": 1, "duplicate": 1, "too_long": 1}
    assert "lien symbolique 1" in got.note("fr")
    # a bomb: a small member that inflates far beyond its compressed size (its header may lie too)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("b/devoir3.py", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(export_zip.ArchiveError, match="bombe zip"):
        export_zip.unpack(bomb, tmp_path / "out2")
    assert not (tmp_path / "out2" / "export").exists() and not (tmp_path / "out2" / ".export.partial").exists()
    (tmp_path / "not.zip").write_bytes(b"PK not really")
    with pytest.raises(export_zip.ArchiveError, match="n'est pas une archive zip lisible"):
        export_zip.unpack(tmp_path / "not.zip", tmp_path / "out3")


def test_wall_clock_limit_per_submission(tmp_path, rubric):
    """A submission that takes longer than --timeout is stopped and recorded as timed_out, with
    the items graded before the limit kept in its results. (1.a-1.e take well under a second
    idle: a 20 s limit is far above; 1.f sleeps for ever under a longer per-call limit.)"""
    src = tmp_path / "rendus"
    (src / "lent").mkdir(parents=True)
    slow = FULL_TEXT.replace("    return 2 * x\n", "    import time\n    time.sleep(10 ** 6)\n", 1)    # 1.f hangs
    (src / "lent" / "devoir3.py").write_text(slow, encoding="utf-8")
    limits = dataclasses.replace(limits_from(rubric), call_timeout=600.0)
    result = batch.run_batch(src, tmp_path / "out", jobs=1, timeout=20, limits=limits, progress=False)
    rec = result.records["lent"]
    assert rec["status"] == "timed_out" and "20 s" in rec["message"]
    assert rec["items"]["1.a"]["points"] == 1 and "1.f" not in rec["items"]
    data = json.loads((tmp_path / "out" / "results" / "lent.json").read_text(encoding="utf-8"))
    assert valid_results(data) and data["score"] >= 5


def test_progress_bar_is_plain_text():
    buf = io.StringIO()
    bar = batch.Progress(4, buf)
    for s in ("graded", "graded", "no_file", "graded"):
        bar.update(s)
    lines = buf.getvalue().splitlines()
    assert lines[-1].startswith("[" + "#" * 30 + "] 4/4 100%")
    assert "corrigées 3, sans fichier 1" in lines[-1] and all("\x1b" not in line for line in lines)
    en = io.StringIO()
    bar = batch.Progress(1, en, lang="en")
    bar.update("load_error")
    assert "did not load 1" in en.getvalue() and "ETA" in en.getvalue()


def test_sandbox_notes_said_once_per_batch():
    """A worker's stderr keeps the sandbox's notes (they travel with its records); the batch's
    progress says each once, whichever worker said it."""
    real = io.StringIO()
    catcher = batch._NoteCatcher(real)
    catcher.write(batch.NOTE_PREFIX + "namespaces unavailable\n")
    catcher.write("autre chose\n" + batch.NOTE_PREFIX + "second")
    catcher.write(" note\n")
    assert real.getvalue() == "autre chose\n"
    assert catcher.take() == [batch.NOTE_PREFIX + "namespaces unavailable", batch.NOTE_PREFIX + "second note"]
    assert catcher.take() == []
    buf = io.StringIO()
    bar = batch.Progress(2, buf)
    for _ in range(2):                        # two workers said the same note
        bar.note(batch.NOTE_PREFIX + "namespaces unavailable")
    assert buf.getvalue().count("namespaces unavailable") == 1


def _batch_command(src: Path, out: Path, env: dict) -> subprocess.Popen:
    """`python -m autograder batch` in a session of its own (its process group is what Ctrl-C
    reaches), with SIGINT at its default disposition: a suite run in the background would hand
    it down ignored, and a batch started so ignores Ctrl-C as its shell meant."""
    launcher = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                "os.execv(sys.executable, [sys.executable] + sys.argv[1:])")
    cmd = [sys.executable, "-c", launcher, "-m", "autograder", "batch", str(src), "--out", str(out),
           "--jobs", "1", "-q"]
    return subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def _left_alive(tag: str) -> list:
    """The processes of one batch (its own, its workers', their warm processes', the sandboxed
    children's: all carry AG_TAG) still alive, after a fail-safe wait for them to go."""
    from autograder.sandbox.reaping import living_processes
    end = time.monotonic() + 60
    while living_processes(environ=b"AG_TAG=%s\0" % tag.encode()) and time.monotonic() < end:
        time.sleep(0.1)
    return living_processes(environ=b"AG_TAG=%s\0" % tag.encode())


@pytest.mark.parametrize("moment, graded", [("start", 0), ("grading:e0", 0), ("sending:e0", 1)])
def test_interrupted_batch_stops_and_resumes(moment, graded, tmp_path, monkeypatch):
    """Ctrl-C (SIGINT to the process group, sent by the worker at a chosen moment: its start-up,
    a sandbox starting, a result on its way to the parent just after its checkpoint, where a
    batch once hung) ends the batch and every process it started, with exit 130 and the
    checkpoints of what was graded before; the same command finishes the rest."""
    src = tmp_path / "rendus"
    for i in range(3):
        (src / ("e%d" % i)).mkdir(parents=True)
        (src / ("e%d" % i) / "devoir3.py").write_text(FULL_TEXT + "\n# %d\n" % i, encoding="utf-8")
    out = tmp_path / "out"
    tag = "interrupt-%s-%d" % (moment.replace(":", "-"), os.getpid())
    proc = _batch_command(src, out, {"AG_TEST_INTERRUPT": moment, "AG_TAG": tag})
    try:
        _, err = proc.communicate(timeout=300)        # a fail-safe: it ends in seconds
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, err.decode()
    assert "Interrompu" in err.decode() and "Traceback" not in err.decode(), err.decode()
    assert not _left_alive(tag)
    assert len(list((out / "state").glob("*.json"))) == graded
    assert not list((out / "results").glob(".*.tmp")) and not list((out / "state").glob(".*.tmp"))
    assert not (out / "gradebook.csv").exists()
    if graded:       # the resume, once (a grading costs seconds)
        _same_grader(monkeypatch, out)
        again = batch.run_batch(src, out, jobs=2, progress=False)
        assert (again.resumed, again.graded_now) == (graded, 3 - graded)
        assert all(r["regular"] == 48 for r in again.records.values())


def test_worker_signals_raise_only_inside_a_grading(monkeypatch):
    """In a worker, SIGTERM and the wall clock raise only inside a submission's grading: between
    gradings the worker is in the pool's queue code, where an exception can leave a lock held
    for ever (a batch hung so after Ctrl-C: its worker waiting on the result queue's lock)."""
    monkeypatch.setattr(batch, "_STOPPING", False)
    monkeypatch.setattr(batch, "_GRADING", False)
    batch._on_term(signal.SIGTERM, None)
    batch._on_wall(signal.SIGUSR1, None)
    assert batch._STOPPING
    monkeypatch.setattr(batch, "_GRADING", True)
    with pytest.raises(SystemExit):
        batch._on_term(signal.SIGTERM, None)
    with pytest.raises(batch._WallTimeout):
        batch._on_wall(signal.SIGUSR1, None)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(plain, rubric, tmp_path):
    """Chromium loads the report offline and lays out every chart with its bars: a measuring
    script is added to a copy (the report itself has no script)."""
    _, out, _, _ = plain
    page = (out / "report.html").read_text(encoding="utf-8")
    probe = ("<script>window.addEventListener('load',()=>{const shut=document.documentElement.scrollHeight;"
             "document.querySelectorAll('details').forEach(d=>d.open=true);document.body.setAttribute('data-probe',"
             "JSON.stringify([['closed',shut,0,0]].concat([...document.querySelectorAll('svg.chart')].map(s=>{"
             "const r=s.getBoundingClientRect();return [s.dataset.item||'totals',Math.round(r.width),"
             "Math.round(r.height),s.querySelectorAll('rect.bar').length]}))))});</script>")
    copy = tmp_path / "report.html"
    copy.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    shot = tmp_path / "report.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--proxy-server=127.0.0.1:9",
            "--user-data-dir=%s" % (tmp_path / "profile"), "--window-size=1200,1600"]
    dom = subprocess.run(base + ["--virtual-time-budget=3000", "--dump-dom", copy.as_uri()],
                         capture_output=True, timeout=90).stdout.decode("utf-8", "replace")
    m = re.search(r'data-probe="([^"]*)"', dom)
    assert m, dom[:500]
    closed, *charts = json.loads(html.unescape(m.group(1)))
    assert closed[0] == "closed" and closed[1] < 2600, closed       # closed, the page stays short (was 7,000 px)
    assert charts[0][0] == "totals" and sorted(c[0] for c in charts[1:]) == sorted(it.id for it in rubric.items)
    assert all(w > 200 and h > 100 for _, w, h, _ in charts)
    assert charts[0][3] >= 2 and all(c[3] >= 1 for c in charts[1:])      # bars drawn in every chart
    subprocess.run(base + ["--screenshot=%s" % shot, (out / "report.html").as_uri()], capture_output=True,
                   timeout=90)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


# ------------------------------------------------------------------ analysis and gradebooks on synthetic records
LONG = ("votre produit matriciel est dans l'ordre inverse : relisez l'ordre des facteurs dans la règle "
        "de dérivation en chaîne et la forme de chaque facteur, puis vérifiez la forme du résultat ")


def _synthetic(rubric, n=4):
    """n assessed records at full marks except 2.k: 0 for all, not implemented in the first,
    diagnosed '2k_ordre' in the others; plus one submission with no file."""
    recs = []
    for i in range(n):
        items = {it.id: {"points": it.points, "bonus": it.bonus, "status": "graded", "checks": {}}
                 for it in rubric.items}
        items["2.k"] = {"points": 0.0, "bonus": False, "status": "not_implemented" if i == 0 else "graded",
                        "checks": {}, "misconceptions": [] if i == 0 else ["2k_ordre", "inconnue"]}
        recs.append({"status": "graded", "assessed": True, "items": items,
                     "regular": 46.0, "bonus": 10.0})
    recs.append({"status": "no_file", "assessed": False, "items": {}, "regular": 0.0, "bonus": 0.0})
    return recs


def test_analysis_ranks_items_and_counts_misconceptions(rubric):
    catalogue = {"2k_ordre": {"id": "2k_ordre", "item": "2.k", "fr": LONG * 2, "en": "reverse order",
                              "why": {"fr": "la transposée", "en": "the transpose"}}}
    stats = analysis.analyze(_synthetic(rubric), rubric, "fr", catalogue=catalogue)
    first = stats.items[0]
    assert first.id == "2.k" and first.mean_share == 0.0                  # the hardest first
    assert (first.full, first.partial, first.zero, first.not_done) == (0.0, 0.0, 0.75, 0.25)
    assert [s.id for s in stats.items[1:]] == [it.id for it in rubric.items if it.id != "2.k"]   # ties: text order
    assert [(m.id, m.count, m.share) for m in first.misconceptions] == [("2k_ordre", 3, 0.75),
                                                                         ("inconnue", 3, 0.75)]
    assert first.misconceptions[1].text == "inconnue"          # an id the catalogue lacks is shown as is
    assert [m.why for m in first.misconceptions] == ["la transposée", ""]   # the note in the report's language
    table = analysis.text_table(stats, "fr")
    lines = table.splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    first_row = lines[next(i for i, ln in enumerate(lines) if ln.split()[:2] == ["rang", "item"]) + 1]
    assert first_row.split()[:2] == ["1", "2.k"]                   # the ranked table's first row
    flat = " ".join(table.replace("\u00a0", " ").split())
    assert " ".join((LONG * 2).split()) in flat                   # the whole message, wrapped, never cut
    assert "75 % (3 sur 4)" in flat and "en % des 4 soumissions évaluées" in flat
    assert "corrigées 4, sans fichier 1" in flat and "…" not in table
    en_stats = analysis.analyze(_synthetic(rubric), rubric, "en", catalogue=catalogue)
    assert en_stats.items[0].misconceptions[0].why == "the transpose"
    en = analysis.text_table(en_stats, "en")
    assert "75 % (3 of 4): reverse order" in en.replace("\u00a0", " ")
    page = html_report.render(stats, rubric, "fr")
    assert html.escape(" ".join((LONG * 2).split()), quote=True) in page and "— la transposée" in page
    assert page.index('data-item="2.k"') < page.index('data-item="1.a"')


def test_kinds_of_difference_and_discrimination(rubric):
    """The failed sub-checks' kinds of difference are counted once per submission, in words
    (the rubric's messages); the discrimination index is the corrected item-total correlation."""
    import statistics
    recs = []
    for i, (pts_1f, total) in enumerate([(0.0, 30.0), (0.0, 35.0), (1.0, 44.0), (1.0, 47.0), (1.0, 48.0)]):
        items = {it.id: {"points": it.points, "bonus": it.bonus, "status": "graded", "checks": {}}
                 for it in rubric.items}
        tags = ["diff_sign", "rel_pos:x", "own_value", "family"] if i == 0 else ["exception:TypeError"]
        items["1.f"] = {"points": pts_1f, "bonus": False, "status": "graded", "checks": {"valeurs": (
            {"passed": True} if pts_1f else {"passed": False, "kind": "answer", "message": "m", "tags": tags})}}
        recs.append({"submission": "s%d" % i, "status": "graded", "assessed": True, "items": items,
                     "regular": total, "bonus": 0.0})
    stats = analysis.analyze(recs, rubric, "fr", catalogue={})
    one_f = next(s for s in stats.items if s.id == "1.f")
    assert [(d.tag, d.count) for d in one_f.differences] == [("diff_sign", 1), ("exception:TypeError", 1),
                                                            ("rel_pos:x", 1)]
    labels = {d.tag: d.label for d in one_f.differences}
    assert labels["diff_sign"] == "votre résultat a le signe opposé"
    assert labels["rel_pos:x"] == "faux seulement pour x > 0" and labels["exception:TypeError"] == "exception TypeError"
    assert one_f.losers == [("s0", 0.0), ("s1", 0.0)]
    xs, totals = [0.0, 0.0, 1.0, 1.0, 1.0], [30.0, 35.0, 44.0, 47.0, 48.0]
    assert one_f.discrimination == pytest.approx(statistics.correlation(xs, [t - x for t, x in zip(totals, xs)]))
    assert next(s for s in stats.items if s.id == "1.a").discrimination is None        # constant: undefined
    flat = " ".join(analysis.text_table(stats, "fr").replace("\u00a0", " ").split())
    assert "20 % (1 sur 5) : Valeurs du gradient — votre résultat a le signe opposé" in flat
    page = html_report.render(stats, rubric, "fr", {"s0": "Zoé Côté"})
    assert 'href="feedback/s0.html#item-1.f">Zoé Côté</a>' in page and "faux seulement pour x &gt; 0" in page


def test_report_numbers_in_the_reports_language(rubric):
    """A French report writes every number with a decimal comma (the summary's median, min and
    max, the item charts' axes and bars), an English one with a point."""
    recs = _synthetic(rubric, n=2)
    for rec, total, pts_2k in zip(recs, (40.25, 44.5), (0.25, 0.5)):
        rec["regular"] = total
        rec["items"]["2.k"]["points"] = pts_2k
    for lang, summary, tick, bar in (("fr", "médiane 40,25, min 0, max 44,5", ">0,25<", ">0,5 pts"),
                                     ("en", "median 40.25, min 0, max 44.5", ">0.25<", ">0.5 pts")):
        page = html_report.render(analysis.analyze(recs, rubric, lang, catalogue={}), rubric, lang)
        assert summary in page and tick in page and bar in page, lang       # (the no-file submission: 0)


def test_analysis_without_catalogue_or_misconceptions(rubric, tmp_path):
    assert analysis.load_catalogue(tmp_path / "absent.yaml") == {}
    (tmp_path / "list.yaml").write_text("- {id: a, item: 2.k, fr: x, en: y}\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text("misconceptions:\n  a: {item: 2.k, fr: x, en: y}\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("- [unclosed\n", encoding="utf-8")
    assert analysis.load_catalogue(tmp_path / "list.yaml")["a"]["fr"] == "x"
    assert analysis.load_catalogue(tmp_path / "map.yaml")["a"]["en"] == "y"
    assert analysis.load_catalogue(tmp_path / "bad.yaml") == {}
    recs = _synthetic(rubric)
    for r in recs:                                  # records written before the interface existed
        for o in r["items"].values():
            o.pop("misconceptions", None)
    stats = analysis.analyze(recs, rubric, "fr", catalogue={})
    assert all(not s.misconceptions for s in stats.items)
    assert "Erreurs fréquentes" not in analysis.text_table(stats, "fr")


def test_gradebook_dialects_and_xlsx(tmp_path, rubric):
    from openpyxl import load_workbook
    head = gradebook.header(rubric, "fr")
    body = [["s1", "Zoé Côté", "zoe@umontreal.ca", "20240005"] + [0.25] * len(rubric.items)
            + [42.5, 10.0, "corrigée", "note ; avec, ponctuation"]]
    gradebook.write_csv(tmp_path / "plain.csv", head, body, "plain")
    gradebook.write_csv(tmp_path / "fr.csv", head, body, "excel-fr")
    plain, fr = (tmp_path / "plain.csv").read_bytes(), (tmp_path / "fr.csv").read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf") and fr.startswith(b"\xef\xbb\xbf")     # BOM for Excel
    with open(tmp_path / "fr.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][4] == "1.a (/1)" and rows[1][1] == "Zoé Côté"
    assert rows[1][4] == "0,25" and rows[1][-4:] == ["42,5", "10", "corrigée", "note ; avec, ponctuation"]
    assert next(csv.reader(io.StringIO(plain.decode())))[4] == "1.a (/1)" and b"42.5" in plain
    with pytest.raises(ValueError):
        gradebook.write_csv(tmp_path / "x.csv", head, body, "tsv")
    gradebook.write_xlsx(tmp_path / "g.xlsx", head, body)
    ws = load_workbook(tmp_path / "g.xlsx").active
    assert [c.value for c in ws[1]] == head
    values = [c.value for c in ws[2]]
    assert values[4] == 0.25 and values[-4] == 42.5 and values[-2] == "corrigée"     # numbers stay numbers


def test_checks_named_by_their_rubric_title():
    from types import SimpleNamespace
    titled = SimpleNamespace(id="x_egal_u", title=lambda lang: "Cas x(u) = u" if lang != "en" else "Case x(u) = u")
    assert analysis._check_title(titled, "fr") == "Cas x(u) = u" and analysis._check_title(titled, "en") == "Case x(u) = u"
    assert analysis._check_title(SimpleNamespace(id="valeurs"), "fr") == ""            # no title: the id is shown
    assert analysis.CheckStats("valeurs", 1.0, "").name == "valeurs"


def test_children_are_forked_by_the_workers_warm_processes(plain):
    """Issue 13.5: each worker's warm process forks the sandboxed child of every submission it
    grades (a fresh child each: see test_sandbox_isolation's warm test); a submission without a
    file or whose worker died has none."""
    _, _, result, _ = plain
    failed = {r.get("warm_failed") for r in result.records.values()} - {None}
    if failed:
        pytest.skip("the warm process does not start on this machine: %s" % failed)
    warm = {k: r.get("warm") for k, r in result.records.items()}
    assert warm == {"alice": True, "bob": True, "carol": True, "dave": False, "erin": True, "frank": True,
                    "grace": None}, warm


def test_without_a_warm_process_the_batch_says_so_once_and_grades(tmp_path):
    """When the workers' warm processes cannot start (made to fail here by a sitecustomize in
    the workers), every submission is graded with a child started alone, and the batch says it
    once, in its language."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import autograder.sandbox.warm as w\n"
        "def _refuse(cls, *a, **k):\n    raise OSError('refused for the test')\n"
        "w.WarmServer.start = classmethod(_refuse)\n", encoding="utf-8")
    src = tmp_path / "rendus"
    for i in range(3):
        (src / ("e%d" % i)).mkdir(parents=True)
        (src / ("e%d" % i) / "devoir3.py").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH="%s:%s" % (site, REPO))
    done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(src), "--out", str(out), "--jobs", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("le processus chaud du bac à sable ne démarre pas") == 1, done.stderr
    states = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "state").glob("*.json")]
    assert len(states) == 3 and all(s["status"] == "graded" and s["warm"] is False for s in states)
    assert all("refused for the test" in s["warm_failed"] for s in states)
