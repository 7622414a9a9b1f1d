"""Stopping a pool of grading processes on Ctrl-C or SIGTERM: promptly, and without deadlock.

Python runs a signal's handler in the main thread wherever it happens to be, and an exception
raised there inside concurrent.futures' or multiprocessing's own code can leave one of their
locks held for ever: taken in `Lock.__enter__`, or not yet released in `__exit__`, when the
handler raises (docs/batch.md: a batch hung so after Ctrl-C, in its worker and in its parent).
So a pool's parent only notes the signal (Stop) and its loop, which waits with a time-out,
acts on it (stop_pool); its workers start with the signals blocked until their own handlers
are set, and die with their parent (die_with_parent). batch.py uses these pieces with its own
loop and workers; pool_map is the whole for a plain map (the mutation analysis, the tests'
grading pools).
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
POLL = 0.2          # seconds: how soon a pool's loop acts on a signal
GRACE = 30.0        # seconds the workers have to end after SIGTERM, before SIGKILL


class Stop:
    """SIGINT and SIGTERM, meanwhile, only noted: `signum` is the first that came (0: none).
    A signal this process was started ignoring (a job put in the background by a script)
    stays ignored. Handlers are set only in the main thread (elsewhere none can be)."""

    def __init__(self):
        self.signum = 0
        self._old: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self._old[sig] = signal.signal(sig, self._note)
        return self

    def _note(self, signum, frame):
        self.signum = self.signum or signum

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def blocked(signals=STOP_SIGNALS):
    """These signals blocked in this thread meanwhile: a process started meanwhile inherits the
    mask (it unblocks them once its handlers are set); one that arrives meanwhile is delivered
    when they are unblocked, or to another thread."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def die_with_parent() -> None:
    """In a pool's worker: SIGKILL when the parent dies (nothing else would end a worker that
    waits on the pool's queue); its warm process and sandboxed children die with it in turn."""
    import multiprocessing
    from .sandbox.kernel import PR_SET_PDEATHSIG, prctl
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent.pid:        # it died before the line above
        os._exit(1)


def stop_pool(ex: ProcessPoolExecutor, grace: float = GRACE) -> None:
    """Stop every worker of ex now: SIGTERM, nothing more started; whatever is still alive
    after `grace` seconds is killed. Returns when every worker has exited and the pool's
    thread is done (it ends the workers that wait for work)."""
    from multiprocessing.connection import wait as wait_for
    procs = list((getattr(ex, "_processes", None) or {}).values())
    thread = getattr(ex, "_executor_manager_thread", None)
    for p in procs:
        p.terminate()
    ex.shutdown(wait=False, cancel_futures=True)
    end = time.monotonic() + grace
    alive = [p for p in procs if p.exitcode is None]
    while alive and time.monotonic() < end:
        wait_for([p.sentinel for p in alive], timeout=max(0.0, end - time.monotonic()))
        alive = [p for p in alive if p.exitcode is None]
    for p in alive:
        p.kill()
    for p in alive:
        p.join(grace)       # SIGKILL cannot be ignored: at once, unless stuck in the kernel
    if thread is not None:
        thread.join(grace)


def _pool_worker(initializer) -> None:
    """A pool_map worker: Ctrl-C is its parent's business, SIGTERM ends it at once."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if initializer is not None:
        initializer()


def pool_map(fn, items, workers: int, initializer=None) -> list:
    """[fn(item) for item in items], in `workers` processes each set up by initializer(), in
    order; the first exception a call raised is raised here. Ctrl-C or SIGTERM stops the
    workers at once and raises KeyboardInterrupt or SystemExit(143)."""
    items = list(items)
    with Stop() as stop:
        ex = ProcessPoolExecutor(max_workers=workers, initializer=_pool_worker, initargs=(initializer,))
        finished = False
        try:
            with blocked():
                futures = [ex.submit(fn, item) for item in items]
            pending = set(futures)
            while pending and not stop.signum:
                done, pending = wait(pending, timeout=POLL, return_when=FIRST_EXCEPTION)
                if any(f.exception() is not None for f in done):
                    break
            finished = not stop.signum
        finally:
            if finished:
                ex.shutdown(wait=True, cancel_futures=True)
            else:
                stop_pool(ex)
    if stop.signum == signal.SIGTERM:
        raise SystemExit(143)
    if stop.signum:
        raise KeyboardInterrupt
    failed = [f for f in futures if f.done() and not f.cancelled() and f.exception() is not None]
    if failed:
        raise failed[0].exception()
    return [f.result() for f in futures]
