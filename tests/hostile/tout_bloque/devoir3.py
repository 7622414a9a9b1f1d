# Every function sleeps for ever, or spins: grading must still end quickly (each function is
# timed out once and never called again; after `hang_allowance`, the short time limit).
import time as _time


def _dort(*args, **kwargs):
    _time.sleep(10 ** 6)


def _tourne(*args, **kwargs):
    while True:
        pass


for _k, _nom in enumerate(sorted(n for n in list(globals()) if n.startswith("q") and callable(globals()[n]))):
    globals()[_nom] = _dort if _k % 2 else _tourne
