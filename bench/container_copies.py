"""Broken copies of the autograder zip, to show that the container bench's cases can fail.

    python bench/container_copies.py OUTDIR
    ./ag container-test --suites jammy --cases interference --zip OUTDIR/fixed_uid.zip   # must be NOT HELD
    ./ag container-test --suites jammy --cases network --zip OUTDIR/no_seccomp.zip       # must be NOT HELD

fixed_uid.zip: the sandbox gives every grading one fixed uid (identity.fresh_identity returns
the same uid each time). no_seccomp.zip: the sandbox loads no seccomp filter
(limits.socket_filter returns none). Everything else is this checkout's zip.
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.packaging import build_zip  # noqa: E402

COPIES = {
    "fixed_uid.zip": ("autograder/sandbox/identity.py", "    low, high = _candidates()\n",
                      '    return SandboxUser("uid 2000000001", 2000000001, 2000000001, per_grading=True)\n'),
    "no_seccomp.zip": ("autograder/sandbox/limits.py", '    if "filter" not in _SECCOMP:\n',
                       '    return None, "removed in this copy"\n'),
}


def make(outdir: Path) -> list:
    """The two copies in outdir (each with one line inserted before `old`); their paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    good = build_zip(outdir / "autograder.zip")
    made = []
    for name, (member, old, inserted) in COPIES.items():
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(outdir / name, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == member:
                    text = data.decode("utf-8")
                    if old not in text:
                        raise SystemExit("%s: the line to break is gone (%r): update COPIES" % (member, old))
                    data = text.replace(old, inserted + old, 1).encode("utf-8")
                zout.writestr(info, data)
        made.append(outdir / name)
    return made


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for path in make(Path(sys.argv[1])):
        print(path)
