# Signals to itself and to its own process group: SIGKILL, SIGSEGV, SIGTERM, SIGSTOP (a
# stopped process never answers: a time-out), SIGXCPU. Each costs its own item.
import os as _os
import signal as _signal


def q2d_perte_mse(oa, y):
    _os.kill(_os.getpid(), _signal.SIGKILL)


def q2d_derivee_mse(oa, y):
    _os.kill(_os.getpid(), _signal.SIGSEGV)


def q2e_perte_ce(oa, y):
    _os.killpg(0, _signal.SIGKILL)


def q2e_derivee_ce(oa, y):
    _signal.raise_signal(_signal.SIGTERM)


def q2g_perte(oa, y):
    _os.kill(0, _signal.SIGSTOP)


def q2n_derivee_sigma(z):
    _os.kill(_os.getpid(), _signal.SIGXCPU)
