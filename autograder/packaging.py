"""Build the zip that the instructor uploads to Gradescope (setup.sh and run_autograder at its root)."""
from __future__ import annotations

import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The full-marks file is the base of the misconception catalogue's wrong twins (diagnoses);
# like reference/, it is out of the sandboxed student code's reach.
TOP_FILES = ["setup.sh", "run_autograder", "requirements.txt", "examples/submissions/full_marks/devoir3.py"]
TREES = ["autograder", "reference", "student_template"]
EXECUTABLE = {"setup.sh", "run_autograder"}


def zip_members() -> list:
    members = [REPO / f for f in TOP_FILES]
    for tree in TREES:
        members += sorted(p for p in (REPO / tree).rglob("*")
                          if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    return members


def build_zip(out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in zip_members():
            name = str(path.relative_to(REPO))
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # reproducible zip
            mode = 0o755 if name in EXECUTABLE else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    return out
