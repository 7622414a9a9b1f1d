# Searching its own memory for what the grader holds: the child is forked from a process
# that imported numpy before reading anything of the instructor's (autograder/sandbox/warm.py),
# so neither its live objects nor its address space (/proc/self/mem, where /proc is mounted:
# without namespaces, Gradescope's case) may hold the rubric, a reference answer, the key of a
# seeded case or the grader's environment. __AIGUILLES__: (name, first half, second half) in
# hex; the whole needle is never built here, so only memory the child did not make can match.
# Anything found flips q2c_pourquoi to a wrong answer (the score check sees it).
import gc as _gc
import sys as _sys

_AIGUILLES = [(nom, bytes.fromhex(a), bytes.fromhex(b)) for nom, a, b in __AIGUILLES__]
_MODULES = ("reference", "yaml", "sympy", "autograder.rubric", "autograder.answers", "autograder.checks",
            "autograder.grading", "autograder.diagnosis", "autograder.misconceptions")


def _dans(data, vus, fin=None):
    fin = len(data) if fin is None else fin
    for nom, a, b in _AIGUILLES:
        i = data.find(a, 0, fin)
        while i >= 0:
            if data[i + len(a):i + len(a) + len(b)] == b:
                vus.add(nom)
                break
            i = data.find(a, i + 1, fin)


def _objets(vus):
    """Every live object: those the collector tracks and all they refer to, transitively
    (strings, bytes, arrays, and containers the collector does not track)."""
    import numpy
    pile, vu = _gc.get_objects(), set()
    while pile:
        o = pile.pop()
        if id(o) in vu:
            continue
        vu.add(id(o))
        if isinstance(o, str):
            if len(o) >= 16:
                _dans(o.encode("utf-8", "surrogatepass"), vus)
            continue
        if isinstance(o, (bytes, bytearray)):
            if len(o) >= 16:
                _dans(o, vus)
            continue
        if isinstance(o, numpy.ndarray) and 0 < o.nbytes < 1 << 24 and o.dtype.kind in "fiub":
            _dans(numpy.ascontiguousarray(o).tobytes(), vus)
        elif type(o).__name__ == "module" and str(getattr(o, "__name__", "")).startswith(_MODULES):
            vus.add("module " + o.__name__)
        pile.extend(_gc.get_referents(o))
    for name in list(_sys.modules):
        if name.startswith(_MODULES):
            vus.add("sys.modules " + name)
    return len(vu)


def _memoire(vus):
    """Every readable mapping of the address space, through /proc/self/mem (-1: no /proc)."""
    try:
        with open("/proc/self/maps") as f:
            cartes = f.read().splitlines()
        mem = open("/proc/self/mem", "rb", buffering=0)
    except OSError:
        return -1
    tampon = bytearray(1 << 20)
    vue = memoryview(tampon)
    lu = 0
    with mem:
        for ligne in cartes:
            champs = ligne.split()
            if champs[1][0] != "r" or ligne.endswith(("[vvar]", "[vsyscall]")):
                continue
            bas, haut = (int(x, 16) for x in champs[0].split("-"))
            pos = bas
            while pos < haut:
                try:
                    mem.seek(pos)
                    n = mem.readinto(vue[:min(len(tampon), haut - pos)])
                except (OSError, ValueError, OverflowError):
                    break
                if not n:
                    break
                lu += n
                _dans(tampon, vus, n)
                pos += n - 256 if n > 256 and pos + n < haut else n     # a needle across two reads
    return lu


def fouiller():
    vus = set()
    objets = _objets(vus)
    octets = _memoire(vus)
    return sorted(vus), objets, octets, bool(_sys.flags.isolated)


_VUS, _OBJETS, _OCTETS, _ISOLE = fouiller()
print("MÉMOIRE : %r objets=%d octets=%d isolé=%d" % (_VUS, _OBJETS, _OCTETS, _ISOLE))

if "q2c_pourquoi" in globals():
    _q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file

    def q2c_pourquoi():
        if _VUS:
            return "A" + " | ".join(_VUS)[:400]
        return _q2c_juste()
