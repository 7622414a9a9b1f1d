def _rien(*args):
    raise ValueError


q2h_risque_empirique = q2n_derivee_sigma = _rien
