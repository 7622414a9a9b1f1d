def q2c_pourquoi():
    return "E"


def q2h_parametres():
    return ["W1", "W1", "b2", "b2"]


def q1d_etapes(x):
    return []


def q2f_limites():
    return None          # an answer that cannot cross the boundary is no answer at all


def q1h_contre_exemple():
    return None


def q1c_derivee_sigmoide(x):
    raise ValueError


def q1e_etapes(x):
    raise ValueError


def q1i_etapes(x, c, i):
    raise ValueError


def q2b_dimensions(d, d_h, m):
    return {}


def q3a_formes():
    return {}
