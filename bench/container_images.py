"""Docker, the base images and the autograder image of the container bench (bench/container.py).

Base images are made with debootstrap from the distributions' own archives (no image registry),
verified, and cached twice: as Docker images `ag-base:SUITE` and as root file systems in
CACHE/base-SUITE.tar (a lost image comes back without the network). The autograder image is
built from the zip as Gradescope builds it; see docs/container_bench.md.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("AG_CONTAINER_CACHE", "/var/cache/ag-container"))
DOCKERD_LOG = Path(os.environ.get("AG_DOCKERD_LOG", "/var/log/ag-container-dockerd.log"))
CA_BUNDLE = Path(os.environ.get("AG_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
SETUP_LOG_NAME = "setup-times.log"
BASE_LABEL_VERSION = "2"      # bump when the recipe of the base images changes


@dataclass(frozen=True)
class Suite:
    name: str
    distro: str            # "ubuntu" or "debian"
    title: str             # what Gradescope calls it, or the Debian release
    python: str            # the version of its /usr/bin/python3
    mirror: str
    pockets: tuple         # the suites in the image's sources (updates and security, as the distribution ships)
    components: str


UBUNTU = os.environ.get("AG_UBUNTU_MIRROR", "http://archive.ubuntu.com/ubuntu")
DEBIAN = os.environ.get("AG_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SUITES = {
    "jammy": Suite("jammy", "ubuntu", "Ubuntu 22.04", "3.10", UBUNTU, ("jammy", "jammy-updates", "jammy-security"),
                   "main universe"),
    "noble": Suite("noble", "ubuntu", "Ubuntu 24.04", "3.12", UBUNTU, ("noble", "noble-updates", "noble-security"),
                   "main universe"),
    "bookworm": Suite("bookworm", "debian", "Debian 12", "3.11", DEBIAN, ("bookworm", "bookworm-updates"), "main"),
    "trixie": Suite("trixie", "debian", "Debian 13", "3.13", DEBIAN, ("trixie", "trixie-updates"), "main"),
}
# The Ubuntu archive's signing key, "Ubuntu Archive Automatic Signing Key (2018)
# <ftpmaster@ubuntu.com>", as Ubuntu publishes it: the anchor when this machine has no
# Ubuntu keyring of its own (Debian ships none).
UBUNTU_ARCHIVE_FINGERPRINTS = {"F6ECB3762474EDA9D21B7022871920D1991BC93C"}
HOST_KEYRINGS = {"ubuntu": Path("/usr/share/keyrings/ubuntu-archive-keyring.gpg"),
                 "debian": Path("/usr/share/keyrings/debian-archive-keyring.gpg")}


class BenchError(RuntimeError):
    """Something the bench could not do: said as a NOT HELD line, never as a traceback."""


def say(*parts) -> None:
    print(*parts, flush=True)


def docker(*args, check=True, timeout=None, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    try:
        proc = subprocess.run(["docker", *args], timeout=timeout, **kw)
    except subprocess.TimeoutExpired as exc:
        raise BenchError("docker %s: no answer in %s s" % (" ".join(args[:3]), timeout)) from exc
    if check and proc.returncode != 0:
        raise BenchError("docker %s failed (%d): %s" % (" ".join(args[:3]), proc.returncode,
                                                        (proc.stderr or b"").decode(errors="replace")[-2000:]))
    return proc


def cache_dir() -> Path:
    """CACHE, made whenever it is missing (it may be deleted between two runs)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


# ------------------------------------------------------------------ Docker itself
def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return docker("info", check=False, timeout=20).returncode == 0
    except BenchError:
        return False


def apt_install(*packages) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def ensure_docker() -> str | None:
    """None when a Docker daemon answers (started here if needed); else why it cannot."""
    if _docker_answers():
        return None
    if os.geteuid() != 0:
        return "no Docker daemon answers, and installing or starting one needs root"
    if not shutil.which("dockerd") or not shutil.which("docker"):
        say("container-test: installing Debian's docker.io ...")
        if not apt_install("docker.io"):
            return "apt-get install docker.io failed"
    DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
    say("container-test: starting dockerd (no service manager here; log: %s) ..." % DOCKERD_LOG)
    with open(DOCKERD_LOG, "ab") as f:
        daemon = subprocess.Popen(["dockerd"], stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    for _ in range(60):
        if _docker_answers():
            return None
        if daemon.poll() is not None:
            break
        time.sleep(1)
    tail = DOCKERD_LOG.read_text(errors="replace").strip().splitlines()[-5:]
    return "dockerd did not start (exit %s); last lines of %s:\n%s" % (daemon.poll(), DOCKERD_LOG, "\n".join(tail))


BENCH_CONTAINERS = ("ag-grade-", "ag-build-", "ag-upgrade-", "ag-neighbour-", "ag-hog-")


def remove_leftovers() -> None:
    """Stopped containers an interrupted run left behind (running ones may be another run's:
    each stops by itself, the neighbour after 15 minutes, the hog's sleeps after 15)."""
    out = docker("ps", "-a", "--filter", "status=exited", "--filter", "status=created",
                 "--format", "{{.Names}}", check=False).stdout.decode().split()
    old = [n for n in out if n.startswith(BENCH_CONTAINERS)]
    if old:
        docker("rm", "-f", *old, check=False)


def image_exists(tag: str) -> bool:
    return docker("image", "inspect", tag, check=False).returncode == 0


def image_size(tag: str) -> int:
    return int(docker("image", "inspect", "-f", "{{.Size}}", tag).stdout)


def image_labels(tag: str) -> dict:
    return json.loads(docker("image", "inspect", "-f", "{{json .Config.Labels}}", tag).stdout or b"{}") or {}


# ------------------------------------------------------------------ base images
def base_image(suite: Suite) -> str:
    """ag-base:SUITE: the distribution's minimal userland with its own python3 (cached)."""
    tag = "ag-base:" + suite.name
    if image_exists(tag) and image_labels(tag).get("ag.base") == BASE_LABEL_VERSION:
        return tag
    tar = cache_dir() / ("base-%s-v%s.tar" % (suite.name, BASE_LABEL_VERSION))
    if not tar.exists():
        _make_base_tar(suite, tar)
    with open(tar, "rb") as f:
        docker("import", "--change", 'CMD ["/bin/bash"]', "--change", "LABEL ag.base=" + BASE_LABEL_VERSION,
               "-", tag, stdin=f, timeout=900)
    return tag


def _make_base_tar(suite: Suite, tar: Path) -> None:
    """debootstrap --variant=minbase --include=python3, the archive's signature checked, then the
    image's sources (updates, security) and an upgrade, as the distribution's own image has."""
    if not shutil.which("debootstrap") and not apt_install("debootstrap"):
        raise BenchError("debootstrap is missing and could not be installed")
    rootfs = Path(tempfile.mkdtemp(prefix="ag-rootfs-%s-" % suite.name, dir=cache_dir()))
    log_path = cache_dir() / ("debootstrap-%s.log" % suite.name)
    script = Path("/usr/share/debootstrap/scripts") / suite.name
    if not script.exists():      # a debootstrap older than the release: the family's script
        script = script.parent / ("gutsy" if suite.distro == "ubuntu" else "sid")
    keyring = HOST_KEYRINGS[suite.distro]
    check = ["--keyring", str(keyring)] if keyring.exists() else ["--no-check-gpg"]
    say("container-test: [%s] debootstrap from %s (%s; about a minute, once) ..." % (
        suite.name, suite.mirror, "keyring " + str(keyring) if keyring.exists() else
        "this machine has no %s keyring: the signature is checked afterwards" % suite.distro))
    t0 = time.monotonic()
    try:
        with open(log_path, "wb") as log:
            rc = subprocess.run(["debootstrap", "--variant=minbase", "--include=python3", *check, suite.name,
                                 str(rootfs), suite.mirror, str(script)],
                                stdout=log, stderr=subprocess.STDOUT, timeout=1800).returncode
        if rc != 0:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
            raise BenchError("debootstrap %s failed (exit %d), %s:\n%s" % (suite.name, rc, log_path, "\n".join(tail)))
        if not keyring.exists():
            say("    " + verify_release_signature(suite, rootfs))
        _sources(suite, rootfs)
        for deb in (rootfs / "var/cache/apt/archives").glob("*.deb"):
            deb.unlink()
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tar) + ".part", "."], check=True)
    except subprocess.TimeoutExpired as exc:
        raise BenchError("debootstrap %s: no end in 30 minutes" % suite.name) from exc
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    # Import, upgrade from updates and security, and keep the result as the cached tar.
    raw = "ag-base-raw:" + suite.name
    with open(str(tar) + ".part", "rb") as f:
        docker("import", "-", raw, stdin=f, timeout=900)
    os.unlink(str(tar) + ".part")
    name = "ag-upgrade-" + secrets.token_hex(4)
    try:
        proc = docker("run", "--name", name, raw, "/bin/sh", "-c",
                      "export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get -y -q dist-upgrade && "
                      "apt-get clean && rm -rf /var/lib/apt/lists/* && /usr/bin/python3 --version",
                      check=False, stderr=subprocess.STDOUT, timeout=1800)
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != 0:
            raise BenchError("the upgrade of %s failed (exit %d):\n%s" % (suite.name, proc.returncode, out[-2000:]))
        with open(str(tar) + ".part", "wb") as f:
            docker("export", name, stdout=f, timeout=900)
        os.replace(str(tar) + ".part", tar)
    finally:
        docker("rm", "-f", name, check=False)
        docker("rmi", raw, check=False)
    say("container-test: [%s] base ready in %.0f s (%s)" % (suite.name, time.monotonic() - t0,
                                                          out.strip().splitlines()[-1]))


def verify_release_signature(suite: Suite, rootfs: Path) -> str:
    """Where the machine has no keyring for the archive: the Release files debootstrap used
    (each package was checked against them) must carry a good signature by a key of the
    pinned fingerprints, read from the keyring the new userland installed. Raises otherwise."""
    keyring = rootfs / "usr/share/keyrings/ubuntu-archive-keyring.gpg"
    lists = rootfs / "var/lib/apt/lists"
    checked = []
    for signed, data in ((lists.glob("*_%s_InRelease" % suite.name), None),
                         (lists.glob("*_%s_Release.gpg" % suite.name), "Release")):
        for sig in signed:
            files = [str(sig)] + ([str(sig)[:-len(".gpg")]] if data else [])
            proc = subprocess.run(["gpgv", "--status-fd", "1", "--keyring", str(keyring), *files],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            valid = [line.split()[2] for line in proc.stdout.decode().splitlines() if line.startswith("[GNUPG:] VALIDSIG")]
            if proc.returncode != 0 or not set(valid) & UBUNTU_ARCHIVE_FINGERPRINTS:
                raise BenchError("%s: no good signature by the Ubuntu archive key (%s)" % (sig.name, valid or proc.returncode))
            checked.append(sig.name.rsplit("_", 1)[-1])
    if not checked:
        raise BenchError("debootstrap left no Release file to check in %s" % lists)
    return "signature of %s checked: Ubuntu archive key %s" % ("+".join(checked), sorted(UBUNTU_ARCHIVE_FINGERPRINTS)[0])


def _sources(suite: Suite, rootfs: Path) -> None:
    lines = ["deb %s %s %s" % (suite.mirror, pocket, suite.components) for pocket in suite.pockets]
    if suite.distro == "debian":
        lines.append("deb http://deb.debian.org/debian-security %s-security main" % suite.name)
    (rootfs / "etc/apt/sources.list").write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------ the autograder image
# As Gradescope builds an autograder image from the zip: unzipped into /autograder/source,
# run_autograder copied to /autograder, then, from / (no working directory is set),
# `apt-get update && bash /autograder/source/setup.sh && apt-get clean && rm -rf ...`.
# /mnt holds the zip's content and, for setups behind a proxy that re-signs TLS, the host's CA
# bundle: named for this build only, never kept in the image (checked below).
BUILD_SCRIPT = r"""
set -eu
mkdir -p /autograder/source
cp -a /mnt/src/. /autograder/source/
cp /autograder/source/run_autograder /autograder/run_autograder
chmod +x /autograder/run_autograder
export PIP_CERT=/mnt/ca.crt REQUESTS_CA_BUNDLE=/mnt/ca.crt SSL_CERT_FILE=/mnt/ca.crt APT_CONFIG=/mnt/apt.conf
cd /
now() { /usr/bin/python3 -c 'import time; print(time.time())'; }
cpu() {   # CPU seconds used so far by this container (cgroup v2, else v1): a figure the load barely moves
  /usr/bin/python3 -c "
try:
    print(int(open('/sys/fs/cgroup/cpu.stat').read().split()[1]) / 1e6)
except OSError:
    print(int(open('/sys/fs/cgroup/cpuacct/cpuacct.usage').read()) / 1e9)"
}
t0=$(now)
apt-get update -qq
t1=$(now)
c1=$(cpu)
if [ -n "${AG_TRACE:-}" ]; then    # timing runs: each command's start time, to say where the time goes
  bash -c 'exec 9>/ag-setup-trace; BASH_XTRACEFD=9; PS4="+ \$EPOCHREALTIME "; set -x; source /autograder/source/setup.sh'
else
  bash /autograder/source/setup.sh
fi
t2=$(now)
c2=$(cpu)
[ -z "${AG_TRACE:-}" ] || { echo AG-TRACE-BEGIN; cat /ag-setup-trace; echo AG-TRACE-END; rm -f /ag-setup-trace; }
apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
/usr/bin/python3 -c "print('AG-SECONDS apt-update %.1f setup %.1f cpu %.1f' % ($t1 - $t0, $t2 - $t1, $c2 - $c1))"
"""


def _unzip(zip_path: Path, dest: Path) -> None:
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            out = dest / info.filename
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(z.read(info))
            os.chmod(out, (info.external_attr >> 16) & 0o777 or 0o644)


def run_setup(base: str, zip_path: Path, commit_as: str | None = None) -> dict:
    """One Gradescope-style build on `base`; {'apt_update': s, 'setup': s, 'output': text, 'steps':
    [(seconds, command)]}. Committed as `commit_as` when given, else thrown away: a timing run,
    where setup.sh is sourced with a timestamped trace to say which steps take the time."""
    work = Path(tempfile.mkdtemp(prefix="ag-build-"))
    name = "ag-build-" + secrets.token_hex(4)
    try:
        _unzip(zip_path, work / "src")
        ca = CA_BUNDLE if CA_BUNDLE.exists() else None
        (work / "ca.crt").write_bytes(ca.read_bytes() if ca else b"")
        (work / "apt.conf").write_text('Acquire::https::CAInfo "/mnt/ca.crt";\n' if ca else "")
        os.chmod(work, 0o755)
        trace = [] if commit_as else ["-e", "AG_TRACE=1"]
        proc = docker("run", "--name", name, *trace, "-v", "%s:/mnt:ro" % work, base, "/bin/bash", "-c", BUILD_SCRIPT,
                      check=False, stderr=subprocess.STDOUT, timeout=1800)
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != 0 or "AG-SECONDS" not in out:
            raise BenchError("setup.sh failed on %s (exit %d):\n%s" % (base, proc.returncode, out[-3000:]))
        words = out.rsplit("AG-SECONDS", 1)[1].split()
        fig = {"apt_update": float(words[1]), "setup": float(words[3]), "cpu": float(words[5]), "output": out,
               "steps": _steps(out)}
        if commit_as:
            docker("commit", "--change", 'CMD ["/bin/bash"]', "--change", "WORKDIR /autograder",
                   "--change", "LABEL ag.setup_seconds=%s" % fig["setup"], "--change", "LABEL ag.setup_cpu=%s" % fig["cpu"],
                   name, commit_as, timeout=900)
        return fig
    finally:
        docker("rm", "-f", name, check=False)
        shutil.rmtree(work, ignore_errors=True)


def _steps(out: str) -> list:
    """[(seconds, command)] from the trace of a timing run, longest first."""
    if "AG-TRACE-BEGIN" not in out:
        return []
    lines = out.split("AG-TRACE-BEGIN", 1)[1].split("AG-TRACE-END", 1)[0].splitlines()
    marks = []
    for line in lines:
        parts = line.lstrip("+").split(" ", 2)
        if len(parts) == 3 and line.startswith("+") and parts[0] == "" and parts[1].replace(".", "").isdigit():
            marks.append((float(parts[1]), parts[2][:70]))
    steps = [(b[0] - a[0], a[1]) for a, b in zip(marks, marks[1:])]
    return sorted(steps, reverse=True)


def log_setup_time(suite: str, seconds: float, label: str) -> list:
    """Append one setup time to CACHE/setup-times.log; returns this suite's last five."""
    path = cache_dir() / SETUP_LOG_NAME
    load = os.getloadavg()
    with open(path, "a") as f:
        f.write("%s\t%s\t%.1f\tload %.2f %.2f %.2f\t%s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), suite, seconds,
                                                           *load, label))
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.count("\t") >= 3]
    return [float(r[2]) for r in rows if r[1] == suite][-5:]


def median_line(times: list) -> str:
    if not times:
        return "no setup time logged"
    return "median of the last %d in %s: %.1f s (%s)" % (len(times), cache_dir() / SETUP_LOG_NAME,
                                                         statistics.median(times), ", ".join("%.1f" % t for t in times))


def grader_image(suite: Suite, zip_path: Path, rebuild: bool = False) -> tuple:
    """(tag, figures): the image Gradescope would build from this zip on this base."""
    base = base_image(suite)
    base_id = docker("image", "inspect", "-f", "{{.Id}}", base).stdout.decode().strip()
    digest = hashlib.sha256(zip_path.read_bytes() + base_id.encode()).hexdigest()[:12]
    tag = "ag-grader:%s-%s" % (suite.name, digest)
    if image_exists(tag) and not rebuild:
        labels = image_labels(tag)
        return tag, {"setup": float(labels.get("ag.setup_seconds", "nan")), "apt_update": float("nan"),
                     "cpu": float(labels.get("ag.setup_cpu", "nan")),
                     "base": image_size(base), "image": image_size(tag), "cached": True}
    say("container-test: [%s] building the autograder image (apt-get update, then setup.sh from /) ..." % suite.name)
    fig = run_setup(base, zip_path, commit_as=tag)
    say("    " + "\n    ".join(line for line in fig["output"].splitlines() if line.startswith("setup.sh:")))
    _prune(suite.name, keep=tag)
    env = json.loads(docker("image", "inspect", "-f", "{{json .Config.Env}}", tag).stdout or b"[]") or []
    leaked = [e for e in env if e.split("=")[0] in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "APT_CONFIG")]
    left = docker("run", "--rm", tag, "/bin/sh", "-c", "ls -A /mnt").stdout.decode().split()
    if leaked or left:
        raise BenchError("the build's CA bundle leaked into the image: %s %s" % (leaked, left))
    fig.update(base=image_size(base), image=image_size(tag), cached=False)
    return tag, fig


def _prune(suite: str, keep: str) -> None:
    """Older autograder images of this suite go (each is about 1 GB; CI builds one per change)."""
    tags = docker("images", "ag-grader", "--format", "{{.Repository}}:{{.Tag}}").stdout.decode().split()
    old = [t for t in tags if t.startswith("ag-grader:%s-" % suite) and t != keep]
    if old:
        docker("rmi", *old, check=False)


def system_python(tag: str) -> str:
    """`/usr/bin/python3 --version` of an image, and the grader's interpreter's."""
    out = docker("run", "--rm", tag, "/bin/sh", "-c",
                 "/usr/bin/python3 --version; /opt/ift3395-venv/bin/python --version", check=False).stdout
    return " / ".join(out.decode().split("\n")[:2]).strip()
