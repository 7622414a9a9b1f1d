"""Fonctions mathématiques pour le devoir 3 (IFT 3395) — math helpers for homework 3.

Écrivez vos formules avec ces fonctions : elles acceptent des nombres, des
tableaux numpy ET les symboles que le correcteur vous passe pour lire votre
formule. Une formule écrite une seule fois est ainsi évaluée numériquement et
comparée symboliquement.
(Write your formulas with these helpers: they work on numbers, numpy arrays and
on the grader's symbols, so one formula is graded numerically and symbolically.)

    exp, log, sqrt, tanh, cosh, sinh, valeur_absolue (abs_)
    sigma (sigmoide), softplus, relu, heaviside, maximum, minimum
    indicatrice(condition)      ex. indicatrice(x > 0)  -> 1 si x > 0, sinon 0
    diag(v), somme(v), softmax(v), onehot(y, m)

Les opérateurs + - * / ** et les comparaisons < <= > >= fonctionnent aussi.
N'utilisez pas `if x > 0:` sur un symbole : écrivez indicatrice(x > 0).
(Do not branch with `if` on a symbol: use indicatrice.)

Ce fichier est fourni ; ne le modifiez pas et ne le soumettez pas.
"""
import numbers

import numpy as np

__all__ = [
    "exp", "log", "sqrt", "tanh", "cosh", "sinh", "valeur_absolue", "abs_",
    "sigma", "sigmoide", "softplus", "relu", "heaviside", "maximum", "minimum",
    "indicatrice", "indicator", "diag", "somme", "softmax", "onehot", "Symbole",
]


# --------------------------------------------------------------------------
# The symbolic tracer. A Symbole records the operations applied to it as a
# small tree of tuples; the grader receives that tree as plain data (never as
# code) and rebuilds it with sympy on its side. Deliberately not sympy itself:
# it keeps the sandboxed child light (numpy only) and the wire format trivial.
# --------------------------------------------------------------------------

_UNARY = {"exp", "log", "sqrt", "tanh", "cosh", "sinh", "abs", "sigma",
          "softplus", "relu", "heaviside", "sign"}


def _node(v):
    """Tree of a value: a Symbole's node, or a number leaf."""
    if isinstance(v, Symbole):
        return v.node
    if isinstance(v, (bool, np.bool_)):
        return ("num", int(bool(v)))
    if isinstance(v, numbers.Integral):
        return ("num", int(v))
    if isinstance(v, numbers.Real):
        return ("num", float(v))
    if isinstance(v, np.ndarray) and v.shape == ():
        return _node(v[()])
    raise TypeError(
        "valeur non symbolique dans une formule : %r (utilisez les fonctions de outils)"
        % type(v).__name__)


class Symbole:
    """A traced expression (not meant to be built by students)."""
    __slots__ = ("node",)
    __array_priority__ = 1000

    def __init__(self, node):
        self.node = node

    # arithmetic -----------------------------------------------------------
    def _bin(self, op, other, swap=False):
        try:
            a, b = _node(self), _node(other)
        except TypeError:
            return NotImplemented
        return Symbole((op, b, a) if swap else (op, a, b))

    def __add__(self, o): return self._bin("add", o)
    def __radd__(self, o): return self._bin("add", o, True)
    def __sub__(self, o): return self._bin("sub", o)
    def __rsub__(self, o): return self._bin("sub", o, True)
    def __mul__(self, o): return self._bin("mul", o)
    def __rmul__(self, o): return self._bin("mul", o, True)
    def __truediv__(self, o): return self._bin("div", o)
    def __rtruediv__(self, o): return self._bin("div", o, True)
    def __pow__(self, o): return self._bin("pow", o)
    def __rpow__(self, o): return self._bin("pow", o, True)
    def __neg__(self): return Symbole(("neg", self.node))
    def __pos__(self): return self
    def __abs__(self): return Symbole(("abs", self.node))

    # comparisons build conditions for indicatrice -------------------------
    def __gt__(self, o): return self._bin("gt", o)
    def __ge__(self, o): return self._bin("ge", o)
    def __lt__(self, o): return self._bin("lt", o)
    def __le__(self, o): return self._bin("le", o)
    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError(
            "Une formule symbolique ne peut pas servir dans un `if` ou un `and`/`or` : "
            "utilisez indicatrice(condition). (Use indicatrice(condition) instead of if.)")

    def __float__(self):
        raise TypeError(
            "Une formule symbolique ne peut pas être convertie en float : utilisez les "
            "fonctions de outils (exp, log, ...) plutôt que math.* ou float().")

    __int__ = __index__ = __float__

    def __repr__(self):
        return "Symbole(%r)" % (self.node,)

    # np.exp(tableau d'objets) calls these methods element by element
    def exp(self): return Symbole(("exp", self.node))
    def log(self): return Symbole(("log", self.node))
    def sqrt(self): return Symbole(("sqrt", self.node))
    def tanh(self): return Symbole(("tanh", self.node))
    def cosh(self): return Symbole(("cosh", self.node))
    def sinh(self): return Symbole(("sinh", self.node))

    # numpy ufuncs on a Symbole (np.exp(x), np.maximum(x, 0), ...) ---------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        name = _UFUNCS.get(ufunc.__name__)
        if name is None:
            return NotImplemented
        if any(isinstance(i, np.ndarray) and i.shape != () for i in inputs):
            return np.vectorize(lambda *a: ufunc(*a), otypes=[object])(*inputs)
        return name(*inputs)


def _is_sym(v):
    if isinstance(v, Symbole):
        return True
    if isinstance(v, np.ndarray) and v.dtype == object:
        return any(isinstance(e, Symbole) for e in v.flat)
    if isinstance(v, (list, tuple)):
        return any(_is_sym(e) for e in v)
    return False


def _elementwise(fn_sym, fn_num):
    """A helper that applies fn_sym to symbols (elementwise on arrays) and fn_num to numbers."""
    def helper(*args):
        if any(_is_sym(a) for a in args):
            if any(isinstance(a, (np.ndarray, list, tuple)) for a in args):
                arrs = [np.asarray(a, dtype=object) if isinstance(a, (np.ndarray, list, tuple)) else a
                        for a in args]
                return np.vectorize(fn_sym, otypes=[object])(*arrs)
            return fn_sym(*args)
        out = fn_num(*[np.asarray(a, dtype=float) if not np.isscalar(a) else a for a in args])
        return out
    return helper


def _unary(name, num):
    return _elementwise(lambda a: Symbole((name, _node(a))), num)


def _sigma_num(x):
    x = np.asarray(x, dtype=float)
    # stable on both sides: exp of a non-positive number only
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out[()] if out.shape == () else out


def _scalar(f):
    def g(*a):
        out = f(*a)
        return out[()] if isinstance(out, np.ndarray) and out.shape == () else out
    return g


exp = _unary("exp", _scalar(np.exp))
log = _unary("log", _scalar(np.log))
sqrt = _unary("sqrt", _scalar(np.sqrt))
tanh = _unary("tanh", _scalar(np.tanh))
cosh = _unary("cosh", _scalar(np.cosh))
sinh = _unary("sinh", _scalar(np.sinh))
valeur_absolue = abs_ = _unary("abs", _scalar(np.abs))
sigma = sigmoide = _unary("sigma", _sigma_num)
softplus = _unary("softplus", _scalar(lambda x: np.logaddexp(0.0, x)))
relu = _unary("relu", _scalar(lambda x: np.maximum(x, 0.0)))
heaviside = _unary("heaviside", _scalar(lambda x: np.heaviside(x, 0.5)))
maximum = _elementwise(lambda a, b: Symbole(("max", _node(a), _node(b))), _scalar(np.maximum))
minimum = _elementwise(lambda a, b: Symbole(("min", _node(a), _node(b))), _scalar(np.minimum))


def _ind_sym(cond):
    if isinstance(cond, Symbole):
        if cond.node[0] not in ("gt", "ge", "lt", "le"):
            raise TypeError("indicatrice attend une condition comme x > 0")
        return Symbole(("ind", cond.node))
    return Symbole(("num", int(bool(cond))))


def indicatrice(condition):
    """1 là où la condition est vraie, 0 ailleurs (1 where condition holds, else 0)."""
    if _is_sym(condition):
        if isinstance(condition, (np.ndarray, list, tuple)):
            return np.vectorize(_ind_sym, otypes=[object])(np.asarray(condition, dtype=object))
        return _ind_sym(condition)
    out = np.asarray(condition).astype(float)
    return out[()] if out.shape == () else out


indicator = indicatrice


def diag(v):
    """Matrice diagonale n×n à partir d'un vecteur (n,) ou (n, 1)."""
    a = np.asarray(v, dtype=object if _is_sym(v) else float)
    flat = a.reshape(-1)
    out = np.zeros((flat.size, flat.size), dtype=a.dtype)
    for i, e in enumerate(flat):
        out[i, i] = e
    return out


def somme(v, axis=None):
    """Somme des éléments (sum of the elements)."""
    if _is_sym(v):
        a = np.asarray(v, dtype=object)
        if axis is None:
            flat = list(a.reshape(-1))
            total = flat[0]
            for e in flat[1:]:
                total = total + e
            return total
        return np.sum(a, axis=axis)
    return np.sum(np.asarray(v, dtype=float), axis=axis)


def softmax(v):
    """Softmax d'un vecteur (n,) ou (n, 1), de même forme. Stable numériquement."""
    if _is_sym(v):
        a = np.asarray(v, dtype=object)
        flat = [_node(e) for e in a.reshape(-1)]
        out = np.empty(len(flat), dtype=object)
        for k in range(len(flat)):
            out[k] = Symbole(("softmax", k, tuple(flat)))
        return out.reshape(a.shape)
    a = np.asarray(v, dtype=float)
    z = np.exp(a - np.max(a))
    return z / np.sum(z)


def onehot(y, m):
    """Vecteur colonne (m, 1) avec un 1 à la position y (0 <= y < m)."""
    out = np.zeros((int(m), 1))
    out[int(y), 0] = 1.0
    return out


_UFUNCS = {
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "cosh": cosh, "sinh": sinh,
    "absolute": abs_, "maximum": maximum, "minimum": minimum,
    "add": lambda a, b: _node_op("add", a, b), "subtract": lambda a, b: _node_op("sub", a, b),
    "multiply": lambda a, b: _node_op("mul", a, b), "true_divide": lambda a, b: _node_op("div", a, b),
    "divide": lambda a, b: _node_op("div", a, b), "power": lambda a, b: _node_op("pow", a, b),
    "negative": lambda a: Symbole(("neg", _node(a))),
    "greater": lambda a, b: _node_op("gt", a, b), "greater_equal": lambda a, b: _node_op("ge", a, b),
    "less": lambda a, b: _node_op("lt", a, b), "less_equal": lambda a, b: _node_op("le", a, b),
    "square": lambda a: _node_op("pow", a, 2),
    "log1p": lambda a: log(_node_op("add", 1, a)), "expm1": lambda a: _node_op("sub", exp(a), 1),
}


def _node_op(op, a, b):
    return Symbole((op, _node(a), _node(b)))
