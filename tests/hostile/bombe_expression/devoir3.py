# Making the grader work on the answers: values that "overflow" (inf) everywhere, so that the
# grader evaluates the traced formula exactly at every point, with formulas as large as the
# wire accepts (right ones: they earn their points), plus formulas larger than that (refused).
# The grader's own work stays bounded (wire limits, then the submission's budget).
import numpy as _np

import outils as _outils


def _tranches(x, n):
    """sigma'(x) = sigma(x) (1 - sigma(x)) cut into n equal slices: exact, about 10 n nodes."""
    termes = [_outils.sigma(x) * (1 - _outils.sigma(x)) / n for _ in range(n)]
    while len(termes) > 1:
        termes = [a + b for a, b in zip(termes[::2], termes[1::2])] + (termes[-1:] if len(termes) % 2 else [])
    return termes[0]


def _deborde(x, formule):
    if isinstance(x, _outils.Symbole):
        return formule(x)
    return _np.full(_np.shape(x), _np.inf)


def q1c_derivee_sigmoide(x):
    return _deborde(x, lambda s: _tranches(s, 180))      # right, and near the size limit


def q2n_derivee_sigma(z):
    return _deborde(z, lambda s: _tranches(s, 180))


def q1b_derivee_relu(x):
    return _deborde(x, lambda s: _tranches(s, 5000))     # too large: refused


def q1d_etapes(x):
    return [_tranches(x, 190)] * 40                      # too many expressions: refused
