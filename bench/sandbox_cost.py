"""What the sandbox costs: the full-marks file graded with and without it, layer by layer.

    .venv/bin/python bench/sandbox_cost.py [--reps 5] [--hang]

Every configuration grades examples/submissions/full_marks/devoir3.py with grade_file, in
this process (so Python's and the grader's own start-up are not counted), the median of
--reps runs after one warm-up:

  in-process      no sandbox: the student's module imported here, its answers encoded and
                  decoded exactly as on the wire (the child's own code), no process
  child           the sandbox's processes, no namespaces, no user switch
  namespaces      + mount/pid/network namespaces (pivot_root jail)
  namespaces+user + the switch to a per-grading uid (root): Gradescope's setting
  user            the user switch without namespaces (only if that user can run this Python)
  warm fork       the child forked by a warm process (batch's WarmServer), namespaces + user

Then the pieces: start-up (zygote ready: Python + numpy), one call's round trip, a fresh
worker after a time-out (a fork), and for comparison a whole new child (Python + numpy).
With --hang: a file whose every function sleeps, with the rubric's production limits.
With --flow: the whole Gradescope flow (run_autograder on a relocated root, new processes
each time: what a submission costs on Gradescope), with and without each layer.
Prints figures; not a test.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
FULL = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"

from autograder.grading import grade_file, limits_from  # noqa: E402
from autograder.rubric import load  # noqa: E402
from autograder.sandbox import runner  # noqa: E402


class InProcess:
    """The Sandbox interface without a process: the child's own load/call code, run here."""

    def __init__(self, path: Path):
        sys.path.insert(0, str(REPO / "student_template"))
        os.environ.setdefault("AG_CTL", "3,4")
        spec = importlib.util.spec_from_file_location("_enfant_bench", REPO / "autograder" / "sandbox" / "child.py")
        self.child = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.child)
        self.path, self.loaded, self.log, self.restarts = path, None, "", 0

    def start(self):
        pass

    def load(self):
        if self.loaded is None:
            self.loaded = self.child.load(str(self.path))
        return self.loaded

    def request(self, req, timeout=None):
        self.load()
        # the same JSON round trip as the pipe, without the pipe
        return json.loads(json.dumps(self.child.handle(json.loads(json.dumps(req))), allow_nan=False))

    def close(self):
        pass


def timed(fn, reps):
    fn()                                    # warm-up (imports, caches)
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out), min(out), max(out)


def grade_with(rubric, make):
    def run():
        report = grade_file(FULL, rubric, sandbox=make())
        assert (report.regular, report.bonus) == (48, 10), (report.regular, report.bonus, report.message)
    return run


def user_can_run_python(user) -> bool:
    probe = runner.Sandbox(FULL, user=user, namespaces=False)
    try:
        probe.start()
        probe.load()
        return True
    except runner.SandboxError:
        return False
    finally:
        probe.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--hang", action="store_true", help="also time a file whose every function hangs")
    ap.add_argument("--flow", action="store_true", help="also time the whole Gradescope flow")
    args = ap.parse_args(argv)
    rubric = load()
    limits = limits_from(rubric)
    user = runner.sandbox_user()
    print("machine: %d cores, %s; euid %d, sandbox user: %s" % (os.cpu_count(), sys.version.split()[0],
                                                                 os.geteuid(), user.name if user else "none"))
    configs = [("in-process (no sandbox)", lambda: InProcess(FULL)),
               ("child, no namespaces, no user", lambda: runner.Sandbox(FULL, limits, namespaces=False)),
               ("child + namespaces", lambda: runner.Sandbox(FULL, limits, namespaces=True))]
    if user is not None:
        configs.append(("child + namespaces + user %s" % user.name,
                        lambda: runner.Sandbox(FULL, limits, user=user, namespaces=True)))
        if user_can_run_python(user):
            configs.append(("child + user %s, no namespaces" % user.name,
                            lambda: runner.Sandbox(FULL, limits, user=user, namespaces=False)))
        else:
            print("(user switch without namespaces: %s cannot run %s here; skipped)" % (user.name, sys.executable))
    from autograder.sandbox.warm import WarmServer
    server = WarmServer.start()       # batch's warm process: a fork per submission, no new numpy import
    configs.append(("warm fork + namespaces%s" % (" + user" if user else ""),
                    lambda: runner.Sandbox(FULL, limits, user=user, namespaces=True, warm=server)))
    base = None
    print("\nfull-marks grading (grade_file, %d runs, median [min-max]):" % args.reps)
    for name, make in configs:
        with contextlib.redirect_stderr(open(os.devnull, "w")):
            med, lo, hi = timed(grade_with(rubric, make), args.reps)
        base = base or med
        print("  %-40s %6.3f s  [%.3f-%.3f]  x%.2f" % (name, med, lo, hi, med / base))

    print("\npieces (median of %d):" % args.reps)
    for name, ns, who, w in (("no namespaces, no user", False, None, None), ("namespaces", True, user, None),
                             ("namespaces, warm fork", True, user, server)):
        def startup():
            sb = runner.Sandbox(FULL, limits, user=who, namespaces=ns, warm=w)
            sb.start()
            sb._await_ready()
            sb.close()
        print("  %-40s %6.3f s" % ("start-up to ready (%s)" % name, timed(startup, args.reps)[0]))
    sb = runner.Sandbox(FULL, limits, user=user)
    sb.load()
    call = {"op": "call", "fn": "q2c_pourquoi", "args": []}
    print("  %-40s %6.2f ms" % ("one call's round trip", 1000 * timed(lambda: sb.request(call), 50)[0]))

    def reset():
        sb._reset()
        sb.request(call)
    print("  %-40s %6.2f ms" % ("fresh worker (fork + reload) + a call", 1000 * timed(reset, args.reps)[0]))

    def respawn():
        sb._hard_kill()
        sb.request(call)
    print("  %-40s %6.2f ms" % ("whole new child (Python + numpy) + a call", 1000 * timed(respawn, args.reps)[0]))
    sb.close()
    server.close()

    if args.flow:
        import shutil
        import subprocess
        print("\nGradescope flow, full marks (run_autograder, median of %d):" % args.reps)
        flows = [("namespaces + user", {}), ("namespaces, no user", {"AG_SANDBOX_USER": "nobody-here"}),
                 ("no namespaces, no user", {"AG_SANDBOX_USER": "nobody-here", "AG_SANDBOX_NAMESPACES": "0"})]
        if user is not None and user_can_run_python(user):
            flows.append(("user, no namespaces", {"AG_SANDBOX_NAMESPACES": "0"}))
        for name, extra in flows:
            def flow():
                with tempfile.TemporaryDirectory() as d:
                    root = Path(d) / "autograder"
                    (root / "submission").mkdir(parents=True)
                    shutil.copy(FULL, root / "submission" / "devoir3.py")
                    env = dict(os.environ, AG_ROOT=str(root), AG_VENV=str(REPO / ".venv"), **extra)
                    subprocess.run([str(REPO / "run_autograder")], env=env, check=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    assert json.loads((root / "results" / "results.json").read_text())["score"] == 58
            med, lo, hi = timed(flow, args.reps)
            print("  %-40s %6.3f s  [%.3f-%.3f]" % (name, med, lo, hi))

    if args.hang:
        src = FULL.read_text(encoding="utf-8") + (
            "\nimport time as _t\nfor _n in [n for n in list(globals()) if n.startswith('q')]:\n"
            "    globals()[_n] = lambda *a, **k: _t.sleep(10 ** 6)\n")
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "devoir3.py"
            f.write_text(src, encoding="utf-8")
            t = time.perf_counter()
            sb = runner.Sandbox(f, limits, user=user)
            report = grade_file(f, rubric, sandbox=sb)
            print("\nevery function sleeps, production limits (call %gs, hang allowance %gs, then %gs): "
                  "%.1f s, %d fresh workers, score %g" % (sb.limits.call_timeout, sb.limits.hang_allowance,
                                                        sb.limits.short_timeout, time.perf_counter() - t,
                                                        sb.restarts, report.regular + report.bonus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
