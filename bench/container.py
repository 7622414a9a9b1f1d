"""The container bench: the autograder zip built and run as Gradescope runs it, in Docker.

    ./ag container-test                          # Ubuntu 22.04 and 24.04, every case
    ./ag container-test --suites jammy --cases full,blank
    ./ag container-test --suites bookworm,trixie # Debian 12 and 13 (extra coverage)
    ./ag container-test --suites jammy --setup-runs 5 --cases full   # setup.sh timed 5 times

Images: Ubuntu 22.04 (jammy, Python 3.10) and 24.04 (noble, Python 3.12), Gradescope's base
images, and Debian 12 (bookworm, 3.11) and 13 (trixie, 3.13): each a minimal userland made
with debootstrap from the distribution's archive (its signature checked), upgraded from its
updates, with its own python3 at /usr/bin/python3. The autograder image is built from the zip
as Gradescope builds it: unzipped into /autograder/source, run_autograder copied to
/autograder, then from / `apt-get update` and `bash /autograder/source/setup.sh` as root.

Gradings run in fresh containers with Gradescope's limits (--cpus 0.5 --memory 768m, the
default seccomp profile and capabilities, not privileged) and the limits the zip ships
(autograder/rubric.yaml). Cases:
  full          the full-marks example: 58, every item passed
  blank         the blank template: 0 on every item
  hostile       every attack of tests/hostile/: the score its honest twin earns, nothing left
                running, nothing changed, nothing secret in results.json
  concurrent    two full-marks gradings at once: 58 each
  interference  full marks while a neighbour container keeps several gradings going (some
                holding processes for their whole grading) and another holds 100 processes
                as the fallback user ag_student: 58 here and for every neighbour grading
  network       student code tries an address outside the container (TCP, UDP) and a port
                inside it: refused, and a capture on the host side sees no packet sent
  memory        2.a allocates past the memory limit, alone and in several processes:
                only 2.a is lost, and the grading ends within the container's 768 MB

Printed per image: setup.sh's time and the image's growth, one grading's time against the
floor (`python -c "import numpy, sympy"` in the same container), the peak memory of each
grading (the container's memory cgroup), and each case's verdict, then a table of all images.

Docker: a daemon that answers is used; else, as root, Debian's docker.io is installed and
dockerd started. Exit status: 0 every case held, 1 some case did not (each failure is a
NOT HELD line with its reason), 77 Docker cannot run here. Timings are printed, never asserted.
Base images are cached (Docker images ag-base:SUITE and CACHE=/var/cache/ag-container, or
AG_CONTAINER_CACHE); setup.sh's times go to CACHE/setup-times.log with the load average.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):                     # run as a script: the repository on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.container_cases import ALL_CASES, Bench  # noqa: E402
from bench.container_images import (SUITES, BenchError, ensure_docker, grader_image, log_setup_time,  # noqa: E402
                                    median_line, remove_leftovers, run_setup, say, system_python)

SKIPPED = 77
DEFAULT_SUITES = "jammy,noble"


def loud(text: str) -> None:
    bar = "!" * 78
    say("\n%s\n!! %s\n%s" % (bar, text.replace("\n", "\n!! "), bar))


def mb(n) -> str:
    return "%.0f MB" % (n / 1e6) if n is not None else "?"


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def setup_runs(suite, base_tag, zip_path, runs: int) -> None:
    """setup.sh `runs` more times on the base, each in a fresh container (thrown away)."""
    for i in range(runs):
        fig = run_setup(base_tag, zip_path)
        times = log_setup_time(suite.name, fig["setup"], "timing run %d (CPU %.1f s; %s)" % (i + 1, fig["cpu"], load()))
        say("    setup.sh timing run %d: %.1f s, CPU %.1f s (apt-get update before it %.1f s; %s); longest steps: %s" % (
            i + 1, fig["setup"], fig["cpu"], fig["apt_update"], load(),
            "; ".join("%.1f s %s" % step for step in fig["steps"][:6])))
    say("    setup.sh: " + median_line(times))


def one_suite(suite, args, rubric, zip_path) -> dict:
    """Build (or reuse) the image and run the cases; a summary row for the final table."""
    row = new_row(suite)
    try:
        image, fig = grader_image(suite, zip_path, args.rebuild)
    except (BenchError, OSError) as exc:
        loud("[%s] could not build the image: %s" % (suite.name, exc))
        row["verdicts"].append(("image", ["could not build: %s" % str(exc)[:300]]))
        return row
    if not fig["cached"]:
        log_setup_time(suite.name, fig["setup"], "image build (CPU %.1f s; %s)" % (fig["cpu"], load()))
    row.update(setup=fig["setup"], cpu=fig["cpu"], growth=fig["image"] - fig["base"], python=system_python(image))
    say("    image %s: setup.sh %.1f s, CPU %.1f s%s; base %s -> %s (+%s); %s" % (
        image, fig["setup"], fig["cpu"], " (cached build)" if fig["cached"] else " (apt-get update before it: %.1f s; %s)" % (
            fig["apt_update"], load()), mb(fig["base"]), mb(fig["image"]), mb(row["growth"]), row["python"]))
    if args.setup_runs:
        try:
            setup_runs(suite, "ag-base:" + suite.name, zip_path, args.setup_runs)
        except (BenchError, OSError) as exc:
            row["verdicts"].append(("setup runs", ["could not run: %s" % str(exc)[:300]]))
    bench = Bench(image, suite.name, rubric, Path(args.out) if args.out else None)
    hostile_suites = args.hostile_suites.split(",") if args.hostile_suites else [s for s in args.suites.split(",") if s]
    for case in args.cases.split(","):
        if case == "hostile":
            if suite.name in hostile_suites:
                bench.run("hostile", names=args.hostile.split(",") if args.hostile else None, jobs=args.jobs)
        elif case:
            bench.run(case)
    for r in bench.rows:
        row["verdicts"].append((r["case"], r["problems"]))
        if r["case"] == "full_marks":
            row.update(grading=r["seconds"], floor=r["floor"], peak_full=r["peak"])
        elif r["case"].startswith("memory"):
            row.update(peak_memory_case=r["peak"], oom_kills=r["oom_kills"])
        elif r["peak"] and r["peak"] > (row["peak_other"] or 0):
            row.update(peak_other=r["peak"], peak_other_case=r["case"])
    return row


def new_row(suite) -> dict:
    return dict.fromkeys(("setup", "cpu", "growth", "grading", "floor", "peak_full", "peak_other", "peak_other_case",
                          "peak_memory_case", "oom_kills"), None) | {"suite": suite, "verdicts": [], "python": ""}


def table(rows: list) -> None:
    """Item by item, per image: setup.sh (wall, CPU), image growth, one grading against the floor,
    peak memory (full marks; the highest other case but the memory case; the memory case and the
    processes the kernel killed there), and the cases held."""
    def mib(n):
        return "%.0f" % (n / 2**20) if n else "?"
    say("\n== per image (%s at the end)" % load())
    say("   %-7s %-8s %-19s %-7s %-16s %-26s %s" % ("image", "python", "setup.sh", "growth", "grading / floor",
                                                  "peak MiB: full/other/mem", "cases"))
    for r in rows:
        held = sum(1 for _, bad in r["verdicts"] if not bad)
        setup = "%.1f s (CPU %.1f)" % (r["setup"], r["cpu"]) if r["setup"] is not None else "?"
        grading = "%.1f s / %.1f s" % (r["grading"], r["floor"]) if r["grading"] and r["floor"] else "?"
        peaks = "%s / %s / %s (%s killed)" % (mib(r["peak_full"]), mib(r["peak_other"]), mib(r["peak_memory_case"]),
                                             r["oom_kills"] if r["oom_kills"] is not None else "?")
        say("   %-7s %-8s %-19s %-7s %-16s %-26s %d/%d held" % (
            r["suite"].name, r["python"].split(" / ")[0].replace("Python ", ""), setup, mb(r["growth"]), grading,
            peaks, held, len(r["verdicts"])))
        if r["peak_other_case"]:
            say("   %-7s (highest other: %s)" % ("", r["peak_other_case"]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="./ag container-test", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suites", default=DEFAULT_SUITES,
                   help="images, comma-separated: %s (default %s)" % (
                       ", ".join("%s (%s, Python %s)" % (s.name, s.title, s.python) for s in SUITES.values()),
                       DEFAULT_SUITES))
    p.add_argument("--cases", default=",".join(ALL_CASES), help="subset of %s" % ",".join(ALL_CASES))
    p.add_argument("--hostile-suites", help="images that run the hostile set (default: every image)")
    p.add_argument("--hostile", help="only these attacks (comma-separated names of tests/hostile/)")
    p.add_argument("-j", "--jobs", type=int, default=2,
                   help="hostile gradings at a time, each in its own container as on a Gradescope host "
                        "(default 2; the fork bomb runs alone)")
    p.add_argument("--setup-runs", type=int, default=0,
                   help="also time setup.sh this many times per image (fresh containers; median of the last 5 logged)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the autograder image even if cached")
    p.add_argument("--out", help="keep each case's results.json and run_autograder output in this folder")
    p.add_argument("--zip", help="an autograder zip to test (default: ./ag zip of this checkout)")
    args = p.parse_args(argv)
    suites = [s for s in args.suites.split(",") if s]
    unknown = [s for s in suites if s not in SUITES] + [c for c in args.cases.split(",") if c and c not in ALL_CASES]
    if unknown:
        p.error("unknown: %s" % unknown)

    why = ensure_docker()
    if why:
        loud("CONTAINER BENCH SKIPPED: Docker is not available here.\n" + why)
        return SKIPPED
    remove_leftovers()
    from autograder.rubric import load as load_rubric
    rubric = load_rubric()
    if args.zip:
        zip_path = Path(args.zip)
    else:
        from autograder.packaging import build_zip
        zip_path = build_zip(Path(tempfile.mkdtemp(prefix="ag-zip-")) / "autograder.zip")
    rows, t_start = [], time.monotonic()
    for name in suites:
        suite = SUITES[name]
        say("\n== %s: %s (Python %s) - %s" % (name, suite.title, suite.python, load()))
        try:
            rows.append(one_suite(suite, args, rubric, zip_path))
        except Exception as exc:  # noqa: BLE001 - a bench reports every failure as a NOT HELD line
            loud("[%s] stopped: %s: %s" % (name, type(exc).__name__, exc))
            rows.append(new_row(suite) | {"verdicts": [("suite", ["stopped: %s: %s" % (type(exc).__name__, exc)])]})
    table(rows)
    failed = [(r["suite"].name, case, bad) for r in rows for case, bad in r["verdicts"] if bad]
    say("\n== container bench: %d image(s), %.0f s" % (len(rows), time.monotonic() - t_start))
    for suite, case, bad in failed:
        say("   NOT HELD  [%s] %s: %s" % (suite, case, "; ".join(bad)))
    if not failed:
        say("   every case held")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
