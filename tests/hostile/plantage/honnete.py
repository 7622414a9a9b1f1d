def q2j_derivee_W2_kj(grad_oa, hs, k, j):
    raise ValueError


def q2j_derivee_b2_k(grad_oa, k):
    raise ValueError


def q2k_gradient_W2(grad_oa, hs):
    raise ValueError


def q2k_gradient_b2(grad_oa):
    raise ValueError
