"""Ctrl-C on a batch at random moments, many times: how often does the batch not end?

    python bench/interrupt_stress.py [--runs 200] [--max-delay 3] [--after-first] [--jobs 1]
                                     [--hang 60] [--load 0] [--log DIR] [--ignored]

Each run starts `python -m autograder batch` on a few copies of the full-marks example (in
its own session, as a terminal would), sends SIGINT to its process group after a random
delay (from the start, or from the first checkpoint with --after-first), and waits --hang
seconds. A run that has not ended by then is a hang: the stacks of every process of the run
(py-spy if it is on PATH, else /proc/PID/wchan and stack) go to --log, then they are killed.
Also counted: an exit code other than 130 (0 if the batch finished first), a process of the
run still alive after the batch ended, and a half-written file in results/ or state/.
--load N runs N busy loops meanwhile (the shared machine's load, on purpose). The batch starts
with SIGINT at its default disposition, or ignored with --ignored (as a job put in the
background by a shell without job control is). Prints figures: the outcomes, and the seconds
from SIGINT to the end of the batch.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from autograder.sandbox.reaping import living_processes  # noqa: E402
FULL = REPO / "examples" / "submissions" / "full_marks" / "devoir3.py"


def tagged(tag: str) -> list:
    """The live pids whose environment holds AG_TAG=tag (every process of one run)."""
    return living_processes(environ=b"AG_TAG=%s\0" % tag.encode())


def describe(pid: int) -> str:
    def read(name):
        try:
            with open("/proc/%d/%s" % (pid, name), errors="replace") as f:
                return f.read()
        except OSError as exc:
            return "(%s)" % exc
    cmd = read("cmdline").replace("\0", " ")
    status = {k: v.strip() for k, _, v in (l.partition(":") for l in read("status").splitlines())}
    text = ["== pid %d ppid %s state %s wchan %s\n   %s" % (pid, status.get("PPid"), status.get("State"),
                                                          read("wchan"), cmd[:300])]
    text.append("   sigblk %s sigign %s sigcgt %s" % (status.get("SigBlk"), status.get("SigIgn"),
                                                       status.get("SigCgt")))
    spy = shutil.which("py-spy")
    if spy and "python" in cmd:
        r = subprocess.run([spy, "dump", "--pid", str(pid), "--locals"], capture_output=True, text=True,
                           timeout=60)
        text.append(r.stdout + r.stderr)
    else:
        text.append(read("stack"))
    return "\n".join(text)


def dump_and_kill(pids: list, path: Path, header: str) -> None:
    """Each process's stacks into path, then SIGKILL."""
    with open(path, "w") as f:
        f.write(header + "\n")
        for pid in pids:
            f.write(describe(pid) + "\n")
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def one_run(i: int, src: Path, work: Path, args, log: Path) -> str:
    out = work / ("out%d" % i)
    tag = "stress-%d-%d" % (os.getpid(), i)
    env = dict(os.environ, AG_TAG=tag)
    cmd = [sys.executable, "-m", "autograder", "batch", str(src), "--out", str(out), "--jobs", str(args.jobs), "-q"]
    sigint = signal.SIG_IGN if args.ignored else signal.SIG_DFL
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
    delay = random.uniform(0, args.max_delay)
    if args.after_first:
        end = time.monotonic() + 300
        while time.monotonic() < end and proc.poll() is None and not list((out / "state").glob("*.json")):
            time.sleep(0.02)
    time.sleep(delay)
    sent = time.monotonic()
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:
        pass
    try:
        _, err = proc.communicate(timeout=args.hang)
        args.latencies.append(time.monotonic() - sent)
    except subprocess.TimeoutExpired:
        dump_and_kill(tagged(tag), log / ("hang%d.txt" % i), "run %d: SIGINT after %.3f s%s; still alive after %d s" % (
            i, delay, " past the first checkpoint" if args.after_first else "", args.hang))
        proc.communicate()
        return "hang"
    time.sleep(0.5)
    left = tagged(tag)
    half = [p for d in ("results", "state") for p in (out / d).glob(".*.tmp")] if out.is_dir() else []
    verdict = "ok" if proc.returncode == 130 else "finished" if proc.returncode == 0 else "rc%d" % proc.returncode
    if left:
        dump_and_kill(left, log / ("left%d.txt" % i), "run %d: alive after the batch ended" % i)
        verdict += "+left"
    if half:
        verdict += "+tmp"
    if verdict not in ("ok", "finished"):
        (log / ("run%d.err" % i)).write_bytes(err)
    shutil.rmtree(out, ignore_errors=True)
    return verdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--max-delay", type=float, default=3.0)
    ap.add_argument("--after-first", action="store_true")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--subs", type=int, default=5)
    ap.add_argument("--hang", type=float, default=60.0)
    ap.add_argument("--load", type=int, default=0)
    ap.add_argument("--log", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ignored", action="store_true", help="start the batch with SIGINT ignored")
    args = ap.parse_args()
    args.latencies = []
    random.seed(args.seed)
    work = Path(tempfile.mkdtemp(prefix="ag-stress-"))
    log = args.log or work / "log"
    log.mkdir(parents=True, exist_ok=True)
    src = work / "rendus"
    for k in range(args.subs):
        (src / ("e%d" % k)).mkdir(parents=True)
        (src / ("e%d" % k) / "devoir3.py").write_text(FULL.read_text(encoding="utf-8") + "\n# %d\n" % k,
                                                     encoding="utf-8")
    burners = [subprocess.Popen(["sh", "-c", "exec yes > /dev/null"]) for _ in range(args.load)]
    counts: dict = {}
    t0 = time.monotonic()
    try:
        for i in range(args.runs):
            v = one_run(i, src, work, args, log)
            counts[v] = counts.get(v, 0) + 1
            print("run %d: %s  %s" % (i, v, counts), flush=True)
    finally:
        for b in burners:
            b.kill()
            b.wait()
    lat = sorted(args.latencies)
    print("%d runs in %.0f s (load average at the end %.1f): %s; logs in %s" % (
        args.runs, time.monotonic() - t0, os.getloadavg()[0], counts, log))
    if lat:
        print("seconds from SIGINT to the end (runs that ended): median %.2f, 90th percentile %.2f, max %.2f"
              % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(0.9 * len(lat)))], lat[-1]))


if __name__ == "__main__":
    main()
