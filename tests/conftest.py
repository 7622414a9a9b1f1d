"""Shared fixtures: the repository paths and a loaded rubric."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FULL_MARKS = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"
TEMPLATE = REPO / "student_template" / "devoir3.py"


@pytest.fixture(scope="session")
def rubric():
    from autograder.rubric import load
    return load()


@pytest.fixture(scope="session")
def full_marks_report(rubric):
    from autograder.grading import grade_file
    return grade_file(FULL_MARKS, rubric)
