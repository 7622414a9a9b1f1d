def q2l_derivee_hs_j(grad_oa, W2, j):
    raise ValueError("y")


def q2h_parametres():
    return ["W1W1", "b1", "W2", "b2"]
