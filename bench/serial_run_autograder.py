"""Grade a folder of submissions one by one with run_autograder (Gradescope's entry point), each
in a relocated root (AG_ROOT=<tmp>/root ./run_autograder), to compare with the batch.

    python bench/serial_run_autograder.py DIR [--sample N] [--gradebook OUT/gradebook.csv]

DIR holds one sub-folder per submission (bench/make_batch.py writes one). With --sample N,
only N submissions drawn at random (seeded) are timed and the total is extrapolated. With
--gradebook, every score is compared with the batch's (they must agree).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_one(folder: Path, work: Path) -> tuple:
    """(seconds, results dict) of run_autograder on one submission folder."""
    root = work / "root"
    if root.exists():
        shutil.rmtree(root)
    (root / "results").mkdir(parents=True)
    shutil.copytree(folder, root / "submission")
    t0 = time.monotonic()
    subprocess.run(["bash", str(REPO / "run_autograder")], env=dict(os.environ, AG_ROOT=str(root)),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    seconds = time.monotonic() - t0
    with open(root / "results" / "results.json", encoding="utf-8") as f:
        return seconds, json.load(f)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir")
    p.add_argument("--sample", type=int, help="time only this many submissions and extrapolate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gradebook", help="the batch's gradebook.csv, to compare the scores")
    a = p.parse_args(argv)
    folders = sorted(f for f in Path(a.dir).iterdir() if f.is_dir() and not f.name.startswith("."))
    chosen = sorted(random.Random(a.seed).sample(folders, a.sample)) if a.sample else folders
    batch = {}
    if a.gradebook:
        with open(a.gradebook, encoding="utf-8", newline="") as f:
            # columns by position and prefix: the headers are in the batch's language, with maxima
            head, *body = list(csv.reader(f))
            tot = next(i for i, h in enumerate(head) if h.startswith("total"))
            bon = next(i for i, h in enumerate(head) if h.startswith("bonus"))
            batch = {r[0]: float(r[tot]) + float(r[bon]) for r in body}
    work = Path(tempfile.mkdtemp(prefix="ag-serial-"))
    total, mismatches = 0.0, []
    try:
        for i, folder in enumerate(chosen, 1):
            seconds, data = run_one(folder, work)
            total += seconds
            score = float(data.get("score", 0.0))
            if folder.name in batch and abs(batch[folder.name] - score) > 1e-6:
                mismatches.append((folder.name, batch[folder.name], score))
            print("%4d/%d %-24s %6.2f s  score %5.2f" % (i, len(chosen), folder.name, seconds, score), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(chosen)
    print("run_autograder one by one: %d submissions in %.1f s (%.2f s each, %.3f submissions/s)" % (
        n, total, total / n, n / total))
    if a.sample:
        print("extrapolated to all %d submissions: %.0f s" % (len(folders), total / n * len(folders)))
    if batch:
        print("scores compared with the batch: %d differ" % len(mismatches))
        for m in mismatches:
            print("  %s: batch %.2f, run_autograder %.2f" % m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
