"""autograder/warm_worker.py: a process's warm sandbox process, and grading without it when it
cannot start (no process is started here: the warm process itself is tested in
test_sandbox_isolation.py, its use by the batch in test_batch.py)."""
import pytest

from autograder import warm_worker
from autograder.sandbox import warm


@pytest.fixture
def fresh(monkeypatch):
    """warm_worker's state as in a process that never started a warm process."""
    monkeypatch.setattr(warm_worker, "_state", dict(warm_worker._state, pid=0))
    yield
    warm_worker.close()


def test_a_process_that_never_started_one_grades_as_before(fresh):
    assert warm_worker.server() is None and warm_worker.failure() == ""


def test_turned_off_by_AG_WARM(fresh, monkeypatch):
    monkeypatch.setenv("AG_WARM", "0")
    monkeypatch.setattr(warm.WarmServer, "start", classmethod(lambda cls: pytest.fail("started")))
    assert warm_worker.start() is False
    assert warm_worker.server() is None and warm_worker.failure() == ""     # nothing to report


def test_a_warm_process_that_cannot_start_is_reported_then_given_up(fresh, monkeypatch):
    calls = []

    def refuse(cls):
        calls.append(1)
        raise OSError("the warm sandbox process did not start")
    monkeypatch.setattr(warm.WarmServer, "start", classmethod(refuse))
    for _ in range(warm_worker.MAX_LOST + 2):
        assert warm_worker.start() is False
    assert len(calls) == warm_worker.MAX_LOST
    assert warm_worker.server() is None and "did not start" in warm_worker.failure()


class _Dead:
    """A warm process that died (killed from outside)."""
    closed = 0

    def alive(self):
        return False

    def close(self):
        _Dead.closed += 1


class _Alive(_Dead):
    def alive(self):
        return True


def test_a_dead_warm_process_is_replaced(fresh, monkeypatch):
    monkeypatch.setattr(warm.WarmServer, "start", classmethod(lambda cls: _Alive()))
    assert warm_worker.start()
    warm_worker._state["server"] = _Dead()
    got = warm_worker.server()
    assert isinstance(got, _Alive) and warm_worker.used() == 1 and _Dead.closed >= 1


def test_a_forked_child_does_not_use_its_parents_warm_process(fresh, monkeypatch):
    monkeypatch.setattr(warm.WarmServer, "start", classmethod(lambda cls: _Alive()))
    assert warm_worker.start()
    warm_worker._state["pid"] = -1             # as seen from a child forked after start()
    assert warm_worker.server() is None
