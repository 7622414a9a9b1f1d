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
N'utilisez pas `if x > 0:` sur un symbole : écrivez indicatrice(x > 0).
(Do not branch with `if` on a symbol: use indicatrice. numpy's and math's
elementary functions work on symbols too.)

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
    # x == 0 and x != 0 are conditions too (never a silent True/False on a symbol)
    def __eq__(self, o): return self._bin("eq", o)
    def __ne__(self, o): return self._bin("ne", o)
    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError(
            "Une formule symbolique ne peut pas servir dans un `if` ou un `and`/`or`, ni dans "
            "max/np.max d'un tableau de symboles : utilisez indicatrice(condition), ou maximum de "
            "outils élément par élément. (Use indicatrice(condition) instead of if.)")

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
    "clip": lambda a, lo, hi: _clip(a, lo, hi),
}
_FUNCTIONS = {"where": _where, "clip": _clip}


class VecteurSymbolique(np.ndarray):
    """A vector of symbols (as the grader passes x in 1.i and 1.j): numpy's functions apply to
    it element by element, np.max/np.min/np.sum of it are read too (not meant to be built by
    students)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(i).view(np.ndarray) if isinstance(i, VecteurSymbolique) else i for i in inputs]
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
        return getattr(ufunc, method)(*plain, **kwargs)      # as a plain array of objects (x @ A, ...)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and len(args) == 3 and not kwargs:
            plain = [np.asarray(a).view(np.ndarray) if isinstance(a, VecteurSymbolique) else a for a in args]
            return np.vectorize(_where, otypes=[object])(*plain).view(VecteurSymbolique)
        return super().__array_function__(func, types, args, kwargs)


_REDUCE = {"add": lambda a, b: a + b, "multiply": lambda a, b: a * b,
           "maximum": lambda a, b: maximum(a, b), "minimum": lambda a, b: minimum(a, b)}


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
# The stand-in is given even where the module is installed: the grader's environment has sympy
# and mpmath (its own), a student's machine often scipy or torch, and the file must behave the
# same in the self-check, in the grader and as the template says ("seuls numpy et outils").
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
    """First finder of sys.meta_path: a stand-in for the modules of STAND_IN_MODULES, installed
    or not, when the import statement is in the student's file (every other import is left to
    the other finders)."""
    student_file = None
    used = []           # the modules that got a stand-in

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] not in STAND_IN_MODULES:      # first: the imports below come here too
            return None
        import importlib.util
        import sys
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
            frame = frame.f_back
        if frame is None or frame.f_code.co_filename != cls.student_file:
            return None
        if "." not in name:
            cls.used.append(name)
        return importlib.util.spec_from_loader(name, cls)

    @staticmethod
    def create_module(spec):
        return _AbsentModule(spec.name)

    @staticmethod
    def exec_module(module):
        pass


def _stand_ins(student_file):
    """Give the modules of STAND_IN_MODULES a stand-in, installed or not, for the imports written
    in student_file (an absolute path, as in its code objects)."""
    import sys
    _StandIns.student_file = student_file
    if _StandIns not in sys.meta_path:
        sys.meta_path.insert(0, _StandIns)
