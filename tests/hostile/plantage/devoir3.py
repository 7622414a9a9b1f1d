# Crashing the interpreter: a null pointer read, a C stack overflow, abort(), a fatal
# error. Each costs its own item; a fresh worker serves the next one.
import ctypes as _ctypes
import os as _os
import sys as _sys


def q2j_derivee_W2_kj(grad_oa, hs, k, j):
    return _ctypes.string_at(0)


def q2j_derivee_b2_k(grad_oa, k):
    _sys.setrecursionlimit(10 ** 8)

    def f(n):
        return f(n + 1) + 1
    return f(0)


def q2k_gradient_W2(grad_oa, hs):
    _os.abort()


def q2k_gradient_b2(grad_oa):
    import faulthandler
    faulthandler._sigsegv()
