"""The feedback budget: how many submissions in a rolling window get the diagnoses (issue 16).

Gradescope writes /autograder/submission_metadata.json before it runs the autograder
(docs/feedback-budget.md cites its documentation): the current submission's `created_at` and
`previous_submissions`, each with its `submission_time` (and `score`, `autograder_error`;
`results` only for the latest one). A submission is *diagnosed* (it gets today's full feedback)
when fewer than `count` diagnosed submissions came in the `hours` before it; otherwise it gets
every score and which sub-checks pass, and nothing else (feedback.item_text).

Whether an earlier submission was diagnosed is not read from its results (Gradescope keeps
those for the latest one only): it is recomputed from the submission times alone, oldest
first, by the same rule. So the verdict is a function of the metadata's times and the rubric's
setting, never of the clock: a regrade gives a submission the output it had. Submissions made
after `created_at` (a regrade of an old one may list them) and those Gradescope marks
`autograder_error` (not the student's fault) do not count. A group submission's metadata lists
the group's submissions (one history, several `users`): the group shares one budget.

Metadata that is missing or unreadable in any part we use (local grading, a batch, another
format) gives None: full feedback, no budget line, never an error.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEFAULT_COUNT = 3
DEFAULT_HOURS = 24.0
MAX_PREVIOUS = 10_000          # more entries than any class makes: the file is not Gradescope's


@dataclass(frozen=True)
class Budget:
    """The rubric's setting `feedback.diagnosed_submissions`: count None turns the budget off."""
    count: int | None = DEFAULT_COUNT
    hours: float = DEFAULT_HOURS


@dataclass(frozen=True)
class Verdict:
    diagnosed: bool
    rank: int                  # diagnosed submissions in the window, this one included if diagnosed
    count: int
    hours: float
    next_at: datetime | None   # beyond the budget: the first time a submission is diagnosed again,
    #                            in the course's time zone

    @property
    def remaining(self) -> int:
        return max(self.count - self.rank, 0)

    def record(self) -> dict:
        """For results.json's top-level extra_data (instructors; Gradescope shows it to no one)."""
        return {"diagnosed": self.diagnosed, "rank": self.rank, "count": self.count, "hours": self.hours,
                "next_diagnosed": self.next_at.isoformat() if self.next_at else None}


def read(path: Path):
    """The metadata file as a dict, or None (absent, unreadable, not JSON, not an object)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_time(text, zone=None):
    """An ISO 8601 time as Gradescope writes it ("2018-07-01T14:22:32.365935-07:00") as an aware
    datetime; a time without offset is read in `zone` (None: left naive). None if unreadable.
    (datetime.fromisoformat does the work; before Python 3.11 it takes neither "Z" nor a
    fraction other than 3 or 6 digits, hence the normalisation; no dependency for one format.)"""
    if not isinstance(text, str) or len(text) > 64:
        return None
    m = _TIME.match(text.strip())
    if not m:
        return None
    day, clock, frac, offset = m.groups()
    if len(clock) == 5:
        clock += ":00"
    frac = "." + (frac + "000000")[:6] if frac else ""
    if offset == "Z":
        offset = "+00:00"
    elif offset and ":" not in offset:
        offset = offset[:3] + ":" + offset[3:]
    try:
        t = datetime.fromisoformat("%sT%s%s%s" % (day, clock, frac, offset or ""))
    except ValueError:
        return None
    if t.tzinfo is None and zone is not None:
        t = t.replace(tzinfo=zone)
    return t


def course_zone(metadata: dict):
    """The course's time zone: the UTC offset Gradescope writes on the submission's own time
    (`created_at`), else on the assignment's dates; UTC when no time carries one."""
    assignment = metadata.get("assignment") if isinstance(metadata.get("assignment"), dict) else {}
    for text in (metadata.get("created_at"), assignment.get("due_date"), assignment.get("release_date"),
                 assignment.get("late_due_date")):
        t = parse_time(text)
        if t is not None and t.tzinfo is not None:
            return t.tzinfo
    return timezone.utc


def decide(metadata, budget: Budget) -> Verdict | None:
    """This submission's verdict, or None for full feedback without a budget line (budget off,
    metadata missing or unreadable in any part used). Never raises on the metadata."""
    if budget.count is None or not isinstance(metadata, dict):
        return None
    zone = course_zone(metadata)
    now = parse_time(metadata.get("created_at"), zone)
    previous = metadata.get("previous_submissions")
    if now is None or not isinstance(previous, list) or len(previous) > MAX_PREVIOUS:
        return None
    times = []
    for entry in previous:
        if not isinstance(entry, dict):
            return None
        t = parse_time(entry.get("submission_time"), zone)
        if t is None:
            return None
        if entry.get("autograder_error") is True or t >= now:
            continue          # not the student's fault; or made after this one (a regrade)
        times.append(t)
    window = timedelta(hours=budget.hours)
    diagnosed = []               # ascending
    for t in sorted(times):
        if len(diagnosed) - bisect.bisect_right(diagnosed, t - window) < budget.count:
            diagnosed.append(t)
    recent = diagnosed[bisect.bisect_right(diagnosed, now - window):]
    if len(recent) < budget.count:
        return Verdict(True, len(recent) + 1, budget.count, budget.hours, None)
    # the window holds exactly `count` diagnosed ones: the oldest leaves it first; submissions
    # beyond the budget are not diagnosed, so they do not move that time
    return Verdict(False, len(recent), budget.count, budget.hours, (min(recent) + window).astimezone(now.tzinfo))


MONTHS = {"fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December")}
WEEKDAYS = {"fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def when(t: datetime, lang: str) -> str:
    """'mardi 12 mars 2025 à 14 h 05 (UTC−04:00)', rounded up to the minute (a submission at the
    time shown is diagnosed); the offset is printed, so the time is exact whatever the reader's
    zone (the names are written here: the container has no French locale)."""
    key = "en" if lang == "en" else "fr"
    if t.second or t.microsecond:
        t = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
    offset = t.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = "UTC%s%02d:%02d" % ("−" if minutes < 0 else "+", abs(minutes) // 60, abs(minutes) % 60)
    day = "%s %d %s %d" % (WEEKDAYS[key][t.weekday()], t.day, MONTHS[key][t.month - 1], t.year)
    if key == "en":
        return "%s at %02d:%02d (%s)" % (day, t.hour, t.minute, zone)
    return "%s à %d h %02d (%s)" % (day, t.hour, t.minute, zone)


def status_line(verdict: Verdict, messages: dict, lang: str) -> str:
    """The one line at the top of the submission's text (rubric messages budget_within/beyond)."""
    hours = "%g" % verdict.hours
    if verdict.diagnosed:
        return messages["budget_within"](lang).format(rank=verdict.rank, count=verdict.count, hours=hours,
                                                      remaining=verdict.remaining)
    return messages["budget_beyond"](lang).format(count=verdict.count, hours=hours,
                                                  when=when(verdict.next_at, lang))
