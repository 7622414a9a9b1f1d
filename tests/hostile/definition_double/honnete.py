import numpy as _np


def q1k_jacobienne_softmax(S):
    return _np.eye(S.shape[0]) * S - S @ S.T
