def _rien(*args):
    raise ValueError


q2j_derivee_W2_kj = q2j_derivee_b2_k = q2k_gradient_W2 = q2k_gradient_b2 = _rien
