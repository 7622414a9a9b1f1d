# Memory bombs: one huge allocation, then memory eaten in chunks until the limit. The
# child's address-space limit stops them; the grader is untouched.
import numpy as _np


def q2a_preactivation(W1, b1, x):
    return _np.ones(10 ** 11)


def q2a_sortie_cachee(ha):
    tas = []
    while True:
        tas.append(bytearray(64 * 1024 * 1024))
