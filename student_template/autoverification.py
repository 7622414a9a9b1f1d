"""Autovérification du devoir 3 (IFT 3395) — self-check for homework 3.

Utilisation (dans le dossier qui contient devoir3.py et outils.py) :

    python3 autoverification.py              # vérifie devoir3.py à côté de ce fichier
    python3 autoverification.py autre/devoir3.py
    (sous Windows : py autoverification.py ou python autoverification.py)

Ce programme liste les items que vous n'avez pas encore faits et vérifie
seulement ce qui n'a besoin d'AUCUNE réponse attendue :
  - chaque fonction s'importe et retourne le bon type et la bonne forme
    (vecteurs colonnes (k, 1), étiquettes comptées à partir de 0) ;
  - vos gradients concordent, par différences finies, avec VOS propres
    fonctions (ou avec les fonctions de outils) ;
  - un softmax est positif et somme à 1 ; le softmax et les pertes restent
    finis et exacts pour |o^a| ≈ 1000, sur des entrées de tous les signes comme
    au correcteur ; une configuration de convolution donne 4 selon VOTRE
    q3_taille_sortie ;
  - les listes d'expressions (1.d, 1.e, 1.i, 1.j) sont des chaînes d'égalités.
Le fichier est lu comme le correcteur le lit (un fichier en Windows-1252 est
relu, avec la même note). Il ne contient aucune réponse et ne télécharge rien.
Réussir l'autovérification N'EST PAS une note : le correcteur vérifie bien plus
(valeurs exactes sur d'autres entrées, forme des formules, cas limites, réponses
aux questions).

(This self-check lists unimplemented items and runs only checks that need no
expected answer. It contains no answers. Passing it is NOT a grade.)

Bibliothèque standard + numpy seulement. Une fonction qui ne répond pas en 10 s
(variable d'environnement AUTOVERIFICATION_DELAI) est signalée, puis n'est plus
appelée, comme au correcteur ; Ctrl-C arrête tout.
"""
import contextlib
import numbers
import os
import re
import sys
import traceback
import warnings

def numpy_howto():
    """The command that installs numpy for THIS interpreter: where the system manages its Python
    (PEP 668's EXTERNALLY-MANAGED: Debian 12, Ubuntu 23.04 and later), pip refuses to install
    into it, so the system's package is named instead."""
    import sysconfig
    if os.name == "nt":
        return "py -m pip install numpy"
    managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib") or "", "EXTERNALLY-MANAGED"))
    if managed and sys.prefix == sys.base_prefix:
        return "sudo apt install python3-numpy"
    return "%s -m pip install numpy" % (sys.executable or "python3")


try:
    import numpy as np
except ImportError:
    sys.stdout.write(
        "numpy n'est pas installé pour ce Python (%s) : installez-le, puis relancez.\n"
        "numpy is not installed for this Python (%s): install it, then run again.\n"
        "    %s\n" % (sys.executable, sys.executable, numpy_howto()))
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
STEP = 1e-5                   # pas des différences finies centrées
RTOL, ATOL = 2e-4, 2e-5       # concordance avec les différences finies (pas les tolérances du correcteur)
SEED = 20250101
RNG = np.random.default_rng(SEED)      # drawn again for each file checked (run): same file, same output
CALL_SECONDS = float(os.environ.get("AUTOVERIFICATION_DELAI", "10"))   # secondes par appel, au-delà :
# boucle infinie supposée (un fil de surveillance, sous Windows aussi : outils._Delai)
MAX_FILE = 1_000_000          # octets, comme le correcteur (autograder/locate.py)

NOT_A_GRADE = (
    "ATTENTION : réussir l'autovérification N'EST PAS une note. Le correcteur vérifie aussi les "
    "valeurs exactes sur d'autres entrées, la forme des formules, les cas limites et les réponses "
    "aux questions.\n"
    "WARNING: passing this self-check is NOT a grade. The grader also checks exact values on other "
    "inputs, the form of formulas, edge cases and the answers to the questions.")


# ------------------------------------------------------------------ outcomes
class NotDone(Exception):
    """A function raised NotImplementedError."""

    def __init__(self, name):
        super().__init__(name)
        self.name = name


class Missing(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


class StudentError(Exception):
    def __init__(self, name, exc, line):
        super().__init__(name)
        self.name, self.exc, self.line = name, exc, line


class Failed(Exception):
    """A check failed; the message says what, never what the answer is."""


class Unreadable(Exception):
    """The file cannot be read as the grader reads it (a NUL byte, too large)."""


class Captured:
    """What the student's code prints during the self-check: counted, its beginning kept."""
    KEEP = 2000

    def __init__(self):
        self.text, self.lines, self.chars = "", 0, 0

    def write(self, s):
        self.chars += len(s)
        self.lines += s.count("\n")
        if len(self.text) < self.KEEP:
            self.text += s[: self.KEEP - len(self.text)]
        return len(s)

    def flush(self):
        pass

    def quiet(self):
        """A context where print() of the student's code lands here."""
        stack = contextlib.ExitStack()
        stack.enter_context(contextlib.redirect_stdout(self))
        stack.enter_context(contextlib.redirect_stderr(self))
        return stack


class Checker:
    def __init__(self, module, outils, path, printed=None):
        self.m, self.outils, self.path = module, outils, os.path.abspath(path)
        self.printed = printed or Captured()
        self.not_done = set()
        self.ran = set()          # functions that returned at least once
        self.called = []          # functions called by the check under way (reset by each check)
        self.too_long = set()     # functions that timed out: not called again, as in the grader

    def call(self, name, *args):
        # a function that changes its inputs in place changes a copy
        return self._run(name, lambda fn: fn(*[fresh(a) for a in args]))

    def formula(self, name, *args):
        """name read as a formula with symbols, as the grader reads it (every `if` on a symbol
        followed both ways: outils._trace)."""
        trace = getattr(self.outils, "_trace", None)
        if trace is None:
            return self.call(name, *args)
        return self._run(name, lambda fn: trace(fn, lambda: [fresh(a) for a in args]))

    def _run(self, name, invoke):
        self.called.append(name)
        fn = getattr(self.m, name, None)
        if not callable(fn):
            raise Missing(name)
        if name in self.too_long:
            raise Failed(self._too_long_text(name))
        # A watchdog thread, not SIGALRM: the limit works on Windows too (outils._Delai).
        delai = self.outils._Delai(CALL_SECONDS, stuck=lambda: _stuck(name))
        try:
            with delai, np.errstate(all="ignore"), warnings.catch_warnings(), self.printed.quiet():
                warnings.simplefilter("ignore")
                out = invoke(fn)
            self.ran.add(name)
            return out
        except KeyboardInterrupt:
            if not delai.expired:
                raise                        # the user's Ctrl-C
            self.too_long.add(name)
            raise Failed(self._too_long_text(name))
        except NotImplementedError:
            self.not_done.add(name)
            raise NotDone(name)
        except Exception as exc:  # the student's bug: reported, never fatal
            raise StudentError(name, exc, self._line(exc))

    @staticmethod
    def _too_long_text(name):
        return "%s n'a pas répondu en %g s : boucle infinie ? (elle n'est plus appelée ensuite)" % (
            name, CALL_SECONDS)

    def _line(self, exc):
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if os.path.abspath(frame.filename) == self.path:
                line = frame.lineno
        return line


def checked_functions(check, functions, called):
    """The item's functions a check verifies (to name them when a function of another item it
    relies on is not done yet): those it called, else those its code names, else all."""
    named = [f for f in functions if f in called]
    if not named:
        strings = _strings_of(check.run)
        named = [f for f in functions if f in strings]
    return named or list(functions)


def _strings_of(fn, depth=2) -> set:
    """The string constants of a function's code (nested code too) and of its closure."""
    out, codes = set(), [getattr(fn, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is None:
            continue
        for k in code.co_consts:
            if isinstance(k, str):
                out.add(k)
            elif hasattr(k, "co_consts"):
                codes.append(k)
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            v = cell.cell_contents
        except ValueError:            # an empty cell
            continue
        if isinstance(v, str):
            out.add(v)
        elif callable(v) and depth:
            out |= _strings_of(v, depth - 1)
    return out


def _stuck(name):
    """A function that keeps running although interrupted (it catches KeyboardInterrupt): stop here."""
    sys.__stdout__.write("\n[ÉCHEC]  %s ne s'arrête pas, même interrompue (intercepte-t-elle KeyboardInterrupt ?) : "
                         "autovérification arrêtée.\n" % name)
    sys.__stdout__.flush()
    os._exit(1)


# ------------------------------------------------------------------ helpers
def fresh(v):
    """A copy of an input array (or of a list of them): every call gets its own."""
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, list):
        return [fresh(e) for e in v]
    return v


def is_number(v):
    """A number as the grader takes it: a number, a bool, or an array of one number ((), (1,), (1, 1))."""
    if isinstance(v, (numbers.Real, np.bool_)):
        return True
    return isinstance(v, np.ndarray) and v.size == 1 and v.dtype.kind in "biuf"


def as_float(v, what):
    if not is_number(v):
        raise Failed("%s : un nombre est attendu, reçu %s" % (what, describe(v)))
    return float(np.asarray(v, dtype=float).reshape(-1)[0])


def is_int(v):
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (numbers.Integral, np.integer)):
        return True
    return isinstance(v, (float, np.floating)) and float(v).is_integer()


def shape_of(v):
    """A shape answer as a tuple of ints: an int, a list or tuple of whole numbers, a 1-D int array."""
    if is_int(v):
        return (int(v),)
    if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind in "iuf":
        v = list(v)
    if isinstance(v, (list, tuple)) and v and all(is_int(e) for e in v):
        return tuple(int(e) for e in v)
    return None


def describe(v):
    if isinstance(v, np.ndarray):
        return "un tableau de forme %s" % (v.shape,)
    text = repr(v)
    return "%s (%s)" % (text if len(text) < 60 else text[:57] + "...", type(v).__name__)


def array_of(v, what):
    if isinstance(v, (list, tuple)):
        try:
            v = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise Failed("%s : des nombres sont attendus, reçu %s" % (what, describe(v)))
    if is_number(v) and not isinstance(v, np.ndarray):
        return np.asarray(float(v))
    if not isinstance(v, np.ndarray) or v.dtype.kind not in "biuf":
        raise Failed("%s : un tableau numpy de nombres est attendu, reçu %s" % (what, describe(v)))
    return v.astype(float)


SHAPES = {}      # the shape each vector answer really had, for the report


def vector(v, n, what):
    """A vector answer: (n, 1) is the convention, (n,) is accepted, (1, n) is not."""
    a = array_of(v, what)
    if a.shape in ((n, 1), (n,)):
        SHAPES[what] = a.shape
        return a.reshape(n, 1)
    if a.shape == (1, n) and n > 1:
        raise Failed("%s : forme (1, %d), un vecteur ligne ; la convention est un vecteur colonne (%d, 1)"
                     % (what, n, n))
    raise Failed("%s : forme %s, alors que la convention donne (%d, 1)" % (what, a.shape, n))


def matrix(v, shape, what):
    a = array_of(v, what)
    if a.shape != shape:
        raise Failed("%s : forme %s, alors que la forme attendue d'après les arguments est %s"
                     % (what, a.shape, shape))
    return a


def shape_seen(what):
    """'forme (3, 1)' or 'forme (3,)': what the function really returned."""
    return "forme %s" % (SHAPES.get(what, "?"),)


EXACT = (RTOL, ATOL)          # "exact" in the stability checks: the self-check's own tolerances, looser
# than the grader's (which stay with the grader): what breaks at |o^a| ≈ 1000 breaks by far more


def probability(a, what):
    """Non-negative, summing to 1 (what the grader asks of a softmax)."""
    total = float(np.sum(a))
    if np.any(a < 0) or not np.isclose(total, 1.0, rtol=RTOL, atol=ATOL):
        raise Failed("%s : les composantes doivent être ≥ 0 et sommer à 1 (somme reçue : %.12g)" % (what, total))
    return a


# Inputs for |o^a| ≈ 1000, of the kinds the grader uses (every sign): a vector whose largest
# component in absolute value is +1000, one where it is −1000, one with every component near
# −1000 and one near +1000. Chosen so that every shift that is not the maximum overflows or
# underflows on one of them (o − mean, o − min, o − o_0, o − max |o|, no shift at all); they are
# inputs, not answers: a stable formula is exact on any of them.
EXTREMES = [(-1000.0, 1000.0, 250.0, -600.0), (400.0, -1000.0, -300.0, 700.0),
            (-1000.0, -997.5, -1002.0, -998.7), (1000.0, 1002.5, 998.0, 1001.3)]


def extremes():
    """[(description, o^a as a column vector, o^a moved by a constant)] for EXTREMES: the moved vector is
    o^a − max o^a, or the same vector near 0 (o^a ∓ 1000) for the clustered ones."""
    out = []
    for v in EXTREMES:
        v = np.asarray(v, dtype=float)
        if np.ptp(v) < 100:           # clustered near ±1000
            c = 1000.0 * np.sign(np.mean(v))
            where, moved = "toutes les composantes près de %+g" % c, v - c
        elif np.max(v) >= 999 and np.min(v) <= -999:
            where, moved = "composantes de -1000 à +1000", v - np.max(v)
        else:
            big = v[np.argmax(np.abs(v))]
            where, moved = "plus grande composante %+g en valeur absolue" % big, v - np.max(v)
        out.append((where.replace("-", "−"), v.reshape(-1, 1), moved.reshape(-1, 1)))
    return out


def grader_pointwise(c, name, oa, y):
    """name at the points oa (1-D) with label y, called as the grader calls it: once with arrays
    (o^a and y), else one point at a time (floats)."""
    ys = np.full(oa.shape, y)
    try:
        a = array_of(c.call(name, oa, ys), name)
        if a.size == oa.size:
            return a.reshape(-1)
    except (StudentError, Failed):
        pass
    out = []
    for v in oa:
        try:
            out.append(as_float(c.call(name, float(v), float(y)), "%s(%g, %g)" % (name, v, y)))
        except StudentError as e:
            if not isinstance(e.exc, OverflowError):     # math.exp(800): the grader counts it as inf
                raise
            out.append(np.inf)
    return np.asarray(out)


def finite(a, what):
    if not np.all(np.isfinite(a)):
        raise Failed("%s : valeur non finie (nan ou inf)" % what)
    return a


def agree(got, approx, what, where):
    got, approx = np.asarray(got, dtype=float), np.asarray(approx, dtype=float)
    finite(got, what)
    if not np.allclose(got, approx, rtol=RTOL, atol=ATOL):
        blame = " : l'une des deux fonctions est fausse" if "votre" in where else ""
        raise Failed("%s ne concorde pas avec les différences finies de %s%s" % (what, where, blame))


def fd_gradient(f, x):
    """Central finite differences of the scalar function f at the array x (an array shaped like x)."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = STEP
        g[idx] = (float(f(x + e)) - float(f(x - e))) / (2 * STEP)
    return g


def col(n, scale=1.0):
    return RNG.normal(0.0, scale, (n, 1))


def away_from_zero(n, lo=0.3, hi=4.0):
    return RNG.uniform(lo, hi, n) * RNG.choice([-1.0, 1.0], n)


def symbol(name):
    import outils
    return outils.Symbole(("sym", name))


# ------------------------------------------------------------------ what a check answers for
class Check:
    """One self-check of an item, and the grader's sub-checks of that item it answers for
    (their ids in the grader's grading scheme). tests/test_selfcheck_parity.py runs both on every
    file of the test corpora and holds each check to its word:
      grader  the ids of the sub-checks this check looks at;
      same    True: it tests what they test, on the same kind of inputs (the stability checks:
              |o^a| ≈ 1000, both signs): it passes exactly when they pass. False (default): it
              tests a necessary condition (a type, a shape, agreement with your own other
              functions): it never fails where they all pass;
      uses    (item, sub-check) pairs of the other functions it relies on (your q2c_softmax,
              ...): the comparison holds only when those pass.
    run(checker) returns what was verified, or raises (Failed, StudentError, NotDone, Missing)."""

    def __init__(self, run, grader, same=False, uses=()):
        self.run = run
        self.grader = (grader,) if isinstance(grader, str) else tuple(grader)
        self.same, self.uses = same, tuple(uses)


# ------------------------------------------------------------------ reusable checks
def pointwise(c, name, x, extra=()):
    """name at each number of the 1-D array x (extra: fixed arguments, e.g. y): one call on the
    whole array when the function takes arrays, else one call per number, as the grader does."""
    try:
        a = array_of(c.call(name, x, *extra), name)
        if a.size == x.size:
            return a.reshape(x.shape)
    except (StudentError, Failed):
        pass
    return np.array([as_float(c.call(name, float(v), *extra), "%s(%.3g)" % (name, v)) for v in x])


def scalar_function(c, name, extra=()):
    """A 'scalar' function: a number gives a number; an array is taken element by element
    (by the function itself, or one number at a time as the grader does)."""
    v = c.call(name, 0.7, *extra)
    as_float(v, "%s(0.7)" % name)
    pointwise(c, name, RNG.uniform(-3, 3, 5), extra)
    return "%s : un nombre donne un nombre (aussi élément par élément sur un tableau)" % name


def readable_formula(c, name, args):
    """The grader reads this formula with outils' symbols: it must run on them."""
    try:
        out = c.formula(name, *args)
    except StudentError as e:
        raise Failed("%s ne s'évalue pas avec les symboles de outils (%s : %s) : elle ne se lit pas comme une "
                     "formule. Écrivez-la avec les fonctions de outils ou de numpy" % (name, type(e.exc).__name__, e.exc))
    if isinstance(out, (list, tuple)) and out:     # a derivation: the grader reads its two ends,
        out = [out[0], out[-1]]                    # a middle step it checks with numbers if need be
    unread = sorted(unreadable(out))
    if unread:
        raise Failed("%s ne s'évalue pas avec les symboles de outils : %s ne peut pas être lue comme une formule. "
                     "Écrivez cette expression avec les fonctions de outils (exp, log, sigma, softplus, ...)"
                     % (name, ", ".join(unread)))
    return "%s s'évalue avec les symboles de outils" % name


def unreadable(v):
    """Names of the numpy functions a traced answer holds that the grader cannot read."""
    import outils
    if isinstance(v, (list, tuple)) or isinstance(v, np.ndarray) and v.dtype == object:
        return set().union(*[unreadable(e) for e in (v.flat if isinstance(v, np.ndarray) else v)])
    if not isinstance(v, getattr(outils, "Symbole", ())):
        return set()
    out, todo = set(), [v.node]
    while todo:
        node = todo.pop()
        if node[0] == "unread":
            out.add(node[1])
        todo.extend(e for e in node[1:] if isinstance(e, tuple) and e and isinstance(e[0], str))
        if node[0] == "softmax":
            todo.extend(node[2])
    return out


def derivative_vs(c, name, f, where, extra=()):
    """name(x) against central finite differences of f at points away from 0."""
    x = away_from_zero(12)
    got = pointwise(c, name, x, extra)
    approx = (np.asarray(f(x + STEP), dtype=float) - np.asarray(f(x - STEP), dtype=float)) / (2 * STEP)
    agree(got.reshape(-1), approx.reshape(-1), name, where)
    return "%s concorde avec les différences finies de %s" % (name, where)


def chain(c, name, arg_sets, names=("x",)):
    """A derivation list: evaluated at numbers, each expression equals the next."""
    for args in arg_sets:
        steps = c.call(name, *args)
        if not isinstance(steps, (list, tuple)):
            raise Failed("%s doit retourner une liste d'expressions, reçu %s" % (name, describe(steps)))
        if len(steps) < 3:
            raise Failed("%s : %d expression(s) ; il faut le départ, au moins une étape et l'arrivée"
                         % (name, len(steps)))
        vals = [as_float(np.asarray(s).reshape(-1)[0] if isinstance(s, np.ndarray) and s.size == 1 else s,
                         "%s, expression %d" % (name, k + 1)) for k, s in enumerate(steps)]
        for k in range(len(vals) - 1):
            a, b = vals[k], vals[k + 1]
            if not np.isclose(a, b, rtol=RTOL, atol=ATOL):
                shown = ", ".join("%s = %s" % (n, _short(v)) for n, v in zip(names, args))
                raise Failed("%s : les expressions %d et %d ne sont pas égales (en %s : %.6g ≠ %.6g)"
                             % (name, k + 1, k + 2, shown, a, b))
    return "%s : liste de %d expressions, chacune égale à la suivante (évaluées en des nombres)" % (
        name, len(vals))


def _short(v):
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=3, separator=", ")
    return "%.4g" % v if isinstance(v, float) else str(v)


def plain(s):
    """A name or a letter as the grader compares it: case, spaces and punctuation ignored."""
    return "".join(ch for ch in s.lower() if ch.isalnum())


def shapes_dict(c, name, keys, args=()):
    v = c.call(name, *args)
    if not isinstance(v, dict):
        raise Failed("%s doit retourner un dictionnaire, reçu %s" % (name, describe(v)))
    v = {plain(k) if isinstance(k, str) else k: e for k, e in v.items()}
    keys = [plain(k) for k in keys]
    missing = [k for k in keys if k not in v]
    if missing:
        raise Failed("%s : clé(s) manquante(s) : %s (attendues : %s)" % (name, ", ".join(missing), ", ".join(keys)))
    for k in keys:
        s = shape_of(v[k])
        if s is None or min(s) <= 0:
            raise Failed("%s[%r] : un tuple d'entiers positifs est attendu, p. ex. (m, d) ; reçu %s"
                         % (name, k, describe(v[k])))
    return "%s : dictionnaire %s de formes (tuples d'entiers)" % (name, "{" + ", ".join(keys) + "}")


SEPARATORS = re.compile(r"[\s,;/&+]+|\b(?:et|and)\b", re.IGNORECASE)


def letters_of(v, choices):
    """The letters of a multi-select answer, read as the grader reads it, or None: a list (tuple,
    set) of letters ("B)", "(b)" are B), or one string of letters with or without separators
    ("A, C", "AC", "A et C", "A and C", "A + C")."""
    if isinstance(v, str):
        tokens = [t for t in SEPARATORS.split(v) if t]
    elif isinstance(v, (list, tuple, set, frozenset)) and all(isinstance(e, str) for e in v):
        tokens = [t for e in v for t in SEPARATORS.split(e) if t]
    else:
        return None
    out = set()
    for tok in tokens:
        word = plain(tok).upper()
        if word and not all(ch in choices for ch in word):
            return None
        out |= set(word)
    return out


def statements(c, name, choices="ABCDEFG"):
    """The letters of the true statements: a list (tuple, set) of letters, or a string of them."""
    v = c.call(name)
    if letters_of(v, choices) is None:
        raise Failed("%s : une liste de lettres parmi %s est attendue, reçu %s" % (name, ", ".join(choices),
                                                                                 describe(v)))
    return "%s : une liste de lettres parmi %s" % (name, ", ".join(choices))


def integer(c, name, args=()):
    v = c.call(name, *args)
    if not is_int(v):
        raise Failed("%s%s : un entier est attendu, reçu %s" % (name, args if args else "()", describe(v)))
    return "%s retourne un entier" % name


def components(c, name, fixed, indices, approx, where, via):
    """name(*fixed, *index), one number per index, against the finite differences approx()
    (an array: element index, or (index, 0) for a column vector)."""
    as_float(c.call(name, *fixed, *indices[0]), name)       # the item's own function first
    fd = approx()
    for idx in indices:
        v = as_float(c.call(name, *fixed, *idx), name)
        agree(v, fd[idx if len(idx) == 2 else (idx[0], 0)], "%s(..., %s)" % (name, ", ".join(map(str, idx))),
              where)
    return "%s concorde avec les différences finies (%s)" % (name, via)


# dimensions used by the Q2 checks (all different, so a missing transpose shows up)
D, DH, M = 5, 4, 3


def mlp_args(c=None, layer=None):
    """Inputs of the Q2 checks: W1 (d_h × d) and x as the statement gives them, vectors of the
    hidden layer (d_h neurons) and of the output layer (m neurons); with the checker c, also the
    parameters built with the shapes YOU give (those shapes are questions: this file states none
    of them): layer "hidden", b1 (your 2.a); "output", W2 and b2 (your 2.b); None, all three.
    A check of 2.a thus runs before 2.b is done, and the other way round."""
    a = {"W1": RNG.normal(size=(DH, D)), "x": col(D), "hs": RNG.uniform(0.1, 0.9, col(DH).shape),
         "ha": col(DH), "g": col(M), "gh": col(DH)}
    if c is not None and layer in (None, "hidden"):
        a["b1"] = RNG.normal(size=declared_shape(c, "q2a_dimension_b1", None))
    if c is not None and layer in (None, "output"):
        a["W2"] = RNG.normal(size=declared_shape(c, "q2b_dimensions", "W2"))
        a["b2"] = RNG.normal(size=declared_shape(c, "q2b_dimensions", "b2"))
    return a


def declared_shape(c, name, key):
    """The shape the student's own answer gives (a vector (k,) as the column (k, 1))."""
    v = c.call(name, D, DH, M)
    if key is not None:
        v = {plain(k): e for k, e in v.items() if isinstance(k, str)}.get(plain(key)) if isinstance(v, dict) else None
    s = shape_of(v)
    if s is None or not 1 <= len(s) <= 2 or min(s) <= 0:
        raise Failed("ce test construit %s avec la forme que vous donnez dans %s, qui n'est pas utilisable "
                     "(un tuple d'entiers positifs est attendu) : reçu %s" % (key or "b1", name, describe(v)))
    return s if len(s) == 2 else (s[0], 1)


def linear_form(g, f):
    """u -> <g, f(u)>: its gradient is what a backward step computes for the upstream gradient g."""
    return lambda u: float(np.sum(np.asarray(g, dtype=float).reshape(-1) *
                                  np.asarray(f(u), dtype=float).reshape(-1)))


# ------------------------------------------------------------------ the items
def own_softmax(c):
    """The student's own softmax (q2c_softmax): the self-check compares answers with each other,
    never with an expected value."""
    return lambda z: array_of(c.call("q2c_softmax", np.asarray(z, dtype=float).reshape(-1, 1)),
                              "q2c_softmax").reshape(np.shape(z))


def own_hidden(c):
    """The student's own h^s = σ(h^a) (q2a_sortie_cachee), applied elementwise."""
    return lambda z: array_of(c.call("q2a_sortie_cachee", np.asarray(z, dtype=float).reshape(-1, 1)),
                              "q2a_sortie_cachee").reshape(np.shape(z))


def items():
    """(id, title, functions, [(check, ...)]) — a check returns its description or raises."""
    import outils
    softmax = outils.softmax                # inputs only (o^s for q2i), never an expected value

    def q1f(c):
        x = col(4)
        finite(vector(c.call("q1f_gradient_l2_carre", x), 4, "q1f_gradient_l2_carre"), "q1f_gradient_l2_carre")
        return "q1f_gradient_l2_carre : %s, valeurs finies" % shape_seen("q1f_gradient_l2_carre")

    def q1g(c):
        x = away_from_zero(4).reshape(4, 1)
        finite(vector(c.call("q1g_gradient_l1", x), 4, "q1g_gradient_l1"), "q1g_gradient_l1")
        return "q1g_gradient_l1 : %s, valeurs finies" % shape_seen("q1g_gradient_l1")

    def q1h(c):
        v = c.call("q1h_contre_exemple")
        if not (isinstance(v, (tuple, list)) and len(v) == 2):
            raise Failed("q1h_contre_exemple doit retourner un tuple (x, c), reçu %s" % describe(v))
        x = array_of(v[0], "x").reshape(-1)
        if x.size < 2 or not np.all(np.isfinite(x)):
            raise Failed("q1h_contre_exemple : x doit contenir au moins 2 nombres finis")
        cc = as_float(np.asarray(v[1]).reshape(-1)[0] if isinstance(v[1], np.ndarray) and v[1].size == 1
                      else v[1], "c")
        if not (np.isfinite(cc) and cc >= 0):
            raise Failed("q1h_contre_exemple : c doit être un nombre fini ≥ 0")
        return "q1h_contre_exemple : (x, c) bien formé (x d'au moins 2 nombres, c ≥ 0)"

    def q1i_args():
        return [(RNG.normal(size=3), float(RNG.normal()), i) for i in range(3)]

    def q1j_args():
        return [(RNG.normal(size=3), i, j) for i in range(3) for j in range(3)]

    def sym3():         # as the grader passes it (numpy's functions apply to it element by element)
        v = np.array([symbol("x%d" % k) for k in range(3)], dtype=object)
        return v.view(outils.VecteurSymbolique) if hasattr(outils, "VecteurSymbolique") else v

    def column(name, n):    # a column vector of symbols (n, 1), as the grader reads a gradient
        v = np.array([symbol("%s%d" % (name, k)) for k in range(n)], dtype=object).reshape(n, 1)
        return v.view(outils.VecteurSymbolique) if hasattr(outils, "VecteurSymbolique") else v

    def exact(name, *args):     # a calculus answer is graded as an exact formula: it must read as one
        return lambda c: readable_formula(c, name, list(args))

    def q1k(c):
        x = RNG.normal(size=(4, 1))
        got = matrix(c.call("q1k_jacobienne_softmax", softmax(x)), (4, 4), "q1k_jacobienne_softmax")
        softmax_ = own_softmax(c)           # compared with the student's own softmax only
        fd = np.zeros((4, 4))
        for j in range(4):
            e = np.zeros((4, 1))
            e[j] = STEP
            fd[:, j] = ((softmax_(x + e) - softmax_(x - e)) / (2 * STEP)).reshape(-1)
        agree(got, fd, "q1k_jacobienne_softmax", "votre q2c_softmax")
        return "q1k_jacobienne_softmax : forme (4, 4), concorde avec les différences finies de votre q2c_softmax"

    def q1l(c):
        n, p = 4, 3
        A, u = RNG.normal(size=(n, p)), RNG.normal(size=(p, 1))
        S = softmax(A @ u)                    # x(u) = A u, so its Jacobian is A (S: an input only)
        got = [vector(c.call("q1l_gradient_log_softmax", A, S, i), p, "q1l_gradient_log_softmax")
               for i in range(n)]
        softmax_ = own_softmax(c)             # compared with the student's own softmax only
        for i in range(n):
            fd = fd_gradient(lambda w: np.log(softmax_(A @ w)[i, 0]), u)
            agree(got[i], fd, "q1l_gradient_log_softmax", "log q2c_softmax(x(u))_i avec x(u) = A u")
        return ("q1l_gradient_log_softmax : " + shape_seen("q1l_gradient_log_softmax") + ", concorde avec les différences finies de "
                "log de votre q2c_softmax(x(u))_i (x(u) = A u)")

    def q2a_shapes(c):
        v = c.call("q2a_dimension_b1", D, DH, M)
        if shape_of(v) is None or min(shape_of(v)) <= 0:
            raise Failed("q2a_dimension_b1 : un tuple d'entiers est attendu, p. ex. (m, d) ; reçu %s" % describe(v))
        return "q2a_dimension_b1 : un tuple d'entiers"

    def q2a(c):
        a = mlp_args(c, "hidden")
        ha = vector(c.call("q2a_preactivation", a["W1"], a["b1"], a["x"]), DH, "q2a_preactivation")
        finite(ha, "q2a_preactivation")
        return "q2a_preactivation : vecteur de %s (d_h = %d)" % (shape_seen("q2a_preactivation"), DH)

    def q2a_j(c):
        a = mlp_args(c, "hidden")
        for j in range(DH):
            as_float(c.call("q2a_preactivation_j", a["W1"], a["b1"], a["x"], j), "q2a_preactivation_j")
        ha = vector(c.call("q2a_preactivation", a["W1"], a["b1"], a["x"]), DH, "q2a_preactivation")
        for j in range(DH):
            if not np.isclose(as_float(c.call("q2a_preactivation_j", a["W1"], a["b1"], a["x"], j),
                                       "q2a_preactivation_j"), ha[j, 0],
                              rtol=RTOL, atol=ATOL):
                raise Failed("q2a_preactivation_j(..., %d) diffère de la composante %d de votre q2a_preactivation"
                             % (j, j))
        return "q2a_preactivation_j : des nombres, égaux aux composantes de votre q2a_preactivation"

    def q2a_hs(c):
        ha = col(DH)
        vector(c.call("q2a_sortie_cachee", ha), DH, "q2a_sortie_cachee")
        return "q2a_sortie_cachee : un vecteur de h^s pour chaque h^a"

    def q2b(c):
        a = mlp_args(c, "output")
        vector(c.call("q2b_activation_sortie", a["W2"], a["b2"], a["hs"]), M, "q2b_activation_sortie")
        return "q2b_activation_sortie : vecteur de %s (m = %d)" % (shape_seen("q2b_activation_sortie"), M)

    def q2b_k(c):
        a = mlp_args(c, "output")
        vals = [as_float(c.call("q2b_activation_sortie_k", a["W2"], a["b2"], a["hs"], k), "q2b_activation_sortie_k")
                for k in range(M)]
        oa = vector(c.call("q2b_activation_sortie", a["W2"], a["b2"], a["hs"]), M, "q2b_activation_sortie")
        for k, v in enumerate(vals):
            if not np.isclose(v, oa[k, 0], rtol=RTOL, atol=ATOL):
                raise Failed("q2b_activation_sortie_k(..., %d) diffère de la composante %d de votre "
                             "q2b_activation_sortie" % (k, k))
        return "q2b_activation_sortie_k : des nombres, égaux aux composantes de votre q2b_activation_sortie"

    def q2c(c):
        oa = RNG.normal(0.0, 2.0, (M + 1, 1))
        os_ = finite(vector(c.call("q2c_softmax", oa), M + 1, "q2c_softmax"), "q2c_softmax")
        probability(os_, "q2c_softmax")
        return "q2c_softmax : " + shape_seen("q2c_softmax") + ", positif, somme 1"

    def q2c_stable(c):
        """Inputs of the grader's kinds (|o^a| ≈ 1000, every sign) and its test: a probability vector,
        finite and exact; exact is judged against your own softmax of o^a moved by a constant
        (o^a − max o^a, or the same vector near 0): the softmax does not change (question 1.i),
        and there even the plainest formula is exact."""
        for where, oa, moved in extremes():
            what = "q2c_softmax (%s)" % where
            os_ = finite(vector(c.call("q2c_softmax", oa), M + 1, "q2c_softmax"), what)
            probability(os_, what)
            ref = vector(c.call("q2c_softmax", moved), M + 1, "q2c_softmax")
            if not np.all(np.isclose(os_.reshape(-1), ref.reshape(-1), rtol=EXACT[0], atol=EXACT[1])):
                raise Failed("%s : résultat différent pour o^a translaté (o^a − max o^a, ou le même vecteur près "
                             "de 0), alors qu'un softmax ne change pas si l'on ajoute une constante à o^a "
                             "(question 1.i) ; pensez à la stabilité numérique" % what)
        return "q2c_softmax : une distribution de probabilité finie et exacte pour |o^a| ≈ 1000 (tous les signes)"

    def binary_loss(loss, grad, loss_ref):
        def check(c):
            for y in (0, 1):        # y is a Python int, as the docstring says (y ∈ {0, 1})
                derivative_vs(c, grad, lambda z: pointwise(c, loss, np.asarray(z, dtype=float), (y,)),
                              "votre " + loss, extra=(y,))
            return "%s concorde avec les différences finies de votre %s (y = 0 et 1)" % (grad, loss)
        return [Check(lambda c: scalar_function(c, loss, extra=(1,)), loss_ref[1]),
                Check(check, "derivee", uses=[loss_ref])]

    def ce_large(c):
        """The grader's points (o^a = ±1000, ±750, y = 0 and 1), called as it calls them: all at
        once (arrays), else one at a time."""
        oa = np.array([1000.0, -1000.0, 750.0, -750.0])
        for y in (0, 1):
            got = grader_pointwise(c, "q2e_perte_ce", oa, float(y))
            bad = ~np.isfinite(got)
            if bad.any():
                raise Failed("q2e_perte_ce(%g, %d) : valeur non finie (nan ou inf) ; elle doit rester finie pour "
                             "|o^a| ≈ 1000" % (oa[np.argmax(bad)], y))
        return "q2e_perte_ce reste finie pour o^a = ±1000 et ±750 (y = 0 et 1)"

    def q2f(c):
        v = c.call("q2f_limites")
        if not isinstance(v, dict) or not {"mse", "ce", "meilleure"} <= set(v):
            raise Failed("q2f_limites doit retourner un dictionnaire avec les clés mse, ce, meilleure ; reçu %s"
                         % describe(v))
        for k in ("mse", "ce"):
            table = v[k]
            if isinstance(table, dict):         # {0: row y = 0, 1: row y = 1} ("0", "y=0" too)
                rows = {plain(str(key)).replace("y", ""): e for key, e in table.items()}
                table = [rows["0"], rows["1"]] if set(rows) == {"0", "1"} else table
            if isinstance(table, np.ndarray):
                table = table.tolist()
            if isinstance(table, (list, tuple)) and len(table) == 4 and \
                    not any(isinstance(e, (list, tuple)) for e in table):
                table = [table[:2], table[2:]]      # four numbers in the order of the table
            if not (isinstance(table, (list, tuple)) and len(table) == 2
                    and all(isinstance(row, (list, tuple)) and len(row) == 2 for row in table)):
                raise Failed("q2f_limites()[%r] : un tableau 2 × 2 de limites est attendu, [[y=0, -∞ ; y=0, +∞], "
                             "[y=1, -∞ ; y=1, +∞]] ; reçu %s" % (k, describe(v[k])))
            for y in range(2):
                for side in range(2):
                    as_float(table[y][side], "q2f_limites()[%r][%d][%d]" % (k, y, side))
        if not (isinstance(v["meilleure"], str) and plain(v["meilleure"]) in ("mse", "ce")):
            raise Failed("q2f_limites()['meilleure'] doit valoir \"mse\" ou \"ce\"")
        return ("q2f_limites : dictionnaire {mse: tableau 2 × 2, ce: tableau 2 × 2, "
                "meilleure: \"mse\" ou \"ce\"}")

    def q2g(c):
        oa = col(M + 1)
        for y in range(M + 1):
            finite(np.asarray(as_float(c.call("q2g_perte", oa, y), "q2g_perte")), "q2g_perte")
        return "q2g_perte : un nombre fini pour chaque y ∈ {0, …, m−1}"

    def q2g_stable(c):
        """Inputs of the grader's kinds (|o^a| ≈ 1000, every sign, every y) and its test: finite and exact.
        Exact is judged by two properties of L(o^a, y) = −log o^s_y, never by a value: changing y
        changes L by the difference of the two components of o^a, and adding a constant to o^a
        changes nothing (o^a − max o^a, or the same vector near 0, as for q2c_softmax)."""
        for where, oa, moved in extremes():
            what = "q2g_perte (%s)" % where
            L = [as_float(c.call("q2g_perte", oa, y), "q2g_perte") for y in range(M + 1)]
            for y, v in enumerate(L):
                if not np.isfinite(v):
                    raise Failed("%s : valeur non finie pour y = %d ; pensez à la stabilité numérique de log Σ exp"
                                 % (what, y))
            for y in range(1, M + 1):
                if not np.isclose(L[y], L[0] + oa[0, 0] - oa[y, 0], rtol=EXACT[0], atol=EXACT[1]):
                    raise Failed("%s : L(o^a, %d) − L(o^a, 0) ≠ o^a_0 − o^a_%d, alors que −log o^s_y = −o^a_y + "
                                 "log Σ_k exp(o^a_k) ; pensez à la stabilité numérique de log Σ exp" % (what, y, y))
            for y in range(M + 1):
                v = as_float(c.call("q2g_perte", moved.reshape(-1, 1), y), "q2g_perte")
                if not np.isclose(L[y], v, rtol=EXACT[0], atol=EXACT[1]):
                    raise Failed("%s : la perte change quand on ajoute une constante à o^a (y = %d), alors que "
                                 "o^s ne change pas (question 1.i) ; pensez à la stabilité numérique de log Σ exp"
                                 % (what, y))
        return "q2g_perte : finie et exacte pour |o^a| ≈ 1000 (tous les signes, tous les y)"

    def q2h_risk(c):
        a = mlp_args(c)
        X, Y = RNG.normal(size=(6, D)), RNG.integers(0, M, 6)
        v = as_float(c.call("q2h_risque_empirique", X, Y, a["W1"], a["b1"], a["W2"], a["b2"]),
                     "q2h_risque_empirique")
        finite(np.asarray(v), "q2h_risque_empirique")
        return "q2h_risque_empirique : un nombre fini"

    def q2h_names(c):
        v = c.call("q2h_parametres")
        if not (isinstance(v, (list, tuple, set)) and v and all(isinstance(e, str) for e in v)):
            raise Failed("q2h_parametres : une liste de noms (chaînes) est attendue, reçu %s" % describe(v))
        return "q2h_parametres : une liste de noms"

    def loss_of(c):
        return lambda y: (lambda z: as_float(c.call("q2g_perte", z, y), "q2g_perte"))

    def q2i_k(c):
        oa = col(M + 1)
        as_float(c.call("q2i_derivee_oa_k", oa, 0, 0), "q2i_derivee_oa_k")
        for y in range(M + 1):
            fd = fd_gradient(loss_of(c)(y), oa)
            for k in range(M + 1):
                v = as_float(c.call("q2i_derivee_oa_k", oa, y, k), "q2i_derivee_oa_k")
                agree(v, fd[k, 0], "q2i_derivee_oa_k(o^a, y=%d, k=%d)" % (y, k), "votre q2g_perte")
        return "q2i_derivee_oa_k concorde avec les différences finies de votre q2g_perte (tous y, k)"

    def q2i_vec(c):
        oa = col(M + 1)
        for y in range(M + 1):
            got = vector(c.call("q2i_gradient_oa", softmax(oa), y), M + 1, "q2i_gradient_oa")
            agree(got, fd_gradient(loss_of(c)(y), oa), "q2i_gradient_oa(o^s, y=%d)" % y, "votre q2g_perte")
        return ("q2i_gradient_oa : " + shape_seen("q2i_gradient_oa") + ", concorde avec les différences finies de votre q2g_perte "
                "(o^s = outils.softmax(o^a))")

    def forward_out(c, a):
        return lambda W2=None, b2=None, hs=None: c.call(
            "q2b_activation_sortie", a["W2"] if W2 is None else W2, a["b2"] if b2 is None else b2,
            a["hs"] if hs is None else hs)

    def q2j(c):
        a = mlp_args(c, "output")
        return components(c, "q2j_derivee_W2_kj", (a["g"], a["hs"]), [(k, j) for k in range(M) for j in range(DH)],
                          lambda: fd_gradient(linear_form(a["g"], lambda W: forward_out(c, a)(W2=W)), a["W2"]),
                          VIA_OUT, "via votre q2b_activation_sortie")

    def q2j_b(c):
        a = mlp_args(c, "output")
        return components(c, "q2j_derivee_b2_k", (a["g"],), [(k,) for k in range(M)],
                          lambda: fd_gradient(linear_form(a["g"], lambda b: forward_out(c, a)(b2=b)), a["b2"]),
                          VIA_OUT, "via votre q2b_activation_sortie")

    def q2k_W(c):
        a = mlp_args(c, "output")
        got = matrix(c.call("q2k_gradient_W2", a["g"], a["hs"]), a["W2"].shape, "q2k_gradient_W2")
        agree(got, fd_gradient(linear_form(a["g"], lambda W: forward_out(c, a)(W2=W)), a["W2"]),
              "q2k_gradient_W2", VIA_OUT)
        return "q2k_gradient_W2 : une matrice qui concorde avec les différences finies (via votre q2b)"

    def q2k_b(c):
        a = mlp_args(c, "output")
        got = vector(c.call("q2k_gradient_b2", a["g"]), M, "q2k_gradient_b2")
        agree(got, fd_gradient(linear_form(a["g"], lambda b: forward_out(c, a)(b2=b)), a["b2"]),
              "q2k_gradient_b2", VIA_OUT)
        return "q2k_gradient_b2 : " + shape_seen("q2k_gradient_b2") + ", concorde avec les différences finies (via votre q2b)"

    def q2l(c):
        a = mlp_args(c, "output")
        return components(c, "q2l_derivee_hs_j", (a["g"], a["W2"]), [(j,) for j in range(DH)],
                          lambda: fd_gradient(linear_form(a["g"], lambda h: forward_out(c, a)(hs=h)), a["hs"]),
                          VIA_OUT, "via votre q2b_activation_sortie")

    def q2m(c):
        a = mlp_args(c, "output")
        got = vector(c.call("q2m_gradient_hs", a["g"], a["W2"]), DH, "q2m_gradient_hs")
        agree(got, fd_gradient(linear_form(a["g"], lambda h: forward_out(c, a)(hs=h)), a["hs"]),
              "q2m_gradient_hs", VIA_OUT)
        return "q2m_gradient_hs : " + shape_seen("q2m_gradient_hs") + ", concorde avec les différences finies (via votre q2b)"

    def hidden(c):
        return lambda h: c.call("q2a_sortie_cachee", h)

    def q2n_j(c):
        a = mlp_args()
        return components(c, "q2n_derivee_ha_j", (a["gh"], a["ha"]), [(j,) for j in range(DH)],
                          lambda: fd_gradient(linear_form(a["gh"], hidden(c)), a["ha"]),
                          VIA_HIDDEN, "via votre q2a_sortie_cachee")

    def q2o(c):
        a = mlp_args()
        got = vector(c.call("q2o_gradient_ha", a["gh"], a["ha"]), DH, "q2o_gradient_ha")
        agree(got, fd_gradient(linear_form(a["gh"], hidden(c)), a["ha"]), "q2o_gradient_ha", VIA_HIDDEN)
        return "q2o_gradient_ha : " + shape_seen("q2o_gradient_ha") + ", concorde avec les différences finies (via votre q2a_sortie_cachee)"

    def q3_size(c):
        for args in ((20, 3, 1, 0, 1), (17, 4, 2, 1, 1), (30, 3, 2, 2, 2)):
            v = c.call("q3_taille_sortie", *args)
            if not is_int(v):
                raise Failed("q3_taille_sortie%s : un entier est attendu, reçu %s" % (args, describe(v)))
        return "q3_taille_sortie retourne un entier"

    def q3a(c):
        v = c.call("q3a_formes")
        keys = ("couche1", "couche2", "couche3", "total")
        if not isinstance(v, dict) or not set(keys) <= set(v):
            raise Failed("q3a_formes doit retourner un dictionnaire avec les clés %s ; reçu %s"
                         % (", ".join(keys), describe(v)))
        for k in keys[:3]:
            s = shape_of(v[k])
            if s is not None and len(s) == 4 and s[0] == 1:      # a batch of one image first
                s = s[1:]
            if s is None or len(s) != 3:
                raise Failed("q3a_formes()[%r] : un tuple de 3 entiers (canaux, hauteur, largeur) est attendu ; "
                             "reçu %s" % (k, describe(v[k])))
        if shape_of(v["total"]) is None or len(shape_of(v["total"])) != 1:
            raise Failed("q3a_formes()['total'] : un entier est attendu")
        return "q3a_formes : trois formes de 3 entiers et un total entier"

    def config(fn, fixed):
        def one(v):
            if isinstance(v, dict):
                low = {plain(str(key)): val for key, val in v.items()}
                if not {"k", "s", "p", "d"} <= set(low):
                    raise Failed("%s : chaque configuration est un dictionnaire {\"k\", \"s\", \"p\", \"d\"} "
                                 "ou un tuple (k, s, p, d) ; reçu %s" % (fn, describe(v)))
                vals = [low[key] for key in "kspd"]
            elif isinstance(v, (list, tuple)) and len(v) == 4:
                vals = list(v)
            else:
                raise Failed("%s : chaque configuration est un dictionnaire {\"k\", \"s\", \"p\", \"d\"} ou un "
                             "tuple (k, s, p, d) ; reçu %s" % (fn, describe(v)))
            if not all(is_int(x) for x in vals):
                raise Failed("%s : k, s, p et d doivent être des entiers" % fn)
            return tuple(int(x) for x in vals)

        def check(c):
            v = c.call(fn, 32, 4)
            if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[1] == 4:
                v = v.tolist()
            items = [v] if isinstance(v, dict) else v
            if not isinstance(items, (list, tuple, set, frozenset)):
                raise Failed("%s(32, 4) doit retourner une liste de configurations ; reçu %s" % (fn, describe(v)))
            if not items:
                raise Failed("%s(32, 4) retourne une liste vide" % fn)
            for config in items:
                k, s, p, d = one(config)
                if k < 1 or s < 1 or d < 1 or p < 0:
                    raise Failed("%s : il faut k, s, d ≥ 1 et p ≥ 0" % fn)
                for key, want in fixed.items():
                    if {"k": k, "s": s, "p": p, "d": d}[key] != want:
                        raise Failed("%s : l'énoncé impose %s = %d" % (fn, key, want))
                size = c.call("q3_taille_sortie", 32, k, s, p, d)
                if not is_int(size) or int(size) != 4:
                    raise Failed("%s : selon VOTRE q3_taille_sortie, (k, s, p, d) = %s donne pour une entrée 32 × 32 "
                                 "une sortie de %s, pas 4 × 4" % (fn, (k, s, p, d), size))
            return ("%s(32, 4) : une liste de configurations bien formées, contraintes de l'énoncé respectées, "
                    "32 → 4 selon votre q3_taille_sortie (la liste complète n'est pas vérifiée ici)" % fn)
        return check

    x = symbol("x")
    S2C, S2A, S2B, S2D, S2G, S3A = ("2.c", "valeurs"), ("2.a", "hs"), ("2.b", "oa"), ("2.d", "perte"), \
        ("2.g", "valeurs"), ("3.a", "formule")
    B1, OUT = [("2.a", "dimension_b1")], [("2.b", "dimensions")]   # mlp_args(c, layer): YOUR shapes of b1; W2, b2
    DIMS = B1 + OUT
    K = Check
    derivation = ("idee", "depart", "arrivee", "egalites")
    return [
        ("1.a", "Signe avec des indicatrices", ["q1a_signe"],
         [K(lambda c: scalar_function(c, "q1a_signe"), "valeurs"),
          K(lambda c: readable_formula(c, "q1a_signe", [x]), "indicatrices")]),
        ("1.b", "Dérivée de ReLU", ["q1b_derivee_relu"],
         [K(lambda c: scalar_function(c, "q1b_derivee_relu"), ("positif", "negatif", "en_zero")),
          K(exact("q1b_derivee_relu", x), ("positif", "negatif"))]),
        ("1.c", "Dérivée de la sigmoïde", ["q1c_derivee_sigmoide"],
         [K(lambda c: scalar_function(c, "q1c_derivee_sigmoide"), "valeurs"),
          K(lambda c: derivative_vs(c, "q1c_derivee_sigmoide", own_hidden(c), "votre q2a_sortie_cachee"),
            "valeurs", uses=[S2A]),
          K(lambda c: readable_formula(c, "q1c_derivee_sigmoide", [x]), "sigma_seulement")]),
        ("1.d", "ln σ(x) = −softplus(−x)", ["q1d_etapes"],
         [K(lambda c: chain(c, "q1d_etapes", [(v,) for v in (-1.3, 0.4, 2.1)]), derivation),
          K(lambda c: readable_formula(c, "q1d_etapes", [x]), derivation)]),
        ("1.e", "softplus(x) − softplus(−x) = x", ["q1e_etapes"],
         [K(lambda c: chain(c, "q1e_etapes", [(v,) for v in (-1.3, 0.4, 2.1)]), derivation),
          K(lambda c: readable_formula(c, "q1e_etapes", [x]), derivation)]),
        ("1.f", "Gradient de ||x||²", ["q1f_gradient_l2_carre"], [K(q1f, "valeurs")]),
        ("1.g", "Gradient de ||x||₁", ["q1g_gradient_l1"],
         [K(q1g, ("valeurs", "en_zero")), K(exact("q1g_gradient_l1", column("x", 3)), "valeurs")]),
        ("1.h", "Contre-exemple softmax", ["q1h_contre_exemple"], [K(q1h, "contre_exemple")]),
        ("1.i", "Softmax et translations", ["q1i_etapes"],
         [K(lambda c: chain(c, "q1i_etapes", q1i_args(), ("x", "c", "i")), derivation),
          K(lambda c: readable_formula(c, "q1i_etapes", [sym3(), symbol("c"), 0]), derivation)]),
        ("1.j", "Dérivées partielles de softmax", ["q1j_etapes"],
         [K(lambda c: chain(c, "q1j_etapes", q1j_args(), ("x", "i", "j")), derivation),
          K(lambda c: readable_formula(c, "q1j_etapes", [sym3(), 0, 1]), derivation)]),
        ("1.k", "Jacobienne de softmax", ["q1k_jacobienne_softmax"],
         [K(q1k, "valeurs", uses=[S2C]), K(exact("q1k_jacobienne_softmax", column("S", 3)), "valeurs")]),
        ("1.l", "Gradient de log softmax composée", ["q1l_gradient_log_softmax"],
         [K(q1l, ("x_egal_u", "cas_general"), uses=[S2C])]),
        ("2.a", "Couche cachée", ["q2a_dimension_b1", "q2a_preactivation", "q2a_preactivation_j",
                                  "q2a_sortie_cachee"],
         [K(q2a_shapes, "dimension_b1"), K(q2a, "ha", uses=B1), K(q2a_j, "ha_j", uses=[("2.a", "ha")] + B1), K(q2a_hs, "hs")]),
        ("2.b", "Couche de sortie", ["q2b_dimensions", "q2b_activation_sortie", "q2b_activation_sortie_k"],
         [K(lambda c: shapes_dict(c, "q2b_dimensions", ["W2", "b2"], (D, DH, M)), "dimensions"),
          K(q2b, "oa", uses=OUT), K(q2b_k, "oa_k", uses=[S2B] + OUT)]),
        ("2.c", "Softmax de sortie", ["q2c_softmax", "q2c_pourquoi"],
         [K(q2c, "valeurs"), K(q2c_stable, "probabilites", same=True),
          K(lambda c: statements(c, "q2c_pourquoi"), "pourquoi")]),
        ("2.d", "Perte MSE et sa dérivée", ["q2d_perte_mse", "q2d_derivee_mse"],
         binary_loss("q2d_perte_mse", "q2d_derivee_mse", S2D) + [K(exact("q2d_derivee_mse", symbol("oa"), 1), "derivee")]),
        ("2.e", "Entropie croisée et sa dérivée (bonus)", ["q2e_perte_ce", "q2e_derivee_ce"],
         binary_loss("q2e_perte_ce", "q2e_derivee_ce", ("2.e", "perte")) + [K(ce_large, "stable", same=True),
                                                                             K(exact("q2e_derivee_ce", symbol("oa"), 1), "derivee")]),
        ("2.f", "Limites des gradients (bonus)", ["q2f_limites"], [K(q2f, ("limites", "conclusion"))]),
        ("2.g", "Perte multiclasse", ["q2g_perte"], [K(q2g, "valeurs"), K(q2g_stable, "stable", same=True)]),
        ("2.h", "Risque empirique et paramètres", ["q2h_risque_empirique", "q2h_parametres",
                                                    "q2h_nombre_parametres", "q2h_probleme"],
         [K(q2h_risk, "risque", uses=DIMS), K(q2h_names, "parametres"),
          K(lambda c: integer(c, "q2h_nombre_parametres", (D, DH, M)), "n_theta"),
          K(lambda c: statements(c, "q2h_probleme"), "probleme")]),
        ("2.i", "Gradient par rapport à o^a", ["q2i_derivee_oa_k", "q2i_gradient_oa"],
         [K(q2i_k, ("k_different_de_y", "k_egal_y"), uses=[S2G]), K(q2i_vec, "vecteur", uses=[S2G]),
          K(exact("q2i_derivee_oa_k", column("oa", 4), 1, 2), ("k_different_de_y", "k_egal_y"))]),
        ("2.j", "Dérivées par rapport à W2_kj et b2_k", ["q2j_derivee_W2_kj", "q2j_derivee_b2_k"],
         [K(q2j, "W2_kj", uses=[S2B] + OUT), K(q2j_b, "b2_k", uses=[S2B] + OUT)]),
        ("2.k", "Gradients de W2 et b2", ["q2k_gradient_W2", "q2k_gradient_b2", "q2k_dimensions"],
         [K(q2k_W, "W2", uses=[S2B] + OUT), K(q2k_b, "b2", uses=[S2B] + OUT),
          K(lambda c: shapes_dict(c, "q2k_dimensions", ["grad_oa", "hs", "grad_W2", "grad_b2"], (D, DH, M)),
            "dimensions")]),
        ("2.l", "Dérivée par rapport à h^s_j", ["q2l_derivee_hs_j"], [K(q2l, "hs_j", uses=[S2B] + OUT)]),
        ("2.m", "Gradient par rapport à h^s", ["q2m_gradient_hs", "q2m_dimensions"],
         [K(q2m, "hs", uses=[S2B] + OUT),
          K(lambda c: shapes_dict(c, "q2m_dimensions", ["W2", "grad_oa", "grad_hs"], (D, DH, M)), "dimensions")]),
        ("2.n", "σ' et dérivée par rapport à h^a_j", ["q2n_derivee_sigma", "q2n_derivee_ha_j"],
         [K(lambda c: scalar_function(c, "q2n_derivee_sigma"), "sigma_prime"),
          K(lambda c: derivative_vs(c, "q2n_derivee_sigma", own_hidden(c), "votre q2a_sortie_cachee"),
            "sigma_prime", uses=[S2A]),
          K(q2n_j, "ha_j", uses=[S2A]), K(exact("q2n_derivee_sigma", symbol("z")), "sigma_prime"),
          K(exact("q2n_derivee_ha_j", column("g", 4), column("ha", 4), 1), "ha_j")]),
        ("2.o", "Gradient par rapport à h^a", ["q2o_gradient_ha", "q2o_dimensions"],
         [K(q2o, "ha", uses=[S2A]),
          K(lambda c: shapes_dict(c, "q2o_dimensions", ["grad_hs", "ha", "grad_ha"], (D, DH, M)), "dimensions"),
          K(exact("q2o_gradient_ha", column("g", 4), column("ha", 4)), "ha")]),
        ("3.a", "Taille de sortie", ["q3_taille_sortie", "q3a_formes"],
         [K(q3_size, "formule"), K(q3a, ("couche1", "couche2", "couche3", "total"))]),
        ("3.b", "Paramètres", ["q3b_nombre_parametres_conv", "q3b_parametres_derniere_couche"],
         [K(lambda c: integer(c, "q3b_nombre_parametres_conv", (3, 8, 5)), "formule"),
          K(lambda c: integer(c, "q3b_parametres_derniere_couche"), "nombre")]),
        ("3.c", "Configurations sans marge ni dilatation (bonus)", ["q3c_configurations"],
         [K(config("q3c_configurations", {"p": 0, "d": 1}), ("valides", "toutes"), uses=[S3A])]),
        ("3.d", "Configurations avec d = 2 et p = 2 (bonus)", ["q3d_configurations"],
         [K(config("q3d_configurations", {"p": 2, "d": 2}), ("valides", "toutes"), uses=[S3A])]),
        ("3.e", "Configurations avec p = 1, d = 1, s = 2 (bonus)", ["q3e_configurations"],
         [K(config("q3e_configurations", {"p": 1, "d": 1, "s": 2}), ("valides", "toutes"), uses=[S3A])]),
    ]


VIA_OUT = "<g, o^a> (o^a calculé par votre q2b_activation_sortie, g un gradient amont quelconque)"
VIA_HIDDEN = "<g, h^s> (h^s calculé par votre q2a_sortie_cachee, g un gradient amont quelconque)"


# ------------------------------------------------------------------ running
def unimplemented(module, name):
    """Is def name's body only `raise NotImplementedError` (read, not run)?"""
    import ast
    import inspect
    try:
        node = ast.parse(inspect.getsource(getattr(module, name))).body[0]
    except (TypeError, OSError, SyntaxError, IndexError, AttributeError):
        return False
    body = [b for b in getattr(node, "body", []) if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None and \
        ast.unparse(body[0].exc).split("(")[0] == "NotImplementedError"


UTF8_HOWTO = ("Pour enregistrer en UTF-8 : dans VS Code, cliquez sur l'encodage affiché en bas à droite "
              "(p. ex. « Windows 1252 »), « Enregistrer avec l'encodage », puis « UTF-8 » ; dans le Bloc-notes, "
              "Fichier > Enregistrer sous, Encodage : UTF-8 ; dans PyCharm, File > File Properties > File "
              "Encoding > UTF-8.")


def read_source(path):
    """The text of the student's file read as the grader reads it (autograder/locate.py):
    (text, note). A file in UTF-16 (with its byte order mark) is converted; a file that is not
    UTF-8 is read as Windows-1252; each with the grader's very note. A file with a NUL byte or
    larger than MAX_FILE is refused (Unreadable), as by the grader."""
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read(MAX_FILE + 1)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and len(data) <= MAX_FILE:
        try:
            return data.decode("utf-16"), "Le fichier est en UTF-16 ; il a été converti. Enregistrez-le en UTF-8."
        except UnicodeDecodeError:
            pass
    if len(data) > MAX_FILE:
        raise Unreadable("Fichier trop volumineux (plus de %d octets)." % MAX_FILE)
    if b"\x00" in data:
        raise Unreadable("%s n'est pas un fichier texte (octet nul) : est-ce bien un .py ?" % name)
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
    return (data.decode("cp1252", errors="replace"), "Le fichier n'est pas en UTF-8 (ligne %d) ; il a été relu "
            "en Windows-1252. Enregistrez-le en UTF-8." % line)


def load_student(path, text=None):
    """Import the student's file as the grader does: its text read by read_source, math.* reads
    on symbols, and a correct own helper named like an outils function (sigma, softplus,
    softmax...) counts as that function. Code run at import has CALL_SECONDS (TooLongToLoad)."""
    import outils
    path = os.path.abspath(path)
    if text is None:
        text = read_source(path)[0]
    if hasattr(outils, "math_symbolique"):
        sys.modules["math"] = outils.math_symbolique
    if hasattr(outils, "_stand_ins"):       # scipy, torch...: a stand-in, as on the grader
        outils._stand_ins(path)
    module = type(sys)("devoir3")
    module.__file__ = path
    sys.modules["devoir3"] = module
    text = text.lstrip("\ufeff")
    code = compile(text, path, "exec", dont_inherit=True)
    import linecache      # the decoded text, for tracebacks and inspect (a Windows-1252 file too)
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)
    delai = outils._Delai(CALL_SECONDS, stuck=lambda: _stuck(os.path.basename(path)))
    try:
        with delai:
            exec(code, module.__dict__)  # noqa: S102 - the student's own file, on the student's machine
    except KeyboardInterrupt:
        if not delai.expired:
            raise
        raise TooLongToLoad()
    if hasattr(outils, "_adopt_own_helpers"):
        outils._adopt_own_helpers(module.__dict__)
    if hasattr(outils, "_float_in"):        # float(formula) stays a formula, as on the grader
        outils._float_in(module.__dict__)
    return module


class TooLongToLoad(Exception):
    pass


def load_error(exc, path):
    """A file that does not load, said in French (the line once; Python's own words quoted)."""
    if isinstance(exc, Unreadable):
        return str(exc)
    if isinstance(exc, TooLongToLoad):
        return ("le chargement n'a pas abouti en %g s : du code exécuté à l'import (hors des fonctions) "
                "boucle" % CALL_SECONDS)
    if isinstance(exc, SyntaxError):
        where = " à la ligne %s" % exc.lineno if exc.lineno else ""
        return "erreur de syntaxe%s (Python : « %s »)" % (where, exc.msg)
    tb = traceback.extract_tb(exc.__traceback__)
    line = next((f.lineno for f in reversed(tb) if os.path.abspath(f.filename) == os.path.abspath(path)), None)
    where = " (ligne %d)" % line if line else ""
    if isinstance(exc, ModuleNotFoundError):
        return ("le module « %s » est introuvable%s ; pour la correction, seuls numpy et outils sont "
                "disponibles" % (exc.name, where))
    return "%s%s à l'import : %s" % (type(exc).__name__, where, exc)


def run(path, out=None, record=None):
    """Self-check the file at path; returns (failures, unimplemented item ids).

    record: a list that receives one dict per check run: item, grader (the sub-check ids it
    answers for), same, uses (see Check), status (ok, fail, todo: a function of the item not
    implemented, skipped: another function not implemented, missing) and text; or
    {"item": None, "status": "load_error", "text": ...} when the file does not load."""
    global RNG
    out = out or sys.stdout
    record = [] if record is None else record
    RNG = np.random.default_rng(SEED)       # the same draws whatever ran before: a file, its output
    SHAPES.clear()

    def say(text=""):
        out.write(text + "\n")
        out.flush()

    for folder in (HERE, os.path.dirname(os.path.abspath(path))):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    import outils  # noqa: F401  (devoir3 imports it too)

    say("Autovérification de %s" % path)
    say("(aucune réponse n'est donnée ; ce n'est pas une note — no answers given; not a grade)")
    say("")
    printed = Captured()
    try:
        text, note = read_source(path)
        if note:
            say("[NOTE]   %s" % note)
            say("         %s" % UTF8_HOWTO)
        with printed.quiet():
            module = load_student(path, text)
    except Exception as exc:
        say("[ÉCHEC]  le fichier ne se charge pas : %s" % load_error(exc, path))
        say("         Corrigez d'abord cette erreur : tant que le fichier ne se charge pas, rien d'autre n'est vérifié. "
            "(The file does not load: fix this first.)")
        say("")
        say(NOT_A_GRADE)
        record.append({"item": None, "status": "load_error", "text": load_error(exc, path)})
        return 1, []
    for name in getattr(getattr(outils, "_StandIns", None), "used", []):
        say("[NOTE]   le module « %s » n'est pas disponible pour la correction (seuls numpy et outils le "
            "sont) : les fonctions qui s'en servent y échoueront." % name)
    c = Checker(module, outils, path, printed)
    failures, passed, not_done_items, partial_items = 0, 0, [], []
    said = set()          # one fault is reported, and counted, once (a later check that meets it again)

    def fail(text):
        nonlocal failures
        if text in said:
            return
        said.add(text)
        failures += 1
        say("     [ÉCHEC]   %s" % text)
    for item_id, title, functions, checks in items():
        say("%s  %s" % (item_id, title))
        todo_here = []
        for check in checks:
            status = "fail"
            c.called = []
            try:
                text = check.run(c)
                say("     [OK]      %s" % text)
                passed += 1
                status = "ok"
            except NotDone as e:
                if e.name in functions:
                    status, text = "todo", "%s n'est pas encore implémentée" % e.name
                    if e.name not in todo_here:
                        todo_here.append(e.name)
                        say("     [À FAIRE] %s" % text)
                else:
                    concerned = checked_functions(check, functions, c.called)
                    status, text = "skipped", "%s non vérifiée%s : sa vérification utilise votre %s, pas encore " \
                        "implémentée" % (", ".join(concerned), "s" if len(concerned) > 1 else "", e.name)
                    say("     [--]      %s" % text)
            except Missing as e:
                status, text = "missing", "la fonction %s n'existe pas dans le fichier (nom modifié ?)" % e.name
                fail(text)
            except StudentError as e:
                where = " (ligne %d)" % e.line if e.line else ""
                text = "%s a levé %s%s : %s" % (e.name, type(e.exc).__name__, where, e.exc)
                fail(text)
            except Failed as e:
                text = str(e)
                fail(text)
            record.append({"item": item_id, "grader": list(check.grader), "same": check.same,
                           "uses": [list(u) for u in check.uses], "status": status, "text": text})
        for name in functions:      # not reached (a check needed another function first): read it
            if name not in c.ran and name not in todo_here and unimplemented(module, name):
                todo_here.append(name)
                say("     [À FAIRE] %s n'est pas encore implémentée" % name)
        if todo_here and set(functions) <= set(todo_here):
            not_done_items.append(item_id)
        elif todo_here:
            partial_items.append("%s (%s)" % (item_id, ", ".join(todo_here)))
    say("")
    say("Résumé : %d vérification(s) réussie(s), %d échec(s)." % (passed, failures))
    say("Summary: %d check(s) passed, %d failed." % (passed, failures))
    if not_done_items:
        say("Items non implémentés / not implemented: %s" % ", ".join(not_done_items))
    if partial_items:
        say("Items en partie implémentés / partly implemented: %s" % "; ".join(partial_items))
    if not not_done_items and not partial_items:
        say("Toutes les fonctions sont implémentées. / Every function is implemented.")
    if printed.chars:
        say("Votre code a affiché %d ligne(s) pendant l'autovérification (non montrées ; début ci-dessous). "
            "Your code printed %d line(s)." % (printed.lines, printed.lines))
        for line in printed.text.splitlines()[:8]:
            say("    | " + line[:100])
    say("")
    say(NOT_A_GRADE)
    return failures, not_done_items


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    path = argv[0] if argv else os.path.join(HERE, "devoir3.py")
    if not os.path.isfile(path):
        print("Fichier introuvable / file not found: %s" % path)
        return 2
    try:
        sys.stdout.reconfigure(errors="replace")
    except (AttributeError, ValueError):
        pass
    failures, _ = run(path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
