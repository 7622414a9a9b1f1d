# Exiting early: sys.exit, os._exit, SystemExit, KeyboardInterrupt, an atexit hook that
# exits with another code. Each costs its own item; the rest is graded.
import atexit as _atexit
import os as _os
import sys as _sys

_atexit.register(lambda: _os._exit(0))


def q1a_signe(x):
    _sys.exit(0)


def q1b_derivee_relu(x):
    _os._exit(3)


def q1c_derivee_sigmoide(x):
    raise SystemExit("fin")


def q1d_etapes(x):
    raise KeyboardInterrupt


def q1e_etapes(x):
    _sys.exit()
