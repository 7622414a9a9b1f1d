"""Command line: python -m autograder <command> ...

  grade PATH [--json FILE] [--lang en] [-v]   grade one submission (file or folder)
        [--metadata M]                       with --json: the feedback budget Gradescope's metadata M sets
  precompute                                 compute the reference answers once (setup.sh; autograder/answers.py)
  gradescope [--root /autograder]            the Gradescope flow (what run_autograder calls)
  zip [--out FILE]                           build the Gradescope autograder zip
  batch DIR [--out OUTDIR] [--jobs N]        grade a folder of submissions (resumable): gradebook, analysis
  handout [--out FILE]                       build the zip a student receives
  mutants [-k PATTERN] [-j N] [-v]           mutation analysis of the rubric (bench/mutants.py)
  container-test [--suites ...] [--cases ...] the grader in Docker as Gradescope runs it (bench/container.py)

`./ag` runs these with the checkout's own virtual environment (and `./ag test` runs the tests);
`pip install -e .` installs them as the command `ift3395-autograder`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__

# One line, in French unless --lang en, for a path the command cannot read.
PATH_ERRORS = {
    "fr": {"missing": "Chemin introuvable : %s", "unreadable": "Lecture impossible (permission refusée) : %s"},
    "en": {"missing": "No such file or folder: %s", "unreadable": "Cannot read (permission denied): %s"},
}


def path_error(path: Path, lang: str) -> str | None:
    """The one-line message for a path that does not exist or cannot be read, else None."""
    words = PATH_ERRORS["en" if lang == "en" else "fr"]
    if not path.exists():
        return words["missing"] % path
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        return words["unreadable"] % path
    return None


def cmd_grade(args) -> int:
    # Deliberately not the Gradescope flow's warm fork (one interpreter, about 0.2 s of CPU
    # less): this process carries its user's whole environment (tokens, keys), and a child
    # forked from it would hold that in its memory; run_autograder whitelists the environment
    # first, so the flow can fork. Here the child is a new interpreter with a clean environment.
    from . import answers, feedback
    from .grading import grade_submission
    from .rubric import load

    rubric = load()
    lang = args.lang or rubric.language
    problem = path_error(Path(args.path), lang)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    answers.ensure(rubric)      # the reference answers: read, or computed once and kept
    report = grade_submission(Path(args.path), rubric, lang)
    print(feedback.table(report, lang, verbose=args.verbose))
    if args.json:
        from .budget import decide, read
        verdict = decide(read(Path(args.metadata)), rubric.budget) if args.metadata else None
        data = feedback.results_json(report, rubric, lang, verdict)
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def cmd_precompute(args) -> int:
    from . import answers
    done = answers.precompute()
    print("%s: %d values, %.2f s CPU%s" % (done["path"] or "not written (AG_ANSWERS=off or folder not writable)",
                                         done["entries"], done["seconds"],
                                         "" if done["full_marks"] else "; the full-marks answers lost points"))
    return 0 if done["path"] is not None and done["full_marks"] else 1


GRADER_FAILED, NO_NUMPY = 98, 99       # run_autograder's protocol: see its header


def cmd_gradescope(args) -> int:
    """0 once results.json is written; NO_NUMPY, having done nothing, when this interpreter has
    no numpy (run_autograder tries its next one); GRADER_FAILED when the supervisor itself failed."""
    import importlib.util
    if importlib.util.find_spec("numpy") is None:
        print("python -m autograder gradescope: %s has no numpy" % sys.executable, file=sys.stderr)
        return NO_NUMPY
    from .gradescope_flow import supervise
    try:
        return supervise(Path(args.root), args.lang) and GRADER_FAILED
    except Exception:  # noqa: BLE001 - run_autograder writes the plainest results file
        import traceback
        traceback.print_exc()
        return GRADER_FAILED


def cmd_zip(args) -> int:
    from .packaging import build_zip
    out = build_zip(Path(args.out))
    print(out)
    return 0


def cmd_mutants(args) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # bench/ is not in the zip
    from bench.mutants import main as mutants_main
    argv = (["-k", args.pattern] if args.pattern else []) + (["-j", str(args.jobs)] if args.jobs else []) + \
        (["-v"] if args.verbose else [])
    return mutants_main(argv)


def cmd_container_test(rest: list) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # bench/ is not in the zip
    from bench.container import main as container_main
    return container_main(rest)


def cmd_batch(args) -> int:
    from .batch import main as batch_main
    return batch_main(args)


def cmd_handout(args) -> int:
    from .handout import build_handout
    print(build_handout(Path(args.out)))
    return 0


def prog_name() -> str:
    """How the user called us: ./ag (which says so in AG_PROG), the console script, or python -m."""
    name = os.path.basename(sys.argv[0] or "")
    return os.environ.get("AG_PROG") or (name if name and name != "__main__.py" else "python -m autograder")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog=prog_name(), description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version="%(prog)s " + __version__)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    g = sub.add_parser("grade", help="grade one submission (a file or a folder)")
    g.add_argument("path")
    g.add_argument("--json", help="also write the Gradescope results.json here")
    g.add_argument("--lang", choices=["fr", "en"])
    g.add_argument("--metadata", help="with --json: a Gradescope submission_metadata.json, for the feedback budget")
    g.add_argument("-v", "--verbose", action="store_true", help="show every failing check's details")
    g.set_defaults(fn=cmd_grade)
    pc = sub.add_parser("precompute", help="compute the reference answers once, on disk (setup.sh does it)")
    pc.set_defaults(fn=cmd_precompute)
    gs = sub.add_parser("gradescope", help="run the Gradescope flow under --root")
    gs.add_argument("--root", default="/autograder")
    gs.add_argument("--lang", choices=["fr", "en"])
    gs.set_defaults(fn=cmd_gradescope)
    z = sub.add_parser("zip", help="build the autograder zip for Gradescope")
    z.add_argument("--out", default="build/autograder.zip")
    z.set_defaults(fn=cmd_zip)
    b = sub.add_parser("batch", help="grade every submission of a folder or a Gradescope export")
    b.add_argument("dir", help="a folder of submissions, Gradescope's export zip, or that export unzipped")
    b.add_argument("--out", help="output folder (default: DIR-correction next to DIR)")
    b.add_argument("--jobs", type=int, help="worker processes (default: every core)")
    b.add_argument("--lang", choices=["fr", "en"])
    b.add_argument("--force", action="store_true", help="regrade everything, ignoring the checkpoints")
    b.add_argument("--timeout", type=int, default=480, help="seconds for one submission (default 480)")
    b.add_argument("--csv", choices=["plain", "excel-fr"], default="plain",
                   help="gradebook.csv dialect: plain (comma, UTF-8, decimal point; default) or excel-fr "
                        "(semicolon, UTF-8 with BOM, decimal comma: opens right in a French-locale spreadsheet)")
    b.add_argument("--roster", help="class list (CSV) naming a plain folder's submissions, for gradescope.csv: "
                                    "columns matricule/sid, courriel/email, nom/name, soumission (docs/ta.md)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(fn=cmd_batch)
    h = sub.add_parser("handout", help="build the zip a student receives")
    h.add_argument("--out", default="build/devoir3-etudiant.zip")
    h.set_defaults(fn=cmd_handout)
    mu = sub.add_parser("mutants", help="mutation analysis of the rubric (bench/mutants.py)")
    mu.add_argument("-k", dest="pattern", help="only mutants whose name, function or items contain this")
    mu.add_argument("-j", "--jobs", type=int, help="processes (default 2)")
    mu.add_argument("-v", "--verbose", action="store_true", help="list every mutant and what it lost")
    mu.set_defaults(fn=cmd_mutants)
    ct = sub.add_parser("container-test", add_help=False,
                        help="the grader in Docker as Gradescope runs it (bench/container.py; --help there)")
    ct.set_defaults(fn=None)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["container-test"]:     # its own options, --help included (bench/container.py)
        return cmd_container_test(argv[1:])
    args = p.parse_args(argv)
    return args.fn(args)


def run(entry=None) -> int:
    """entry() (default: main), ending quietly when the reader of the output goes away
    (``| head``): no BrokenPipeError traceback. python -m reference uses it too."""
    try:
        try:
            return (entry or main)()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no second error at exit
        return 1


if __name__ == "__main__":
    sys.exit(run())
