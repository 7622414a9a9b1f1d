"""Grade one submission: the rubric's items, each from its checks, into a Report.

Checks are independent of each other except through `requires`; each gets the
correct upstream values from the reference as inputs (no double jeopardy).
A bug in a check is caught here: that item is marked for manual review and the
rest is graded, so a results file is always produced.
"""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import checks as checks_mod
from . import diagnosis, proof, pyerrors, symbolic, warm_worker
from .rubric import Rubric
from .sandbox.runner import Limits, Sandbox, sandbox_user
from .session import Session, read_source


@dataclass
class CheckOutcome:
    id: str
    points: float
    max_points: float
    passed: bool
    message: str
    details: str
    details_visibility: str
    kind: str = "answer"
    reveal: str = ""              # expected values: only in the opt-in after-due-date test
    title: str = ""               # the sub-check's title in the report's language
    tags: tuple = ()              # a failure's kinds of difference (checks.Ctx.said): for the TAs


@dataclass
class ItemOutcome:
    id: str
    title: str
    points: float
    max_points: float
    bonus: bool
    visibility: str
    checks: list = field(default_factory=list)
    status: str = "graded"        # graded, not_implemented, missing, error, internal_error
    misconceptions: list = field(default_factory=list)   # ids of autograder/misconceptions.yaml

    @property
    def full(self) -> bool:
        return abs(self.points - self.max_points) < 1e-9


@dataclass
class Report:
    items: list
    status: str                   # graded, no_file, load_error
    message: str = ""             # for the whole submission (load errors, notes)
    student_output: str = ""      # what the student's code printed (truncated)
    seconds: float = 0.0

    @property
    def regular(self) -> float:
        return round(sum(i.points for i in self.items if not i.bonus), 2)

    @property
    def bonus(self) -> float:
        return round(sum(i.points for i in self.items if i.bonus), 2)

    @property
    def max_regular(self) -> float:
        return sum(i.max_points for i in self.items if not i.bonus)

    @property
    def max_bonus(self) -> float:
        return sum(i.max_points for i in self.items if i.bonus)


def limits_from(rubric: Rubric) -> Limits:
    lim = rubric.limits
    return Limits(call_timeout=float(lim.get("call_timeout", 5)), load_timeout=float(lim.get("load_timeout", 10)),
                  budget=float(lim.get("budget", 150)), cpu_seconds=int(lim.get("cpu_seconds", 60)),
                  memory_bytes=int(lim.get("memory_mb", 768)) * 1024 * 1024)


def _msg(rubric, lang, key, **kw):
    return rubric.messages[key](lang).format(**kw)


def grade_file(path: Path, rubric: Rubric, lang: str | None = None, limits: Limits | None = None,
               sandbox: Sandbox | None = None, on_item=None) -> Report:
    """Grade one student file. Never raises for anything the student did.

    on_item(ItemOutcome) is called as each item is graded (the Gradescope flow keeps them,
    so that a grader that dies halfway still reports the items it graded)."""
    lang = lang or rubric.language
    t0 = time.monotonic()
    sandbox = sandbox or Sandbox(Path(path), limits or limits_from(rubric), user=sandbox_user(),
                                 warm=warm_worker.server())     # None unless this process started one
    sandbox.start()        # the child imports numpy while we prepare
    try:
        with symbolic.proof_allowance(rubric.limits.get("sympy_proofs")), \
                proof.work_allowance(rubric.limits.get("proof_evaluations")):
            report = _graded(sandbox, path, rubric, lang, on_item)
    finally:
        sandbox.close()    # every student process is dead before results are written
    report.student_output = pyerrors.without_paths(sandbox.log)
    report.seconds = time.monotonic() - t0
    return report


def _graded(sandbox, path, rubric, lang, on_item) -> Report:
    session = Session(sandbox, read_source(Path(path)))
    loaded = session.load()
    if not loaded.get("ok"):
        return _load_failed(rubric, lang, loaded.get("error") or {})
    items = []
    for item in rubric.items:
        items.append(grade_item(session, rubric, item, lang, set(loaded.get("functions", []))))
        if on_item is not None:
            on_item(items[-1])
    return Report(items, "graded", _unavailable_note(rubric, lang, loaded.get("unavailable")))


def _unavailable_note(rubric, lang, names) -> str:
    """The modules the file imports that the grader does not have (each bound to a stand-in)."""
    names = [n for n in names if isinstance(n, str) and n.isidentifier() and len(n) <= 40][:10] \
        if isinstance(names, list) else []
    return _msg(rubric, lang, "unavailable_modules", names=", ".join(names)) if names else ""


def no_file_report(rubric: Rubric, lang: str, why: str) -> Report:
    """Every item at 0 because there is nothing to grade; `why` says what was found instead."""
    return Report(_load_failed(rubric, lang, {"type": "NoFile"}).items, "no_file", why)


def grade_submission(submission: Path, rubric: Rubric, lang: str | None = None, make_sandbox=None,
                     on_item=None) -> Report:
    """Find the student's file in a submission (file or folder) and grade it.

    The one sequence shared by the CLI, the Gradescope worker and the batch: locate, say
    precisely what is missing or misnamed, grade, and keep locate's note in the report.
    make_sandbox(path) builds the Sandbox when the caller needs its own (limits, user)."""
    from .locate import locate
    lang = lang or rubric.language
    found = locate(Path(submission), rubric.student_file, lang)
    if found.path is None:
        return no_file_report(rubric, lang, found.error)
    sandbox = make_sandbox(Path(found.path)) if make_sandbox else None
    report = grade_file(found.path, rubric, lang, sandbox=sandbox, on_item=on_item)
    if found.note:
        report.message = (found.note + "\n" + report.message).strip()
    return report


def _load_failed(rubric, lang, err) -> Report:
    """Every item at 0, and why the file did not load (the rubric's load_* messages)."""
    etype, line = err.get("type", ""), err.get("line")
    if etype in ("SyntaxError", "IndentationError", "TabError"):
        text = _msg(rubric, lang, "load_syntax", line=line,
                    message=pyerrors.explained(etype, err.get("message", ""), lang))
        if err.get("text"):
            text += "\n    " + str(err["text"])[:200]
    elif etype == "ModuleNotFoundError":
        text = _msg(rubric, lang, "load_module", message=err.get("message", ""))
    elif etype.startswith("Load:"):
        kind = etype[5:]          # the sandbox's ChildFailure kind; an unknown one is shown as is
        said = rubric.messages.get("load_kind_" + kind)
        text = _msg(rubric, lang, "load_stopped", kind=said(lang) if said else kind)
    else:
        where = _msg(rubric, lang, "load_line", line=line) if line else ""
        text = _msg(rubric, lang, "load_import", where=where,
                    message=pyerrors.explained(etype, err.get("message", ""), lang))
    items = []
    for item in rubric.items:
        it = ItemOutcome(item.id, item.title(lang), 0.0, item.points, item.bonus, item.visibility,
                         status="load_error")
        it.checks = [CheckOutcome(c.id, 0.0, c.points, False, _msg(rubric, lang, "not_loaded"), "", "visible",
                                  "not_loaded", title=c.title(lang)) for c in item.checks]
        items.append(it)
    return Report(items, "load_error", text)


def grade_item(session: Session, rubric: Rubric, item, lang: str, defined: set) -> ItemOutcome:
    out = ItemOutcome(item.id, item.title(lang), 0.0, item.points, item.bonus, item.visibility)
    recorder = diagnosis.Recorder(session)     # the calls, for the diagnosis below
    ctx = checks_mod.Ctx(recorder, rubric, lang, item)
    passed = {}
    for check in item.checks:
        ctx.said = []
        if check.function and check.function not in defined:
            res = checks_mod.Result(False, _msg(rubric, lang, "missing", fn=check.function), kind="missing")
        elif any(not passed.get(r) for r in check.requires):
            req = next(r for r in check.requires if not passed.get(r))
            title = next((c.title(lang) for c in item.checks if c.id == req), req)
            res = checks_mod.Result(False, _msg(rubric, lang, "requires", req=title), kind="requires")
        else:
            try:
                res = checks_mod.KINDS[check.kind](ctx, check)
            except Exception:   # a grader bug: flag the item, keep grading the rest
                res = checks_mod.Result(False, "Erreur interne du correcteur : cet item doit être revu "
                                        "à la main. / Internal grader error: review this item by hand.",
                                        traceback.format_exc(limit=3)[-600:], kind="internal_error")
                out.status = "internal_error"
        passed[check.id] = res.passed
        # a grader traceback is for the teaching team only, never in a student's feedback
        shown = "instructors" if res.kind == "internal_error" else check.details
        out.checks.append(CheckOutcome(check.id, check.points if res.passed else 0.0, check.points,
                                       res.passed, res.message, res.details, shown, res.kind,
                                       res.reveal, check.title(lang), () if res.passed else tuple(ctx.said)))
    out.points = round(sum(c.points for c in out.checks), 2)
    if not out.full and out.status == "graded":
        for m in diagnosis.diagnose(item.id, recorder.calls):
            if m not in out.misconceptions:
                out.misconceptions.append(m)
    if out.status == "graded":
        kinds = {c.kind for c in out.checks}
        if kinds == {"not_implemented"} or kinds <= {"not_implemented", "requires"} and "not_implemented" in kinds:
            out.status = "not_implemented"
        elif kinds <= {"missing", "requires"} and "missing" in kinds:
            out.status = "missing"
    return out
