"""autograder/stopping.py: a pool of grading processes stops at once on Ctrl-C or SIGTERM."""
import functools
import multiprocessing
import os
import re
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from autograder import stopping


def test_pool_map_maps_in_order_and_raises_the_first_error():
    assert stopping.pool_map(abs, [-3, 1, -2], 2) == [3, 1, 2]
    with pytest.raises(ValueError):
        stopping.pool_map(int, ["1", "x", "2"], 2)


@pytest.mark.parametrize("sig, raised", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, SystemExit)])
def test_pool_map_stops_on_a_signal(sig, raised):
    """The signal (sent here by the worker itself, once the pool runs) stops the pool: every
    worker ends, and the caller sees KeyboardInterrupt (Ctrl-C) or SystemExit (SIGTERM).
    SIGINT at Python's default here: a suite started in the background has it ignored, and
    pool_map keeps an ignored Ctrl-C ignored (test below)."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(raised):
            stopping.pool_map(functools.partial(os.kill, os.getpid()), [sig], 1)
    finally:
        signal.signal(signal.SIGINT, old)
    assert multiprocessing.active_children() == []


def test_stop_notes_the_signals_and_keeps_ignored_ones_ignored():
    """While a pool runs, SIGINT and SIGTERM only say it must stop (never an exception inside
    concurrent.futures); a process started with SIGINT ignored keeps ignoring it."""
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stopping.Stop() as stop:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGTERM)
        assert stop.signum == signal.SIGTERM
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, old)


def test_stopping_the_pool_kills_a_worker_that_does_not_stop():
    """A worker that does not end after SIGTERM is killed once the grace is over, and the pool's
    thread ends: a stopping pool never waits on a worker for ever."""
    ex = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=signal.signal,
                             initargs=(signal.SIGTERM, signal.SIG_IGN))
    ex.submit(time.sleep, 600)
    (worker,) = list(ex._processes.values())
    end = time.monotonic() + 120                       # a fail-safe: it starts in a second
    while time.monotonic() < end and not _ignores(worker.pid, signal.SIGTERM):
        time.sleep(0.02)
    thread = ex._executor_manager_thread
    stopping.stop_pool(ex, grace=0.5)
    thread.join(120)        # a fail-safe: the short grace also bounds stop_pool's own wait for it
    assert worker.exitcode == -signal.SIGKILL
    assert not thread.is_alive()


def _ignores(pid: int, sig: int) -> bool:
    try:
        status = Path("/proc/%d/status" % pid).read_text()
    except OSError:
        return False
    return bool(int(re.search(r"SigIgn:\s*([0-9a-f]+)", status).group(1), 16) >> (sig - 1) & 1)


def test_an_unanswered_mirror_check_never_removes_the_mirror(monkeypatch, tmp_path):
    """A Ctrl-C of one grader (or a time-out on a loaded machine) must not pass for a broken
    interpreter mirror: other graders of the machine run from it (reach.py)."""
    from autograder.sandbox import reach
    removed = []
    monkeypatch.setattr(reach, "_KNOWN", {})
    monkeypatch.setattr(reach, "reachable", lambda path: False)
    monkeypatch.setattr(reach, "_ensure_mirror", lambda *a: None)
    monkeypatch.setattr(reach.shutil, "rmtree", lambda path, **kw: removed.append(path))
    monkeypatch.setattr(reach, "_works", lambda *a: None)
    with pytest.raises(OSError, match="did not answer"):
        reach.runnable_python(str(tmp_path / "python"), 2_000_000_001, 2_000_000_001)
    assert removed == []
    monkeypatch.setattr(reach, "_works", lambda *a: False)      # a real failure: rebuilt once
    with pytest.raises(OSError, match="cannot import numpy"):
        reach.runnable_python(str(tmp_path / "python"), 2_000_000_001, 2_000_000_001)
    assert len(removed) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="the check switches to the sandbox uid: root only")
def test_the_mirror_check_is_out_of_reach_of_ctrl_c_and_a_killed_one_is_no_verdict(tmp_path):
    from autograder.sandbox import reach
    fake = tmp_path / "python"          # reports whether it shares our process group, then dies of SIGKILL
    fake.write_text("#!/bin/sh\n[ \"$(ps -o pgid= $$ | tr -d ' ')\" = \"%d\" ] && exit 3\nkill -KILL $$\n"
                    % os.getpgrp())
    fake.chmod(0o755)
    assert reach._works(str(fake), {"PATH": "/usr/bin:/bin"}, 0, 0) is None
