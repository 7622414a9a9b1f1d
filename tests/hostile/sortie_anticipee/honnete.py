def q1a_signe(x):
    raise ValueError


def q1b_derivee_relu(x):
    raise ValueError


def q1c_derivee_sigmoide(x):
    raise ValueError


def q1d_etapes(x):
    raise ValueError


def q1e_etapes(x):
    raise ValueError
