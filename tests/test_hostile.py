"""Hostile submissions, each through the whole Gradescope flow (issue 4).

Every attack in tests/hostile/<name>/ is appended to the full-marks submission and
graded by `run_autograder` on a relocated root laid out like Gradescope's container
(ROOT/source holds a copy of the autograder zip, ROOT/submission the student's files,
ROOT/submission_metadata.json and a secret token file stand for what must not leak).
Each test asserts that
- grading ends in bounded time;
- results.json is valid (Gradescope's specification) and complete: one test per rubric item;
- the score equals what the same answers earn honestly (the honest twin, graded apart);
- no process started for the submission survives the flow;
- the autograder's files (the copy under ROOT and this repository) are unchanged, and
  nothing secret (the token) reaches results.json.

The limits are short (AG_LIMITS) so that the suite stays fast; the production values are
in the rubric. Attacks the sandbox can only stop with root or namespaces skip elsewhere,
with the reason; CI runs as root.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import os
import queue
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CLONE_TAG, FULL_MARKS, REPO, ensure_user, flow_env, gradescope_root
from gradescope_spec import problems

HOSTILE = Path(__file__).resolve().parent / "hostile"
# No outcome may depend on the machine's speed (issue 9). Idle, on 2 cores, three flows at a
# time, an honest call takes a few ms (at most 0.25 s, in the attacks of SLOW_CALLS, which
# hang nowhere and get 20 s), a flow 3-9 s (tout_bloque 35 s): every limit and bound below is
# 10x or more above what it bounds. hang_allowance is well above the two time-outs (4 s) of
# any flow but tout_bloque's, so the short limit never applies to an honest call.
LIMITS = "call_timeout=2,load_timeout=5,hang_allowance=10,short_timeout=0.5,budget=150"
SLOW_CALLS = dict.fromkeys(("bombe_cpu", "bombe_disque", "bombe_expression", "signaux_parent"), "call_timeout=20")
WORKER_TIMEOUT = 300
NORMAL_SECONDS = 120         # a flow without hanging code (idle: under 10 s)
HANG_SECONDS = 180           # a flow whose code hangs (idle: under 10 s)
BUDGET_SPENT = "Temps total de correction épuisé"     # rubric.yaml, messages.budget (fr)
USER = "ag_student"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the user switch to %s" % USER)


# ------------------------------------------------------------------ environment
PARALLEL = 3                 # flows at a time
USERS = ["ag_h%s_%d" % (CLONE_TAG, i) for i in range(1, PARALLEL + 2)]   # one per concurrent flow (conftest)
_LEASES: queue.Queue = queue.Queue()


@pytest.fixture(scope="session", autouse=True)
def sandbox_users_present():
    """As root (CI, Gradescope), the sandbox users exist: setup.sh would have created ag_student.
    Runs in parallel each get their own (without namespaces a flow kills every process of its
    user when it ends, and the process limit counts per user)."""
    if os.geteuid() == 0:
        for name in [USER] + USERS:
            ensure_user(name)
    for name in USERS:
        _LEASES.put(name)


@contextlib.contextmanager
def lease():
    """A sandbox user of our own for one run (the environment variable the sandbox reads)."""
    name = _LEASES.get()
    try:
        yield {"AG_SANDBOX_USER": name}
    finally:
        _LEASES.put(name)


@functools.lru_cache(maxsize=None)
def isolation() -> tuple:
    """(user switch, namespaces) as the sandbox sets them up on this machine."""
    from autograder.sandbox.runner import Sandbox, sandbox_user
    user = sandbox_user()
    sb = Sandbox(FULL_MARKS, user=user)
    try:
        sb.start()
        sb.load()
        return user is not None, sb.jailed
    finally:
        sb.close()


def need_isolation():
    user, jailed = isolation()
    if not (user or jailed):
        pytest.skip("neither root with %s nor namespaces here: the child runs as the grader's own "
                    "user and could reach its files and processes" % USER)


def need_user():
    if os.geteuid() != 0:
        pytest.skip("needs root: the user switch to %s" % USER)
    if not isolation()[0]:
        pytest.skip("the user %s does not exist" % USER)


# ------------------------------------------------------------------ the flow
def compose(name: str, part: str = "devoir3.py", subst: dict | None = None) -> str:
    base = FULL_MARKS.read_text(encoding="utf-8")
    extra = (HOSTILE / name / part).read_text(encoding="utf-8")
    for key, value in (subst or {}).items():
        extra = extra.replace(key, value)
    return base + "\n\n# ---------------------------------------------------------------- %s\n" % name + extra


_TWINS: dict = {}
_TWINS_LOCK = threading.Lock()


def _graded(source: str) -> float:
    """The score of a file graded on its own (`python -m autograder grade`, sandboxed as usual)."""
    key = hashlib.sha256(source.encode()).hexdigest()
    with _TWINS_LOCK:
        if key in _TWINS:
            return _TWINS[key]
    tmp = Path(tempfile.mkdtemp(prefix="ag-twin-"))
    try:
        (tmp / "devoir3.py").write_text(source, encoding="utf-8")
        with lease() as env:
            proc = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-m", "autograder", "grade",
                                   str(tmp / "devoir3.py"), "--json", str(tmp / "r.json")], cwd=REPO,
                                  timeout=300, env=dict(os.environ, **env), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
        score = json.loads((tmp / "r.json").read_text(encoding="utf-8"))["score"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with _TWINS_LOCK:
        _TWINS[key] = score
    return score


def honest_score(name: str) -> float:
    """What the same answers earn without the attack."""
    if (HOSTILE / name / "honnete.py").exists():
        return _graded(compose(name, "honnete.py"))
    return _graded(FULL_MARKS.read_text(encoding="utf-8"))


def tree_hash(*tops: Path) -> dict:
    out = {}
    for top in tops:
        for p in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if p.is_file() and "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def repo_snapshot() -> dict:
    """This repository's grader files (size, mtime): others may edit them meanwhile, so a change
    is only a failure when the changed file holds an attack's payload (see repo_untouched)."""
    out = {}
    for top in ("autograder", "reference", "student_template"):
        for p in (REPO / top).rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts:
                st = p.stat()
                out[p] = (st.st_size, st.st_mtime_ns)
    return out


PAYLOADS = ("pwned", "items: []", '"score": 1000', "raise SystemExit\n", "importé !")


def repo_untouched(before: dict) -> list:
    after = repo_snapshot()
    bad = []
    for p in set(before) | set(after):
        if before.get(p) != after.get(p):
            text = p.read_text(errors="replace") if p.exists() else ""
            if p not in after or any(x in text for x in PAYLOADS):
                bad.append(str(p))
    return bad


def tagged_processes(tag: str) -> list:
    """Processes started by the sandbox of one flow (AG_TAG in their environment), not zombies.
    (Not "every process of the sandbox user": other test runs on a shared machine use it too.)"""
    from autograder.sandbox.runner import living_processes
    return living_processes(environ=("AG_TAG=%s" % tag).encode())


@dataclass
class Flow:
    name: str
    root: Path
    data: dict
    raw: bytes
    seconds: float
    stderr: str
    token: str
    marker: Path
    source_before: dict
    source_after: dict
    survivors: list
    repo_changed: list
    user: str | None = None


def make_root(tmp_path: Path, token: str) -> Path:
    """A container-like root: ROOT/source is the autograder zip's content, ROOT/run_autograder."""
    root = gradescope_root(tmp_path)
    from autograder import answers      # the reference answers and rubric, as setup.sh leaves them (0700 / 0600)
    if answers.folder() is not None and answers.folder().is_dir():
        (root / "source" / ".cache" / "answers").mkdir(parents=True, mode=0o700)
        for p in answers.folder().glob("*.pickle"):
            shutil.copy2(p, root / "source" / ".cache" / "answers" / p.name)
    (root / "source" / "reference" / "jeton_secret.txt").write_text("jeton " + token + "\n")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": _metadata_email(token)}]}))
    (root / "results").mkdir()
    return root


def run_flow(tmp_path: Path, name: str, files: dict | None = None, port: int = 0, wait_after: float = 0.0,
             worker_timeout: float = WORKER_TIMEOUT, limits: str = "", env_extra: dict | None = None,
             token: str | None = None) -> Flow:
    """Grade tests/hostile/<name> (or `files`) through run_autograder on a relocated root (token: the
    secret of its metadata file and token file, else a fresh one)."""
    token = token or secrets.token_hex(12)
    root = make_root(tmp_path, token)
    marker = tmp_path / ("marque-" + secrets.token_hex(6))
    subst = {"__RACINE__": str(root), "__DEPOT__": str(REPO), "__MARQUE__": str(marker), "__PORT__": str(port)}
    sub = root / "submission"
    if files is None:
        files = {"devoir3.py": compose(name, subst=subst)}
        extra = HOSTILE / name / "soumission"    # stored as NAME.hostile: never imported here
        if extra.is_dir():
            for p in extra.rglob("*.hostile"):
                text = p.read_text(encoding="utf-8")
                for k, v in subst.items():
                    text = text.replace(k, v)
                files[str(p.relative_to(extra))[:-len(".hostile")]] = text
    for rel, content in files.items():
        if callable(content):
            content(sub / rel, root)
            continue
        (sub / rel).parent.mkdir(parents=True, exist_ok=True)
        (sub / rel).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    source_before = tree_hash(root / "source", root / "run_autograder")
    repo_before = repo_snapshot()
    tag = "hostile-" + token
    env = flow_env(root, AG_LIMITS=",".join((LIMITS, SLOW_CALLS.get(name, ""), limits)),
               AG_WORKER_TIMEOUT=str(worker_timeout), AG_TAG=tag, **(env_extra or {}))
    with lease() as user:
        t0 = time.monotonic()
        proc = subprocess.run([str(root / "run_autograder")], env=dict(env, **user), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=worker_timeout + 120)
        seconds = time.monotonic() - t0
    raw = (root / "results" / "results.json").read_bytes()
    if wait_after:
        time.sleep(wait_after)
    return Flow(name, root, json.loads(raw), raw, seconds, proc.stderr.decode("utf-8", "replace"), token, marker,
                source_before, tree_hash(root / "source", root / "run_autograder"),
                tagged_processes(tag), repo_untouched(repo_before), user["AG_SANDBOX_USER"])


def assert_sound(flow: Flow, rubric, expected: float, max_seconds: float | None = NORMAL_SECONDS) -> None:
    data = flow.data
    if max_seconds is not None:
        assert flow.seconds < max_seconds, "%s took %.1f s" % (flow.name, flow.seconds)
    assert problems(data) == [], problems(data)
    numbers = [t.get("number") for t in data["tests"]]
    for item in rubric.items:
        assert numbers.count(item.id) == 1, "item %s: %d tests" % (item.id, numbers.count(item.id))
    assert data["score"] == pytest.approx(expected), "%s: %s instead of the honest %s\n%s\n%s" % (
        flow.name, data["score"], expected, data.get("output", "")[:1500], flow.stderr[-3000:])
    assert flow.survivors == [], "processes left alive: %s" % flow.survivors
    assert flow.source_after == flow.source_before, "the autograder's files under ROOT changed"
    assert flow.repo_changed == [], "repository files changed: %s" % flow.repo_changed
    assert flow.token.encode() not in flow.raw, "a secret reached results.json"
    assert not flow.marker.exists(), "the attack left its marker: %s" % flow.marker.read_text()[:200]
    assert len(flow.raw) < 400_000, "results.json is %d bytes" % len(flow.raw)


def item_test(flow: Flow, item_id: str) -> dict:
    return next(t for t in flow.data["tests"] if t.get("number") == item_id)


# tout_bloque: ~50 functions, each timed out once; one 10 s time-out spends hang_allowance,
# then 0.2 s each: about 25 s idle. Without the short limit it would take 50 x 10 s, past the
# budget: the budget message in its results tells, whatever the machine's speed.
TOUT_BLOQUE_LIMITS = "call_timeout=10,hang_allowance=10,short_timeout=0.2,budget=300"


# ------------------------------------------------------------------ running flows in parallel
# Most flows wait on time limits rather than use the CPU: the selected ones run three at a
# time, slowest first, as soon as the first hostile test asks for one.
FLOW_OF = {   # test function -> (flow, run_flow options, what it needs); parametrized tests use their "name"
    "test_lying_objects_are_graded_by_their_content": ("mensonge_egalite", {}, None),
    "test_source_check_reads_the_definition_in_force": ("definition_double", {}, None),
    "test_extra_files_named_like_modules_are_never_imported": ("fichiers_modules", {}, None),
    "test_output_flood_is_truncated": ("bombe_sortie", {}, None),
    "test_one_hanging_function_costs_its_own_item": ("une_boucle", {}, None),
    "test_every_function_hanging_still_ends_quickly": ("tout_bloque", {"limits": TOUT_BLOQUE_LIMITS,
                                                                       "worker_timeout": 420}, None),
    "test_infinite_loop_at_import_is_named": ("boucle_import", {}, None),
    "test_slow_import_and_a_hanging_function": ("sommeil_import", {}, None),
    "test_grader_work_on_huge_formulas_is_bounded": ("bombe_expression", {}, None),
    "test_daemon_outliving_the_call_changes_nothing": ("demon_posthume", {"wait_after": 1.5}, None),
    "test_disk_bomb_leaves_nothing_behind": ("bombe_disque", {}, None),
    "test_reading_secrets_finds_nothing": ("lecture_secrets", {}, "isolation"),
    "test_writing_results_or_sources_fails": ("ecriture_fichiers", {}, "isolation"),
    "test_signals_to_the_grader_change_nothing": ("signaux_parent", {}, "isolation"),
}
SLOW = ("tout_bloque", "bombe_expression", "conversions_piegees", "une_boucle", "signaux_soi", "boucle_import", "sommeil_import",
        "plantage")


class Flows:
    def __init__(self, names, tmp_factory):
        self.pool = ThreadPoolExecutor(max_workers=PARALLEL)
        self.tmp = tmp_factory
        self.flows, self.twins = {}, {}
        for name, opts in sorted(names, key=lambda n: (n[0] not in SLOW, n[0])):
            self.flows[name] = self.pool.submit(run_flow, tmp_factory.mktemp(name), name, **opts)
        for name, _ in names:
            self.twins[name] = self.pool.submit(honest_score, name)

    def wait_all(self) -> None:
        for f in list(self.flows.values()) + list(self.twins.values()):
            f.exception()

    def flow(self, name) -> Flow:
        return self.flows[name].result()

    def honest(self, name) -> float:
        return self.twins[name].result()


@pytest.fixture(scope="module")
def flows(request, tmp_path_factory):
    names = set()
    for item in request.session.items:
        if getattr(item, "module", None) is not request.module:
            continue
        if hasattr(item, "callspec") and "name" in item.callspec.params:
            names.add((item.callspec.params["name"], ()))
        elif item.originalname in FLOW_OF:
            name, opts, need = FLOW_OF[item.originalname]
            if need == "isolation" and not any(isolation()) or need == "user" and not isolation()[0]:
                continue          # the test skips: do not run an attack the sandbox cannot stop here
            names.add((name, tuple(sorted(opts.items()))))
    pool = Flows([(n, dict(o)) for n, o in names], tmp_path_factory)
    yield pool
    pool.pool.shutdown(wait=True)


# ------------------------------------------------------------------ attacks
@pytest.mark.parametrize("name", ["conversions_piegees", "monkeypatch", "protocole_forge", "sortie_anticipee",
                                  "signaux_soi", "plantage", "bombe_memoire", "bombe_cpu", "decodage"])
def test_attack_costs_nothing_more_than_its_answers(flows, rubric, name):
    """Lying values, patched modules, forged protocol, exits, signals to itself, crashes,
    memory and CPU bombs, code-on-decode: the score is the honest twin's."""
    flow = flows.flow(name)
    assert_sound(flow, rubric, flows.honest(name),
                 HANG_SECONDS if name in ("conversions_piegees", "signaux_soi", "plantage", "bombe_cpu")
                 else NORMAL_SECONDS)


def test_lying_objects_are_graded_by_their_content(flows, rubric):
    flow = flows.flow("mensonge_egalite")
    assert_sound(flow, rubric, flows.honest("mensonge_egalite"))
    assert item_test(flow, "1.f")["score"] == 0 and item_test(flow, "3.b")["score"] == 2
    assert "bonne réponse" not in flow.raw.decode()


def test_source_check_reads_the_definition_in_force(flows, rubric):
    """A dead first definition that uses diag does not earn 1.k's "uses diag" sub-check."""
    flow = flows.flow("definition_double")
    assert_sound(flow, rubric, flows.honest("definition_double"))
    assert item_test(flow, "1.k")["score"] == 0.75 and flow.data["score"] == 57.75


def test_extra_files_named_like_modules_are_never_imported(flows, rubric):
    flow = flows.flow("fichiers_modules")
    assert_sound(flow, rubric, 58)


def test_output_flood_is_truncated(flows, rubric):
    flow = flows.flow("bombe_sortie")
    assert_sound(flow, rubric, flows.honest("bombe_sortie"))
    assert "inonde" in flow.data["output"] and "seuls les" in flow.data["output"]
    assert len(flow.data["output"]) < 5000
    assert all(len(t.get("output", "")) < 20_000 for t in flow.data["tests"])


def test_one_hanging_function_costs_its_own_item(flows, rubric):
    flow = flows.flow("une_boucle")
    assert_sound(flow, rubric, flows.honest("une_boucle"), HANG_SECONDS)
    assert "boucle infinie" in item_test(flow, "2.h")["output"]
    assert item_test(flow, "2.g")["score"] == 2       # the item graded right after it


def test_every_function_hanging_still_ends_quickly(flows, rubric):
    """Every function is reached and timed out well within the budget (TOUT_BLOQUE_LIMITS)."""
    flow = flows.flow("tout_bloque")
    assert_sound(flow, rubric, 0, None)
    assert flows.honest("tout_bloque") == 0
    assert BUDGET_SPENT not in flow.raw.decode()
    items = {item.id for item in rubric.items}
    assert all("boucle infinie" in t["output"] for t in flow.data["tests"] if t.get("number") in items)


def test_infinite_loop_at_import_is_named(flows, rubric):
    flow = flows.flow("boucle_import")
    assert_sound(flow, rubric, 0, HANG_SECONDS)
    assert "boucle ou plante" in flow.data["output"] and "(délai dépassé)" in flow.data["output"]


def test_slow_import_and_a_hanging_function(flows, rubric):
    flow = flows.flow("sommeil_import")
    assert_sound(flow, rubric, flows.honest("sommeil_import"), HANG_SECONDS)


def test_grader_work_on_huge_formulas_is_bounded(flows, rubric):
    """Formulas at the wire's size limit that the grader must evaluate exactly: they earn their
    points, in bounded time; larger ones, or too many, are refused."""
    flow = flows.flow("bombe_expression")
    assert_sound(flow, rubric, flows.honest("bombe_expression"), HANG_SECONDS)
    assert "trop" in item_test(flow, "1.d")["output"]


SLEEPERS = """
import time as _time


def _dort(*args, **kwargs):
    _time.sleep(10 ** 6)


for _nom in [n for n in list(globals()) if n.startswith("q") and callable(globals()[n])]:
    globals()[_nom] = _dort
"""


def test_budget_ends_grading(tmp_path, rubric):
    """A 10 s budget, functions that sleep for ever and a per-call limit longer than the budget:
    the first call spends the budget, later items say so, the results are complete. (Loading
    takes well under a second; no answer can ever arrive: the outcome cannot depend on load.)"""
    flow = run_flow(tmp_path, "budget", files={"devoir3.py": FULL_MARKS.read_text(encoding="utf-8") + SLEEPERS},
                    limits="budget=10,call_timeout=600,hang_allowance=600")
    assert_sound(flow, rubric, 0, None)
    assert "dépassé" not in flow.data["output"]          # ended by the budget, not by the supervisor
    # 1.a timed out, most later items say the budget is spent (one may instead be marked for
    # review, if the grader's own-work guard fires while it is being graded)
    spent = [t["number"] for t in flow.data["tests"] if BUDGET_SPENT in t.get("output", "")]
    assert len(spent) >= len(rubric.items) // 2, spent


def test_budget_interrupts_the_graders_own_work():
    """Past the budget, the grader's own work on an answer (here a busy loop standing for an
    exact evaluation) is interrupted in the grading thread; requests fail at once.
    (The 6 s budget is waited out asleep: loading takes well under a second; the busy loop then
    runs until it is interrupted, however slowly: 600 s is only a fail-safe.)"""
    from autograder.sandbox.runner import BudgetExceeded, ChildFailure, Limits, Sandbox
    budget = 6.0
    t0 = time.monotonic()
    sb = Sandbox(FULL_MARKS, Limits(budget=budget))
    try:
        assert sb.load()["ok"]
        time.sleep(max(0.0, t0 + budget - time.monotonic()))
        with pytest.raises(BudgetExceeded):
            while time.monotonic() - t0 < 600:
                sum(i * i for i in range(1000))
        with pytest.raises(ChildFailure) as exc:
            sb.request({"op": "call", "fn": "q2c_pourquoi", "args": []})
        assert exc.value.kind == "budget"
    finally:
        sb.close()
    import signal as _signal
    assert _signal.getsignal(_signal.SIGPROF) in (_signal.SIG_DFL, None, _signal.SIG_IGN)


def test_daemon_outliving_the_call_changes_nothing(flows, rubric):
    need_isolation()          # as a plain user without namespaces nothing separates the daemon
    flow = flows.flow("demon_posthume")
    assert_sound(flow, rubric, 58)
    assert (flow.root / "results" / "results.json").read_bytes() == flow.raw


def test_disk_bomb_leaves_nothing_behind(flows, rubric):
    need_isolation()          # the disk budget counts the grading's uid's files: none of its own here
    flow = flows.flow("bombe_disque")
    if isolation()[1]:        # the private /tmp fills up: the bomb stops, the answer is right
        assert_sound(flow, rubric, 58)
    else:                     # past the disk budget the call fails: it costs its own checks only
        lost = [t for t in flow.data["tests"] if t.get("number") in {i.id for i in rubric.items}
                and t["score"] < t["max_score"]]
        assert lost and all("disque" in t["output"] for t in lost), lost
        assert_sound(flow, rubric, 58 - sum(t["max_score"] - t["score"] for t in lost))
    if os.geteuid() == 0:
        import pwd
        uid = pwd.getpwnam(flow.user).pw_uid
        left = [str(p) for top in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(top).glob("bombe-*")
                if p.lstat().st_uid == uid]
        assert left == []


def test_reading_secrets_finds_nothing(flows, rubric):
    need_isolation()
    flow = flows.flow("lecture_secrets")
    # the reference answers' cache (a 0700 folder of the grader's) is out of reach even where the
    # rest of this clone is readable by others
    assert ".cache/answers :" not in flow.raw.decode() and "answers-" not in flow.raw.decode()
    if not isolation()[1] and os.stat(REPO).st_mode & 0o005 == 0o005:
        pytest.skip("without namespaces this clone (%s) is readable by others: on Gradescope the "
                    "source is locked (chmod 700)" % REPO)
    assert_sound(flow, rubric, flows.honest("lecture_secrets"))
    text = flow.raw.decode()
    assert "TROUVÉ : []" in text            # what it printed: nothing found
    for secret in ("def relu_prime", "tolerances:", "kind: values"):
        assert secret not in text


# ------------------------------------------------------------------ what the child's memory holds
# Gradescope's child is forked from a process that imported numpy before reading anything of the
# instructor's (autograder/sandbox/warm.py): it must hold none of it. Needles: a string of the
# parsed rubric, a reference answer (the first values of an expected array), the key of a seeded
# case, a variable of run_autograder's environment (the grader starts with a few variables
# only) and the e-mail of Gradescope's submission metadata (make_root). tests/hostile/fouille_memoire
# searches its live objects and, where /proc is mounted (without namespaces: Gradescope's case),
# its whole address space.
CANARY_VAR = "CANARI_SECRET"
MEMORY_LINE = re.compile(r"MÉMOIRE : (\[.*?\]) objets=(\d+) octets=(-?\d+) isolé=(\d)")


def _needles(rubric, canary: str, token: str) -> list:
    import numpy as np
    from autograder import answers
    others = "".join(p.read_text(encoding="utf-8") for p in (REPO / "student_template" / "outils.py",
                                                             REPO / "autograder" / "sandbox" / "child.py", FULL_MARKS))
    texts = []

    def walk(o):
        if isinstance(o, str):
            if len(o) >= 40 and o.isascii() and o not in others:
                texts.append(o)
        elif isinstance(o, dict):
            for k, v in o.items():
                walk(k)
                walk(v)
        elif isinstance(o, (list, tuple)):
            for v in o:
                walk(v)
        elif type(o).__module__.startswith("autograder") and hasattr(o, "__dict__"):
            walk(vars(o))
    walk(rubric)
    memo = answers.read() or {}
    expected = [v for k in sorted(memo, key=repr) if k[0] == "expected" for v in _arrays(memo[k])
                if v.dtype == np.float64 and v.size >= 4 and np.all(np.isfinite(v)) and np.all(v != np.round(v))]
    keys = sorted(s for k in memo if k[0] == "cases" for s in k[1:] if isinstance(s, str) and len(s) >= 40)
    assert texts and expected and keys, "no needle: the rubric or the reference answers' file changed shape"
    whole = {"rubrique": min(texts).encode(), "attendu": np.ascontiguousarray(expected[0]).tobytes()[:32],
             "clé": keys[0].encode(), "environnement": canary.encode(),
             "métadonnées": _metadata_email(token).encode()}
    return [(name, n[:len(n) // 2].hex(), n[len(n) // 2:].hex()) for name, n in whole.items()]


def _metadata_email(token: str) -> str:
    return token + "@umontreal.ca"         # as make_root writes it


def _arrays(v):
    import numpy as np
    if isinstance(v, np.ndarray):
        yield v
    elif isinstance(v, dict):
        for e in v.values():
            yield from _arrays(e)
    elif isinstance(v, (list, tuple)):
        for e in v:
            yield from _arrays(e)


def _memory_attack(needles) -> str:
    return compose("fouille_memoire", subst={"__AIGUILLES__": repr(needles)})


def test_the_memory_search_finds_what_a_grading_process_holds(tmp_path, rubric):
    """The control: run in a process that loaded the rubric, the reference answers and a
    submission's metadata, with the canary in its environment, the same search finds every needle."""
    canary, token = "canari-" + secrets.token_hex(12), secrets.token_hex(12)
    needles = _needles(rubric, canary, token)
    attack = (HOSTILE / "fouille_memoire" / "devoir3.py").read_text(encoding="utf-8").replace(
        "__AIGUILLES__", repr(needles))
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps({"users": [{"email": _metadata_email(token)}]}), encoding="utf-8")
    code = ("from autograder.rubric import load\nfrom autograder import answers, budget\nr = load()\n"
            "answers._ensure_loaded()\nm = budget.read(%r)\nexec(compile(%r, 'fouille', 'exec'), {})\n"
            % (str(metadata), attack))
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=dict(os.environ, **{CANARY_VAR: canary}),
                          capture_output=True, text=True, timeout=300)
    found = MEMORY_LINE.search(done.stdout)
    assert found, done.stdout[-2000:] + done.stderr[-2000:]
    seen = ast.literal_eval(found.group(1))
    assert {"rubrique", "attendu", "clé", "environnement", "métadonnées", "module autograder.rubric"} <= set(seen), seen
    assert int(found.group(3)) > 10_000_000         # its address space was read (/proc is mounted here)


@pytest.mark.parametrize("namespaces", [True, False], ids=["namespaces", "no-namespaces"])
def test_the_childs_memory_holds_nothing_of_the_instructors(tmp_path, rubric, namespaces):
    env = {}
    if namespaces and not isolation()[1]:
        pytest.skip("no namespaces on this machine")
    if not namespaces:
        need_user()       # not root: the child would be the grader's own user, whose memory it could read
        env = dict(_venv_for_others(), AG_SANDBOX_NAMESPACES="0")
    canary, token = "canari-" + secrets.token_hex(12), secrets.token_hex(12)
    env[CANARY_VAR] = canary
    flow = run_flow(tmp_path, "fouille_memoire", files={"devoir3.py": _memory_attack(_needles(rubric, canary, token))},
                    limits="load_timeout=60", env_extra=env, token=token)
    found = MEMORY_LINE.search(flow.raw.decode("utf-8"))
    assert found, flow.data.get("output", "")[-2000:] + flow.stderr[-2000:]
    seen, objects, read, isolated = found.groups()
    assert seen == "[]" and int(objects) > 10_000
    assert isolated == "0"          # forked from the warm process (a new interpreter runs with -I)
    assert int(read) > 10_000_000 if not namespaces else int(read) == -1     # no /proc in the jail
    assert_sound(flow, rubric, 58)


def _venv_for_others() -> dict:
    """AG_VENV (and its environment) of a venv whose interpreter a sandbox uid can run: this one,
    or its mirror (sandbox/reach.py) when it lies under a folder others cannot enter."""
    from autograder.sandbox.identity import fresh_identity
    from autograder.sandbox.reach import runnable_python
    who = fresh_identity()
    python, env = runnable_python(str(REPO / ".venv" / "bin" / "python"), who.uid, who.gid)
    return dict(env, AG_VENV=str(Path(python).parent.parent))


def test_writing_results_or_sources_fails(flows, rubric):
    need_isolation()
    flow = flows.flow("ecriture_fichiers")
    assert_sound(flow, rubric, 58)


def test_signals_to_the_grader_change_nothing(flows, rubric):
    need_isolation()
    flow = flows.flow("signaux_parent")
    if isolation()[1]:
        assert_sound(flow, rubric, 58)
    else:    # no pid namespace: the attack can kill its own zygote (same uid), which costs the
        # items whose functions attack (2.i, 2.j, 2.k), never another item nor the grader
        lost = [t for t in flow.data["tests"] if t.get("number") in {i.id for i in rubric.items}
                and t["score"] < t["max_score"]]
        assert {t["number"] for t in lost} <= {"2.i", "2.j", "2.k"}, lost
        assert_sound(flow, rubric, 58 - sum(t["max_score"] - t["score"] for t in lost))


@ROOT_ONLY
def test_fork_bomb_is_contained(flows, tmp_path, rubric):
    need_user()      # RLIMIT_NPROC counts per user: it needs the user switch
    flows.wait_all()     # alone: the process limit is per user, shared by every sandbox of that user
    flow = run_flow(tmp_path, "bombe_fork")
    assert_sound(flow, rubric, honest_score("bombe_fork"), HANG_SECONDS)
    assert flow.survivors == []      # every process it forked carried the flow's tag


@ROOT_ONLY
def test_no_privilege_and_no_network(tmp_path, rubric):
    need_user()
    got = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                got.append(conn)
            except OSError:
                pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        flow = run_flow(tmp_path, "privileges", port=server.getsockname()[1])
    finally:
        stop.set()
        t.join()
        server.close()
    assert_sound(flow, rubric, 58)
    assert got == [], "the child reached the grader's local port"


@ROOT_ONLY
def test_sandbox_user_cannot_reach_the_autograder_root(tmp_path):
    """lock_down: as the sandbox user, nothing under ROOT can be listed or read."""
    need_user()
    from autograder.gradescope_flow import lock_down
    root = make_root(tmp_path, "x")
    lock_down(root)
    probe = ("import os, sys\nfor p in sys.argv[1:]:\n    try:\n        open(p).read(1); print('LU', p)\n"
             "    except OSError: pass\n    try:\n        os.listdir(p); print('LISTE', p)\n    except OSError: pass\n")
    targets = [str(root), str(root / "source"), str(root / "source" / "reference" / "jeton_secret.txt"),
               str(root / "submission_metadata.json"), str(root / "results"), str(root / "submission")]
    out = subprocess.run(["runuser", "-u", USER, "--", "/usr/bin/python3", "-c", probe, *targets],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode() == ""


# ------------------------------------------------------------------ bad submissions
def test_symlink_submission_is_not_followed(tmp_path, rubric):
    def link(path, root):
        path.symlink_to(root / "source" / "reference" / "jeton_secret.txt")
    flow = run_flow(tmp_path, "symlink", files={"devoir3.py": link})
    assert_sound(flow, rubric, 0)
    assert "devoir3.py introuvable" in flow.data["output"]


def test_fifo_submission_does_not_block(tmp_path, rubric):
    flow = run_flow(tmp_path, "fifo", files={"devoir3.py": lambda path, root: os.mkfifo(path)})
    assert_sound(flow, rubric, 0)
    assert "devoir3.py" in flow.data["output"]


def test_binary_submission_gets_a_precise_message(tmp_path, rubric):
    flow = run_flow(tmp_path, "binaire", files={"devoir3.py": b"\x7fELF\x02\x01\x01\x00" + os.urandom(2000)})
    assert_sound(flow, rubric, 0)
    assert "n'est pas un fichier texte" in flow.data["output"]


def test_grader_stopped_halfway_keeps_what_it_graded(tmp_path, rubric):
    """The worker is stopped by the supervisor's own time limit (here 6 s, with a file whose
    every function hangs): the items graded so far are kept, the others are listed for review."""
    flow = run_flow(tmp_path, "tout_bloque", worker_timeout=6)
    assert flow.seconds < NORMAL_SECONDS
    assert problems(flow.data) == []
    numbers = [t.get("number") for t in flow.data["tests"]]
    assert all(numbers.count(item.id) == 1 for item in rubric.items)
    assert "dépassé 6 s" in flow.data["output"] and "À revoir à la main" in flow.data["output"]
    assert flow.survivors == [] and flow.source_after == flow.source_before
    log = next(t for t in flow.data["tests"] if t.get("number") == "9.99")
    assert log["visibility"] == "hidden"


def test_grader_crash_still_writes_every_item(tmp_path, rubric):
    """Partial results: the items graded are kept, the others are listed for review by hand,
    the grader's traceback goes to a hidden test only; nothing is an 'autograder failed' page."""
    from autograder.gradescope_flow import fallback_results
    from autograder.grading import grade_file
    done = grade_file(FULL_MARKS, rubric).items[:5]
    data = fallback_results("arrêt", rubric, "fr", done, "Traceback: boom")
    assert problems(data) == []
    by = {t["number"]: t for t in data["tests"]}
    assert [i.id for i in rubric.items] == [t["number"] for t in data["tests"] if t["number"] in by
                                             and t["number"] not in ("9.9", "9.99")]
    assert data["score"] == sum(i.points for i in done)
    assert by["9.99"]["visibility"] == "hidden" and "boom" in by["9.99"]["output"]
    assert "boom" not in data["output"]
    assert "À revoir à la main" in data["output"]
