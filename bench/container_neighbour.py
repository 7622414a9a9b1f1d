"""Runs INSIDE a bench container: a neighbour that keeps many gradings going at once.

    python3 /ag-neighbour.py JOBS SUBMISSIONS_DIR STOP_FILE [MAX_SECONDS [READY_PROCESSES]]

Keeps JOBS gradings running (`python -m autograder grade FILE --json OUT`, the product's own
command: each grading's sandbox picks its uid with autograder/sandbox/identity.py), cycling over
the files of SUBMISSIONS_DIR, until STOP_FILE exists (or MAX_SECONDS, default 900, have passed:
a bench that died does not leave it running); then lets the running ones finish and
prints one line `AG-NEIGHBOUR-SUMMARY {json}`: every grading's file, exit status and score, and
what a sampler of /proc saw (sandbox uids at once, most processes held by one uid, uids seen).
It writes /tmp/ag-neighbour-ready once JOBS gradings have started and one uid holds
READY_PROCESSES processes (default 2).
Only the Python standard library: it runs on the image's own python3.
"""
import json
import os
import subprocess
import sys
import threading
import time

VENV_PYTHON = "/opt/ift3395-venv/bin/python"
SOURCE = "/autograder/source"
SANDBOX_UID_MIN = 60000          # identity.py's per-grading uids are far above every account


def sample(stats, stop):
    while not stop.is_set():
        per_uid = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    uid = os.stat("/proc/" + pid).st_uid
                except OSError:
                    continue
                if uid >= SANDBOX_UID_MIN:
                    per_uid[uid] = per_uid.get(uid, 0) + 1
        stats["uids_at_once"] = max(stats["uids_at_once"], len(per_uid))
        stats["most_of_one_uid"] = max([stats["most_of_one_uid"]] + list(per_uid.values()))
        stats["uids"].update(per_uid)
        time.sleep(0.2)


def peak_memory():
    for name in ("memory.peak", "memory/memory.max_usage_in_bytes"):
        try:
            with open("/sys/fs/cgroup/" + name) as f:
                return int(f.read())
        except (OSError, ValueError):
            continue
    return None


def main():
    jobs, folder, stop_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    deadline = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 900)
    ready = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    stats = {"uids_at_once": 0, "most_of_one_uid": 0, "uids": set()}
    stop = threading.Event()
    threading.Thread(target=sample, args=(stats, stop), daemon=True).start()
    running, done, started = [], [], 0
    while True:
        for proc, path, out in list(running):
            if proc.poll() is not None:
                running.remove((proc, path, out))
                try:
                    with open(out) as f:
                        score = json.load(f).get("score")
                except (OSError, ValueError):
                    score = None
                done.append({"file": os.path.basename(path), "rc": proc.returncode, "score": score})
        if os.path.exists(stop_file) or time.monotonic() > deadline:
            if not running:
                break
        else:
            while len(running) < jobs:
                path = files[started % len(files)]
                out = "/tmp/ag-neighbour-%d.json" % started
                proc = subprocess.Popen([VENV_PYTHON, "-m", "autograder", "grade", path, "--json", out], cwd=SOURCE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
                running.append((proc, path, out))
                started += 1
            if started >= jobs and stats["most_of_one_uid"] >= ready and not os.path.exists("/tmp/ag-neighbour-ready"):
                open("/tmp/ag-neighbour-ready", "w").close()
        time.sleep(0.2)
    stop.set()
    summary = {"gradings": done, "uids_at_once": stats["uids_at_once"], "most_of_one_uid": stats["most_of_one_uid"],
               "uids_seen": len(stats["uids"]), "peak_memory": peak_memory()}
    print("AG-NEIGHBOUR-SUMMARY " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
