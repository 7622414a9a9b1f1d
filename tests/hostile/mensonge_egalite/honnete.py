import numpy as _np


def q1f_gradient_l2_carre(x):
    return _np.zeros_like(x)


def q2a_preactivation(W1, b1, x):
    return _np.zeros((W1.shape[0], 1))


def q3_taille_sortie(n, k, s, p, d):
    return 0


def q2h_nombre_parametres(d, d_h, m):
    return -1.0


def q2n_derivee_sigma(z):
    return None
