"""Benchmark of the grader, end to end, next to the floor measured in the same run.

    python bench/bench.py [--reps 5] [--batch 24] [--jobs N] [--no-batch]

For each case, a fresh `python -m autograder grade FILE` (what a TA or Gradescope pays), and
the floor `python -c "import numpy, sympy"`, interleaved (floor, full marks, typical,
hostile, memory, floor, ...) so that a busy machine slows them alike; the median of the
repetitions is printed, with the ratio to the floor's median.

Memory is that of the whole process tree (the grader, the sandbox's children, whatever the
student's code forks), not ru_maxrss: a poller walks /proc every few milliseconds, finds
every descendant of the command (children in a pid namespace are visible from here too)
and sums their memory. Two sums: RSS (counts pages shared between the zygote and its forked
worker twice: an upper bound) and PSS from /proc/PID/smaps_rollup (shared pages split
between their users: the honest total). The peak of each sum over the run is reported.
Short-lived processes between two polls can be missed; the poll interval is printed.

Cases:
  floor        python -c "import numpy, sympy"
  full_marks   examples/submissions/full_marks/devoir3.py (58/58)
  typical      the full-marks file with a dozen of bench/mutants.py's mistakes (TYPICAL)
  hostile      the full-marks file where one function loops for ever (HOSTILE)
  memory       the full-marks file where one function allocates without end (MEMORY)

Then batch throughput on every core: `python -m autograder batch` over a folder of
--batch submissions (copies of the three cases), if that command exists; otherwise a
process pool over grade_file. This is a script that prints figures, not a timed test.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import mutants  # noqa: E402

PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable

# a typical imperfect submission: frequent mistakes, each in a different function
TYPICAL = ["1a_zero_to_minus_one", "1c_exp_form", "1g_x_over_abs", "1k_StS", "1l_uniform_mean",
           "2c_no_max_subtraction", "2d_derivative_misses_factor_two", "2g_unstable_logsumexp",
           "2h_count_without_biases", "2i_one_based_onehot", "2k_hs_gradT", "2n_forgets_sigma_prime",
           "3a_true_division", "3b_with_biases", "3e_forgets_padding"]
# hostile ones: one function never returns, or allocates without end (the rest is correct)
HOSTILE = ("q2l_derivee_hs_j", "while True:\n    pass")
MEMORY = ("q2l_derivee_hs_j", "blocs = []\nwhile True:\n    blocs.append(np.ones(10**6))")


# ------------------------------------------------------------------ process-tree memory
def _ppid(pid: int):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _mem_kb(pid: int):
    """(rss_kb, pss_kb) of one process, or None if it is gone."""
    rss = pss = None
    try:
        with open("/proc/%d/smaps_rollup" % pid, "rb") as f:
            for line in f:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    if rss is None:
        try:
            with open("/proc/%d/statm" % pid, "rb") as f:
                rss = int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            return None
    return rss, pss if pss is not None else rss


class TreeMemory(threading.Thread):
    """Peak of the summed RSS and PSS of a process and all its descendants.

    Each poll lists /proc and reads the parent of every pid it has not seen yet (a process
    is read once, not at every poll: a full walk of /proc costs milliseconds, which would
    slow down what is measured); a process whose parent is in the tree joins the tree and
    stays counted until it exits, even if it is re-parented (an orphaned daemon)."""

    def __init__(self, pid: int, interval: float = 0.005):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.max_procs = 0
        self.polls = 0
        self._halt = threading.Event()
        self._parent = {}            # pid -> ppid, for every pid seen
        self._tree = {pid}

    def _discover(self):
        new = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                pid = int(entry)
                if pid not in self._parent:
                    self._parent[pid] = _ppid(pid)
                    new.append(pid)
        grew = True
        while grew:                  # a new child of a new child
            grew = False
            for pid in new:
                if pid not in self._tree and self._parent[pid] in self._tree:
                    self._tree.add(pid)
                    grew = True

    def run(self):
        while not self._halt.is_set():
            self._discover()
            rss = pss = n = 0
            for pid in list(self._tree):
                m = _mem_kb(pid)
                if m is None:        # exited: forget it (its pid may be reused)
                    self._tree.discard(pid)
                    self._parent.pop(pid, None)
                    continue
                rss, pss, n = rss + m[0], pss + m[1], n + 1
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.max_procs = max(self.max_procs, n)
            self.polls += 1
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def measure(cmd, cwd=REPO, env=None) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    poller = TreeMemory(proc.pid)
    poller.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    poller.stop()
    return {"wall": wall, "rss": poller.peak_rss / 1024, "pss": poller.peak_pss / 1024,
            "procs": poller.max_procs, "polls": poller.polls, "code": code}


# ------------------------------------------------------------------ cases
def make_cases(folder: Path) -> dict:
    base = mutants.FULL_MARKS.read_text(encoding="utf-8")
    by_name = {m.name: m for m in mutants.MUTANTS}
    typical = base
    for name in TYPICAL:
        for fn, change in by_name[name].changes:
            typical = mutants.apply_edit(typical, fn, change)
    hostile = mutants.apply_edit(base, *HOSTILE)
    memory = mutants.apply_edit(base, *MEMORY)
    paths = {}
    for name, text in (("full_marks", base), ("typical", typical), ("hostile", hostile), ("memory", memory)):
        d = folder / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "devoir3.py").write_text(text, encoding="utf-8")
        paths[name] = d / "devoir3.py"
    return paths


def batch_available() -> bool:
    r = subprocess.run([PY, "-m", "autograder", "batch", "--help"], cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def _batch_case(i: int) -> str:
    """Submission i of the batch: one hostile in 8, the others alternately full marks and typical."""
    return "hostile" if i % 8 == 7 else ("full_marks", "typical")[i % 2]


def batch_throughput(paths: dict, n: int, jobs: int, tmp: Path) -> dict:
    root = tmp / "batch_in"
    names = ["full_marks", "typical", "hostile"]
    for i in range(n):
        d = root / ("s%03d" % i)
        d.mkdir(parents=True)
        shutil.copyfile(paths[_batch_case(i)], d / "devoir3.py")
    counts = {k: sum(1 for i in range(n) if _batch_case(i) == k) for k in names}
    if batch_available():
        out = tmp / "batch_out"
        m = measure([PY, "-m", "autograder", "batch", str(root), "--out", str(out), "--jobs", str(jobs), "-q",
                     "--force"])
        how = "python -m autograder batch --jobs %d" % jobs
    else:
        script = ("import sys; sys.path.insert(0, %r)\n"
                  "from pathlib import Path\n"
                  "from concurrent.futures import ProcessPoolExecutor\n"
                  "from autograder.rubric import load\nfrom autograder.grading import grade_file\n"
                  "def g(p): return grade_file(Path(p), load()).regular\n"
                  "if __name__ == '__main__':\n"
                  "    ps = sorted(str(p) for p in Path(%r).glob('*/devoir3.py'))\n"
                  "    with ProcessPoolExecutor(%d) as ex: list(ex.map(g, ps))\n") % (str(REPO), str(root), jobs)
        m = measure([PY, "-c", script])
        how = "process pool over grade_file, %d processes" % jobs
    m.update(how=how, n=n, counts=counts)
    return m


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=5, help="repetitions of each case (median reported)")
    p.add_argument("--batch", type=int, default=24, help="submissions in the batch throughput run")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the batch")
    p.add_argument("--no-batch", action="store_true")
    p.add_argument("--cases", default="full_marks,typical,hostile,memory")
    args = p.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="ag-bench-"))
    try:
        paths = make_cases(tmp)
        cases = [c for c in args.cases.split(",") if c]
        cmds = {"floor": [PY, "-c", "import numpy, sympy"]}
        for c in cases:
            cmds[c] = [PY, "-m", "autograder", "grade", str(paths[c])]
        runs = {k: [] for k in cmds}
        print("python: %s; %d cores; load average %.2f %.2f %.2f" % (
            PY, os.cpu_count() or 1, *os.getloadavg()))
        subprocess.run(cmds["floor"], cwd=REPO)            # warm the page cache once
        for rep in range(args.reps):
            for name, cmd in cmds.items():
                runs[name].append(measure(cmd))
        floor = statistics.median(r["wall"] for r in runs["floor"])
        floor_pss = statistics.median(r["pss"] for r in runs["floor"])
        print("\n%-11s %8s %7s %7s %11s %11s %6s  %s" % ("case", "wall s", "÷floor", "min s", "peak PSS MB",
                                                          "peak RSS MB", "procs", "walls (s)"))
        for name, rs in runs.items():
            wall = statistics.median(r["wall"] for r in rs)
            print("%-11s %8.2f %7.2f %7.2f %11.0f %11.0f %6d  %s" % (
                name, wall, wall / floor, min(r["wall"] for r in rs),
                statistics.median(r["pss"] for r in rs), statistics.median(r["rss"] for r in rs),
                max(r["procs"] for r in rs), " ".join("%.2f" % r["wall"] for r in rs)))
            bad = [r["code"] for r in rs if r["code"] != 0]
            if bad:
                print("            (exit codes %s)" % bad)
        print("\nfloor = python -c 'import numpy, sympy': median %.2f s, %.0f MB PSS; %d repetitions, "
              "interleaved; memory = whole process tree, polled every 5 ms (%d polls in the last floor run)"
              % (floor, floor_pss, args.reps, runs["floor"][-1]["polls"]))
        if not args.no_batch:
            b = batch_throughput(paths, args.batch, args.jobs, tmp)
            print("\nbatch: %d submissions (%s) with %s: %.1f s, %.2f submissions/s, peak PSS %.0f MB, "
                  "peak RSS %.0f MB, up to %d processes%s" % (
                      b["n"], ", ".join("%d %s" % (v, k) for k, v in b["counts"].items()), b["how"], b["wall"],
                      b["n"] / b["wall"], b["pss"], b["rss"], b["procs"],
                      "" if b["code"] == 0 else " (exit code %d)" % b["code"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
