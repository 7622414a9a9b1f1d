# Floods of output: megabytes printed at import and during a call, a 10 MB exception
# message, a 1 MB string answer. The feedback keeps a few lines; results.json stays small.
import sys as _sys

_sys.stdout.write("inonde " * 300000)
_sys.stderr.write("erreur " * 300000)


_q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file


def q2c_pourquoi():
    for _ in range(8):
        _sys.stdout.write("x" * (1 << 20))
    return _q2c_juste()


def q2l_derivee_hs_j(grad_oa, W2, j):
    raise ValueError("y" * 10 ** 7)


def q2h_parametres():
    return ["W1" * 500000, "b1", "W2", "b2"]
