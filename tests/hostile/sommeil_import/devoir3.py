# A slow import (each fresh worker pays it again) and one function that never answers:
# that function costs its own item, the slow import costs only time.
import time as _time

_time.sleep(1.0)


def q2h_risque_empirique(X, Y, W1, b1, W2, b2):
    _time.sleep(10 ** 6)
