"""The sandboxed child: imports the student's file and answers call requests.

Started by runner.py (as an unprivileged user on Gradescope, inside fresh
namespaces where the kernel allows), from a work folder holding only this
file, outils.py and the student's file. Three processes, one role each:

  keeper  (only with a pid namespace) the Popen'd process: waits, holds nothing
  zygote  pid 1 of the namespace: imports numpy and outils once — never any
          student code — then forks workers; on the grader's "reset" it kills
          every other process it can reach (the whole namespace, else its
          whole process tree) and forks a fresh worker; no numpy import again
  worker  loads the student's file and answers requests until it is replaced

The worker speaks JSON lines: requests on a private copy of stdin, answers on a
private copy of stdout; the student's own prints go to the log pipe (fd 2),
which the grader reads and truncates. The zygote speaks to the grader on a
separate control pipe. Everything sent is plain data (numbers, base64 float64
arrays, strings, lists, expression trees of tuples); the grader decodes it with
an allowlist and never executes it, so a worker whose code was patched by the
student can only lie about its own answers.

Standard library + numpy only, and no import from the autograder package: the
grader's sources are not readable from here.
"""
import os
import sys

WORK = os.path.dirname(os.path.abspath(__file__))
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36


def _prctl(option, arg):
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort
        pass


def _keeper():
    """With a new pid namespace the Popen'd process is not in it yet: fork, and let the
    child be pid 1 of the namespace. The keeper closes every descriptor (so the grader sees
    end-of-file when the zygote dies), waits, and exits with the zygote's status."""
    if os.environ.get("AG_PIDNS") != "1":
        return
    pid = os.fork()
    if pid == 0:
        return
    try:   # tell the grader the zygote's pid as it sees it (inside the namespace it is 1)
        os.write(int(os.environ.get("AG_CTL", "3,4").split(",")[1]), b"zygote %d\n" % pid)
    except (OSError, ValueError, IndexError):
        pass
    os.closerange(0, 65536)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


_keeper()

import base64  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import numbers  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

CTL_IN, CTL_OUT = (int(x) for x in os.environ.get("AG_CTL", "3,4").split(","))
MAX_ITEMS = 200_000      # array elements per value
MAX_DEPTH = 12           # nesting of lists/dicts
MAX_TREE = 2_000         # nodes per expression tree (as wire.py)
MAX_TREE_DEPTH = 200     # nesting of an expression tree
MAX_STR = 500

import numpy as np  # noqa: E402

sys.path.insert(0, WORK)
sys.dont_write_bytecode = True
import outils  # noqa: E402

STUDENT = None          # the student's module once loaded (in the worker)
STUDENT_FILE = None


class EncodeError(Exception):
    pass


# ====================================================================== worker
def _tree(node, budget, depth=0):
    """Copy an expression tree into JSON lists, checking its shape."""
    budget[0] -= 1
    if budget[0] < 0:
        raise EncodeError("expression trop grande (plus de %d nœuds)" % MAX_TREE)
    if depth > MAX_TREE_DEPTH:
        raise EncodeError("expression trop imbriquée (plus de %d niveaux)" % MAX_TREE_DEPTH)
    if type(node) is not tuple or not node or type(node[0]) is not str:
        raise EncodeError("expression mal formée")
    head = node[0]
    if head == "num":
        v = node[1]
        if type(v) not in (int, float):
            raise EncodeError("nombre mal formé dans une expression")
        if type(v) is int and abs(v) > 10**15:
            v = float(v)
        return ["num", _float(v) if type(v) is float else v]
    if head == "sym":
        return ["sym", str(node[1])[:40]]
    if head == "unread":        # a numpy function the tracer cannot read: its name, then its arguments
        return ["unread", str(node[1])[:40]] + [_tree(a, budget, depth + 1) for a in node[2:]]
    if head == "softmax":
        if type(node[1]) is not int or type(node[2]) is not tuple:
            raise EncodeError("expression mal formée")
        return ["softmax", node[1], [_tree(a, budget, depth + 1) for a in node[2]]]
    return [head] + [_tree(a, budget, depth + 1) for a in node[1:]]


def _float(x):
    x = float(x)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return x


def encode(v, depth=0):
    """A returned value as plain JSON data. Exact types only where it matters: a subclass
    of int or float (or an ndarray subclass) is converted through the base type's own code."""
    if depth > MAX_DEPTH:
        raise EncodeError("valeur trop imbriquée")
    if v is None:
        return {"t": "none"}
    if isinstance(v, (bool, np.bool_)):
        return {"t": "bool", "v": bool(v)}
    if isinstance(v, outils.Symbole):
        return {"t": "expr", "v": _tree(v.node, [MAX_TREE])}
    if isinstance(v, int):
        i = int.__int__(v)
        return {"t": "int", "v": i} if abs(i) < 2**53 else {"t": "float", "v": _float(i)}
    if isinstance(v, float):
        return {"t": "float", "v": _float(float.__float__(v))}
    if isinstance(v, (np.integer, np.floating)):
        return encode(v.item(), depth)
    if isinstance(v, numbers.Integral):
        i = int(v)
        return {"t": "int", "v": i} if abs(i) < 2**53 else {"t": "float", "v": _float(i)}
    if isinstance(v, numbers.Real):
        return {"t": "float", "v": _float(v)}
    if isinstance(v, numbers.Complex):
        raise EncodeError("nombre complexe")
    if isinstance(v, str):
        return {"t": "str", "v": str.__str__(v)[:MAX_STR]}
    if isinstance(v, np.ndarray) or hasattr(v, "__array__") and not isinstance(v, (list, tuple, dict)):
        a = np.asarray(v)
        if type(a) is not np.ndarray:
            a = np.ndarray.view(a, np.ndarray)
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
    if isinstance(v, (set, frozenset)):      # e.g. θ = {"W1", "b1", ...}: sent as a sorted list
        items = list(set.__iter__(v) if isinstance(v, set) else frozenset.__iter__(v))
        if len(items) > 10_000:
            raise EncodeError("ensemble trop grand")
        try:
            items.sort(key=repr)
        except Exception:
            pass
        return {"t": "list", "v": [encode(e, depth + 1) for e in items]}
    if isinstance(v, (list, tuple)):
        items = list.__iter__(v) if isinstance(v, list) else tuple.__iter__(v)
        items = list(items)
        if len(items) > 10_000:
            raise EncodeError("liste trop longue")
        return {"t": "list", "v": [encode(e, depth + 1) for e in items]}
    if isinstance(v, dict):
        pairs = list(dict.items(v))
        if len(pairs) > 1_000:
            raise EncodeError("dictionnaire trop grand")
        return {"t": "dict", "v": [[str(k)[:100], encode(e, depth + 1)] for k, e in pairs]}
    raise EncodeError("type de valeur non pris en charge : %s" % type(v).__name__[:60])


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
        return out.reshape(w["shape"]).view(outils.VecteurSymbolique)   # np.max(x) etc. read too
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
    try:
        for frame in traceback.extract_tb(tb, limit=200):
            if frame.filename == STUDENT_FILE:
                line = frame.lineno
    except Exception:  # noqa: BLE001 - a hostile traceback
        return None
    return line if type(line) is int else None


def _text(x, n=MAX_STR):
    """str() of a student's object, which may lie, hang (time limit) or raise."""
    try:
        s = str(x)
        return str.__str__(s)[:n] if isinstance(s, str) else ""
    except BaseException:  # noqa: B036
        return "?"


def _error(exc):
    return {"type": type(exc).__name__[:80], "message": _text(exc),
            "line": _student_line(exc.__traceback__)}


def load(path):
    global STUDENT, STUDENT_FILE
    STUDENT_FILE = os.path.abspath(path)
    with open(STUDENT_FILE, "rb") as f:
        source = f.read()
    try:
        code = compile(source, STUDENT_FILE, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:   # ValueError: a NUL byte
        if isinstance(exc, SyntaxError):
            return {"ok": False, "error": {"type": type(exc).__name__, "message": str(exc.msg)[:MAX_STR],
                                           "line": exc.lineno, "text": (exc.text or "").strip()[:200]}}
        return {"ok": False, "error": {"type": "SyntaxError", "message": str(exc)[:MAX_STR], "line": None}}
    spec = importlib.util.spec_from_loader("devoir3", loader=None, origin=STUDENT_FILE)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = STUDENT_FILE
    sys.modules["devoir3"] = module
    sys.modules["math"] = outils.math_symbolique      # math.exp(x) reads on symbols too
    # numpy and outils only: sympy, mpmath, scipy... are refused (a stand-in that says so when used);
    # for every importer in the sandboxed child, not in a process that runs this code in-process
    # (bench/sandbox_cost.InProcess): there the grader's own imports must go on
    alone = __name__ == "__main__"
    outils._stand_ins(STUDENT_FILE, strict=alone)
    if alone:
        _numpy_only()
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # noqa: B036 - a student's SystemExit is an error too
        err = _error(exc)
        if isinstance(exc, ModuleNotFoundError):
            name = getattr(exc, "name", None)
            if isinstance(name, str) and name:
                err["module"] = err["message"] = str.__str__(name)[:100]
        return {"ok": False, "error": err}
    STUDENT = module
    try:        # a correct own sigma/softplus/softmax counts as ours in formulas (outils)
        outils._adopt_own_helpers(module.__dict__)
    except BaseException:  # noqa: B036 - the student's helpers stay as they are
        pass
    names = sorted(k for k, v in dict.items(module.__dict__)
                   if isinstance(k, str) and not k.startswith("_") and callable(v))
    outils._float_in(module.__dict__)      # float(formula) stays a formula
    return {"ok": True, "functions": names[:500], "unavailable": list(outils._StandIns.used)[:10]}


def _numpy_only():
    """What the student's code can reach besides numpy, outils and the standard library: nothing.
    The folders of installed packages leave sys.path (numpy is imported already and finds its own
    submodules through numpy.__path__); modules imported before the student's code (by a warm
    process, a .pth file) leave sys.modules. outils._StandIns refuses the rest by name."""
    sys.path[:] = [p for p in sys.path if not any(part in ("site-packages", "dist-packages")
                                                   for part in p.replace(os.sep, "/").split("/"))]
    allowed = outils._StandIns.allowed
    for name in list(sys.modules):
        if not allowed(name.split(".")[0]):
            del sys.modules[name]


def call_one(fn_name, args):
    fn = dict.get(STUDENT.__dict__, fn_name) if STUDENT is not None else None
    if fn is None or not callable(fn):
        return {"ok": False, "error": {"type": "Missing", "message": fn_name, "line": None}}
    try:
        if any(a.get("t") in ("sym", "symarray") for a in args):     # read as one formula
            value = outils._trace(fn, lambda: [decode(a) for a in args])
        else:
            value = fn(*[decode(a) for a in args])
    except BaseException as exc:  # noqa: B036
        return {"ok": False, "error": _error(exc)}
    try:
        return {"ok": True, "value": encode(value)}
    except EncodeError as exc:
        return {"ok": False, "error": {"type": "BadValue", "message": str(exc), "line": None}}
    except BaseException as exc:  # noqa: B036 - a hostile __array__ or __float__
        return {"ok": False, "error": {"type": "BadValue", "message": "%s: %s" % (
            type(exc).__name__[:80], _text(exc)), "line": _student_line(exc.__traceback__)}}


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


def _dumps(resp):
    try:
        return json.dumps(resp, allow_nan=False)
    except BaseException as exc:  # noqa: B036
        return json.dumps({"id": resp.get("id"), "ok": False,
                           "error": {"type": "BadValue", "message": _text(exc), "line": None}})


class _Journal(io.TextIOWrapper):
    """The student's stdout and stderr: line by line for the first lines (the ones the feedback
    shows, kept even if the code then loops for ever), then by blocks of 64 kB (a student
    printing 50 000 lines makes a few dozen writes, not 50 000); flushed after each request."""
    LINES_UP_TO = 4096

    def write(self, s):
        n = super().write(s)
        if self.line_buffering:
            self._written = getattr(self, "_written", 0) + n
            if self._written > self.LINES_UP_TO:
                self.reconfigure(line_buffering=False)
                self.write = io.TextIOWrapper.write.__get__(self)   # no Python-level call from now on
        return n


def worker_main():
    """Runs in a forked worker: private protocol channels, student prints to the log."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _prctl(PR_SET_DUMPABLE, 1)
    for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    for fd in (CTL_IN, CTL_OUT):
        try:
            os.close(fd)
        except OSError:
            pass
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8", errors="replace")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)        # the student's stdout and stderr: the log pipe
    sys.stdin = open(os.devnull)
    out = sys.stdout = _Journal(os.fdopen(1, "wb", buffering=1 << 16), encoding="utf-8", errors="replace",
                                line_buffering=True)
    sys.stderr = sys.stdout
    for line in proto_in:
        req = None
        try:
            req = json.loads(line)
            resp = handle(req)
        except BaseException as exc:  # noqa: B036 - keep answering whatever happens
            resp = {"ok": False, "error": {"type": "Internal", "message": _text(exc), "line": None}}
        try:
            out.flush()
        except BaseException:  # noqa: B036 - closed or broken by the student: their loss
            pass
        resp = resp if type(resp) is dict else {"ok": False}
        resp["id"] = req.get("id") if type(req) is dict else None
        proto_out.write(_dumps(resp) + "\n")
        proto_out.flush()


# ====================================================================== zygote
def _pids_and_parents():
    out = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for e in entries:
        if not e.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % e, "rb") as f:
                stat = f.read()
            out[int(e)] = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return out


def _descendants(root):
    parents = _pids_and_parents()
    kids = {}
    for pid, ppid in parents.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        for k in kids.get(todo.pop(), ()):
            out.append(k)
            todo.append(k)
    return out


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False          # no child left at all
        if pid == 0:
            return True


def kill_all():
    """Kill every process but this one: the whole namespace when we are its pid 1, else our
    whole process tree (we are a subreaper: orphans of the tree come back to us)."""
    me = os.getpid()
    for _ in range(500):
        if me == 1:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            victims = True
        else:
            victims = _descendants(me)
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if not _reap() and not (me != 1 and victims):
            return
        if me != 1 and not victims:
            return
        time.sleep(0.002)


def _drain(fd):
    """Throw away whatever a killed worker left unread on the request pipe."""
    os.set_blocking(fd, False)
    try:
        while os.read(fd, 1 << 16):
            pass
    except (BlockingIOError, OSError):
        pass
    os.set_blocking(fd, True)


def spawn():
    pid = os.fork()
    if pid == 0:
        try:
            worker_main()
        finally:
            os._exit(0)
    return pid


def zygote_main():
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _prctl(PR_SET_DUMPABLE, 0)         # the workers (same user) cannot ptrace the zygote
    if os.getpid() != 1:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)   # only the grader's SIGKILL stops the zygote
    gen = 1
    worker = spawn()

    def send(text):
        try:
            os.write(CTL_OUT, (text + "\n").encode())
        except OSError:
            kill_all()
            os._exit(0)

    def watch(pid):
        try:
            return os.pidfd_open(pid)
        except (AttributeError, OSError):
            return None

    send("ready %d" % gen)
    pidfd = watch(worker)
    buf = b""
    while True:
        fds = [CTL_IN] + ([pidfd] if pidfd is not None else [])
        ready, _, _ = select.select(fds, [], [], 0.5 if worker is None or pidfd is None else 2.0)
        if worker is not None:
            try:
                pid, status = os.waitpid(worker, os.WNOHANG)
            except ChildProcessError:
                pid, status = worker, 0
            if pid:
                send("exit %d %d" % (gen, os.waitstatus_to_exitcode(status)))
                worker = None
                if pidfd is not None:
                    os.close(pidfd)
                    pidfd = None
        _reap()
        if CTL_IN not in ready:
            continue
        data = os.read(CTL_IN, 4096)
        if not data:                 # the grader is gone
            kill_all()
            os._exit(0)
        buf += data
        while b"\n" in buf:
            line, _, buf = buf.partition(b"\n")
            cmd = line.decode("ascii", "replace").split()
            if not cmd:
                continue
            if pidfd is not None:
                os.close(pidfd)
                pidfd = None
            kill_all()
            worker = None
            if cmd[0] == "stop":
                send("stopped")
                os._exit(0)
            if cmd[0] == "reset":
                _drain(0)
                gen = int(cmd[1]) if len(cmd) > 1 and cmd[1].isdigit() else gen + 1
                worker = spawn()
                pidfd = watch(worker)
                send("ok %d" % gen)


if __name__ == "__main__":
    zygote_main()
