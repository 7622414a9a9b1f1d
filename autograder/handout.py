"""Build the zip a student receives: the template, outils.py, the self-check and short
instructions (French and English). Nothing else: no reference, rubric or grader code.

    python -m autograder handout [--out build/devoir3-etudiant.zip]
"""
from __future__ import annotations

import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDER = "devoir3"            # the zip unpacks into one folder
MEMBERS = [                   # (name in the zip, source in the repository)
    ("devoir3.py", "student_template/devoir3.py"),
    ("outils.py", "student_template/outils.py"),
    ("autoverification.py", "student_template/autoverification.py"),
    ("LISEZMOI.md", "handout/LISEZMOI.md"),
    ("README.md", "handout/README.md"),
]


def handout_members() -> list:
    """[(name in the zip, path)] in zip order."""
    return [("%s/%s" % (FOLDER, name), REPO / src) for name, src in MEMBERS]


def build_handout(out: Path) -> Path:
    """Write the handout zip (reproducible: fixed dates and modes) and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, path in handout_members():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    return out
