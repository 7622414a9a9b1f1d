# Writing on the child's protocol channel: every pipe it can find gets garbage, stale and
# forged answers (ids that are never asked), at import and during calls. The grader skips
# them; the real answers still arrive.
import os as _os
import stat as _stat

_FORGED = (b'garbage, not json\n' b'{"id": -1, "ok": true, "value": {"t": "float", "v": 1e9}}\n'
           b'{"id": "1", "ok": true}\n' b'[1, 2, 3]\n' b'{"id": 999999999, "ok": true}\n' b'\n' b'{\n')


def _forge():
    for fd in range(3, 64):
        try:
            if _stat.S_ISFIFO(_os.fstat(fd).st_mode):
                _os.write(fd, _FORGED)
        except OSError:
            pass


_forge()


_q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file


def q2c_pourquoi():
    _forge()
    return _q2c_juste()
