"""Are two versions of the grader's grades and feedback the same, byte for byte, on a corpus?

    python bench/same_grades.py grade --out DIR [--tree TREE] [--jobs 2] [--groups examples,mutants,forms,habits]
    python bench/same_grades.py compare DIR_A DIR_B

`grade` grades every submission of the corpus with the grader of TREE (a checkout, default
this one; e.g. `git archive a1055f4 | tar -x -C /tmp/old`) and writes, per submission, its
results.json (French, the rubric's language) and the teaching team's verbose table (which
states the expected values), with the hash of the graded source. `compare` lists every
submission whose files differ (or whose source differs: then the corpora differ) and exits 1
if any does. The corpus is TREE's own: the examples (examples/submissions/*, the blank
template), every mutant of the misconception catalogue (bench/mutants.py), the equivalent
forms (tests/equivalent_forms.py) and the student habits (tests/student_habits.py).

A grading that timed out or died under a loaded machine is graded again (as bench/mutants.py
does), so a difference is a difference of the grader. A script that prints; not a test.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GROUPS = ("examples", "mutants", "forms", "habits")


def corpus(tree: Path, groups) -> list:
    """[(group__name, source text)] of TREE's corpus."""
    from bench import mutants
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    jobs = []
    if "examples" in groups:
        for d in sorted((tree / "examples" / "submissions").iterdir()):
            if (d / "devoir3.py").is_file():
                jobs.append(("examples__" + d.name, (d / "devoir3.py").read_text(encoding="utf-8")))
        jobs.append(("examples__blank_template",
                     (tree / "student_template" / "devoir3.py").read_text(encoding="utf-8")))
    if "mutants" in groups:
        jobs += [("mutants__" + m.name, mutants.build(m, base)) for m in mutants.MUTANTS]
    if "forms" in groups:
        from equivalent_forms import FORMS
        jobs += [("forms__" + f.name, mutants.build(f, base)) for f in FORMS]
    if "habits" in groups:
        from student_habits import CASES
        for case in CASES:
            text = base
            for fn, change in case.changes:
                text = mutants.apply_edit(text, fn, change)
            jobs.append(("habits__" + case.name, text))
    return jobs


def _grade(job):
    name, text = job
    from autograder import feedback
    from autograder.grading import grade_file
    from autograder.rubric import load
    from bench import mutants
    rubric = load()
    with tempfile.TemporaryDirectory(prefix="ag-same-") as tmp:
        path = Path(tmp) / "devoir3.py"
        path.write_text(text, encoding="utf-8")
        for _ in range(mutants.ATTEMPTS):
            report = grade_file(path, rubric)
            if not {c.kind for i in report.items for c in i.checks} & mutants.NOT_A_GRADE \
                    or name.startswith("examples__"):     # an example may time out on purpose
                break
            time.sleep(0.5)
    lang = rubric.language
    return name, {"source_sha256": hashlib.sha256(text.encode()).hexdigest(),
                  "results_json": json.dumps(feedback.results_json(report, rubric, lang), ensure_ascii=False,
                                             indent=2),
                  "table_verbose": feedback.table(report, lang, verbose=True)}


def grade(args) -> int:
    tree = Path(args.tree).resolve()
    sys.path[:0] = [str(tree), str(tree / "tests")]
    from bench import mutants
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = corpus(tree, [g for g in args.groups.split(",") if g])
    try:                    # the reference answers computed once, as setup.sh does (a tree that has them)
        from autograder import answers
        answers.ensure()
    except ImportError:
        pass
    t0 = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=mutants.init_pool_worker) as pool:
        for n, (name, data) in enumerate(pool.map(_grade, jobs, chunksize=1), 1):
            (out / (name + ".json")).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            if n % 25 == 0:
                print("%d / %d graded (%.0f s)" % (n, len(jobs), time.monotonic() - t0), flush=True)
    print("%d submissions graded by %s into %s in %.0f s" % (len(jobs), tree, out, time.monotonic() - t0))
    return 0


def compare(args) -> int:
    a, b = Path(args.a), Path(args.b)
    names = sorted({p.name for p in a.glob("*.json")} | {p.name for p in b.glob("*.json")})
    differ = []
    for name in names:
        if not (a / name).is_file() or not (b / name).is_file():
            differ.append((name, "only in one folder"))
            continue
        da, db = (json.loads((d / name).read_text(encoding="utf-8")) for d in (a, b))
        if da["source_sha256"] != db["source_sha256"]:
            differ.append((name, "not the same source (the corpora differ)"))
            continue
        for key in ("results_json", "table_verbose"):
            if da[key] != db[key]:
                la, lb = da[key].splitlines(), db[key].splitlines()
                first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
                differ.append((name, "%s differs from line %d: %r / %r" % (
                    key, first + 1, la[first] if first < len(la) else None, lb[first] if first < len(lb) else None)))
    for name, why in differ:
        print("DIFFERENT %s: %s" % (name, why))
    print("%d submissions compared, %d identical (results.json and the verbose table, byte for byte), %d different"
          % (len(names), len(names) - len(differ), len(differ)))
    return 1 if differ else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade")
    g.add_argument("--out", required=True)
    g.add_argument("--tree", default=str(REPO))
    g.add_argument("--jobs", type=int, default=2)
    g.add_argument("--groups", default=",".join(GROUPS))
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = p.parse_args(argv)
    return grade(args) if args.command == "grade" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
