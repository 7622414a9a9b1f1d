def q2b_activation_sortie(W2, b2, hs):
    raise ValueError
