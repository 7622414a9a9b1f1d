#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# (Ubuntu 22.04 or 24.04; Debian works too). It leaves the system python3 alone: the
# grader gets its own virtual environment with the pinned requirements. Any problem
# stops it with a non-zero exit and a message saying what failed.
set -euo pipefail
trap 'echo "setup.sh: FAILED (line $LINENO: $BASH_COMMAND)" >&2' ERR
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AG_VENV:-/opt/ift3395-venv}"
user="${AG_SANDBOX_USER:-ag_student}"
die() { echo "setup.sh: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (Gradescope does)"
command -v python3 >/dev/null || die "python3 is missing"
# python3-venv brings ensurepip and its pip wheel: nothing else is needed, and no
# recommends (python3-pip with recommends pulls in gcc, g++ and python3-dev: +850 MB).
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  # Gradescope runs apt-get update just before setup.sh: the package lists are tried first.
  apt_venv() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; }
  apt_venv 2>/dev/null || { apt-get update -qq && apt_venv; }
  python3 -c "import venv, ensurepip" || die "python3-venv installed but python3 still has no venv/ensurepip"
  apt-get clean && rm -rf /var/lib/apt/lists/*    # the image keeps no apt cache (about 110 MB)
fi
# No pip inside the venv (no grading needs it; installing and compiling it cost about 4 s of
# CPU): the pip wheel that ensurepip would install runs the install from where it lies.
python3 -m venv --without-pip "$venv"
pip_wheel="$(python3 -c 'import ensurepip, glob, os
dirs = [getattr(ensurepip, "_WHEEL_PKG_DIR", None), os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")]
print(([w for d in dirs if d for w in sorted(glob.glob(os.path.join(d, "pip-*.whl")))] + [""])[0])')"
[ -n "$pip_wheel" ] || die "ensurepip has no pip wheel (python3-venv incomplete?)"
# That pip is used as is (no unpinned upgrade): the requirements are pinned wheels.
# --no-compile: the venv is compiled below in parallel (compileall -j 0) instead of one file at a time.
"$venv/bin/python" "$pip_wheel/pip" install --disable-pip-version-check --no-cache-dir --no-compile -q \
  -r "$here/requirements.txt"
# Precompiled once here, so that no grading writes .pyc files (the child runs with -B).
"$venv/bin/python" -m compileall -q -j 0 "$here/autograder" "$here/student_template" "$here/reference" >/dev/null \
  || die "compileall of the grader failed"
# Not compiled, never imported by a grading: the libraries' own test suites (numpy/*/tests,
# sympy/*/tests: 33 MB of .pyc) and the installers (pip, setuptools).
"$venv/bin/python" -m compileall -q -j 0 -x '/tests?/|/site-packages/(pip|setuptools|pkg_resources|_distutils_hack)/' \
  "$venv/lib" >/dev/null || die "compileall of $venv failed"
# After compileall: the imports then read .pyc files (about 0.4 s instead of 2.6 s).
"$venv/bin/python" -c "import numpy, sympy, yaml, gradescope_utils, pyseccomp" \
  || die "the pinned requirements do not import in $venv"
chmod -R a+rX,go-w "$venv"   # student code runs this interpreter (numpy only), never writes it
# ... and reads numpy only (issue 20): sympy, mpmath and the rest of site-packages are the grader's.
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
for entry in "$site"/*; do
  case "$(basename "$entry")" in numpy|numpy.libs|numpy-*) ;; *) chmod -R go-rwx "$entry" ;; esac
done

# The reference answers (every check's seeded cases and expected values, the catalogue's wrong
# twins), computed once for the image (autograder/answers.py): no grading computes them again.
# Kept in $here/.cache/answers (0700, root's), out of the sandboxed student code's reach.
(cd "$here" && "$venv/bin/python" -m autograder precompute >/dev/null) || die "python -m autograder precompute failed"

# Student code runs under a uid of its own for each grading (autograder/sandbox/identity.py):
# a uid no account has, so the interpreter must be usable by "others". Checked here with
# such a uid, from /, as the child starts: else every item of every submission would fail.
"$venv/bin/python" - "$venv/bin/python" <<'EOF' || die "a sandbox uid must run $venv/bin/python with numpy (every folder above it o+x, its files o+r) and nothing else of site-packages (the line above says which failed)"
import os, subprocess, sys
def drop():
    os.setgroups([]); os.setgid(2147480001); os.setuid(2147480001)
r = subprocess.run([sys.argv[1], "-I", "-B", "-c", "import numpy"], cwd="/", preexec_fn=drop,
                   env={"PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.write(r.stderr.decode("utf-8", "replace")[-2000:])
if r.returncode:
    sys.stderr.write("a sandbox uid cannot import numpy with this interpreter\n")
# `import sympy` alone succeeds on the hidden (0700) folder: Python reads a folder it cannot
# enter as an empty namespace package. What must fail is reaching sympy's code.
hidden = subprocess.run([sys.argv[1], "-I", "-B", "-c", "from sympy import Symbol"], cwd="/", preexec_fn=drop,
                        env={"PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if hidden.returncode == 0:
    sys.stderr.write("a sandbox uid can import sympy: site-packages is not restricted to numpy\n")
sys.exit(r.returncode or hidden.returncode == 0)
EOF

# The named sandbox user (AG_SANDBOX_USER picks it instead of a per-grading uid): no home,
# no shell, no password, a group of its own. It must not own anything the grader relies on.
if ! id "$user" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" \
    || die "could not create the user $user"
fi
echo "setup.sh: ready ($("$venv/bin/python" --version); $venv)"
