# A CPU bomb: threads and processes that spin for ever from import time on, competing with
# the grader for the two cores. The answers still arrive (each call has its own time limit
# and the spinners are killed with the worker), and nothing spins after grading.
import os as _os
import threading as _threading


def _tourner():
    while True:
        pass


for _ in range(2):
    _threading.Thread(target=_tourner, daemon=True).start()
for _ in range(2):
    if _os.fork() == 0:
        _tourner()
