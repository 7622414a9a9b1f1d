#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# (Ubuntu 22.04 or 24.04). It leaves the system python3 alone: the grader gets
# its own virtual environment with the pinned requirements.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AG_VENV:-/opt/ift3395-venv}"
user="${AG_SANDBOX_USER:-ag_student}"

if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip >/dev/null
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
"$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$here/requirements.txt"
chmod -R a+rX,go-w "$venv"   # the sandbox user runs this interpreter (numpy only), never writes it

# The unprivileged user that student code runs as (see autograder/sandbox/runner.py): no home,
# no shell, no password, a group of its own. It must not own anything the grader relies on.
if ! id "$user" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
fi
# Warm the caches so the first submission does not pay for bytecode compilation.
"$venv/bin/python" -c "import numpy, sympy, yaml, gradescope_utils" >/dev/null
# The sandbox user must be able to run the interpreter and import numpy (else every child fails).
# (runuser, not setpriv: setpriv keeps root's capabilities until exec, so it would find the path.)
if command -v runuser >/dev/null 2>&1; then
  if ! (cd / && runuser -u "$user" -- "$venv/bin/python" -I -c "import numpy" >/dev/null 2>&1); then
    echo "setup.sh: WARNING: user $user cannot run $venv/bin/python with numpy" >&2
  fi
fi
echo "setup.sh: ready ($("$venv/bin/python" --version); sandbox user $user)"
