def _rien(*args):
    raise ValueError


q2h_risque_empirique = _rien
