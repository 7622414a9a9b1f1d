"""README.md and docs/*.md stay true (docs/development.md, "How the documentation is checked"):
the output they quote is what the grader prints today, every command of a ```sh block runs as
written, the figures taken from the rubric match it, and local links lead somewhere."""
import importlib.util
import re
import shlex
import shutil
import subprocess

import pytest

from conftest import REPO

spec = importlib.util.spec_from_file_location("doc_excerpts", REPO / "docs" / "excerpts.py")
excerpts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(excerpts)

NOT_RUN = re.compile(r"#\s*not run by the tests:\s*(\S.*)$")
REGEN = "run `.venv/bin/python docs/excerpts.py --write` and review the diff"


def sh_commands() -> list:
    """[(document, command, reason it is not run or None)] of every ```sh block line."""
    out = []
    for doc in excerpts.documents():
        in_sh = False
        pending = ""
        for line in doc.read_text(encoding="utf-8").split("\n"):
            fence = re.match(r"\s*```(\w*)\s*$", line)
            if fence:
                in_sh = (not in_sh) and fence.group(1) == "sh"
                continue
            if not in_sh or not line.strip():
                continue
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            line, pending = pending + line.strip(), ""
            skip = NOT_RUN.search(line)
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                out.append((doc.relative_to(REPO).as_posix(), command, skip.group(1) if skip else None))
    return out


COMMANDS = sh_commands()
RUNS = {}


BATCH_OUT = "build/correction"
BATCH = excerpts.BATCH_COMMAND.format(out=BATCH_OUT)     # docs/batch.md's excerpt comes from it


def run(command: str) -> subprocess.CompletedProcess:
    """The command as a reader types it at the checkout's root (once per test session)."""
    if command not in RUNS:
        if command == BATCH:
            shutil.rmtree(REPO / BATCH_OUT, ignore_errors=True)       # graded afresh, not resumed
        RUNS[command] = subprocess.run(command, shell=True, cwd=REPO, capture_output=True, text=True,
                                       timeout=900, executable="/bin/bash")
    return RUNS[command]


def test_the_documents_hold_commands():
    docs = {d for d, _, _ in COMMANDS}
    assert "README.md" in docs
    assert any(c.startswith("./ag grade examples/submissions/full_marks") for _, c, _ in COMMANDS)


@pytest.mark.parametrize("doc,command,reason", COMMANDS, ids=[c for _, c, _ in COMMANDS])
def test_command_runs_as_written(doc, command, reason):
    if reason is None:
        done = run(command)
        assert done.returncode == 0, "%s: `%s` exited %d\n%s" % (doc, command, done.returncode,
                                                                done.stderr[-3000:])
        return
    # Not run here (its reason is in the document): its program exists and knows its options.
    words = shlex.split(command)
    prefix = []
    for i, w in enumerate(words):
        if w.startswith("-") and not (w == "-m" and i + 1 < len(words)) and words[i - 1] != "-m":
            break
        prefix.append(w)
    program = next((w for w in prefix if "/" in w and not w.startswith(".venv/")), prefix[0])
    assert (REPO / program).exists(), "%s: %s does not exist" % (doc, program)
    options = {w.split("=")[0] for w in words if w.startswith("--")}
    if options:
        helped = subprocess.run(prefix + ["--help"], cwd=REPO, capture_output=True, text=True, timeout=120)
        text = helped.stdout + helped.stderr
        if not (REPO / program).read_bytes().startswith(b"#!/usr/bin/env python") and program.endswith(".sh"):
            text += (REPO / program).read_text(encoding="utf-8")
        missing = [o for o in options if o not in text]
        assert not missing, "%s: `%s` uses %s, unknown to `%s --help`" % (doc, command, missing, " ".join(prefix))
    pytest.skip("not run by the tests: " + reason)


def test_quick_start_grades_the_full_marks_example(rubric):
    done = run("./ag grade examples/submissions/full_marks")
    assert done.returncode == 0, done.stderr
    assert "Total : %g / %g, bonus : %g / %g" % ((rubric.regular_points,) * 2 + (rubric.bonus_points,) * 2) \
        in done.stdout


def test_quoted_output_is_current():
    """Every <!-- generated: NAME --> excerpt equals a fresh run of docs/excerpts.py."""
    assert BATCH in [c for _, c, _ in COMMANDS], "docs/excerpts.py's batch command is no longer documented"
    done = run(BATCH)
    assert done.returncode == 0, done.stderr[-3000:]
    analysis = (REPO / BATCH_OUT / "analysis.txt").read_text(encoding="utf-8")
    bad = excerpts.stale({"analysis-excerpt": excerpts.analysis_excerpt(analysis)})
    assert not bad, "stale excerpts %s: %s" % (", ".join("%s (%s)" % b for b in bad), REGEN)


def test_every_marked_excerpt_has_a_generator():
    for doc in excerpts.documents():
        for name, _ in excerpts.marks(doc.read_text(encoding="utf-8")):
            assert name in excerpts.GENERATORS, "%s: unknown excerpt %r" % (doc.name, name)


def test_deploy_checklist_figures_match_the_rubric(rubric):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploy on Gradescope", 1)[1].split("\n## ", 1)[0]
    regular, bonus = rubric.regular_points, rubric.bonus_points
    assert "Autograder points %g" % regular in section
    if rubric.bonus_in_results == "zero_max":
        assert "%g / %g" % (regular + bonus, regular) in section
        assert "%g bonus points come as extra credit" % bonus in section
    steps = [ln for ln in section.split("\n") if re.match(r"(\d+\.|   )\S*", ln) and ln.strip()]
    assert len(steps) < 20, "the checklist grew to %d lines" % len(steps)


def _slug(title: str) -> str:
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def test_local_links_lead_somewhere():
    for doc in excerpts.documents():
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            dest = (doc.parent / path).resolve() if path else doc
            assert dest.exists(), "%s: link to %s, which does not exist" % (doc.name, target)
            if anchor and dest.suffix == ".md":
                titles = re.findall(r"^#+ (.+)$", dest.read_text(encoding="utf-8"), re.M)
                assert anchor in {_slug(t) for t in titles}, "%s: no section #%s in %s" % (doc.name, anchor, path)
