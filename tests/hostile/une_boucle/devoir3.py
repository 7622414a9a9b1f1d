# Two functions that never return (an infinite loop, a long sleep): each costs its own item
# and nothing else; every other item earns its points.
import time as _time


def q2h_risque_empirique(X, Y, W1, b1, W2, b2):
    while True:
        pass


def q2n_derivee_sigma(z):
    _time.sleep(10 ** 6)
