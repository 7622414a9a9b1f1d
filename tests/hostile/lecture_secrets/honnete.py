def q2l_derivee_hs_j(grad_oa, W2, j):
    raise ValueError("fuite : ")
