"""The sandboxed child: imports the student's file and answers call requests.

Runs in its own process (as an unprivileged user on Gradescope), from a private
work folder holding only this file, outils.py and the student's file. It speaks
JSON lines: requests on a private copy of stdin, answers on a private copy of
stdout; the student's own prints go to a log file. Everything it sends is plain
data (numbers, base64 float64 arrays, strings, lists, expression trees of
tuples); the grader decodes it with an allowlist and never executes it.

Standard library + numpy only, and no import from the autograder package: the
grader's sources are not readable from here.
"""
import base64
import importlib.util
import json
import numbers
import os
import sys
import traceback

WORK = os.path.dirname(os.path.abspath(__file__))
MAX_ITEMS = 200_000      # array elements per value
MAX_DEPTH = 12           # nesting of lists/dicts
MAX_TREE = 20_000        # nodes per expression tree
MAX_STR = 500


def _private_streams():
    """Keep the protocol channels to ourselves; the student's prints go to a log."""
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    log = os.open(os.path.join(WORK, "sortie.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdin = open(os.devnull)
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stderr = sys.stdout
    return proto_in, proto_out


proto_in, proto_out = _private_streams()
import numpy as np  # noqa: E402  (after the streams are private)

sys.path.insert(0, WORK)
sys.dont_write_bytecode = True
import outils  # noqa: E402

STUDENT = None          # the student's module once loaded
STUDENT_FILE = None


class EncodeError(Exception):
    pass


def _tree(node, budget):
    """Copy an expression tree into JSON lists, checking its shape."""
    budget[0] -= 1
    if budget[0] < 0:
        raise EncodeError("expression trop grande (plus de %d nœuds)" % MAX_TREE)
    if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
        raise EncodeError("expression mal formée")
    head = node[0]
    if head == "num":
        v = node[1]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise EncodeError("nombre mal formé dans une expression")
        if isinstance(v, int) and abs(v) > 10**15:
            v = float(v)
        return ["num", _float(v) if isinstance(v, float) else v]
    if head == "sym":
        return ["sym", str(node[1])[:40]]
    if head == "softmax":
        return ["softmax", int(node[1]), [_tree(a, budget) for a in node[2]]]
    return [head] + [_tree(a, budget) for a in node[1:]]


def _float(x):
    x = float(x)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return x


def encode(v, depth=0):
    if depth > MAX_DEPTH:
        raise EncodeError("valeur trop imbriquée")
    if v is None:
        return {"t": "none"}
    if isinstance(v, (bool, np.bool_)):
        return {"t": "bool", "v": bool(v)}
    if isinstance(v, outils.Symbole):
        return {"t": "expr", "v": _tree(v.node, [MAX_TREE])}
    if isinstance(v, numbers.Integral):
        i = int(v)
        return {"t": "int", "v": i} if abs(i) < 2**53 else {"t": "float", "v": _float(i)}
    if isinstance(v, numbers.Real):
        return {"t": "float", "v": _float(v)}
    if isinstance(v, numbers.Complex):
        raise EncodeError("nombre complexe")
    if isinstance(v, str):
        return {"t": "str", "v": v[:MAX_STR]}
    if isinstance(v, np.ndarray) or hasattr(v, "__array__") and not isinstance(v, (list, tuple, dict)):
        a = np.asarray(v)
        if a.size > MAX_ITEMS:
            raise EncodeError("tableau trop grand (%d éléments)" % a.size)
        if a.dtype == object:
            if all(isinstance(e, outils.Symbole) or isinstance(e, numbers.Real) for e in a.flat):
                budget = [MAX_TREE]
                trees = [_tree(outils._node(e), budget) for e in a.flat]
                return {"t": "exprarray", "shape": list(a.shape), "v": trees}
            a = a.astype(float)
        if a.dtype.kind in "c":
            raise EncodeError("tableau de nombres complexes")
        if a.dtype.kind not in "biuf":
            raise EncodeError("tableau de type %s" % a.dtype)
        data = np.ascontiguousarray(a, dtype="<f8").tobytes()
        return {"t": "array", "shape": list(a.shape), "b64": base64.b64encode(data).decode("ascii")}
    if isinstance(v, (list, tuple)):
        if len(v) > 10_000:
            raise EncodeError("liste trop longue")
        return {"t": "list", "v": [encode(e, depth + 1) for e in v]}
    if isinstance(v, dict):
        if len(v) > 1_000:
            raise EncodeError("dictionnaire trop grand")
        return {"t": "dict", "v": [[str(k)[:100], encode(e, depth + 1)] for k, e in v.items()]}
    raise EncodeError("type de valeur non pris en charge : %s" % type(v).__name__)


def decode(w):
    """Arguments from the grader (trusted, but decoded the same plain way)."""
    t = w["t"]
    if t == "array":
        dtype = "<i8" if w.get("dtype") == "<i8" else "<f8"
        a = np.frombuffer(base64.b64decode(w["b64"]), dtype=dtype).reshape(w["shape"])
        return a.copy()
    if t == "sym":
        return outils.Symbole(("sym", w["v"]))
    if t == "symarray":
        out = np.empty(len(w["v"]), dtype=object)
        for i, name in enumerate(w["v"]):
            out[i] = outils.Symbole(("sym", name))
        return out.reshape(w["shape"])
    if t == "list":
        return [decode(e) for e in w["v"]]
    if t == "tuple":
        return tuple(decode(e) for e in w["v"])
    if t in ("int", "float", "str", "bool"):
        return w["v"]
    if t == "none":
        return None
    raise ValueError("unknown argument type %r" % t)


def _student_line(tb):
    line = None
    for frame in traceback.extract_tb(tb):
        if frame.filename == STUDENT_FILE:
            line = frame.lineno
    return line


def _error(exc):
    msg = str(exc)
    return {"type": type(exc).__name__, "message": msg[:MAX_STR],
            "line": _student_line(exc.__traceback__)}


def load(path):
    global STUDENT, STUDENT_FILE
    STUDENT_FILE = os.path.abspath(path)
    with open(STUDENT_FILE, "rb") as f:
        source = f.read()
    try:
        code = compile(source, STUDENT_FILE, "exec")
    except SyntaxError as exc:
        return {"ok": False, "error": {"type": "SyntaxError", "message": str(exc.msg)[:MAX_STR],
                                       "line": exc.lineno, "text": (exc.text or "").strip()[:200]}}
    spec = importlib.util.spec_from_loader("devoir3", loader=None, origin=STUDENT_FILE)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = STUDENT_FILE
    sys.modules["devoir3"] = module
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # noqa: B036 - a student's SystemExit is an error too
        err = _error(exc)
        if isinstance(exc, ModuleNotFoundError):
            err["module"] = exc.name
        return {"ok": False, "error": err}
    STUDENT = module
    names = sorted(k for k, v in module.__dict__.items() if callable(v) and not k.startswith("_"))
    return {"ok": True, "functions": names[:500]}


def call_one(fn_name, args):
    fn = getattr(STUDENT, fn_name, None) if STUDENT is not None else None
    if fn is None or not callable(fn):
        return {"ok": False, "error": {"type": "Missing", "message": fn_name, "line": None}}
    try:
        value = fn(*[decode(a) for a in args])
    except BaseException as exc:  # noqa: B036
        return {"ok": False, "error": _error(exc)}
    try:
        return {"ok": True, "value": encode(value)}
    except EncodeError as exc:
        return {"ok": False, "error": {"type": "BadValue", "message": str(exc), "line": None}}
    except BaseException as exc:  # noqa: B036 - a hostile __array__ or __float__
        return {"ok": False, "error": {"type": "BadValue", "message": "%s: %s" % (
            type(exc).__name__, str(exc)[:MAX_STR]), "line": _student_line(exc.__traceback__)}}


def handle(req):
    op = req.get("op")
    if op == "load":
        return load(os.path.join(WORK, req["file"]))
    if op == "call":
        return call_one(req["fn"], req["args"])
    if op == "map":
        return {"ok": True, "results": [call_one(req["fn"], a) for a in req["argsets"]]}
    if op == "ping":
        return {"ok": True}
    return {"ok": False, "error": {"type": "Protocol", "message": "op inconnue", "line": None}}


def main():
    for line in proto_in:
        try:
            req = json.loads(line)
            resp = handle(req)
        except BaseException as exc:  # noqa: B036 - keep answering whatever happens
            resp = {"ok": False, "error": {"type": "Internal", "message": repr(exc)[:MAX_STR], "line": None}}
            req = req if isinstance(req, dict) else {}
        resp["id"] = req.get("id")
        try:
            text = json.dumps(resp, allow_nan=False)
        except (TypeError, ValueError) as exc:
            text = json.dumps({"id": req.get("id"), "ok": False,
                               "error": {"type": "BadValue", "message": str(exc)[:MAX_STR], "line": None}})
        proto_out.write(text + "\n")
        proto_out.flush()


if __name__ == "__main__":
    main()
