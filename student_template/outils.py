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

Les opérateurs + - * / ** et les comparaisons < <= > >= == != fonctionnent aussi,
comme les fonctions élémentaires de numpy et de math (np.exp, np.log1p,
np.logaddexp, np.where(condition, a, b), math.log, ...).
Une condition s'écrit indicatrice(x > 0) ; un `if x > 0:` se lit aussi (le correcteur
suit ses deux côtés). Les dérivées s'écrivent comme des formules exactes : une
approximation numérique (différences finies, pas complexe...) n'en obtient pas les points.
(A condition is indicatrice(x > 0); an `if` on a symbol is read too, both sides. numpy's
and math's elementary functions work on symbols. Derivatives are exact formulas, not
numerical approximations.)

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


COMPLEX_MESSAGE = (
    "nombre complexe dans une formule : les formules de ce devoir sont réelles (le « pas complexe » "
    "imag(f(x + ih)) / h n'est qu'une approximation numérique de la dérivée, pas sa formule)")


def _node(v):
    """Tree of a value: a Symbole's node, or a number leaf."""
    if isinstance(v, Symbole):
        return v.node
    if isinstance(v, (complex, np.complexfloating)):
        raise _ComplexInFormula(COMPLEX_MESSAGE)
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


class _ComplexInFormula(TypeError):
    """A complex number met a symbol (the complex-step approximation): said as such."""


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
        except _ComplexInFormula:
            raise
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
    # x == 0 and x != 0 are conditions too (never a silent True/False on a symbol)
    def __eq__(self, o): return self._bin("eq", o)
    def __ne__(self, o): return self._bin("ne", o)
    __hash__ = object.__hash__

    def __bool__(self):
        # inside a traced call (_trace) both sides of the `if` are followed; else it is an error
        cond = self.node if self.node[0] in _CONDITIONS else ("ne", self.node, ("num", 0))
        return _decide(cond)

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
    def log1p(self): return _UFUNCS["log1p"](self)
    def expm1(self): return _UFUNCS["expm1"](self)
    def log2(self): return _UFUNCS["log2"](self)
    def log10(self): return _UFUNCS["log10"](self)
    def exp2(self): return _UFUNCS["exp2"](self)
    def cbrt(self): return _UFUNCS["cbrt"](self)
    def square(self): return _UFUNCS["square"](self)
    def reciprocal(self): return _UFUNCS["reciprocal"](self)

    def __getattr__(self, name):
        # np.<ufunc>(array of symbols) calls <ufunc> as a method of each element: read it, or
        # mark it unread (never numpy's raw "loop of ufunc does not support ..." error)
        ufunc = getattr(np, name, None) if not name.startswith("_") else None
        if not isinstance(ufunc, np.ufunc) or ufunc.nin != 1:
            raise AttributeError(name)
        fn = _UFUNCS.get(name)
        return (lambda: fn(self)) if fn else (lambda: Symbole(("unread", "np." + name, self.node)))

    # numpy ufuncs on a Symbole (np.exp(x), np.maximum(x, 0), ...) ---------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "reduce" and len(inputs) == 1 and inputs[0] is self and "out" not in kwargs:
            return self         # np.sum(x), np.max(x) of one symbol: itself
        if method != "__call__" or set(kwargs) - {"dtype", "casting", "order", "subok"}:
            raise TypeError(
                "np.%s%s ne peut pas être lue comme une formule sur un symbole : écrivez-la avec les "
                "fonctions de outils (exp, log, sigma, ...), sans out=, where= ni .%s."
                % (ufunc.__name__, "" if method == "__call__" else "." + method, method))
        if _python_ufunc(ufunc):        # np.vectorize / np.frompyfunc of the student's own function
            return ufunc(*[np.array(i, dtype=object) if isinstance(i, Symbole) else i for i in inputs])[()]
        fn = _UFUNCS.get(ufunc.__name__)
        if any(isinstance(i, np.ndarray) and i.shape != () for i in inputs):
            return np.vectorize(lambda *a: ufunc(*a), otypes=[object])(*inputs)
        if fn is None:      # no symbolic reading: a marked leaf, so the rest can still be graded
            return Symbole(("unread", "np." + ufunc.__name__) + tuple(_node(i) for i in inputs))
        return fn(*inputs)

    # numpy functions that are not ufuncs (np.where(x > 0, a, b), np.clip(x, lo, hi))
    def __array_function__(self, func, types, args, kwargs):
        fn = _FUNCTIONS.get(func.__name__) or getattr(func, "_implementation", None)
        if fn is None:
            raise TypeError(
                "np.%s ne peut pas être lue comme une formule sur un symbole : écrivez-la avec les "
                "fonctions de outils (exp, log, sigma, indicatrice, ...)." % func.__name__)
        return fn(*args, **kwargs)


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
                return _symbol_array(np.vectorize(fn_sym, otypes=[object])(*arrs))
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
        if cond.node[0] not in _CONDITIONS:
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
    """Vecteur colonne de longueur m avec un 1 à la position y (0 <= y < m)."""
    out = np.zeros((int(m), 1))
    out[int(y), 0] = 1.0
    return out


_CONDITIONS = ("gt", "ge", "lt", "le", "eq", "ne")


def _node_op(op, a, b):
    return Symbole((op, _node(a), _node(b)))


def _is_zero(v):
    return not isinstance(v, Symbole) and np.ndim(v) == 0 and float(v) == 0.0


def _logaddexp(a, b):
    # log(exp(a) + exp(b)); with a 0 it is softplus, exactly (numpy's own stable form)
    if _is_zero(a):
        return softplus(b)
    if _is_zero(b):
        return softplus(a)
    return log(_node_op("add", exp(a), exp(b)))


def _log_base(a, base):
    return _node_op("div", log(a), Symbole(("log", ("num", base))))


def _heaviside(x, at_zero):
    step = Symbole(("ind", ("gt", _node(x), ("num", 0))))
    if _is_zero(at_zero):
        return step
    return _node_op("add", step, _node_op("mul", at_zero, Symbole(("ind", ("eq", _node(x), ("num", 0))))))


def _where(cond, a, b):
    """np.where(condition, a, b) on symbols: 1{condition} a + (1 - 1{condition}) b."""
    if _is_sym(cond) and isinstance(cond, (np.ndarray, list, tuple)):
        return np.vectorize(_where, otypes=[object])(np.asarray(cond, dtype=object), a, b)
    ind = indicatrice(cond)
    return ind * a + (1 - ind) * b


def _clip(a, lo, hi, **_):
    out = a
    if lo is not None:
        out = maximum(out, lo)
    if hi is not None:
        out = minimum(out, hi)
    return out


# numpy's elementary functions read symbolically (np.log1p(x), np.logaddexp(0, -x), ...):
# each is written with the tracer's own operations, so the grader needs no new vocabulary
_UFUNCS = {
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "cosh": cosh, "sinh": sinh,
    "absolute": abs_, "fabs": abs_, "maximum": maximum, "minimum": minimum,
    "fmax": maximum, "fmin": minimum,
    "sign": lambda a: Symbole(("sign", _node(a))),
    "add": lambda a, b: _node_op("add", a, b), "subtract": lambda a, b: _node_op("sub", a, b),
    "multiply": lambda a, b: _node_op("mul", a, b), "true_divide": lambda a, b: _node_op("div", a, b),
    "divide": lambda a, b: _node_op("div", a, b), "power": lambda a, b: _node_op("pow", a, b),
    "float_power": lambda a, b: _node_op("pow", a, b),
    "negative": lambda a: Symbole(("neg", _node(a))), "positive": lambda a: a,
    "conjugate": lambda a: a,     # symbols are real
    "greater": lambda a, b: _node_op("gt", a, b), "greater_equal": lambda a, b: _node_op("ge", a, b),
    "less": lambda a, b: _node_op("lt", a, b), "less_equal": lambda a, b: _node_op("le", a, b),
    "equal": lambda a, b: _node_op("eq", a, b), "not_equal": lambda a, b: _node_op("ne", a, b),
    "square": lambda a: _node_op("pow", a, 2), "reciprocal": lambda a: _node_op("div", 1, a),
    "cbrt": lambda a: _node_op("mul", Symbole(("sign", _node(a))), _node_op("pow", abs_(a), 1.0 / 3.0)),
    "log1p": lambda a: log(_node_op("add", 1, a)), "expm1": lambda a: _node_op("sub", exp(a), 1),
    "log2": lambda a: _log_base(a, 2), "log10": lambda a: _log_base(a, 10),
    "exp2": lambda a: _node_op("pow", 2, a),
    "logaddexp": _logaddexp,
    "logaddexp2": lambda a, b: _log_base(_node_op("add", _node_op("pow", 2, a), _node_op("pow", 2, b)), 2),
    "heaviside": _heaviside,
    "copysign": lambda a, b: _node_op("mul", abs_(a), _node_op("sub", _node_op("mul", 2, indicatrice(
        _node_op("ge", b, 0))), 1)),
    "clip": lambda a, lo, hi: _clip(a, lo, hi),
}
def _select(condlist, choicelist, default=0):
    """np.select on symbols: the first condition that holds chooses, as nested np.where."""
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = _where(cond, choice, out)
    return _symbol_array(np.asarray(out, dtype=object)) if np.ndim(out) else out


def _python_ufunc(ufunc):
    """A ufunc made by np.frompyfunc (np.vectorize): it calls a Python function on each element."""
    return all(set(t.replace("->", "")) == {"O"} for t in ufunc.types)


_FUNCTIONS = {"where": _where, "clip": _clip, "select": _select}


class VecteurSymbolique(np.ndarray):
    """A vector of symbols (as the grader passes x in 1.i and 1.j): numpy's functions apply to
    it element by element, np.max/np.min/np.sum of it are read too (not meant to be built by
    students)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(i).view(np.ndarray) if isinstance(i, VecteurSymbolique) else i for i in inputs]
        if method == "__call__" and not kwargs and _python_ufunc(ufunc):     # the student's function
            return _symbol_array(ufunc(*plain))
        if method == "__call__" and not kwargs and ufunc.signature is None:
            out = np.vectorize(lambda *a: ufunc(*a), otypes=[object])(*plain)
            return out.view(VecteurSymbolique) if isinstance(out, np.ndarray) and out.ndim else out
        if method == "reduce" and len(plain) == 1 and ufunc.__name__ in _REDUCE and kwargs.get("axis") is None \
                and not kwargs.get("keepdims") and kwargs.get("out") is None and kwargs.get("where", True) is True \
                and "initial" not in kwargs:
            flat = list(plain[0].reshape(-1))
            total = flat[0]
            for e in flat[1:]:
                total = _REDUCE[ufunc.__name__](total, e)
            return total
        out = kwargs.get("out")
        if out is not None:         # in place (g *= s): written through plain views, g returned
            kwargs["out"] = tuple(np.asarray(o).view(np.ndarray) if isinstance(o, VecteurSymbolique) else o
                                  for o in (out if isinstance(out, tuple) else (out,)))
            getattr(ufunc, method)(*plain, **kwargs)
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        return getattr(ufunc, method)(*plain, **kwargs)      # as a plain array of objects (x @ A, ...)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and len(args) == 3 and not kwargs:
            plain = [np.asarray(a).view(np.ndarray) if isinstance(a, VecteurSymbolique) else a for a in args]
            return np.vectorize(_where, otypes=[object])(*plain).view(VecteurSymbolique)
        if func is np.select:
            return _select(*args, **kwargs)
        return super().__array_function__(func, types, args, kwargs)


    def astype(self, dtype, *args, **kwargs):
        # x.astype(float) of symbols keeps the symbols (a traced formula, not numbers)
        if np.dtype(dtype).kind in "biufc" and self.dtype == object and \
                any(isinstance(e, Symbole) for e in np.ndarray.ravel(self)):
            return self.copy()
        return super().astype(dtype, *args, **kwargs)


_REDUCE = {"add": lambda a, b: a + b, "multiply": lambda a, b: a * b,
           "maximum": lambda a, b: maximum(a, b), "minimum": lambda a, b: minimum(a, b),
           "logaddexp": lambda a, b: _logaddexp(a, b), "fmax": lambda a, b: maximum(a, b),
           "fmin": lambda a, b: minimum(a, b)}


def _symbol_array(a):
    """An array of objects as a VecteurSymbolique (numpy's functions then read its symbols)."""
    return a.view(VecteurSymbolique) if isinstance(a, np.ndarray) and a.ndim else a


# --------------------------------------------------------------------------
# Reading a whole function as a formula (the grader and autoverification.py):
# _trace(fn, make_args) calls fn on symbols and follows BOTH sides of every `if`
# on a symbol (fn is called again for each path), then joins the results into one
# formula: 1{c} a + (1 - 1{c}) b. While it runs, numpy's array constructors
# (np.zeros, np.ones, np.empty, np.full, np.eye, ..., np.array(..., dtype=float))
# make arrays of objects, so that a loop filling an array with formulas reads too.
# --------------------------------------------------------------------------
MAX_PATHS = 256          # runs of one traced call (a path per combination of `if` outcomes)
MAX_DECISIONS = 24       # `if` on symbols along one run


class _Run:
    """The decisions of one run of a traced function: replayed, then True by default."""
    __slots__ = ("forced", "taken", "memo")

    def __init__(self, forced):
        self.forced, self.taken, self.memo = forced, [], {}


_RUN = [None]            # the current run while a function is traced, else None


def _decide(cond):
    run = _RUN[0]
    if run is None:
        raise TypeError(
            "Une formule symbolique ne peut pas servir dans un `if` ou un `and`/`or` en dehors de la "
            "lecture d'une fonction par le correcteur : utilisez indicatrice(condition), ou maximum de "
            "outils élément par élément. (Use indicatrice(condition) instead of if.)")
    if cond in run.memo:                 # the same condition again on this path: the same answer
        return run.memo[cond]
    fixed = _constant(cond)
    if fixed is not None:
        return fixed
    k = len(run.taken)
    if k >= MAX_DECISIONS:
        raise TypeError("trop de `if` sur des symboles dans une même exécution (plus de %d) : écrivez "
                        "les conditions avec indicatrice(...) ou np.where(...)" % MAX_DECISIONS)
    value = run.forced[k] if k < len(run.forced) else True
    run.taken.append((cond, value))
    run.memo[cond] = value
    return value


_CONST = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b,
          "le": lambda a, b: a <= b, "eq": lambda a, b: a == b, "ne": lambda a, b: a != b}


def _constant(node):
    """The value of a tree without symbols made of numbers and simple operations, else None."""
    if node[0] == "num":
        return node[1]
    if node[0] == "neg":
        v = _constant(node[1])
        return None if v is None else -v
    if node[0] == "ind":
        v = _constant(node[1])
        return None if v is None else int(bool(v))
    if node[0] in _CONST:
        a, b = _constant(node[1]), _constant(node[2])
        return None if a is None or b is None else _CONST[node[0]](a, b)
    return None


def _trace(fn, make_args):
    """fn(*make_args()) read as one formula, whatever `if` it takes on its symbols.

    make_args() gives fresh arguments for each run (fn may change them in place). Raises
    what fn raises, or TypeError (in French) when the runs cannot be joined."""
    _arrays_of_symbols()
    runs, todo = [], [[]]
    while todo:
        if len(runs) >= MAX_PATHS:
            raise TypeError("trop de chemins différents selon les `if` sur des symboles (plus de %d) : "
                            "écrivez les conditions avec indicatrice(...) ou np.where(...)" % MAX_PATHS)
        forced = todo.pop()
        run = _Run(forced)
        _RUN[0] = run
        try:
            with np.errstate(all="ignore"):
                value = fn(*make_args())
        finally:
            _RUN[0] = None
        for k in range(len(forced), len(run.taken)):
            todo.append([v for _, v in run.taken[:k]] + [not run.taken[k][1]])
        runs.append((run.taken, value))
    return _join(runs, 0)


def _join(runs, depth):
    """The results of runs that agree on their first `depth` decisions, as one value."""
    if len(runs) == 1:
        return runs[0][1]
    conds = {r[0][depth][0] if len(r[0]) > depth else None for r in runs}
    if len(conds) != 1 or None in conds:
        raise TypeError("la fonction ne suit pas les mêmes étapes à chaque appel (hasard ? état global ?)")
    cond = conds.pop()
    yes = [r for r in runs if r[0][depth][1]]
    no = [r for r in runs if not r[0][depth][1]]
    if not yes or not no:
        return _join(yes or no, depth + 1)
    return _where_value(cond, _join(yes, depth + 1), _join(no, depth + 1))


_SCALARS = (Symbole, numbers.Real, np.bool_, np.number)


def _where_value(cond, a, b):
    """1{cond} a + (1 - 1{cond}) b, element by element, as small as possible."""
    if a is b:
        return a
    if isinstance(a, _SCALARS) and isinstance(b, _SCALARS) and not isinstance(a, np.complexfloating) \
            and not isinstance(b, np.complexfloating):
        na, nb = _node(a), _node(b)
        if na == nb:
            return a
        return Symbole(_where_node(cond, na, nb))
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        return {k: _where_value(cond, a[k], b[k]) for k in a}
    if isinstance(a, (np.ndarray, list, tuple)) and isinstance(b, (np.ndarray, list, tuple)):
        try:
            x, y = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
        except ValueError:
            x = y = None
        if x is not None and x.shape == y.shape:
            out = np.empty(x.shape, dtype=object)
            for idx in np.ndindex(x.shape):
                out[idx] = _where_value(cond, x[idx], y[idx])
            if isinstance(a, list) and isinstance(b, list):
                return out.tolist()
            if isinstance(a, tuple) and isinstance(b, tuple):
                return tuple(out.tolist())
            return _symbol_array(out) if out.ndim else out[()]
    if type(a) is type(b) and a == b:
        return a
    raise TypeError("les deux côtés d'un `if` sur un symbole retournent des valeurs de types ou de "
                    "formes différents : %s et %s" % (type(a).__name__, type(b).__name__))


def _where_node(cond, a, b):
    """The join of two trees under a condition, pushed down to where they differ."""
    if a == b:
        return a
    if a[0] == b[0] and a[0] not in ("num", "sym") and len(a) == len(b):
        if a[0] == "softmax":
            if a[1] == b[1] and len(a[2]) == len(b[2]):
                return ("softmax", a[1], tuple(_where_node(cond, p, q) for p, q in zip(a[2], b[2])))
        elif a[0] != "unread" or a[1] == b[1]:
            head = a[:2] if a[0] == "unread" else a[:1]
            return head + tuple(_where_node(cond, p, q) for p, q in zip(a[len(head):], b[len(head):]))
    ind = ("ind", cond)
    return ("add", ("mul", ind, a), ("mul", ("sub", ("num", 1), ind), b))


_CONSTRUCTORS = ("zeros", "ones", "empty", "full", "eye", "identity", "zeros_like", "ones_like",
                 "empty_like", "full_like")


def _while_tracing(real, converting):
    def wrapper(*args, **kwargs):
        if _RUN[0] is None:
            return real(*args, **kwargs)
        if not converting:                       # np.array / np.asarray: dtype=float of symbols
            try:
                return real(*args, **kwargs)
            except TypeError:
                if not args or not _is_sym(args[0]):
                    raise
                kwargs.pop("dtype", None)
                return _symbol_array(real(args[0], object, *args[2:], **kwargs))
        out = real(*args, **kwargs)
        if isinstance(out, np.ndarray) and out.dtype.kind == "f":   # np.empty: zeros, not garbage
            out = np.zeros(out.shape, dtype=object) if real.__name__ in ("empty", "empty_like") \
                else out.astype(object)
            return _symbol_array(out)
        return out
    wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = real.__name__, real.__qualname__, real.__doc__
    wrapper.__wrapped__ = real
    wrapper.outils_run = _RUN
    return wrapper


def _arrays_of_symbols():
    """Wrap numpy's constructors once: while a function is traced they make arrays of objects
    (float arrays cannot hold formulas); at any other time they are numpy's own. (Another copy
    of this module loaded in the same process shares the wrappers' run state.)"""
    global _RUN
    if getattr(np.zeros, "__wrapped__", None) is not None:
        _RUN = getattr(np.zeros, "outils_run", _RUN)
        return
    for name in _CONSTRUCTORS:
        setattr(np, name, _while_tracing(getattr(np, name), True))
    for name in ("array", "asarray", "asanyarray"):
        setattr(np, name, _while_tracing(getattr(np, name), False))


# --------------------------------------------------------------------------
# math.* on symbols: the grader runs a student's file with `math` bound to this
# module (math.exp(x) on a symbol reads as exp(x); on numbers it IS math.exp).
# --------------------------------------------------------------------------
def _math_module():
    import math
    import types
    mod = types.ModuleType("math", math.__doc__)
    mod.__dict__.update({k: v for k, v in vars(math).items() if not k.startswith("__")})

    def symbolic(name, sym):
        real = getattr(math, name, None)
        if real is None:
            return

        def fn(*args):
            if any(isinstance(a, Symbole) for a in args):
                return sym(*args)
            return real(*args)
        fn.__name__ = fn.__qualname__ = name
        fn.__doc__ = real.__doc__
        setattr(mod, name, fn)

    for name in ("exp", "sqrt", "tanh", "sinh", "cosh", "fabs", "log1p", "expm1", "log2", "log10",
                 "exp2", "cbrt"):
        symbolic(name, _UFUNCS[name])
    symbolic("log", lambda a, base=None: log(a) if base is None else _log_base(a, base))
    symbolic("pow", lambda a, b: _node_op("pow", a, b))
    return mod


math_symbolique = _math_module()


# float(...) in the student's file: a number stays Python's float, a formula stays a formula
# (`return float(grad_hs[j] * s)` reads as a formula too). Bound in the student's module only
# (the grader's child and autoverification.py), as `math` is above.
_builtin_float = float


class _FloatType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _builtin_float)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, _builtin_float)


class float_symbolique(np.float64, metaclass=_FloatType):
    """float(x): Python's float of a number; the formula itself for a symbol (or an array of one).
    A subclass of np.float64 (itself a float), so that dtype=float still means float64."""

    def __new__(cls, x=0.0):
        if isinstance(x, np.ndarray) and x.dtype == object and x.size == 1:
            x = x.reshape(-1)[0]
        if isinstance(x, Symbole):
            return x
        return _builtin_float(x)


def _float_in(namespace):
    """Bind float_symbolique as `float` in a student's module (unless it defines its own)."""
    if "float" not in namespace:
        namespace["float"] = float_symbolique


# --------------------------------------------------------------------------
# A student's own helper named like one of ours (def sigma(z): return 1/(1+np.exp(-z))):
# once it is shown to compute the same values, symbols go to ours, so a formula written
# with it reads as sigma(x); numbers still go to the student's own code. A helper that
# differs is left alone and is graded on its values like everything else.
# --------------------------------------------------------------------------
_OWN_UNARY = {
    "sigma": sigma, "sigmoide": sigma, "sigmoid": sigma, "softplus": softplus, "relu": relu,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "cosh": cosh, "sinh": sinh,
    "heaviside": heaviside, "valeur_absolue": abs_, "abs_": abs_, "indicatrice": indicatrice,
    "indicator": indicatrice,
}
_POSITIVE_ONLY = {"log", "sqrt"}
_CONDITION_ONLY = {"indicatrice", "indicator"}      # tried on conditions (boolean arrays)


class _TooSlow(BaseException):
    pass


class _Delai:
    """A time limit for code run in the main thread, on every system (Windows has no SIGALRM):
    a watchdog thread interrupts the main thread (KeyboardInterrupt) once `seconds` have
    passed, then again every second while the code still runs (a loop may catch the first);
    after `tries` interrupts it calls `stuck()` (if given) and stops. `expired` tells the
    caller that a KeyboardInterrupt came from the watchdog, not from Ctrl-C. Code inside a
    single long C call (one huge numpy operation) is interrupted only when that call returns.

        with _Delai(10) as d:
            try:
                f()
            except KeyboardInterrupt:
                if not d.expired:
                    raise          # the user's Ctrl-C
    """

    def __init__(self, seconds, tries=5, stuck=None):
        self.seconds, self.tries, self.stuck = seconds, tries, stuck
        self.expired = False

    def __enter__(self):
        import threading
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="outils-delai", daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        import _thread
        if self._done.wait(self.seconds):
            return
        for _ in range(self.tries):
            with self._lock:
                if self._done.is_set():
                    return
                self.expired = True
                _thread.interrupt_main()
            if self._done.wait(1.0):
                return
        if self.stuck is not None:
            self.stuck()

    def __exit__(self, *exc):
        with self._lock:
            self._done.set()
        if self.expired:      # an interrupt asked for just before the end: taken here, not later
            try:
                for _ in range(10000):
                    pass
            except KeyboardInterrupt:
                pass
        return False


def _same_values(own, ours, vectors=False):
    if vectors:
        points = [np.array([[0.3], [-1.2], [2.0], [0.7]]), np.array([[5.0], [-3.0], [1.0]])]
    else:
        points = [np.array([-7.5, -3.1, -1.2, -0.4, 0.3, 0.9, 1.7, 4.2, 6.6])]
    for x in points:
        want = np.asarray(ours(x), dtype=float)
        try:
            got = np.asarray(own(x.copy()), dtype=float)
        except Exception:  # noqa: BLE001 - a helper written for one number at a time
            if vectors:
                return False
            got = np.asarray([float(np.asarray(own(float(v)), dtype=float).reshape(-1)[0]) for v in x])
        if got.size != want.size or not np.allclose(got.reshape(-1), want.reshape(-1), rtol=1e-6, atol=1e-9):
            return False
    return True


def _adopted(own, ours):
    def helper(*args, **kwargs):
        if any(_is_sym(a) for a in args) or any(_is_sym(a) for a in kwargs.values()):
            return ours(*args, **kwargs)
        return own(*args, **kwargs)
    helper.__name__, helper.__qualname__, helper.__doc__ = own.__name__, own.__qualname__, own.__doc__
    helper.__wrapped__ = own
    return helper


def _sample_inputs(name):
    """How a helper is tried: the inputs it is given, as a function of sample points x."""
    if name in _POSITIVE_ONLY:
        return lambda x: np.abs(x)
    if name in _CONDITION_ONLY:
        return lambda x: x > 0
    return lambda x: x


def _adopt_own_helpers(namespace, seconds=1.0, budget=2.0):
    """Bind each correct own helper of `namespace` (a module's globals) to its traced twin.

    Returns the names adopted. Each test runs under a time limit (SIGALRM in the main thread, a
    watchdog thread where there is none): at most `seconds` each and `budget` in all, well
    inside the grader's time to load a file."""
    import contextlib
    import signal
    import time
    import types
    adopted = []
    deadline = time.monotonic() + budget
    for name, fn in list(namespace.items()):
        left = min(seconds, deadline - time.monotonic())
        if left <= 0.01:
            break
        ours = _OWN_UNARY.get(name) or (softmax if name == "softmax" else None)
        if ours is None or not isinstance(fn, types.FunctionType) or fn.__globals__ is not namespace:
            continue
        given = _sample_inputs(name)

        def on_alarm(signum, frame):
            raise _TooSlow()
        alarm = hasattr(signal, "setitimer")       # not on Windows: a watchdog thread there
        if alarm:
            old = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, left)
        try:
            with np.errstate(all="ignore"), (contextlib.nullcontext() if alarm else _Delai(left)):
                same = _same_values(lambda x, f=fn: f(given(x)), lambda x, f=ours: f(given(x)),
                                    vectors=name == "softmax")
        except BaseException:  # noqa: B036 - the student's helper failed or hung: not adopted
            same = False
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
        if same:
            namespace[name] = _adopted(fn, ours)
            adopted.append(name)
    return adopted


# --------------------------------------------------------------------------
# Modules the grader does not have (scipy, torch...).
# --------------------------------------------------------------------------
# A file that imports scipy, torch, sympy, matplotlib... at its top still loads: the module is
# bound to a stand-in that raises a clear French error when used, so only the functions that
# use it lose points. Only the modules below, imported in the student's file, get a stand-in
# (anything else still fails to import: a probe for the grader's own packages finds nothing).
STAND_IN_MODULES = {"scipy", "torch", "sympy", "matplotlib", "tensorflow", "keras", "jax", "pandas",
                    "sklearn", "seaborn", "autograd", "numba", "mpmath", "cupy", "tqdm", "IPython",
                    "statsmodels", "plotly", "PIL", "cv2", "theano", "mxnet", "sage"}


def _unavailable(module, what):
    return ModuleNotFoundError(
        "le module « %s » n'est pas disponible pour la correction (%s) : seuls numpy et outils le sont. "
        "Réécrivez ce calcul avec numpy ou outils." % (module, what))


class _Absent:
    """Anything taken from a module that is not available: using it raises."""
    __slots__ = ("_module", "_what")

    def __init__(self, module, what):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_what", what)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Absent(self._module, "%s.%s" % (self._what, attr))

    def __call__(self, *args, **kwargs):
        raise _unavailable(self._module, self._what)

    def __repr__(self):
        return "<%s : module indisponible>" % self._what


class _AbsentModule(type(numbers)):
    def __init__(self, name):
        super().__init__(name)
        self.__path__ = []        # a package: `from scipy.special import expit` works too

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Absent(self.__name__.split(".")[0], "%s.%s" % (self.__name__, attr))


class _StandIns:
    """First finder of sys.meta_path: student code has exactly numpy and outils (and Python's
    standard library). Any other module imported by the student's file (sympy, mpmath, scipy...,
    installed or not) is refused; the well-known ones of STAND_IN_MODULES get a stand-in that
    says so when used, so that only the functions using them lose points. strict (the grader's
    child): every import of such a module is refused, wherever it comes from."""
    student_file = None
    strict = False
    used = []           # the modules that got a stand-in
    _allowed = None

    @classmethod
    def allowed(cls, top):
        import sys
        if cls._allowed is None:
            cls._allowed = set(sys.stdlib_module_names) | set(sys.builtin_module_names) | {
                "numpy", "outils", "devoir3", "__main__"}
            cls._refused = set()
        if top in cls._allowed:
            return True
        if top in cls._refused:
            return False
        if cls._in_standard_library(top):     # platform modules: _sysconfigdata_..., sitecustomize
            cls._allowed.add(top)
            return True
        cls._refused.add(top)
        return False

    @staticmethod
    def _in_standard_library(top):
        import importlib.machinery
        import os
        lib = os.path.dirname(os.__file__)
        return importlib.machinery.PathFinder.find_spec(top, [lib, os.path.join(lib, "lib-dynload")]) is not None

    @classmethod
    def _from_student(cls):
        import sys
        frame = sys._getframe(2)
        while frame is not None and (frame.f_code.co_filename.startswith("<frozen")
                                     or frame.f_globals.get("__name__", "").startswith("importlib")):
            frame = frame.f_back
        return frame is not None and frame.f_code.co_filename == cls.student_file

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        top = name.split(".")[0]
        if cls.allowed(top):
            return None
        from_student = cls._from_student()
        if from_student and top in STAND_IN_MODULES:
            import importlib.util          # allowed (standard library): no recursion here
            if "." not in name:
                cls.used.append(name)
            return importlib.util.spec_from_loader(name, cls)
        if from_student or cls.strict:
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return None

    @staticmethod
    def create_module(spec):
        return _AbsentModule(spec.name)

    @staticmethod
    def exec_module(module):
        pass


def _stand_ins(student_file, strict=False):
    """Refuse to student_file (an absolute path, as in its code objects) every module but numpy,
    outils and the standard library; the modules of STAND_IN_MODULES get a stand-in. strict: the
    whole process is the student's (the grader's child): refused for every importer. Also makes
    numpy's array constructors hold formulas while a function is traced (_trace)."""
    import sys
    _StandIns.student_file = student_file
    _StandIns.strict = _StandIns.strict or strict
    if _StandIns in sys.meta_path:
        sys.meta_path.remove(_StandIns)
    sys.meta_path.insert(0, _StandIns)
    _arrays_of_symbols()
