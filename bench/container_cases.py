"""The cases of the container bench: gradings in fresh containers with Gradescope's limits, and
what "held" means for each (bench/container.py runs them; docs/container_bench.md)."""
from __future__ import annotations

import concurrent.futures
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.container_images import BenchError, docker, say
from bench.container_net import Capture, Listener, bench_network

REPO = Path(__file__).resolve().parent.parent
GRADESCOPE = ["--cpus", "0.5", "--memory", "768m"]     # Gradescope's defaults for an autograder
PORT = 47391          # the port inside the grading container that attacks must not reach (the probe listens)
OUTSIDE_PORT = 47392  # the port outside it, on the host's address of the bench network
CONTROL_PORT = 47393  # the probe's own control connection (proves the capture sees this container)
HOG_PROCESSES = 100
NEIGHBOUR_JOBS = 6
HOLDER_PROCESSES = 50       # under the sandbox's 64 processes per uid, with room for the grading's own
FULL_MARKS = REPO / "examples/submissions/full_marks/devoir3.py"
ALL_CASES = ("full", "blank", "hostile", "concurrent", "interference", "network", "memory")


# ------------------------------------------------------------------ one grading
def grade(image: str, files: dict, port: int = 0, wait_after: float = 0.0, control: str = "") -> dict:
    """Grade `files` ({relative path: bytes, or a function of the marker path}) in a fresh container
    on the bench network, with the limits the zip ships; returns results.json's data ('data'), its
    bytes ('raw'), the probe's summary, the token, and the run log's tail."""
    network, _, _ = bench_network()
    token = secrets.token_hex(12)
    marker = "/autograder/marque-" + secrets.token_hex(6)
    name = "ag-grade-" + secrets.token_hex(4)
    work = Path(tempfile.mkdtemp(prefix="ag-grade-"))
    try:
        sub = work / "submission"
        sub.mkdir()
        for rel, content in files.items():
            content = content(marker) if callable(content) else content
            (sub / rel).parent.mkdir(parents=True, exist_ok=True)
            (sub / rel).write_bytes(content)
        (work / "meta.json").write_text(json.dumps({"users": [{"email": token + "@umontreal.ca"}]}))
        (work / "jeton.txt").write_text("jeton " + token + "\n")
        docker("create", "--name", name, "--network", network, *GRADESCOPE, image, "python3", "/ag-bench-probe.py",
               str(port), marker, str(wait_after), *([control] if control else []))
        docker("cp", str(REPO / "bench" / "container_probe.py"), name + ":/ag-bench-probe.py")
        docker("cp", str(sub) + "/.", name + ":/autograder/submission")
        docker("cp", str(work / "meta.json"), name + ":/autograder/submission_metadata.json")
        docker("cp", str(work / "jeton.txt"), name + ":/autograder/source/reference/jeton_secret.txt")
        proc = docker("start", "-a", name, check=False, timeout=900)
        out = proc.stdout.decode(errors="replace")
        summary = json.loads(out.rsplit("AG-BENCH-SUMMARY", 1)[1]) if "AG-BENCH-SUMMARY" in out else {}
        raw = b""
        if docker("cp", name + ":/autograder/results/results.json", str(work / "r.json"), check=False).returncode == 0:
            raw = (work / "r.json").read_bytes()
        log = ""
        if docker("cp", name + ":/autograder/ag-bench-run.log", str(work / "run.log"), check=False).returncode == 0:
            log = (work / "run.log").read_text(errors="replace")[-3000:]
    finally:
        docker("rm", "-f", name, check=False)
        shutil.rmtree(work, ignore_errors=True)
    try:
        data = json.loads(raw)
    except ValueError:
        data = {}
    return {"data": data, "raw": raw, "summary": summary, "token": token, "log": log or out[-3000:]}


# ------------------------------------------------------------------ what "held" means
def _tests_module():
    """tests/test_hostile.py and its helpers: the bench reuses their compositions and
    expectations rather than restating them (not their short limits: the zip's own apply)."""
    sys.path.insert(0, str(REPO / "tests"))
    import test_hostile
    from gradescope_spec import problems
    return test_hostile, problems


def common_problems(g: dict, rubric, expected: float | None, oom_allowed: bool = False) -> list:
    _, problems = _tests_module()
    data, raw, s = g["data"], g["raw"], g["summary"]
    bad = []
    if not data:
        return ["no valid results.json"]
    bad += problems(data)
    numbers = [t.get("number") for t in data.get("tests", [])]
    bad += ["item %s: %d tests" % (i.id, numbers.count(i.id)) for i in rubric.items if numbers.count(i.id) != 1]
    if expected is not None and abs(data.get("score", -1) - expected) > 1e-9:
        bad.append("score %s, expected %s" % (data.get("score"), expected))
    if not s:
        bad.append("the probe gave no summary")
    else:
        if s["survivors"]:
            bad.append("processes left: %s" % s["survivors"][:5])
        if s["source_changed"]:
            bad.append("the autograder's files changed")
        if s["marker"]:
            bad.append("the attack left its marker")
        if s["connections"]:
            bad.append("the student reached the port inside the container (%d connections)" % s["connections"])
        mem = s.get("memory") or {}
        if mem.get("oom_kills") and not oom_allowed:
            bad.append("the container reached its memory limit: %d processes killed by the kernel" % mem["oom_kills"])
    if g["token"].encode() in raw:
        bad.append("a secret reached results.json")
    if len(raw) > 400_000:
        bad.append("results.json is %d bytes" % len(raw))
    return bad


def _item(data, item_id):
    return next((t for t in data.get("tests", []) if t.get("number") == item_id), {})


# Per attack: the expected score ("honest": what the same answers earn without the attack)
# and the extra checks of the matching test in tests/test_hostile.py.
HOSTILE = {
    "conversions_piegees": "honest", "monkeypatch": "honest", "protocole_forge": "honest",
    "sortie_anticipee": "honest", "signaux_soi": "honest", "plantage": "honest", "bombe_memoire": "honest",
    "bombe_cpu": "honest", "decodage": "honest", "bombe_fork": "honest", "sommeil_import": "honest",
    "mensonge_egalite": "honest", "definition_double": "honest", "bombe_sortie": "honest",
    "une_boucle": "honest", "bombe_expression": "honest", "lecture_secrets": "honest",
    "fichiers_modules": 58, "demon_posthume": 58, "bombe_disque": "own", "ecriture_fichiers": 58,
    "signaux_parent": "own", "privileges": 58, "tout_bloque": 0, "boucle_import": 0,
}
EXTRA = {
    "mensonge_egalite": lambda d, raw: [] if _item(d, "1.f").get("score") == 0 and _item(d, "3.b").get("score") == 2
    and "bonne réponse" not in raw.decode() else ["1.f/3.b or 'bonne réponse' as in test_lying_objects..."],
    "definition_double": lambda d, raw: [] if _item(d, "1.k").get("score") == 0.75 else ["1.k is not 0.75"],
    "bombe_sortie": lambda d, raw: [] if "inonde" in d.get("output", "") and len(d.get("output", "")) < 5000
    else ["output flood not truncated"],
    "une_boucle": lambda d, raw: [] if "boucle infinie" in _item(d, "2.h").get("output", "")
    and _item(d, "2.g").get("score") == 2 else ["2.h not named a loop, or 2.g lost"],
    "boucle_import": lambda d, raw: [] if "boucle ou plante" in d.get("output", "") else ["import loop not named"],
    "bombe_expression": lambda d, raw: [] if "trop" in _item(d, "1.d").get("output", "") else ["1.d: no 'trop'"],
    "lecture_secrets": lambda d, raw: [] if "TROUVÉ : []" in raw.decode() and not any(
        s in raw.decode() for s in ("def relu_prime", "tolerances:", "kind: values")) else ["a secret was found"],
}
WAIT_AFTER = {"demon_posthume": 1.5}
LOSES_OWN = {"bombe_disque": {"saying": "disque"}, "signaux_parent": {"allowed": {"2.i", "2.j", "2.k"}}}


def score_without(data, rubric, allowed=None, saying: str = "") -> float:
    """58 less what the attack's own items lost, when (in a container: no namespaces) losing them
    is what tests/test_hostile.py accepts; else 58 (so any loss shows). bombe_disque: the items
    the disk budget failed, each saying "disque"; signaux_parent: only 2.i, 2.j, 2.k, whose
    functions kill their own zygote (same uid, no pid namespace)."""
    ids = {i.id for i in rubric.items}
    lost = [t for t in data.get("tests", []) if t.get("number") in ids and t["score"] < t["max_score"]]
    if all(saying in t.get("output", "") and (allowed is None or t["number"] in allowed) for t in lost):
        return 58 - sum(t["max_score"] - t["score"] for t in lost)
    return 58


_TWINS: dict = {}


def honest_score(source: str, rubric) -> float:
    """A file graded on the host, in process, with the zip's limits (the same sandbox as
    `./ag grade`): what honest answers earn, to compare the attack's score with."""
    if source in _TWINS:
        return _TWINS[source]
    from autograder import feedback
    from autograder.grading import grade_submission
    with tempfile.TemporaryDirectory(prefix="ag-twin-") as tmp:
        (Path(tmp) / "devoir3.py").write_text(source, encoding="utf-8")
        report = grade_submission(Path(tmp) / "devoir3.py", rubric, "fr")
        _TWINS[source] = feedback.results_json(report, rubric, "fr")["score"]
    return _TWINS[source]


def twin_source(th, name: str) -> str:
    return th.compose(name, "honnete.py") if (th.HOSTILE / name / "honnete.py").exists() \
        else FULL_MARKS.read_text(encoding="utf-8")


def hostile_files(th, name: str, text: str | None = None):
    """The submission of one attack, with the placeholders of tests/hostile/README.md set for the
    container (the marker path is only known per grading, hence a function of it)."""
    def subst(text: str, marker: str) -> str:
        for k, v in {"__RACINE__": "/autograder", "__DEPOT__": "/autograder/source", "__MARQUE__": marker,
                     "__PORT__": str(PORT)}.items():
            text = text.replace(k, v)
        return text
    base = text if text is not None else th.compose(name)
    files = {"devoir3.py": lambda marker: subst(base, marker).encode("utf-8")}
    extra = th.HOSTILE / name / "soumission" if text is None else None
    if extra is not None and extra.is_dir():
        for p in extra.rglob("*.hostile"):
            body = p.read_text(encoding="utf-8")
            files[str(p.relative_to(extra))[:-len(".hostile")]] = (lambda t: lambda m: subst(t, m).encode())(body)
    return files


# Student code of the bench's own cases, appended to the full-marks file like tests/hostile/.
# network: every way out of the sandbox it can think of; any success costs a point (2.c's
# explanation changes) and leaves the marker.
NETWORK_ATTACK = r'''
import socket as _socket

_SORTIES = []


def _sortir():
    essais = (("dehors tcp", lambda: _socket.create_connection(("__DEHORS__", __DEHORS_PORT__), timeout=2).close()),
              ("dehors udp", lambda: _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(
                  b"x", ("__DEHORS__", __DEHORS_PORT__))),
              ("dedans tcp", lambda: _socket.create_connection(("127.0.0.1", __PORT__), timeout=2).close()))
    for quoi, essai in essais:
        try:
            essai()
            _SORTIES.append(quoi)
        except BaseException:
            pass
    if _SORTIES:
        try:
            open("__MARQUE__", "w").write(",".join(_SORTIES))
        except OSError:
            pass


_sortir()
_q2c_juste = q2c_pourquoi


def q2c_pourquoi():
    _sortir()
    return "A" + ",".join(_SORTIES) if _SORTIES else _q2c_juste()
'''
# memory: 2.a's functions only. One allocates and touches memory until its process limit;
# the other forks processes that each stay under that limit but together pass the
# container's 768 MB several times (the kernel must then kill student processes, which it
# picks first: oom_score_adj 1000). The honest twin: bombe_memoire's (both functions raise).
MEMORY_ATTACK = r'''
import os as _os
import time as _time


def _remplir():
    tas = []
    try:
        while True:
            tas.append(bytearray(16 * 1024 * 1024))
    except MemoryError:
        pass
    return tas


def q2a_sortie_cachee(ha):
    return _remplir()


def q2a_preactivation(W1, b1, x):
    for _ in range(20):
        try:
            if _os.fork() == 0:
                _remplir()
                _time.sleep(60)
                _os._exit(0)
        except OSError:
            pass
    _remplir()
    _time.sleep(60)
'''
# interference: a neighbour's submission that holds processes (under its sandbox uid) for
# its whole grading, with honest answers.
HOLDER = r'''
import os as _os
import time as _time

for _ in range(__HOLD__):
    try:
        if _os.fork() == 0:
            _os.setsid()
            _time.sleep(300)
            _os._exit(0)
    except OSError:
        break
'''


def appended(text: str) -> str:
    return FULL_MARKS.read_text(encoding="utf-8") + "\n\n# ---------------------------------------------- bench\n" + text


def _count_uid(uid: int) -> int:
    """Processes of a uid on the whole host (the kernel's count that RLIMIT_NPROC uses)."""
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                n += os.stat("/proc/" + pid).st_uid == uid
            except OSError:
                pass
    return n


# ------------------------------------------------------------------ the cases
class Bench:
    def __init__(self, image: str, suite: str, rubric, out: Path | None = None):
        self.image, self.suite, self.rubric, self.out = image, suite, rubric, out
        self.rows = []          # dicts: case, score, expected, seconds, floor, peak, problems

    def record(self, case, g, expected, bad):
        s = g["summary"]
        mem = s.get("memory") or {}
        row = {"case": case, "score": g["data"].get("score"), "expected": expected, "seconds": s.get("seconds"),
               "floor": s.get("floor"), "peak": mem.get("peak"), "oom_kills": mem.get("oom_kills"), "problems": bad}
        if self.out:
            stem = self.out / self.suite / case.replace("/", "_").replace(" ", "_")
            stem.parent.mkdir(parents=True, exist_ok=True)
            stem.with_suffix(".json").write_bytes(g["raw"])
            stem.with_suffix(".log").write_text(g["log"] + "\n" + json.dumps(s, indent=1))
        self.rows.append(row)
        peak = "%4.0f MiB" % (row["peak"] / 2**20) if row["peak"] else "   ? MiB"
        flag = "held" if not bad else "NOT HELD: " + "; ".join(bad)
        say("    %-36s score %-6s expected %-6s %6ss  peak %s  %s" % (case, row["score"], expected, row["seconds"],
                                                                       peak, flag))
        if bad:
            say("      run_autograder's output (tail):\n        " + g["log"][-1500:].replace("\n", "\n        "))

    def failed(self, case: str, why: str):
        """A case that could not run: a NOT HELD line with the reason, never a traceback."""
        self.rows.append({"case": case, "score": None, "expected": None, "seconds": None, "floor": None,
                          "peak": None, "problems": [why]})
        say("    %-36s NOT HELD: %s" % (case, why))

    def run(self, case: str, **kw):
        try:
            getattr(self, case)(**kw)
        except Exception as exc:  # noqa: BLE001 - a bench reports every failure as a NOT HELD line, and goes on
            self.failed(case, "the case could not run: %s: %s" % (type(exc).__name__, str(exc)[:500]))

    def full(self):
        files = {p.name: p.read_bytes() for p in FULL_MARKS.parent.iterdir() if p.is_file()}
        g = grade(self.image, files)
        bad = common_problems(g, self.rubric, 58)
        bad += ["item %s not passed" % t["number"] for t in g["data"].get("tests", [])
                if t.get("number") in {i.id for i in self.rubric.items} and t.get("status") != "passed"]
        if g["summary"].get("floor") is None:
            bad.append("the floor (import numpy, sympy) did not run")
        self.record("full_marks", g, 58, bad)

    def blank(self):
        g = grade(self.image, {"devoir3.py": (REPO / "student_template/devoir3.py").read_bytes()})
        bad = common_problems(g, self.rubric, 0)
        bad += ["item %s scored %s" % (t["number"], t["score"]) for t in g["data"].get("tests", []) if t.get("score")]
        self.record("blank_template", g, 0, bad)

    def hostile(self, names=None, jobs: int = 1):
        th, _ = _tests_module()
        names = [n for n in sorted(HOSTILE) if not names or n in names]
        honest = {n: (HOSTILE[n] if HOSTILE[n] != "honest" else honest_score(twin_source(th, n), self.rubric))
                  for n in names}
        alone = [n for n in names if n == "bombe_fork"]     # the process limit is per user: alone

        def one(name):
            try:
                g = grade(self.image, hostile_files(th, name), port=PORT if name == "privileges" else 0,
                          wait_after=WAIT_AFTER.get(name, 0))
            except BenchError as exc:
                return name, None, ["the grading could not run: %s" % str(exc)[:500]], None
            expected = score_without(g["data"], self.rubric, **LOSES_OWN[name]) if honest[name] == "own" \
                else honest[name]
            bad = common_problems(g, self.rubric, expected)
            if name in EXTRA and g["data"]:
                bad += EXTRA[name](g["data"], g["raw"])
            return name, g, bad, expected

        def show(name, g, bad, expected):
            if g is None:
                self.failed("hostile/" + name, bad[0])
            else:
                self.record("hostile/" + name, g, expected, bad)
        ordered = sorted((n for n in names if n not in alone), key=lambda n: (n not in th.SLOW, n))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for result in pool.map(one, ordered):
                show(*result)
        for name in alone:
            show(*one(name))

    def concurrent(self):
        files = {"devoir3.py": FULL_MARKS.read_bytes()}
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            a, b = pool.map(lambda _: grade(self.image, files), range(2))
        for label, g in (("concurrent A (full marks)", a), ("concurrent B (full marks)", b)):
            self.record(label, g, 58, common_problems(g, self.rubric, 58))

    def network(self):
        """A student reaching out of the sandbox: to the host's address on the bench network
        (outside the container; TCP and UDP) and to a port inside the container. Held when the
        score is the honest one (58), no listener saw a connection, and the capture on the
        bridge saw no packet to the outside port, while it saw the probe's control connection."""
        _, host, bridge = bench_network()
        text = NETWORK_ATTACK.replace("__DEHORS__", host).replace("__DEHORS_PORT__", str(OUTSIDE_PORT))
        capture = Capture(bridge, host)
        listener = Listener(host, [OUTSIDE_PORT, CONTROL_PORT])
        try:
            g = grade(self.image, hostile_files(None, "network", appended(text)), port=PORT,
                      control="%s:%d" % (host, CONTROL_PORT))
        finally:
            hits = listener.close()
            seen = capture.close()
        bad = common_problems(g, self.rubric, 58)
        sent = {"%s/%d" % k: n for k, n in seen.items() if k[1] == OUTSIDE_PORT}
        if hits[OUTSIDE_PORT]:
            bad.append("the student connected to the outside listener (%d)" % hits[OUTSIDE_PORT])
        if sent:
            bad.append("packets left the sandbox for the outside address: %s" % sent)
        if not (hits[CONTROL_PORT] and seen.get(("tcp", CONTROL_PORT))):
            bad.append("the capture is blind: the probe's control connection was not seen (listener %d, "
                       "capture %s)" % (hits[CONTROL_PORT], seen))
        say("      outside %s:%d: %d connections, %d packets captured; control: %d connection, %d packets" % (
            host, OUTSIDE_PORT, hits[OUTSIDE_PORT], sum(sent.values()), hits[CONTROL_PORT],
            seen.get(("tcp", CONTROL_PORT), 0)))
        self.record("network (outside and inside)", g, 58, bad)

    def memory(self):
        """2.a's functions allocate past the process limit, alone and in forked processes whose
        sum passes the container's 768 MB: only 2.a is lost (the honest twin raises in both) and
        the grading ends within the container's memory (the processes the kernel kills when the
        forks fill it are the student's: the grader and its results survive)."""
        th, _ = _tests_module()
        expected = honest_score(twin_source(th, "bombe_memoire"), self.rubric)
        g = grade(self.image, hostile_files(None, "memory", appended(MEMORY_ATTACK)))
        bad = common_problems(g, self.rubric, expected, oom_allowed=True)
        lost = {t["number"] for t in g["data"].get("tests", []) if t.get("score", 0) < t.get("max_score", 0)}
        if lost - {"2.a"}:
            bad.append("items lost besides 2.a: %s" % sorted(lost - {"2.a"}))
        mem = g["summary"].get("memory") or {}
        if not mem.get("peak"):
            bad.append("no peak memory read from the container's cgroup")
        say("      container memory: peak %.0f MiB of %.0f MiB; %s processes killed by the kernel" % (
            (mem.get("peak") or 0) / 2**20, (mem.get("limit") or 0) / 2**20, mem.get("oom_kills")))
        self.record("memory (2.a past the limit)", g, expected, bad)

    def interference(self):
        """Full marks while, beside it, a neighbour container keeps NEIGHBOUR_JOBS gradings going
        (the product's `grade`, whose sandbox picks each grading's uid), half of them holding
        HOLDER_PROCESSES processes each for their whole grading, and another container holds
        HOG_PROCESSES processes as the fallback user ag_student. Held when this grading scores 58
        and so does every grading of the neighbour."""
        neighbour = "ag-neighbour-" + secrets.token_hex(4)
        hog = "ag-hog-" + secrets.token_hex(4)
        network, _, _ = bench_network()
        work = Path(tempfile.mkdtemp(prefix="ag-neighbour-"))
        try:
            # taken in name order, round robin: holder, full, holder, ... (two holders at once)
            (work / "a_holder.py").write_text(appended(HOLDER.replace("__HOLD__", str(HOLDER_PROCESSES))))
            (work / "b_full.py").write_bytes(FULL_MARKS.read_bytes())
            docker("create", "--name", neighbour, "--network", network, *GRADESCOPE, self.image, "python3",
                   "/ag-neighbour.py", str(NEIGHBOUR_JOBS), "/ag-neighbour", "/tmp/ag-neighbour-stop", "900",
                   str(HOLDER_PROCESSES))       # ready once a holder holds its processes
            docker("cp", str(REPO / "bench" / "container_neighbour.py"), neighbour + ":/ag-neighbour.py")
            docker("cp", str(work), neighbour + ":/ag-neighbour")
            docker("start", neighbour)
            script = "for i in $(seq %d); do sleep 900 & done; wait" % HOG_PROCESSES
            docker("run", "-d", "--name", hog, "--network", network, *GRADESCOPE, self.image,
                   "runuser", "-u", "ag_student", "--", "/bin/sh", "-c", script)
            uid = int(docker("exec", hog, "id", "-u", "ag_student").stdout)
            for _ in range(240):
                ready = docker("exec", neighbour, "test", "-e", "/tmp/ag-neighbour-ready", check=False).returncode == 0
                if ready and _count_uid(uid) >= HOG_PROCESSES:
                    break
                time.sleep(0.5)
            else:
                raise BenchError("the neighbour or the ag_student container did not get going in 2 minutes")
            held = _count_uid(uid)
            g = grade(self.image, {"devoir3.py": FULL_MARKS.read_bytes()})
            docker("exec", neighbour, "touch", "/tmp/ag-neighbour-stop")
            proc = docker("wait", neighbour, timeout=900)
            out = docker("logs", neighbour).stdout.decode(errors="replace")
            summary = json.loads(out.rsplit("AG-NEIGHBOUR-SUMMARY", 1)[1]) if "AG-NEIGHBOUR-SUMMARY" in out else {}
        finally:
            docker("rm", "-f", neighbour, hog, check=False)
            shutil.rmtree(work, ignore_errors=True)
        bad = common_problems(g, self.rubric, 58)
        gradings = summary.get("gradings", [])
        wrong = [x for x in gradings if x["score"] != 58]
        if not summary:
            bad.append("the neighbour gave no summary (exit %s)" % proc.stdout.decode().strip())
        elif wrong or not gradings:
            bad.append("neighbour gradings not 58: %d of %d %s" % (len(wrong), len(gradings), wrong[:4]))
        say("      neighbour: %d gradings (%d holding %d processes each), %d sandbox uids at once, at most %d "
            "processes of one uid, %d uids seen, peak %.0f MiB; ag_student held %d processes" % (
                len(gradings), sum(x["file"] == "a_holder.py" for x in gradings), HOLDER_PROCESSES,
                summary.get("uids_at_once", 0), summary.get("most_of_one_uid", 0), summary.get("uids_seen", 0),
                (summary.get("peak_memory") or 0) / 2**20, held))
        self.record("interference (neighbour, ag_student)", g, 58, bad)
