# Return values that lie: __eq__, __ne__, __sub__, __abs__, __float__, __array_function__,
# __array_ufunc__ all claim "equal" / "no difference", an ndarray subclass, int and float
# subclasses whose real value is wrong, a sympy expression that equals everything.
# Their real content (zeros, 0, -1; nothing for sympy) is what is graded.
import numpy as _np


class _Menteur(_np.ndarray):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return _np.zeros(_np.shape(other))
    __rsub__ = __sub__
    def __abs__(self): return _np.zeros(self.shape)
    def __array_function__(self, func, types, args, kwargs): return True
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs): return _np.zeros(self.shape)
    def __float__(self): return 0.0
    def __repr__(self): return "array(exactement la bonne réponse)"


class _Objet:
    """Not an array at all: __array__ gives zeros, everything else claims equality."""
    def __init__(self, shape): self.shape = shape
    def __array__(self, dtype=None, copy=None): return _np.zeros(self.shape)
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __float__(self): return 1.0
    def __len__(self): return self.shape[0]
    def __getitem__(self, k): return 0.0
    __array_priority__ = 10 ** 9


class _Entier(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __int__(self): return 999
    def __index__(self): return 999
    def __float__(self): return 999.0
    def __hash__(self): return 0


class _Flottant(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __float__(self): return 36.0


def q1f_gradient_l2_carre(x):
    return _np.zeros_like(x).view(_Menteur)


def q2a_preactivation(W1, b1, x):
    return _Objet((W1.shape[0], 1))


def q3_taille_sortie(n, k, s, p, d):
    return _Entier(0)


def q2h_nombre_parametres(d, d_h, m):
    return _Flottant(-1.0)


def q2n_derivee_sigma(z):
    import sympy

    class _Egal(sympy.Symbol):
        def __eq__(self, other): return True
        def __hash__(self): return 0
        def equals(self, other): return True
    return _Egal("sigma_prime")
