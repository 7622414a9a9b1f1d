# Answers that would run code if the grader decoded them carelessly: pickle payloads
# (__reduce__), strings of Python or sympy code, malicious expression trees, objects of
# every odd type. Each is refused or graded as the plain (wrong) value it is.
import os as _os

import outils as _outils

_CODE = "__import__('os').system('touch __MARQUE__')"


class _Cornichon:
    def __reduce__(self):
        return (_os.system, ("touch __MARQUE__",))


def q2c_pourquoi():
    return _CODE


def q2h_parametres():
    return ["W1", _CODE, "b2", "exec(%r)" % _CODE]


def q1d_etapes(x):
    return ["log(sigma(x))", _CODE, "-softplus(-x)"]


def q2f_limites():
    return {"mse": _Cornichon(), "ce": -1, "meilleure": "ce"}


def q1h_contre_exemple():
    return (_Cornichon(), 2.0)


def q1c_derivee_sigmoide(x):
    return _outils.Symbole(("__import__", ("sym", "os")))


def q1e_etapes(x):
    return [_outils.Symbole(("sym", "os.system('touch __MARQUE__')")), x]


def q1i_etapes(x, c, i):
    t = ("sym", "x0")
    for _ in range(5000):
        t = ("exp", t)
    return [_outils.Symbole(t), _outils.Symbole(t)]


def q2b_dimensions(d, d_h, m):
    return {"W2": {1, 2}, "b2": b"bytes", "eval": complex(1, 2)}


def q3a_formes():
    return {"couche1": (x for x in range(3)), "couche2": _os, "couche3": print, "total": type}
