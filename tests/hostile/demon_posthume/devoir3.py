# A daemon that outlives the call: double fork, new session, signals ignored, file
# descriptors closed; it waits for grading to end, then rewrites results.json and leaves a
# marker, again and again. Every student process must be dead before results.json is
# written, so it never gets the chance.
import os as _os
import signal as _signal
import time as _time


def _demon():
    if _os.fork() != 0:
        return
    _os.setsid()
    if _os.fork() != 0:
        _os._exit(0)
    for sig in (_signal.SIGTERM, _signal.SIGHUP, _signal.SIGINT):
        _signal.signal(sig, _signal.SIG_IGN)
    for fd in range(0, 64):
        try:
            _os.close(fd)
        except OSError:
            pass
    fin = _time.monotonic() + 60
    while _time.monotonic() < fin:
        _time.sleep(0.2)
        for path, text in (("__RACINE__/results/results.json", '{"score": 1000, "tests": []}'),
                           ("__MARQUE__", "encore là")):
            try:
                with open(path, "w") as f:
                    f.write(text)
            except OSError:
                pass
    _os._exit(0)


_demon()


_q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file


def q2c_pourquoi():
    _demon()
    return _q2c_juste()
