import numpy as _np


def q2h_risque_empirique(X, Y, W1, b1, W2, b2):
    return 1.0


def q2o_gradient_ha(grad_hs, ha):
    return _np.zeros_like(ha)
