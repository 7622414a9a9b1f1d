"""Benchmark of the grader, end to end, next to the floor measured in the same run.

    python bench/bench.py [--reps 5] [--batch 40] [--jobs N] [--no-batch] [--cold] [--profile N]

First, as setup.sh does, the grader is compiled (compileall) and the reference answers are
computed once (`python -m autograder precompute`; autograder/answers.py), so that no timed
grading compiles or computes them. For each case, a fresh
`python -m autograder grade FILE` (what a TA or Gradescope pays), and the start-up
`python -c "import numpy, sympy"`, interleaved (startup, imports, each example, typical,
hostile, memory, startup, ...) so that a busy machine slows them alike; the median of the
repetitions is printed, wall and CPU (the process and every process it waited for: the
sandbox's children), each with its ratio to the start-up's median. CPU is the figure to
trust on a shared machine; the load average is printed before and after.

Memory is that of the whole process tree (the grader, the sandbox's children, whatever the
student's code forks), not ru_maxrss: a poller walks /proc every few milliseconds, finds
every descendant of the command (children in a pid namespace are visible from here too)
and sums their memory. Two sums: RSS (counts pages shared between the zygote and its forked
worker twice: an upper bound) and PSS from /proc/PID/smaps_rollup (shared pages split
between their users: the honest total). The peak of each sum over the run is reported.
Short-lived processes between two polls can be missed; the poll interval is printed.

Cases:
  startup      python -c "import numpy, sympy"
  imports      python -c "import autograder.__main__, autograder.grading, autograder.feedback": the
               grader's own imports
  examples     every example of examples/submissions/ (full_marks: 58/58, ...), by its name
  typical      the full-marks file with a dozen of bench/mutants.py's mistakes (TYPICAL)
  hostile      the full-marks file where one function loops for ever (HOSTILE)
  memory       the full-marks file where one function allocates without end (MEMORY)
  gradescope   the full-marks file through run_autograder on a relocated root: Gradescope's whole flow
               (supervisor, grading process, the child forked by the warm process), here with
               namespaces where the machine allows them

Then, in this process, the floor of a batch: each case of a class-like mix graded by
grade_file with the sandbox replaced by the child's own code run here (bench/sandbox_cost.py's
InProcess: no process start, no numpy import per submission); the median per case, and the
mix's mean: what one submission's grading work costs, whatever isolates it.

Then batch throughput on every core: `python -m autograder batch` over a folder of --batch
submissions of the class-like mix (full marks, typical mistakes, blank template, the partial
and typical-mistakes examples), each made distinct; its submissions per second, the CPU time
it used (the batch and all its processes: RUSAGE_CHILDREN), hence CPU seconds per submission
and the ceiling `cores / (CPU s per submission)` on an otherwise idle machine; the load average
before and after (the machine may be shared). Each batch worker forks its submissions' sandboxed
children from its warm process (autograder/warm_worker.py); --cold runs the same batch again
right after with AG_WARM=0 (a new interpreter and numpy import per child), for a comparison
under the same load.

With --container SUITE (bookworm, noble...: bench/container_images.py's images, built by setup.sh from
the zip as Gradescope builds them): the same inside one container with Gradescope's limits
(0.5 CPU, 768 MB): the start-up, each case through /autograder/run_autograder (the whole
Gradescope flow: supervisor, worker, sandboxed child), interleaved, wall and CPU (bash's
`time`: the process tree), and the batch of the mix with one process.

With --profile N: N submissions of the mix graded by a batch worker's own code
(batch.grade_task) in this process under cProfile: wall, the worker's CPU, its sandboxed
children's CPU (interpreter + numpy start-up, the student's code), and the top functions.
This is a script that prints figures, not a timed test.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
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

TEMPLATE = REPO / "student_template" / "devoir3.py"
EXAMPLES = REPO / "examples" / "submissions"
IMPORTS = "import autograder.__main__, autograder.grading, autograder.feedback"
# a class-like mix, per 10 submissions
CLASS_MIX = (("full_marks", 3), ("typical", 3), ("blank", 2), ("partial", 1), ("typical_mistakes", 1))

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


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(cmd, cwd=REPO, env=None) -> dict:
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    poller = TreeMemory(proc.pid)
    poller.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    poller.stop()
    return {"wall": wall, "cpu": _children_cpu() - c0, "rss": poller.peak_rss / 1024, "pss": poller.peak_pss / 1024,
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
    cases = [("full_marks", base), ("typical", typical), ("hostile", hostile), ("memory", memory),
             ("blank", TEMPLATE.read_text(encoding="utf-8"))]
    cases += [(name, (EXAMPLES / name / "devoir3.py").read_text(encoding="utf-8")) for name in examples()
              if name != "full_marks"]
    for name, text in cases:
        d = folder / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "devoir3.py").write_text(text, encoding="utf-8")
        paths[name] = d / "devoir3.py"
    return paths


def gradescope_root(tmp: Path, student: Path) -> dict:
    """The environment of run_autograder on a relocated root (tmp/autograder) holding `student`."""
    root = tmp / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(student, root / "submission" / "devoir3.py")
    return dict(os.environ, AG_ROOT=str(root), AG_VENV=str(Path(PY).parent.parent))


def examples() -> list:
    return sorted(d.name for d in EXAMPLES.iterdir() if (d / "devoir3.py").is_file())


def batch_available() -> bool:
    r = subprocess.run([PY, "-m", "autograder", "batch", "--help"], cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def mix(paths: dict) -> list:
    """The class-like mix's cycle of 10 case names (those that exist)."""
    return [name for name, k in CLASS_MIX if name in paths for _ in range(k)]


def _batch_case(i: int, cycle: list) -> str:
    return cycle[(i * 3) % len(cycle)]          # interleaved, not in blocks


def floor_in_process(paths: dict, names: list, reps: int) -> dict:
    """{case: (median wall s, median CPU s)} of grade_file in this process with no sandbox process
    (the floor). Its CPU time is the figure to trust on a shared machine: the wall time counts
    the time other processes held the cores."""
    import contextlib
    from autograder.grading import grade_file
    from autograder.rubric import load
    from bench.sandbox_cost import InProcess
    rubric = load()
    out = {}
    for name in names:
        def run(f=paths[name]):
            grade_file(f, rubric, sandbox=InProcess(f))
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            run()                                   # warm-up: imports, caches
            walls, cpus = [], []
            for _ in range(reps):
                t, c = time.perf_counter(), time.process_time()
                run()
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
        out[name] = (statistics.median(walls), statistics.median(cpus))
    return out


def batch_throughput(paths: dict, n: int, jobs: int, tmp: Path, cold: bool = False) -> dict:
    """The batch over n submissions of the mix; cold: without the warm processes (AG_WARM=0),
    each submission's sandbox starting its own interpreter."""
    root = tmp / "batch_in"
    cycle = mix(paths)
    for i in range(n if not root.exists() else 0):
        d = root / ("s%03d" % i)
        d.mkdir(parents=True)
        text = paths[_batch_case(i, cycle)].read_text(encoding="utf-8")
        (d / "devoir3.py").write_text(text + "\n# %d\n" % i, encoding="utf-8")
    counts = {k: sum(1 for i in range(n) if _batch_case(i, cycle) == k) for k in dict(CLASS_MIX) if k in paths}
    load_before = os.getloadavg()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if batch_available():
        out = tmp / "batch_out"
        m = measure([PY, "-m", "autograder", "batch", str(root), "--out", str(out), "--jobs", str(jobs), "-q",
                     "--force"], env=dict(os.environ, AG_WARM="0") if cold else None)
        how = "%spython -m autograder batch --jobs %d" % ("AG_WARM=0 " if cold else "", jobs)
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
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    m.update(how=how, n=n, counts=counts, load_before=load_before, load_after=os.getloadavg(),
             cpu=(cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime))
    return m


def profile_worker(paths: dict, n: int, tmp: Path, top: int = 18) -> None:
    """n submissions of the mix through batch.grade_task in this process, under cProfile."""
    import contextlib
    from autograder import batch
    out = tmp / "profile_out"
    for d in ("results", "state"):
        (out / d).mkdir(parents=True, exist_ok=True)
    cycle = mix(paths)
    with contextlib.redirect_stderr(io.StringIO()):
        batch._init_worker(None)
    sys.stderr = sys.__stderr__                # _init_worker keeps notes aside; not needed here
    tasks = [{"key": "p%03d" % i, "path": str(paths[_batch_case(i, cycle)]), "hash": "", "grader": "bench",
              "lang": "fr", "out": str(out), "timeout": 480, "limits": None} for i in range(n)]
    batch.grade_task(tasks[0])                 # warm-up: imports (not counted)
    print("\none batch worker (batch.grade_task, %d submissions of the mix, in this process), per submission:" % n)

    from autograder import warm_worker

    def cpu_of_children():
        """CPU s of the children this process reaped, plus the worker's warm process (its own
        time and its reaped children's: the forked sandboxes, reaped there, not here)."""
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = r.ru_utime + r.ru_stime
        srv = warm_worker.current()
        if srv is not None:
            with open("/proc/%d/stat" % srv.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")   # utime..cstime
        return total

    prof = cProfile.Profile()
    for profiled in (False, True):            # the profiler slows the worker's Python: CPU figures without it
        c0, t0, w0 = cpu_of_children(), time.process_time(), time.perf_counter()
        if profiled:
            prof.enable()
        for task in tasks:
            batch.grade_task(task)
        if profiled:
            prof.disable()
        wall, own, kids = time.perf_counter() - w0, time.process_time() - t0, cpu_of_children() - c0
        print("  %-14s wall %.3f s; worker CPU %.3f s; sandboxed children CPU %.3f s (%s, the "
              "student's code); CPU total %.3f s" % (
                  "with cProfile:" if profiled else "plain:", wall / n, own / n, kids / n,
                  "forked by the warm process" if warm_worker.current() is not None else
                  "interpreter + numpy start-up", (own + kids) / n))
    c0, w0 = cpu_of_children(), time.perf_counter()
    for _ in range(n):
        subprocess.run([PY, "-c", "import numpy"], check=True)
    print("  for comparison, python -c 'import numpy': wall %.3f s, CPU %.3f s" % (
        (time.perf_counter() - w0) / n, (cpu_of_children() - c0) / n))
    for key, title in (("cumulative", "cumulative"), ("tottime", "own time")):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(top)
        lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
        start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
        print("  top %d by %s (seconds over the %d submissions):" % (top, title, n))
        for ln in lines[start:start + top + 1]:
            print("   " + ln.replace(str(REPO) + "/", "")[:150])


# ------------------------------------------------------------------ in a container
CONTAINER_SCRIPT = r"""
set -u
py=/opt/ift3395-venv/bin/python
TIMEFORMAT="%R %U %S"
timed() {  # name command...: one line "AG-TIME name wall user sys"
  local name=$1; shift
  { time "$@" >/dev/null 2>&1 ; } 2>/tmp/t; echo "AG-TIME $name $(cat /tmp/t)"
}
cd /autograder/source
for rep in $(seq 1 REPS); do
  timed startup $py -c "import numpy, sympy"
  for c in /bench/cases/*/; do
    name=$(basename "$c")
    rm -rf /autograder/submission /autograder/results; mkdir -p /autograder/submission
    cp "$c/devoir3.py" /autograder/submission/
    timed "$name" /autograder/run_autograder
    echo "AG-SCORE $name $($py -c 'import json; print(json.load(open("/autograder/results/results.json"))["score"])')"
  done
done
if [ -d /bench/batch_in ]; then
  cat /proc/loadavg | sed 's/^/AG-LOAD /'
  timed batch $py -m autograder batch /bench/batch_in --out /tmp/batch_out --jobs 1 -q --force
  ls /tmp/batch_out/results | wc -l | sed 's/^/AG-BATCH-RESULTS /'
fi
"""


def container_bench(suite: str, paths: dict, names: list, reps: int, batch: int, tmp: Path) -> None:
    """The start-up, run_autograder on each case and a batch, in one container of `suite` with
    Gradescope's limits; prints medians and ratios to the start-up."""
    from autograder.packaging import build_zip
    from bench.container_cases import GRADESCOPE
    from bench.container_images import SUITES, docker, ensure_docker, grader_image
    why = ensure_docker()
    if why is not None or suite not in SUITES:
        print("\ncontainer bench skipped: %s" % (why or "no suite %r (%s)" % (suite, ", ".join(SUITES))))
        return
    tag, fig = grader_image(SUITES[suite], build_zip(tmp / "autograder.zip"))
    print("\ncontainer bench (%s, %s; setup.sh %.0f s%s), inside one container with %s:" % (
        suite, tag, fig.get("setup", float("nan")), ", cached image" if fig.get("cached") else "", " ".join(GRADESCOPE)))
    name = "ag-bench-" + os.urandom(4).hex()
    stage = tmp / "container"
    for case in names:
        (stage / "cases" / case).mkdir(parents=True)
        shutil.copy(paths[case], stage / "cases" / case / "devoir3.py")
    if batch:
        cycle = mix(paths)
        for i in range(batch):
            d = stage / "batch_in" / ("s%03d" % i)
            d.mkdir(parents=True)
            d.joinpath("devoir3.py").write_text(paths[_batch_case(i, cycle)].read_text(encoding="utf-8")
                                                + "\n# %d\n" % i, encoding="utf-8")
    try:
        docker("create", "--name", name, *GRADESCOPE, tag, "/bin/bash", "-c", CONTAINER_SCRIPT.replace("REPS", str(reps)))
        docker("cp", str(stage), name + ":/bench")
        out = docker("start", "-a", name, check=False, timeout=3600).stdout.decode(errors="replace")
    finally:
        docker("rm", "-f", name, check=False)
    times, scores = {}, {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] == ["AG-TIME"] and len(parts) == 5:
            times.setdefault(parts[1], []).append((float(parts[2]), float(parts[3]) + float(parts[4])))
        elif parts[:1] == ["AG-SCORE"] and len(parts) == 3:
            scores[parts[1]] = parts[2]
        elif parts[:1] in (["AG-LOAD"], ["AG-BATCH-RESULTS"]):
            print("  %s: %s" % ("load average in the container" if parts[0] == "AG-LOAD" else "batch results written",
                                " ".join(parts[1:4])))
    if "startup" not in times:
        print("  no figures: %s" % out[-1500:])
        return
    floor = statistics.median(w for w, _ in times["startup"])
    floor_cpu = statistics.median(c for _, c in times["startup"])
    print("  %-19s %7s %7s %6s %7s  %s" % ("case", "wall s", "÷start", "CPU s", "÷start", "score"))
    for case, rows in times.items():
        if case == "batch":
            continue
        wall, cpu = statistics.median(w for w, _ in rows), statistics.median(c for _, c in rows)
        print("  %-19s %7.2f %7.2f %6.2f %7.2f  %s" % (case, wall, wall / floor, cpu, cpu / floor_cpu,
                                                      scores.get(case, "")))
    if "batch" in times:
        wall, cpu = times["batch"][0]
        print("  batch of %d (the mix, 1 process): %.1f s, %.2f submissions/s; %.3f s wall per submission = %.2f x "
              "the start-up; %.3f s CPU per submission = %.2f x its CPU" % (
                  batch, wall, batch / wall, wall / batch, wall / batch / floor, cpu / batch, cpu / batch / floor_cpu))


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=5, help="repetitions of each case (median reported)")
    p.add_argument("--batch", type=int, default=40, help="submissions in the batch throughput run")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the batch")
    p.add_argument("--no-batch", action="store_true")
    p.add_argument("--no-floor", action="store_true", help="skip the in-process floor")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="also profile a batch worker over N submissions of the mix (cProfile)")
    p.add_argument("--cases", default="imports,examples,typical,hostile,memory",
                   help="comma-separated; examples: every example of examples/submissions")
    p.add_argument("--container", metavar="SUITE", help="also in a container of SUITE (bookworm, trixie, ...) with "
                   "Gradescope's limits: the start-up, run_autograder on each case, the batch")
    p.add_argument("--cold", action="store_true", help="also the batch without warm processes (AG_WARM=0), "
                   "right after, for a comparison under the same load")
    args = p.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="ag-bench-"))
    try:
        paths = make_cases(tmp)
        cases = [e for c in args.cases.split(",") if c for e in (examples() if c == "examples" else [c])]
        cmds = {"startup": [PY, "-c", "import numpy, sympy"]}
        envs = {"gradescope": gradescope_root(tmp, paths["full_marks"])}
        for c in cases:
            cmds[c] = ([PY, "-c", IMPORTS] if c == "imports" else [str(REPO / "run_autograder")] if c == "gradescope"
                       else [PY, "-m", "autograder", "grade", str(paths[c])])
        runs = {k: [] for k in cmds}
        print("python: %s; %d cores; load average %.2f %.2f %.2f" % (
            PY, os.cpu_count() or 1, *os.getloadavg()))
        # as setup.sh leaves the image: the grader compiled (.pyc even under PYTHONDONTWRITEBYTECODE), the
        # reference answers computed
        subprocess.run([PY, "-m", "compileall", "-q", "autograder", "reference", "student_template"], cwd=REPO,
                       stdout=subprocess.DEVNULL)
        pre = subprocess.run([PY, "-m", "autograder", "precompute"], cwd=REPO, capture_output=True, text=True)
        print("reference answers, once per version of the rubric and reference (python -m autograder "
              "precompute): %s" % (pre.stdout.strip() or pre.stderr.strip()[-300:]))
        subprocess.run(cmds["startup"], cwd=REPO)          # warm the page cache once
        for rep in range(args.reps):
            for name, cmd in cmds.items():
                runs[name].append(measure(cmd, env=envs.get(name)))
        floor = statistics.median(r["wall"] for r in runs["startup"])
        floor_cpu = statistics.median(r["cpu"] for r in runs["startup"])
        floor_pss = statistics.median(r["pss"] for r in runs["startup"])
        print("\n%-19s %7s %7s %7s %6s %7s %6s %6s %6s  %s" % (
            "case", "wall s", "÷start", "min s", "CPU s", "÷start", "PSS MB", "RSS MB", "procs", "walls (s)"))
        for name, rs in runs.items():
            wall = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            print("%-19s %7.2f %7.2f %7.2f %6.2f %7.2f %6.0f %6.0f %6d  %s" % (
                name, wall, wall / floor, min(r["wall"] for r in rs), cpu, cpu / floor_cpu,
                statistics.median(r["pss"] for r in rs), statistics.median(r["rss"] for r in rs),
                max(r["procs"] for r in rs), " ".join("%.2f" % r["wall"] for r in rs)))
            bad = [r["code"] for r in rs if r["code"] != 0]
            if bad:
                print("            (exit codes %s)" % bad)
        print("\nstartup = python -c 'import numpy, sympy': median %.2f s wall, %.2f s CPU, %.0f MB PSS; %d "
              "repetitions, interleaved; memory = whole process tree, polled every 5 ms (%d polls in the last "
              "startup run); load average now %s" % (floor, floor_cpu, floor_pss, args.reps,
                                                    runs["startup"][-1]["polls"], " ".join("%.2f" % x for x in os.getloadavg())))
        cycle = mix(paths)
        floor_mean = None
        if not args.no_floor:
            names = list(dict.fromkeys(cycle))
            fl = floor_in_process(paths, names, args.reps)
            floor_mean = sum(fl[c][1] for c in cycle) / len(cycle)
            print("\nfloor, in process (grade_file, no sandbox process, median of %d after a warm-up), CPU "
                  "[wall]: %s; class-like mix mean %.3f s CPU per submission, i.e. %.1f submissions/s per "
                  "idle core" % (args.reps, ", ".join("%s %.3f s [%.3f s]" % (k, v[1], v[0]) for k, v in fl.items()),
                                 floor_mean, 1 / floor_mean))
        for cold in ([False, True] if args.cold else [False]) if not args.no_batch else []:
            b = batch_throughput(paths, args.batch, args.jobs, tmp, cold)
            rate = b["n"] / b["wall"]
            print("\nbatch: %d submissions (%s) with %s: %.1f s, %.2f submissions/s, peak PSS %.0f MB, "
                  "peak RSS %.0f MB, up to %d processes%s" % (
                      b["n"], ", ".join("%d %s" % (v, k) for k, v in b["counts"].items()), b["how"], b["wall"],
                      rate, b["pss"], b["rss"], b["procs"],
                      "" if b["code"] == 0 else " (exit code %d)" % b["code"]))
            print("  CPU used by the batch and all its processes: %.1f s, %.3f s per submission: on %d idle "
                  "cores at most %.2f submissions/s" % (b["cpu"], b["cpu"] / b["n"], args.jobs,
                                                       args.jobs * b["n"] / b["cpu"] if b["cpu"] else 0.0))
            print("  vs the start-up measured above: %.3f s wall per submission = %.2f x its wall (%.3f s of a "
                  "core each, %d cores: %.2f x); %.3f s CPU per submission = %.2f x its CPU; 5 submissions/s on "
                  "2 cores is %.2f x (per core)" % (
                      b["wall"] / b["n"], b["wall"] / b["n"] / floor, args.jobs * b["wall"] / b["n"], args.jobs,
                      args.jobs * b["wall"] / b["n"] / floor, b["cpu"] / b["n"], b["cpu"] / b["n"] / floor_cpu,
                      2 / 5 / floor))
            if floor_mean:
                print("  vs the floor: %d idle cores at the in-process CPU mean would grade %.2f submissions/s; "
                      "the batch's CPU per submission is %.1f x that floor; measured rate is %.0f %% of it" % (
                          args.jobs, args.jobs / floor_mean, b["cpu"] / b["n"] / floor_mean,
                          100 * rate * floor_mean / args.jobs))
            print("  load average before %s, after %s (2 cores shared: figures are noisy)" % (
                " ".join("%.2f" % x for x in b["load_before"]), " ".join("%.2f" % x for x in b["load_after"])))
        if args.profile:
            profile_worker(paths, args.profile, tmp)
        if args.container:
            container_bench(args.container, paths, [c for c in cases if c not in ("imports", "gradescope")], args.reps,
                            0 if args.no_batch else args.batch, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
