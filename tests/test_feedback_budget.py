"""The feedback budget (issue 16): a few diagnosed submissions per window, from Gradescope's
submission_metadata.json, never from the clock; beyond it scores and passed sub-checks only.

The verdicts are computed on metadata dicts (no grading); the rendering uses the typical
mistakes example, graded once for the whole session, under several metadata files; the
statement items are graded in the grader's process through a stub session (no sandbox).
"""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from autograder import budget, diagnosis, feedback, grading, misconceptions
from autograder.budget import Budget
from autograder.rubric import RubricError, load
from autograder.session import Outcome
from conftest import REPO

ZONE = timezone(timedelta(hours=-4))          # Montréal in summer, as Gradescope writes it
T0 = datetime(2025, 3, 11, 9, 0, 0, 123456, tzinfo=ZONE)
HOUR = timedelta(hours=1)
BUDGET = Budget(3, 24)


def stamp(t: datetime) -> str:
    return t.isoformat()


def metadata(now, previous, **extra) -> dict:
    """Gradescope's documented layout (docs/feedback-budget.md): results for the latest only."""
    prev = [{"submission_time": stamp(t), "score": 10.0, "autograder_error": False} for t in previous]
    if prev:
        prev[-1]["results"] = {"score": 10.0, "tests": []}
    data = {"id": 123456, "created_at": stamp(now), "submission_method": "upload",
            "assignment": {"due_date": stamp(T0 + 10 * 24 * HOUR), "group_size": None, "group_submission": False,
                           "id": 25828, "course_id": 1234, "late_due_date": None, "release_date": stamp(T0 - 24 * HOUR),
                           "title": "Devoir 3", "total_points": "48.0"},
            "users": [{"email": "etudiante@example.com", "id": 1234, "name": "Étudiante"}],
            "previous_submissions": prev}
    data.update(extra)
    return data


def verdicts(times, budget_=BUDGET):
    return [budget.decide(metadata(t, times[:k]), budget_) for k, t in enumerate(times)]


# ------------------------------------------------------------------ the verdicts
def test_n_diagnosed_then_not_until_the_oldest_leaves_the_window():
    times = [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 20 * HOUR, T0 + 24 * HOUR, T0 + 25 * HOUR,
             T0 + 25.5 * HOUR, T0 + 26.5 * HOUR]
    v = verdicts(times)
    assert [x.diagnosed for x in v] == [True, True, True, False, False, True, True, False, True]
    assert [x.remaining for x in v[:3]] == [2, 1, 0]
    # beyond the budget, later undiagnosed submissions do not move the next diagnosed one
    assert v[3].next_at == v[4].next_at == T0 + 24 * HOUR
    assert v[7].next_at == T0 + 26 * HOUR          # the oldest diagnosed one in the window: T0 + 2 h
    assert v[3].next_at.utcoffset() == ZONE.utcoffset(None)


def test_a_regrade_sees_the_same_verdict_whatever_came_later():
    """Gradescope may list every other submission when an old one is run again: later ones and
    the submission itself are ignored, and only the times count (never the clock or results)."""
    times = [T0 + k * 2 * HOUR for k in range(7)]
    first = verdicts(times)
    for k, t in enumerate(times):
        others = times[:k] + times[k + 1:] + [t]
        assert budget.decide(metadata(t, others), BUDGET) == first[k]


def test_failed_runs_and_group_submissions():
    times = [T0, T0 + HOUR, T0 + 2 * HOUR]
    meta = metadata(T0 + 3 * HOUR, times)
    meta["previous_submissions"][1]["autograder_error"] = True     # not the student's fault: free
    assert budget.decide(meta, BUDGET).diagnosed
    group = metadata(T0 + 3 * HOUR, times, users=[{"email": "a@example.com", "id": 1, "name": "A"},
                                                  {"email": "b@example.com", "id": 2, "name": "B"}])
    v = budget.decide(group, BUDGET)
    assert not v.diagnosed and v.next_at == T0 + 24 * HOUR          # one budget for the group


@pytest.mark.parametrize("meta", [
    None, {}, [], "texte", {"created_at": stamp(T0)},                       # missing parts
    {"created_at": "hier", "previous_submissions": []},                      # malformed
    {"created_at": stamp(T0), "previous_submissions": "aucune"},
    {"created_at": stamp(T0), "previous_submissions": [{"score": 3.0}]},
    {"created_at": stamp(T0), "previous_submissions": [None]},
    {"created_at": stamp(T0), "previous_submissions": [{"submission_time": 12}]},
], ids=["none", "empty", "list", "string", "no-previous", "bad-time", "previous-not-list", "no-time",
        "null-entry", "number-time"])
def test_missing_or_malformed_metadata_means_full_feedback(meta):
    assert budget.decide(meta, BUDGET) is None


def test_old_and_variant_formats():
    # the 2017 layout (advanced.md): id, created_at, assignment_id, previous_submissions
    old = {"id": 1, "created_at": "2017-06-01T14:22:32.365935-07:00", "assignment_id": 1,
           "previous_submissions": [{"submission_time": "2017-06-01T14:20:48.087023-07:00", "score": 0.0,
                                     "results": {}}]}
    assert budget.decide(old, BUDGET) == budget.Verdict(True, 2, 3, 24.0, None)
    # naive times (read in the offset of the assignment's dates), UTC "Z", 1-digit fractions
    variant = {"created_at": "2025-03-11T14:00:00", "assignment": {"due_date": stamp(T0)},
               "previous_submissions": [{"submission_time": s} for s in
                                        ("2025-03-11T17:00:00.5Z", "2025-03-11T10:00:00", "2025-03-11T12:59-04:00")]}
    v = budget.decide(variant, BUDGET)
    assert not v.diagnosed and v.next_at == datetime(2025, 3, 12, 14, 0, tzinfo=timezone.utc)
    assert v.next_at.utcoffset() == timedelta(hours=-4)
    assert budget.decide(variant, Budget(None, 24)) is None                 # count: null turns it off
    assert budget.decide(variant, Budget(4, 24)).diagnosed


def test_the_time_is_shown_in_the_course_zone_rounded_up():
    t = datetime(2025, 3, 12, 9, 0, 0, 123456, tzinfo=ZONE)
    assert budget.when(t, "fr") == "mercredi 12 mars 2025 à 9 h 01 (UTC−04:00)"
    assert budget.when(t.replace(microsecond=0), "en") == "Wednesday 12 March 2025 at 09:00 (UTC−04:00)"
    assert budget.when(datetime(2025, 12, 31, 23, 59, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
                       "fr") == "jeudi 1 janvier 2026 à 0 h 00 (UTC+05:30)"


def test_the_rubric_setting(tmp_path):
    rubric = load()
    assert rubric.budget == Budget(3, 24.0)
    text = (REPO / "autograder" / "rubric.yaml").read_text(encoding="utf-8")
    setting = "diagnosed_submissions: {count: 3, hours: 24}"
    assert setting in text
    for other, ok in [("diagnosed_submissions: {count: null, hours: 24}", Budget(None, 24.0)),
                      ("diagnosed_submissions: {count: 5, hours: 12}", Budget(5, 12.0)),
                      ("diagnosed_submissions: {count: 0, hours: 24}", None),
                      ("diagnosed_submissions: {count: 3, days: 1}", None),
                      ("diagnosed_submissions: {count: 3, hours: -1}", None)]:
        path = tmp_path / "rubric.yaml"
        path.write_text(text.replace(setting, other), encoding="utf-8")
        if ok is None:
            with pytest.raises(RubricError):
                load(path)
        else:
            assert load(path).budget == ok


# ------------------------------------------------------------------ the rendering
def _render(report, rubric, meta, lang="fr") -> str:
    return json.dumps(feedback.results_json(report, rubric, lang, budget.decide(meta, rubric.budget)),
                      ensure_ascii=False, indent=2)


def test_within_the_budget_todays_feedback_beyond_it_scores_only(typical_report, rubric):
    today = feedback.results_json(typical_report, rubric, "fr")
    times = [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]
    within, beyond = (feedback.results_json(typical_report, rubric, "fr", budget.decide(
        metadata(times[k], times[:k]), rubric.budget)) for k in (2, 3))
    assert within["tests"] == today["tests"]
    first, rest = within["output"].split("\n", 1)
    assert rest == today["output"] and "3 sur 3" in first and "il en reste 0" in first
    assert within["extra_data"] == {"feedback_budget": {"diagnosed": True, "rank": 3, "count": 3, "hours": 24.0,
                                                        "next_diagnosed": None}}
    # beyond: every score and passed sub-check; no diagnosis, kind, family, echoed value, printout
    first = beyond["output"].split("\n")[0]
    assert "mercredi 12 mars 2025 à 9 h 01 (UTC−04:00)" in first and "épuisée" in first
    assert beyond["score"] == today["score"] and "Ce que votre code a affiché" not in beyond["output"]
    assert today["output"].split("\n")[0] in beyond["output"]                 # the total
    line = re.compile(r"^[✓✗] [^\n]+ \([\d.]+/[\d.]+\)$")
    for b, t in zip(beyond["tests"], today["tests"]):
        assert (b["score"], b["status"], b["name"], b.get("extra_data")) == \
            (t["score"], t["status"], t["name"], t.get("extra_data"))       # ids stay for the instructors
        shown = b["output"].rstrip("\n").split("\n")
        assert all(line.match(x) for x in shown if not x.startswith("[")), b["output"]
        assert [x.split(" (")[0] for x in shown] == [x.split(" (")[0] for x in t["output"].split("\n")
                                                   if x.startswith(("✓", "✗", "["))]


def test_a_regrade_reproduces_the_output_byte_for_byte(typical_report, rubric):
    times = [T0 + k * 3 * HOUR for k in range(6)] + [T0 + 30 * HOUR]
    for k, t in enumerate(times):
        first = _render(typical_report, rubric, metadata(t, times[:k]))
        again = _render(typical_report, rubric, metadata(t, times[:k] + times[k + 1:]))   # later ones listed
        assert again == first, k


# ------------------------------------------------------------------ items graded together
class StubSession:
    """The answers of a few functions, as decoded from the sandbox: grade_item without a child."""

    def __init__(self, answers):
        self.answers, self.state = answers, {}

    def call(self, fn, args):
        return Outcome(True, self.answers[fn])

    def map(self, fn, argsets):
        return [Outcome(True, self.answers[fn]) for _ in argsets]


def _item_texts(rubric, item_id, fn, answers):
    item = next(i for i in rubric.items if i.id == item_id)
    out = []
    for answer in answers:
        outcome = grading.grade_item(StubSession({fn: answer}), rubric, item, "fr", {fn})
        out.append((outcome, feedback.item_text(outcome, "fr", reveal=False)))
    return out


def _catalogued(fn):
    return [m for m in misconceptions.load() if m.function == fn]


@pytest.mark.parametrize("item_id, fn, check", [("2.c", "q2c_pourquoi", "pourquoi"),
                                                ("2.h", "q2h_probleme", "probleme")])
def test_statements_read_the_same_for_every_wrong_answer(rubric, item_id, fn, check):
    """Within the budget too: the catalogued near misses once had a diagnosis of their own."""
    near = [getattr(diagnosis.twin(m.id), fn)() for m in _catalogued(fn)]
    answers = near + [["A"], ["B", "C"], "ABCDEFG", [], "A, E", ["a", "b", "c", "d"], "A et D et F", ["B", "D", ""]]
    graded = _item_texts(rubric, item_id, fn, answers)
    assert {o.misconceptions[0] for o, _ in graded[:len(near)]} == {m.id for m in _catalogued(fn)}   # for TAs
    assert all(not c.passed for o, _ in graded for c in o.checks if c.id == check)
    assert len({text for _, text in graded}) == 1, graded[0][1]
    assert "Diagnostic" not in graded[0][1]
    # an answer that cannot be read as letters is a form problem, the same for every such answer
    unread = _item_texts(rubric, item_id, fn, ["xyz", ["A", 3], "A ou B"])
    assert len({text for _, text in unread}) == 1 and "incorrect" not in unread[0][1] and "forme" in unread[0][1]


def test_the_eight_limits_say_nothing_about_which_is_wrong(rubric):
    near = [diagnosis.twin(m.id).q2f_limites() for m in _catalogued("q2f_limites")]
    tables = [{"mse": [[0, 0], [0, 0]], "ce": [[0, 1], [-1, 0.5]], "meilleure": "ce"},
              {"mse": [[1, 0], [0, 0]], "ce": [[0, 1], [-1, 0]], "meilleure": "ce"},
              {"mse": [[0, 0], [0, 0]], "ce": [[9, 9], [9, 9]], "meilleure": "ce"}]
    graded = _item_texts(rubric, "2.f", "q2f_limites", near + tables)
    wrong = [text.split("\n")[0] for o, text in graded if not o.checks[0].passed]
    assert len(wrong) == len(graded) - 1 and len(set(wrong)) == 1       # 2f_conclusion's limits are right
    shown = [text for _, text in graded]
    assert not [t for t in shown if "Diagnostic" in t and "conclusion" not in t.split("Diagnostic")[1]]


def test_every_diagnosis_for_a_part_graded_together_is_for_the_instructors(rubric):
    together = {c.function for i in rubric.items for c in i.checks if c.opt("compare") in ("statements", "limits")}
    assert together == {"q2c_pourquoi", "q2h_probleme", "q2f_limites"}
    for m in misconceptions.load():
        if m.function in together and m.id != "2f_conclusion":      # its limits are the right ones
            assert m.student is False, m.id


def test_the_handout_states_the_rubric_s_budget(rubric):
    count, hours = rubric.budget.count, "%g" % rubric.budget.hours
    for name, words in (("LISEZMOI.md", "%d soumissions par période de %s heures"),
                        ("README.md", "%d\nsubmissions per %s hours")):
        text = " ".join((REPO / "handout" / name).read_text(encoding="utf-8").split())
        assert " ".join((words % (count, hours)).split()) in text, name
