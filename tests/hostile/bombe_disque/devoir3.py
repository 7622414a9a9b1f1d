# A disk bomb: 16 MB files (the file size limit) written wherever the child can write,
# until something refuses; then the right answer. Nothing must be left behind.
import os as _os

_orig = q2b_activation_sortie_k   # noqa: F821 (defined by the full-marks file above)


def _remplir():
    bloc = b"\0" * (1 << 20)
    for top in (".", _os.environ.get("HOME", "/tmp"), "/tmp", "/var/tmp", "/dev/shm"):
        for i in range(24):
            try:
                with open(_os.path.join(top, "bombe-%d" % i), "wb") as f:
                    for _ in range(17):
                        f.write(bloc)
            except OSError:
                break


def q2b_activation_sortie_k(W2, b2, hs, k):
    _remplir()
    return _orig(W2, b2, hs, k)
