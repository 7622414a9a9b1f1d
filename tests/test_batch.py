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
from pathlib import Path

import pytest

from autograder import analysis, batch
from autograder.gradescope_flow import valid_results
from autograder.grading import limits_from

from conftest import FULL_MARKS, REPO, TEMPLATE

FULL_TEXT = FULL_MARKS.read_text(encoding="utf-8")


def _limits(rubric):
    return dataclasses.replace(limits_from(rubric), load_timeout=2.0)


def _rows(out: Path) -> list:
    with open(out / "gradebook.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


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
    assert header == ["submission", "name", "email", "sid"] + items + ["total", "bonus", "status", "message"]
    assert [r["submission"] for r in rows] == ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    bonus_ids = {it.id for it in rubric.items if it.bonus}
    for r in rows:
        regular = sum(float(r[i]) for i in items if i not in bonus_ids)
        bonus = sum(float(r[i]) for i in items if i in bonus_ids)
        assert float(r["total"]) == pytest.approx(regular) and float(r["bonus"]) == pytest.approx(bonus)
    alice = rows[0]
    assert (alice["total"], alice["bonus"], alice["status"]) == ("48", "10", "graded")
    assert "syntaxe" in rows[2]["message"] and rows[3]["status"] == "no_file"


def test_item_analysis_table_and_report(plain, rubric):
    _, out, result, paths = plain
    table = paths["table"]
    assert "1.a" in table and "3.e" in table and "7 soumissions, 2 évaluées" in table
    stats = analysis.analyze(list(result.records.values()), rubric, "fr")
    one_a = next(s for s in stats.items if s.id == "1.a")
    assert (one_a.n, one_a.mean, one_a.full, one_a.not_done) == (2, 0.5, 0.5, 0.5)
    assert one_a.worst is None            # bob did not attempt it: not a failure
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<svg class="chart') == len(rubric.items) + 1
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)        # nothing to fetch
    assert "<script" not in page and "<link" not in page


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
    rows = {r["submission"]: r for r in _rows(out)}
    assert rows["submission_1001"]["name"] == "Camille Tremblay"
    assert rows["submission_1001"]["email"] == "camille.tremblay@umontreal.ca"
    assert rows["submission_1001"]["sid"] == "20240001" and rows["submission_1001"]["total"] == "48"
    assert rows["submission_1003"]["name"] == "Léa Gagnon; Émile Roy"
    assert rows["submission_1003"]["sid"] == "20240003; 20240004"
    assert rows["submission_1002"]["status"] == "graded" and rows["submission_1002"]["total"] == "0"
    assert rows["submission_1004"]["status"] == "no_file"
    assert "Item analysis" in (out / "analysis.txt").read_text(encoding="utf-8")


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
    assert "graded 3, no_file 1" in lines[-1] and all("\x1b" not in line for line in lines)


def test_interrupted_batch_resumes(tmp_path, monkeypatch):
    """Ctrl-C (SIGINT to the process group) stops the batch; the same command finishes the rest."""
    src = tmp_path / "rendus"
    for i in range(5):
        (src / ("e%d" % i)).mkdir(parents=True)
        (src / ("e%d" % i) / "devoir3.py").write_text(FULL_TEXT + "\n# %d\n" % i, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder", "batch", str(src), "--out", str(out), "--jobs", "1", "-q"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    end = time.monotonic() + 300          # a fail-safe: the first grading takes a few seconds
    while time.monotonic() < end and not list((out / "state").glob("*.json")) and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    done = len(list((out / "state").glob("*.json")))
    assert proc.returncode == 130, err.decode()
    assert 1 <= done < 5 and not (out / "gradebook.csv").exists()
    assert not list((out / "results").glob(".*.tmp")) and not list((out / "state").glob(".*.tmp"))
    _same_grader(monkeypatch, out)
    again = batch.run_batch(src, out, jobs=2, progress=False)
    assert (again.resumed, again.graded_now) == (done, 5 - done)
    assert all(r["regular"] == 48 for r in again.records.values())


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(plain, rubric, tmp_path):
    """Chromium loads the report offline and lays out every chart with its bars: a measuring
    script is added to a copy (the report itself has no script)."""
    _, out, _, _ = plain
    page = (out / "report.html").read_text(encoding="utf-8")
    probe = ("<script>window.addEventListener('load',()=>{document.body.setAttribute('data-probe',"
             "JSON.stringify([...document.querySelectorAll('svg.chart')].map(s=>{const r=s.getBoundingClientRect();"
             "return [s.dataset.item||'totals',Math.round(r.width),Math.round(r.height),"
             "s.querySelectorAll('rect.bar').length]})))});</script>")
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
    charts = json.loads(html.unescape(m.group(1)))
    assert [c[0] for c in charts] == ["totals"] + [it.id for it in rubric.items]
    assert all(w > 200 and h > 100 for _, w, h, _ in charts)
    assert charts[0][3] >= 2 and all(c[3] >= 1 for c in charts[1:])      # bars drawn in every chart
    subprocess.run(base + ["--screenshot=%s" % shot, (out / "report.html").as_uri()], capture_output=True,
                   timeout=90)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
