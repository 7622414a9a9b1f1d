def q2d_perte_mse(oa, y):
    raise ValueError


def q2d_derivee_mse(oa, y):
    raise ValueError


def q2e_perte_ce(oa, y):
    raise ValueError


def q2e_derivee_ce(oa, y):
    raise ValueError


def q2g_perte(oa, y):
    raise ValueError


def q2n_derivee_sigma(z):
    raise ValueError
