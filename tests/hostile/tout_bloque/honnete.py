def _rien(*args, **kwargs):
    raise ValueError


for _nom in sorted(n for n in list(globals()) if n.startswith("q") and callable(globals()[n])):
    globals()[_nom] = _rien
