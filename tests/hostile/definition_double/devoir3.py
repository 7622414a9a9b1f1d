# Lying to the checks that read the source: a first definition of q1k that uses diag (the
# item asks for it) and a second one, the one in force, that does not. The source check
# must read the definition in force.
import numpy as _np


def q1k_jacobienne_softmax(S):
    return diag(S) - S @ S.T          # noqa: F821 - never called


def q1k_jacobienne_softmax(S):        # noqa: F811
    return _np.eye(S.shape[0]) * S - S @ S.T
