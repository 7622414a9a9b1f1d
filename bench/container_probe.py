"""Runs INSIDE a bench container, as its main process (root), in place of Gradescope's harness.

    python3 /ag-bench-probe.py PORT MARKER WAIT_AFTER [CONTROL_HOST:CONTROL_PORT]

Listens on 127.0.0.1:PORT when PORT is not 0 (attacks try to reach it), times the floor
(`import numpy, sympy` with the grader's interpreter), connects once to CONTROL (a listener
outside the container: proof that the bench's capture sees what this container sends),
hashes /autograder/source and /autograder/run_autograder, runs /autograder/run_autograder
from /autograder as Gradescope does (its output to /autograder/ag-bench-run.log), waits
WAIT_AFTER seconds, then prints one line `AG-BENCH-SUMMARY {json}`: the seconds the flow
took, the floor's, the processes still alive besides this one (pid, uid, command line),
whether MARKER exists, how many connections reached the port, whether the autograder's files
changed, and the container's memory cgroup: peak, limit, out-of-memory kills.
Only the Python standard library: it runs on the image's own python3 (3.10 and later).
"""
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time


def tree_hash():
    out = {}
    for top, dirs, files in os.walk("/autograder/source"):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            p = os.path.join(top, name)
            if not os.path.islink(p) and os.path.isfile(p):
                with open(p, "rb") as f:
                    out[p] = hashlib.sha256(f.read()).hexdigest()
    with open("/autograder/run_autograder", "rb") as f:
        out["/autograder/run_autograder"] = hashlib.sha256(f.read()).hexdigest()
    return out


def others():
    """Every living process of the container but this one (zombies are not processes that run)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/status" % pid) as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
            if status.get("State", "").strip().startswith("Z"):
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")[:200]
            found.append({"pid": int(pid), "uid": int(status["Uid"].split()[0]), "cmd": cmd})
        except (OSError, KeyError, ValueError):
            continue
    return found


def memory():
    """The container's memory cgroup (v2, else v1): peak bytes, limit bytes, OOM kills."""
    def read(*names):
        for name in names:
            try:
                with open("/sys/fs/cgroup/" + name) as f:
                    return f.read()
            except OSError:
                continue
        return ""

    def counter(text, key):
        for line in text.splitlines():
            if line.startswith(key + " "):
                return int(line.split()[1])
        return None
    peak = read("memory.peak", "memory/memory.max_usage_in_bytes").strip()
    limit = read("memory.max", "memory/memory.limit_in_bytes").strip()
    events = read("memory.events", "memory/memory.oom_control")
    return {"peak": int(peak) if peak.isdigit() else None, "limit": int(limit) if limit.isdigit() else None,
            "oom_kills": counter(events, "oom_kill")}


def floor_seconds():
    t0 = time.monotonic()
    rc = subprocess.run(["/opt/ift3395-venv/bin/python", "-c", "import numpy, sympy"], cwd="/",
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return round(time.monotonic() - t0, 2) if rc == 0 else None


def control(target):
    """One connection to the outside listener, as root outside the sandbox: True if it went through."""
    host, _, port = target.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
        return True
    except OSError:
        return False


def main():
    port, marker, wait_after = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    reached = control(sys.argv[4]) if len(sys.argv) > 4 else None
    floor = floor_seconds()
    hits = []
    if port:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen(16)

        def accept():
            while True:
                conn, _ = srv.accept()
                hits.append(1)
                conn.close()
        threading.Thread(target=accept, daemon=True).start()
    before = tree_hash()
    t0 = time.monotonic()
    with open("/autograder/ag-bench-run.log", "wb") as log:
        rc = subprocess.run(["/autograder/run_autograder"], cwd="/autograder", stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    seconds = time.monotonic() - t0
    time.sleep(wait_after)
    summary = {"rc": rc, "seconds": round(seconds, 1), "floor": floor, "control": reached, "memory": memory(),
               "survivors": others(),
               "marker": os.path.lexists(marker), "connections": len(hits),
               "source_changed": tree_hash() != before}
    print("AG-BENCH-SUMMARY " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
