# Conversions that hang, recurse or raise when the child converts the answer; NaN, None,
# wrong types and shapes. Each costs its own item; the grader never calls these objects.
import numpy as _np


class _Boucle:
    def __array__(self, dtype=None, copy=None):
        while True:
            pass


class _Recursion:
    def __array__(self, dtype=None, copy=None):
        return _np.asarray(self)


class _Sortie:
    def __float__(self):
        raise SystemExit(0)


class _Attribut:
    def __getattr__(self, name):
        import time
        time.sleep(10 ** 6)


def q2b_activation_sortie(W2, b2, hs):
    return _Boucle()


def q1k_jacobienne_softmax(S):
    return _Recursion()


def q2c_softmax(oa):
    out = _np.empty(oa.shape, dtype=object)
    out[...] = _Sortie()
    return out


def q2m_gradient_hs(grad_oa, W2):
    return _Attribut()


def q2h_nombre_parametres(d, d_h, m):
    return float("nan")


def q3b_nombre_parametres_conv(c_in, c_out, k):
    return None


def q2k_gradient_W2(grad_oa, hs):
    return (grad_oa @ hs.T).T          # wrong shape


def q2i_gradient_oa(os, y):
    return {"gradient": "os - onehot(y)"}   # wrong type
