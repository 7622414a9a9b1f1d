"""The container bench: the grader as Gradescope really runs it, in Docker (issue 12).

    ./ag container-test                         # bookworm (Python 3.11) and trixie (3.13)
    ./ag container-test --suites bookworm --cases full,blank
    ./ag container-test --suites bookworm-py310  # Python 3.10 (as Ubuntu 22.04), see below

1. Docker: Debian's `docker.io` (installed with apt when missing and we are root), its daemon
   started by hand when none answers (no systemd here; log in CACHE/dockerd.log). When Docker
   cannot be had, the bench says so loudly and exits with SKIPPED (77).
2. Base images from Debian's packages, no registry: `debootstrap --variant=minbase
   --include=python3 SUITE`, imported as `ag-base:SUITE`; the root file system is kept as
   CACHE/rootfs-SUITE.tar so a lost image is re-imported without the network.
   `bookworm-py310` is ag-base:bookworm plus the CPython 3.10 that pyenv keeps on this kind of
   machine (/root/.pyenv/versions/3.10.*) as the image's `python3`: Debian has no 3.10; it is
   built only when that folder exists.
3. The autograder image, as Gradescope builds it: the zip of `./ag zip` unzipped into
   /autograder/source, run_autograder copied to /autograder/run_autograder, `setup.sh` run as
   root from /autograder/source with the network. This network re-signs TLS, so the host's CA
   bundle is mounted at /mnt during that build only and named there (PIP_CERT,
   REQUESTS_CA_BUNDLE, SSL_CERT_FILE, apt's CAInfo); the committed image has neither the file
   nor the variables (checked). Setup's wall time and the image growth are printed, and kept
   as labels on the image (`ag-grader:SUITE-DIGEST`, reused while the zip and base are the same).
4. Gradings in fresh containers with Gradescope's defaults (`--cpus 0.5 --memory 768m`, the
   default seccomp profile and capabilities, not privileged): the submission copied to
   /autograder/submission, a secret token in the metadata and the source, results read from
   /autograder/results/results.json. Cases: `full` (58), `blank` (0 on every item), `hostile`
   (every attack of tests/hostile/, with tests/test_hostile.py's expectations, short limits as
   there), `concurrent` (two full-marks gradings at once: 58 each), `nproc` (full marks beside
   another container whose user ag_student holds 100 processes: 58).

Exit status: 0 every case held, 1 some case did not, 77 Docker unavailable (skipped).
This is a bench: it prints figures; timings are shown, never asserted.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("AG_CONTAINER_CACHE", "/var/cache/ag-container"))
MIRROR = os.environ.get("AG_DEBIAN_MIRROR", "http://deb.debian.org/debian")
CA_BUNDLE = Path(os.environ.get("AG_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
SUITES = {"bookworm": "3.11", "trixie": "3.13", "bookworm-py310": "3.10"}
GRADESCOPE = ["--cpus", "0.5", "--memory", "768m"]     # Gradescope's defaults for an autograder
SKIPPED = 77
PORT = 47391          # the local port the `privileges` attack must not reach (probe listens)
HOG_PROCESSES = 100
ALL_CASES = ("full", "blank", "hostile", "concurrent", "nproc")


def say(*parts) -> None:
    print(*parts, flush=True)


def loud(text: str) -> None:
    bar = "!" * 78
    say("\n%s\n!! %s\n%s" % (bar, text.replace("\n", "\n!! "), bar))


def docker(*args, check=True, timeout=None, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    proc = subprocess.run(["docker", *args], timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise RuntimeError("docker %s failed (%d): %s" % (" ".join(args[:3]), proc.returncode,
                                                          (proc.stderr or b"").decode(errors="replace")[-2000:]))
    return proc


# ------------------------------------------------------------------ Docker itself
def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return docker("info", check=False, timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _apt_install(*packages) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode == 0


def ensure_docker() -> str | None:
    """None when a Docker daemon answers (started here if needed); else why it cannot."""
    if _docker_answers():
        return None
    if os.geteuid() != 0:
        return "no Docker daemon answers, and installing or starting one needs root"
    if not shutil.which("dockerd") or not shutil.which("docker"):
        say("container-test: installing Debian's docker.io ...")
        if not _apt_install("docker.io"):
            return "apt-get install docker.io failed"
    CACHE.mkdir(parents=True, exist_ok=True)
    log = CACHE / "dockerd.log"
    say("container-test: starting dockerd by hand (log: %s) ..." % log)
    with open(log, "ab") as f:
        daemon = subprocess.Popen(["dockerd"], stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    for _ in range(60):
        if _docker_answers():
            return None
        if daemon.poll() is not None:
            break
        time.sleep(1)
    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
    return "dockerd did not start (exit %s); last lines of %s:\n%s" % (daemon.poll(), log, "\n".join(tail))


def image_exists(tag: str) -> bool:
    return docker("image", "inspect", tag, check=False).returncode == 0


def image_size(tag: str) -> int:
    return int(docker("image", "inspect", "-f", "{{.Size}}", tag).stdout)


def mb(n: int) -> str:
    return "%.0f MB" % (n / 1e6)


# ------------------------------------------------------------------ base images
def base_image(suite: str) -> str:
    """ag-base:SUITE, made with debootstrap from Debian's packages (cached)."""
    if suite == "bookworm-py310":
        return _py310_image()
    tag = "ag-base:" + suite
    if image_exists(tag):
        return tag
    tar = CACHE / ("rootfs-%s.tar" % suite)
    if not tar.exists():
        if not shutil.which("debootstrap") and not _apt_install("debootstrap"):
            raise RuntimeError("debootstrap is missing and could not be installed")
        rootfs = CACHE / ("rootfs-" + suite)
        shutil.rmtree(rootfs, ignore_errors=True)
        say("container-test: debootstrap %s (a few minutes, once) ..." % suite)
        t0 = time.monotonic()
        with open(CACHE / ("debootstrap-%s.log" % suite), "wb") as log:
            subprocess.run(["debootstrap", "--variant=minbase", "--include=python3", suite, str(rootfs), MIRROR],
                           stdout=log, stderr=subprocess.STDOUT, check=True)
        for deb in (rootfs / "var/cache/apt/archives").glob("*.deb"):
            deb.unlink()
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tar) + ".part", "."], check=True)
        os.replace(str(tar) + ".part", tar)
        shutil.rmtree(rootfs, ignore_errors=True)
        say("container-test: debootstrap %s took %.0f s" % (suite, time.monotonic() - t0))
    with open(tar, "rb") as f:
        docker("import", "-", tag, stdin=f)
    return tag


def _py310_image() -> str:
    tag = "ag-base:bookworm-py310"
    if image_exists(tag):
        return tag
    found = sorted(glob.glob("/root/.pyenv/versions/3.10.*"))
    if not found:
        raise RuntimeError("no CPython 3.10 on this machine (/root/.pyenv/versions/3.10.*): Debian has none")
    base = base_image("bookworm")
    name = "ag-mk310-" + secrets.token_hex(4)
    docker("create", "--name", name, base, "/bin/true")
    try:
        docker("cp", found[-1], name + ":/opt/python3.10")
        docker("commit", name, tag + "-tmp")
    finally:
        docker("rm", "-f", name, check=False)
    # python3 on PATH (before /usr/bin) is 3.10: setup.sh and run_autograder use that one
    name2 = "ag-mk310-" + secrets.token_hex(4)
    try:
        docker("run", "--name", name2, tag + "-tmp", "/bin/sh", "-c",
               "echo /opt/python3.10/lib > /etc/ld.so.conf.d/ag-python3.10.conf && ldconfig && "   # its RUNPATH is pyenv's
               "ln -s /opt/python3.10/bin/python3.10 /usr/local/bin/python3 && "
               "ln -s /opt/python3.10/bin/python3.10 /usr/local/bin/python3.10 && python3 --version")
        docker("commit", "--change", 'CMD ["/bin/bash"]', name2, tag)
    finally:
        docker("rm", "-f", name2, check=False)
        docker("rmi", tag + "-tmp", check=False)
    return tag


# ------------------------------------------------------------------ the autograder image
BUILD_SCRIPT = r"""
set -eu
mkdir -p /autograder/source
cp -a /mnt/src/. /autograder/source/
cp /autograder/source/run_autograder /autograder/run_autograder
chmod +x /autograder/run_autograder
# This network re-signs TLS: the host's CA bundle, for this build only (never in the image).
export PIP_CERT=/mnt/ca.crt REQUESTS_CA_BUNDLE=/mnt/ca.crt SSL_CERT_FILE=/mnt/ca.crt APT_CONFIG=/mnt/apt.conf
cd /autograder/source
t0=$(date +%s.%N)
bash ./setup.sh
t1=$(date +%s.%N)
echo "AG-SETUP-SECONDS $(python3 -c "print(round($t1 - $t0, 1))")"
"""


def grader_image(suite: str, zip_path: Path, rebuild: bool = False) -> tuple:
    """(tag, figures): the image Gradescope would build from this zip on this base."""
    base = base_image(suite)
    base_id = docker("image", "inspect", "-f", "{{.Id}}", base).stdout.decode().strip()
    digest = hashlib.sha256(zip_path.read_bytes() + base_id.encode()).hexdigest()[:12]
    tag = "ag-grader:%s-%s" % (suite, digest)
    if image_exists(tag) and not rebuild:
        labels = json.loads(docker("image", "inspect", "-f", "{{json .Config.Labels}}", tag).stdout or b"{}") or {}
        return tag, {"setup_seconds": float(labels.get("ag.setup_seconds", "nan")), "base": image_size(base),
                     "image": image_size(tag), "cached": True}
    work = Path(tempfile.mkdtemp(prefix="ag-build-"))
    name = "ag-build-" + secrets.token_hex(4)
    try:
        with zipfile.ZipFile(zip_path) as z:
            for info in z.infolist():
                out = work / "src" / info.filename
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(z.read(info))
                os.chmod(out, (info.external_attr >> 16) & 0o777 or 0o644)
        shutil.copy(CA_BUNDLE, work / "ca.crt")
        (work / "apt.conf").write_text('Acquire::https::CAInfo "/mnt/ca.crt";\n')
        os.chmod(work, 0o755)
        say("container-test: [%s] building the autograder image (setup.sh) ..." % suite)
        proc = docker("run", "--name", name, "-v", "%s:/mnt:ro" % work, base, "/bin/bash", "-c", BUILD_SCRIPT,
                      check=False, stderr=subprocess.STDOUT, timeout=1800)
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError("setup.sh failed on %s (exit %d):\n%s" % (suite, proc.returncode, out[-4000:]))
        seconds = float(out.rsplit("AG-SETUP-SECONDS", 1)[1].split()[0])
        say("    " + "\n    ".join(line for line in out.splitlines() if "setup.sh:" in line))
        docker("commit", "--change", 'CMD ["/bin/bash"]', "--change", "LABEL ag.setup_seconds=%s" % seconds,
               name, tag)
    finally:
        docker("rm", "-f", name, check=False)
        shutil.rmtree(work, ignore_errors=True)
    _prune(suite, keep=tag)
    env = json.loads(docker("image", "inspect", "-f", "{{json .Config.Env}}", tag).stdout or b"[]") or []
    leaked = [e for e in env if e.split("=")[0] in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "APT_CONFIG")]
    left = docker("run", "--rm", tag, "/bin/sh", "-c", "ls -A /mnt").stdout.decode().split()
    if leaked or left:
        raise RuntimeError("the build's CA bundle leaked into the image: %s %s" % (leaked, left))
    return tag, {"setup_seconds": seconds, "base": image_size(base), "image": image_size(tag), "cached": False}


def _prune(suite: str, keep: str) -> None:
    """Older autograder images of this suite go (each is about 1 GB; CI builds one per change)."""
    tags = docker("images", "ag-grader", "--format", "{{.Repository}}:{{.Tag}}").stdout.decode().split()
    old = [t for t in tags if t.startswith("ag-grader:%s-" % suite) and t != keep
           and len(t) == len(keep)]      # same suite, not bookworm-py310 when pruning bookworm
    if old:
        docker("rmi", *old, check=False)


# ------------------------------------------------------------------ one grading
def grade(image: str, files: dict, limits: str = "", port: int = 0, wait_after: float = 0.0,
          worker_timeout: float = 0) -> dict:
    """Grade `files` ({relative path: bytes}) in a fresh container; returns results.json's data
    ('data'), its bytes ('raw'), the probe's summary, the token, and the run log's tail."""
    token = secrets.token_hex(12)
    marker = "/autograder/marque-" + secrets.token_hex(6)
    name = "ag-grade-" + secrets.token_hex(4)
    work = Path(tempfile.mkdtemp(prefix="ag-grade-"))
    env = []
    if limits:
        env += ["-e", "AG_LIMITS=" + limits]
    if worker_timeout:
        env += ["-e", "AG_WORKER_TIMEOUT=%s" % worker_timeout]
    try:
        sub = work / "submission"
        sub.mkdir()
        for rel, content in files.items():
            content = content(marker) if callable(content) else content
            (sub / rel).parent.mkdir(parents=True, exist_ok=True)
            (sub / rel).write_bytes(content)
        (work / "meta.json").write_text(json.dumps({"users": [{"email": token + "@umontreal.ca"}]}))
        (work / "jeton.txt").write_text("jeton " + token + "\n")
        docker("create", "--name", name, *GRADESCOPE, *env, image, "python3", "/ag-bench-probe.py",
               str(port), marker, str(wait_after))
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
    """tests/test_hostile.py and its helpers: the bench reuses their compositions, limits and
    expectations rather than restating them."""
    sys.path.insert(0, str(REPO / "tests"))
    import test_hostile
    from gradescope_spec import problems
    return test_hostile, problems


def common_problems(g: dict, rubric, expected: float | None) -> list:
    th, problems = _tests_module()
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
            bad.append("the student reached the local port (%d connections)" % s["connections"])
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


LOSES_OWN = {"bombe_disque": {"saying": "disque"}, "signaux_parent": {"allowed": {"2.i", "2.j", "2.k"}}}


def honest_score(th, name: str, rubric) -> float:
    """The honest twin graded on the host, in process (the same sandbox as `./ag grade`)."""
    from autograder import feedback
    from autograder.grading import grade_submission
    src = th.compose(name, "honnete.py") if (th.HOSTILE / name / "honnete.py").exists() \
        else th.FULL_MARKS.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="ag-twin-") as tmp:
        (Path(tmp) / "devoir3.py").write_text(src, encoding="utf-8")
        report = grade_submission(Path(tmp) / "devoir3.py", rubric, "fr")
        return feedback.results_json(report, rubric, "fr")["score"]


def hostile_files(th, name: str):
    """The submission of one attack, with the placeholders of tests/hostile/README.md set for the
    container (the marker path is only known per grading, hence a function of it)."""
    def subst(text: str, marker: str) -> str:
        for k, v in {"__RACINE__": "/autograder", "__DEPOT__": "/autograder/source", "__MARQUE__": marker,
                     "__PORT__": str(PORT)}.items():
            text = text.replace(k, v)
        return text
    base = th.compose(name)
    files = {"devoir3.py": lambda marker: subst(base, marker).encode("utf-8")}
    extra = th.HOSTILE / name / "soumission"
    if extra.is_dir():
        for p in extra.rglob("*.hostile"):
            text = p.read_text(encoding="utf-8")
            files[str(p.relative_to(extra))[:-len(".hostile")]] = (lambda t: lambda m: subst(t, m).encode())(text)
    return files


# ------------------------------------------------------------------ the cases
class Bench:
    def __init__(self, image: str, suite: str, rubric):
        self.image, self.suite, self.rubric = image, suite, rubric
        self.rows = []          # (case, score, expected, seconds, problems)

    out: Path | None = None     # where to keep each case's results.json and run log (--out)

    def record(self, case, g, expected, bad):
        score = g["data"].get("score")
        if self.out:
            stem = self.out / self.suite / case.replace("/", "_").replace(" ", "_")
            stem.parent.mkdir(parents=True, exist_ok=True)
            stem.with_suffix(".json").write_bytes(g["raw"])
            stem.with_suffix(".log").write_text(g["log"] + "\n" + json.dumps(g["summary"], indent=1))
        self.rows.append((case, score, expected, g["summary"].get("seconds"), bad))
        flag = "held" if not bad else "NOT HELD: " + "; ".join(bad)
        say("    %-34s score %-6s expected %-6s %6ss  %s" % (case, score, expected, g["summary"].get("seconds"), flag))
        if bad:
            say("      run_autograder's output (tail):\n        " + g["log"][-1500:].replace("\n", "\n        "))

    def full(self):
        files = {p.name: p.read_bytes() for p in (REPO / "examples/submissions/full_marks").iterdir() if p.is_file()}
        g = grade(self.image, files)
        bad = common_problems(g, self.rubric, 58)
        bad += ["item %s not passed" % t["number"] for t in g["data"].get("tests", [])
                if t.get("number") in {i.id for i in self.rubric.items} and t.get("status") != "passed"]
        self.record("full_marks", g, 58, bad)

    def blank(self):
        g = grade(self.image, {"devoir3.py": (REPO / "student_template/devoir3.py").read_bytes()})
        bad = common_problems(g, self.rubric, 0)
        bad += ["item %s scored %s" % (t["number"], t["score"]) for t in g["data"].get("tests", []) if t.get("score")]
        self.record("blank_template", g, 0, bad)

    def hostile(self, names=None, jobs: int = 1):
        th, _ = _tests_module()
        names = [n for n in sorted(HOSTILE) if not names or n in names]
        honest = {n: (HOSTILE[n] if HOSTILE[n] != "honest" else honest_score(th, n, self.rubric)) for n in names}
        alone = [n for n in names if n == "bombe_fork"]     # the process limit is per user: alone

        def one(name):
            g = grade(self.image, hostile_files(th, name), limits=th.LIMITS, port=PORT if name == "privileges" else 0,
                      wait_after=WAIT_AFTER.get(name, 0), worker_timeout=th.WORKER_TIMEOUT)
            expected = score_without(g["data"], self.rubric, **LOSES_OWN[name]) if honest[name] == "own" \
                else honest[name]
            bad = common_problems(g, self.rubric, expected)
            if name in EXTRA and g["data"]:
                bad += EXTRA[name](g["data"], g["raw"])
            return name, g, bad, expected
        ordered = sorted((n for n in names if n not in alone), key=lambda n: (n not in th.SLOW, n))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for name, g, bad, expected in pool.map(one, ordered):
                self.record("hostile/" + name, g, expected, bad)
        for name in alone:
            _, g, bad, expected = one(name)
            self.record("hostile/" + name, g, expected, bad)

    def concurrent(self):
        files = {"devoir3.py": (REPO / "examples/submissions/full_marks/devoir3.py").read_bytes()}
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            a, b = pool.map(lambda _: grade(self.image, files), range(2))
        for label, g in (("concurrent A (full marks)", a), ("concurrent B (full marks)", b)):
            self.record(label, g, 58, common_problems(g, self.rubric, 58))

    def nproc(self):
        """Full marks beside another container whose ag_student holds HOG_PROCESSES processes."""
        name = "ag-hog-" + secrets.token_hex(4)
        script = "for i in $(seq %d); do sleep 900 & done; wait" % HOG_PROCESSES
        docker("run", "-d", "--name", name, *GRADESCOPE, self.image, "runuser", "-u", "ag_student", "--",
               "/bin/sh", "-c", script)
        try:
            uid = int(docker("exec", name, "id", "-u", "ag_student").stdout)
            for _ in range(60):
                if _count_uid(uid) >= HOG_PROCESSES:
                    break
                time.sleep(0.5)
            held = _count_uid(uid)
            g = grade(self.image, {"devoir3.py": (REPO / "examples/submissions/full_marks/devoir3.py").read_bytes()})
            self.record("beside %d procs of ag_student" % held, g, 58, common_problems(g, self.rubric, 58))
        finally:
            docker("rm", "-f", name, check=False)


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


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="./ag container-test", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--suites", default="bookworm,trixie",
                   help="base images: bookworm (Python 3.11), trixie (3.13), bookworm-py310 (3.10)")
    p.add_argument("--cases", default=",".join(ALL_CASES), help="subset of %s" % ",".join(ALL_CASES))
    p.add_argument("--hostile-suites", help="suites that run the hostile set (default: the first suite only)")
    p.add_argument("--hostile", help="only these attacks (comma-separated names of tests/hostile/)")
    p.add_argument("-j", "--jobs", type=int, default=2,
                   help="hostile gradings at a time, each in its own container as on a Gradescope host "
                        "(default 2; the fork bomb runs alone)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the autograder image even if cached")
    p.add_argument("--out", help="keep each case's results.json and run_autograder output in this folder")
    p.add_argument("--zip", help="an autograder zip to test (default: ./ag zip of this checkout)")
    args = p.parse_args(argv)
    suites = [s for s in args.suites.split(",") if s]
    cases = [c for c in args.cases.split(",") if c]
    hostile_suites = args.hostile_suites.split(",") if args.hostile_suites else suites[:1]
    unknown = [s for s in suites if s not in SUITES] + [c for c in cases if c not in ALL_CASES]
    if unknown:
        p.error("unknown: %s" % unknown)

    why = ensure_docker()
    if why:
        loud("CONTAINER BENCH SKIPPED: Docker is not available here.\n" + why)
        return SKIPPED
    from autograder.rubric import load
    rubric = load()
    if args.zip:
        zip_path = Path(args.zip)
    else:
        from autograder.packaging import build_zip
        zip_path = build_zip(Path(tempfile.mkdtemp(prefix="ag-zip-")) / "autograder.zip")
    failed, t_start = [], time.monotonic()
    for suite in suites:
        say("\n== %s (Python %s)" % (suite, SUITES[suite]))
        try:
            image, fig = grader_image(suite, zip_path, args.rebuild)
        except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            loud("[%s] could not build the image: %s" % (suite, exc))
            failed.append((suite, "image", str(exc)[:300]))
            continue
        py = docker("run", "--rm", image, "/opt/ift3395-venv/bin/python", "--version", check=False).stdout
        say("    image %s: setup.sh %.1f s%s; base %s -> %s (+%s); grader %s" % (
            image, fig["setup_seconds"], " (cached build)" if fig["cached"] else "", mb(fig["base"]),
            mb(fig["image"]), mb(fig["image"] - fig["base"]), py.decode().strip()))
        bench = Bench(image, suite, rubric)
        bench.out = Path(args.out) if args.out else None
        for case in cases:
            if case == "hostile":
                if suite in hostile_suites:
                    bench.hostile(args.hostile.split(",") if args.hostile else None, args.jobs)
            else:
                getattr(bench, case)()
        failed += [(suite, row[0], row[4]) for row in bench.rows if row[4]]
    say("\n== container bench: %d suite(s), %.0f s" % (len(suites), time.monotonic() - t_start))
    if failed:
        for suite, case, bad in failed:
            say("   NOT HELD  [%s] %s: %s" % (suite, case, bad))
        return 1
    say("   every case held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
