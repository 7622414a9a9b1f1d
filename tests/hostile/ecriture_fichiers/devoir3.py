# Writing, replacing or deleting results.json and the autograder's files during grading
# (the paths are given: the worst case is an attacker who knows them). Any success on a
# path that exists (inside namespaces the same path may exist in a private /tmp, which
# harms nobody) flips q2c_pourquoi; the test also checks results.json and the source hashes.
import os as _os
import shutil as _shutil

_FAUX = '{"score": 1000, "tests": [{"name": "x", "score": 1000, "max_score": 1}]}'
_REUSSI = []


def _essayer(what, fn, path, *args):
    if not _os.path.exists(path):
        return
    try:
        fn(path, *args)
        _REUSSI.append(what)
    except BaseException:
        pass


def _ecrire(path, text):
    with open(path, "w") as f:
        f.write(text)


def _attaquer():
    r = "__RACINE__"
    _essayer("results", lambda d: _ecrire(d + "/results.json", _FAUX), r + "/results")
    _essayer("rubric", _ecrire, r + "/source/autograder/rubric.yaml", "items: []\n")
    _essayer("reference", _ecrire, r + "/source/reference/functions.py", "raise SystemExit\n")
    _essayer("unlink", _os.unlink, r + "/source/autograder/checks.py")
    _essayer("rmtree", _shutil.rmtree, r + "/source/reference")
    _essayer("rename", _os.rename, r + "/results", r + "/ancien")
    _essayer("symlink", lambda d: _os.symlink("/tmp", d + "/lien"), r + "/results")
    _essayer("runner", _ecrire, r + "/run_autograder", "#!/bin/sh\necho pwned\n")
    _essayer("marque", lambda d: _ecrire(d + "/marque", "x"), _os.path.dirname("__MARQUE__"))
    _essayer("chmod", _os.chmod, r + "/results", 0o777)


_attaquer()


_q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file


def q2c_pourquoi():
    _attaquer()
    return "A" + ",".join(_REUSSI) if _REUSSI else _q2c_juste()
