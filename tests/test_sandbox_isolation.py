"""The sandbox's isolation layers on their own (issues 9 and 12).

No assertion here depends on the machine's speed: the limits are generous and only
outcomes are checked (an error, a failed item, nothing left behind)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="about the user switch, which needs root")

WHO = """
import os
import numpy as np


def qui():
    return [os.getuid(), float(np.sum(np.arange(4)))]
"""


def _student(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "devoir3.py"
    path.write_text(text, encoding="utf-8")
    os.chmod(tmp_path, 0o755)
    return path


def _call(sb, fn: str, *args):
    from autograder.sandbox.runner import ChildFailure
    assert sb.load()["ok"], sb.load()
    try:
        return sb.request({"op": "call", "fn": fn, "args": list(args)}, timeout=60)
    except ChildFailure as exc:
        return {"ok": False, "failure": exc.kind, "detail": exc.detail}


@pytest.fixture(scope="module")
def hidden_python():
    """A venv under a 0700 folder (like a clone in /root/project): only root can reach it.
    It sees the grader's site-packages (numpy) through a .pth file."""
    top = Path(tempfile.mkdtemp(prefix="ag-cache-"))
    os.chmod(top, 0o700)
    venv = top / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(p for p in sys.path if p.endswith("site-packages") and Path(p, "numpy").is_dir())
    lib = next((venv / "lib").glob("python*")) / "site-packages"
    (lib / "grader.pth").write_text(site + "\n")
    yield str(venv / "bin" / "python")
    for mirror in Path(tempfile.gettempdir()).glob("ag-python-*"):    # the mirror made for it (reach.py)
        if (mirror / str(top).lstrip("/")).exists():
            subprocess.run(["rm", "-rf", str(mirror)])
    subprocess.run(["rm", "-rf", str(top)])


@ROOT_ONLY
@pytest.mark.parametrize("namespaces", [True, False], ids=["namespaces", "no-namespaces"])
def test_an_interpreter_the_sandbox_user_cannot_reach(tmp_path, hidden_python, namespaces):
    """The interpreter sits under a 0700 folder: the child still starts, as an unprivileged
    uid (the jail binds it at a reachable path; without namespaces, a mirror is run)."""
    from autograder.sandbox.runner import Sandbox, sandbox_user
    user = sandbox_user()
    assert user is not None
    sb = Sandbox(_student(tmp_path, WHO), python=hidden_python, user=user, namespaces=namespaces)
    try:
        resp = _call(sb, "qui")
        assert resp["ok"], resp
        uid = resp["value"]["v"][0]["v"]
        assert uid != 0 and uid == sb.user.uid
        assert resp["value"]["v"][1]["v"] == 6.0
        if namespaces and not sb.jailed:
            pytest.skip("namespaces refused here: the same case as without them")
    finally:
        sb.close()


FORK = WHO + """

def fourche():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return os.getuid()
"""


@ROOT_ONLY
def test_each_grading_runs_under_a_uid_of_its_own(tmp_path, monkeypatch):
    """Two gradings: two uids no account has. 100 processes held by another uid (a grading
    in another container, or the former shared ag_student) neither stop this one from
    forking (RLIMIT_NPROC counts per uid) nor die when it ends (its kill targets its uid)."""
    import pwd
    import signal
    from autograder.sandbox.identity import fresh_identity
    from autograder.sandbox.runner import Limits, Sandbox, living_processes, sandbox_user
    monkeypatch.delenv("AG_SANDBOX_USER", raising=False)
    other = fresh_identity()

    def as_other():
        os.setgroups([])
        os.setgid(other.gid)
        os.setuid(other.uid)
    held = [subprocess.Popen(["sleep", "300"], preexec_fn=as_other, cwd="/") for _ in range(100)]
    try:
        uids = []
        for _ in range(2):        # one after the other, as gradings in one process are
            sb = Sandbox(_student(tmp_path, FORK), Limits(max_processes=64), user=sandbox_user(), namespaces=False)
            try:
                resp = _call(sb, "fourche")
                assert resp["ok"], resp
                uids.append(resp["value"]["v"])
                assert uids[-1] == sb.user.uid and sb.user.per_grading
            finally:
                sb.close()
            assert living_processes(sb.user.uid) == []
        assert len(set(uids)) == 2 and other.uid not in uids
        for uid in uids:
            with pytest.raises(KeyError):
                pwd.getpwuid(uid)
        assert len(living_processes(other.uid)) == 100
    finally:
        for p in held:
            p.send_signal(signal.SIGKILL)
            p.wait()


NETWORK = WHO + """

def reseau(port):
    import socket
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as e:
        return ["erreur", e.errno or 0]
    s.close()
    return ["connecté", 0]
"""

DISK = WHO + """

def remplir():
    bloc = b"x" * (1 << 20)
    os.makedirs("/tmp/ag-bombe-%d" % os.getuid(), exist_ok=True)
    for i in range(1024):       # 1 GB in 1 MB files, half in /tmp itself, half in a folder of its own
        where = "/tmp/ag-bombe-%d-%d" % (os.getuid(), i) if i % 2 else "/tmp/ag-bombe-%d/%d" % (os.getuid(), i)
        with open(where, "wb") as f:
            f.write(bloc)
    return "fini"
"""


def test_no_network_without_namespaces(tmp_path):
    """The fallback path (no namespaces, as in Docker): a TCP connection to a port listening on
    127.0.0.1 fails (seccomp: socket() gives EACCES) and the port receives nothing."""
    import errno
    import socket
    from autograder.sandbox.runner import Sandbox, sandbox_user
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    sb = Sandbox(_student(tmp_path, NETWORK), user=sandbox_user(), namespaces=False)
    try:
        resp = _call(sb, "reseau", {"t": "int", "v": server.getsockname()[1]})
        assert resp["ok"], resp
        outcome, code = (v["v"] for v in resp["value"]["v"])
        assert outcome == "erreur" and code == errno.EACCES
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        sb.close()
        server.close()


@ROOT_ONLY
def test_a_gigabyte_in_small_files_costs_its_own_item(tmp_path):
    """The fallback path: a function that writes 1 GB in 1 MB files in /tmp fails (its item
    only: the next function answers), and nothing of it is left; the limits are generous,
    so the outcome does not depend on how fast the disk is."""
    from autograder.sandbox import disk
    from autograder.sandbox.runner import DISK_FULL, Limits, Sandbox, sandbox_user
    sb = Sandbox(_student(tmp_path, DISK), Limits(call_timeout=120, budget=600), user=sandbox_user(),
                 namespaces=False)
    try:
        resp = _call(sb, "remplir")
        assert not resp["ok"], resp
        if resp.get("failure") == "died":
            assert resp["detail"] == DISK_FULL
        uid = sb.user.uid
        assert [p for p, _ in disk.owned(uid)] == []
        again = _call(sb, "qui")
        assert again["ok"] and again["value"]["v"][0]["v"] == uid
    finally:
        sb.close()
    assert not list(Path(tempfile.gettempdir()).glob("ag-bombe-%d*" % uid))


WARM = WHO + """
import sys


def etat():
    import socket
    try:
        socket.socket().close()
        net = 0
    except OSError as e:
        net = e.errno
    import ctypes        # capget (no /proc inside the jail): effective and permitted sets
    head, data = (ctypes.c_uint32 * 2)(0x20080522, 0), (ctypes.c_uint32 * 6)()
    ctypes.CDLL(None).capget(head, data)
    caps = [data[0] | data[3], data[1] | data[4]]
    return [os.getuid(), os.getpid(), sorted(k for k in sys.modules if k.split(".")[0] == "autograder"), net,
            caps]
"""


@pytest.mark.parametrize("how", ["start", "fork"])
def test_warm_process_forks_a_fresh_isolated_child_per_submission(tmp_path, how):
    """Batch's warm process (issue 13.5; "start": a new interpreter) and Gradescope's (issue 17;
    "fork": forked from the grader before it reads anything secret): each Sandbox gets its own
    forked child, with the same layers as a freshly executed one (its own uid as root, no
    sockets, none of the grader's modules); the children die with the Sandbox, the server with
    close(). A forked server refuses a child without namespaces when the sandbox uid cannot
    import from this interpreter (a Python under /root): the Sandbox starts a new one instead."""
    import errno
    from autograder.sandbox.runner import Sandbox, living_processes, sandbox_user
    from autograder.sandbox.warm import WarmProc, WarmServer
    server = WarmServer.start() if how == "start" else WarmServer.fork()
    seen = []
    try:
        for namespaces in (None, False):
            sb = Sandbox(_student(tmp_path, WARM), user=sandbox_user(), namespaces=namespaces, warm=server)
            try:
                resp = _call(sb, "etat")
                assert resp["ok"], resp
                uid, pid, modules, net, caps = (v["v"] for v in resp["value"]["v"])
                assert modules == [] and net == errno.EACCES
                assert [c["v"] for c in caps] == [0, 0]     # no capability, even in a user namespace
                if os.geteuid() == 0:
                    assert uid == sb.user.uid and sb.user.per_grading
                assert isinstance(sb._proc, WarmProc) == (sb.jailed or server.reachable or sb.user is None)
                seen.append((pid, uid, sb.jailed))
            finally:
                sb.close()
            if os.geteuid() == 0 and not sb.jailed:
                assert living_processes(sb.user.uid) == []
        assert len({(p, u) for p, u, _ in seen}) == 2
        assert server.alive()
    finally:
        server.close()
    assert not server.alive()


def test_what_the_gradescope_supervisor_holds_when_it_forks_the_warm_process():
    """Gradescope's child is forked from the supervisor's warm process (sandbox/warm.py), so it
    inherits what the supervisor imported by then: the flow, numpy and the sandbox's layers,
    never the rubric, the reference or the grader's checks; nor OpenSSL (hashlib: 5 MB of the
    child's RLIMIT_AS that a new interpreter does not spend)."""
    code = ("import os, sys\nos.environ['OPENBLAS_NUM_THREADS'] = '1'\n"
            "import autograder.__main__, autograder.gradescope_flow, autograder.sandbox.reaping\n"
            "import autograder.sandbox.warm, autograder.sandbox.reach, autograder.sandbox.warm_server\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('hashlib', '_hashlib', 'yaml', 'sympy',"
            " 'reference') or m in ('autograder.rubric', 'autograder.answers', 'autograder.checks',"
            " 'autograder.grading', 'autograder.inputs')))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


KILLER = WHO + """
import signal


def tue_le_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    return 1


def un():
    return 1
"""


def test_killing_its_zygote_costs_only_that_call(tmp_path):
    """Without a pid namespace the worker can kill its zygote (same uid). The call after it
    is sent again to a fresh child instead of failing in its place."""
    from autograder.sandbox.runner import Sandbox, sandbox_user
    sb = Sandbox(_student(tmp_path, KILLER), user=sandbox_user(), namespaces=False)
    try:
        for _ in range(3):
            _call(sb, "tue_le_parent")
            resp = _call(sb, "un")
            assert resp["ok"] and resp["value"]["v"] == 1, resp
    finally:
        sb.close()


def test_a_sandboxs_sweep_spares_the_warm_process():
    """Without namespaces or a user switch (a plain user), closing a sandbox kills the processes
    orphaned onto the grader since it started, with a second of slack (/proc's start times):
    the warm process the grader started just before is its own child, not an orphan (seen: the
    batch's warm process killed by its first submission's close, as a plain user)."""
    import time
    from autograder.sandbox.reaping import sweep_adopted
    from autograder.sandbox.warm import WarmServer
    server = WarmServer.start()
    try:
        sweep_adopted(time.time() - 60)
        assert server.alive()
    finally:
        server.close()
    assert not server.alive()
