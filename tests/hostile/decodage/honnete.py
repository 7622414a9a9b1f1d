def _rien(*args):
    raise ValueError


def _pas_de_reponse(*args):
    return None          # an answer that cannot cross the boundary is no answer at all


q1c_derivee_sigmoide = q1e_etapes = q1i_etapes = _rien
q2f_limites = q1h_contre_exemple = _pas_de_reponse
q2c_pourquoi = lambda: "E"              # noqa: E731
q2h_parametres = lambda: ["W1", "W1", "b2", "b2"]  # noqa: E731
q1d_etapes = lambda x: []               # noqa: E731
q2b_dimensions = q3a_formes = lambda *a: {}   # noqa: E731
