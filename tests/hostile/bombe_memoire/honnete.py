def q2a_preactivation(W1, b1, x):
    raise ValueError


def q2a_sortie_cachee(ha):
    raise ValueError
