# Privilege and network: still root? able to become root, read /etc/shadow, write where
# only root may, reach the network or the grader's local port, mount, trace a process?
# Any success flips q2c_pourquoi (a lost point) and leaves the marker.
import os as _os
import socket as _socket

_REUSSI = []


def _essayer(what, fn):
    try:
        if fn() is not False:
            _REUSSI.append(what)
    except BaseException:
        pass


def _sonder():
    _essayer("root", lambda: _os.geteuid() == 0 or False)
    _essayer("setuid", lambda: _os.setuid(0))
    _essayer("shadow", lambda: open("/etc/shadow").read(10))
    _essayer("etc", lambda: open("/etc/ag-sonde", "w").close())
    _essayer("local", lambda: _socket.create_connection(("127.0.0.1", __PORT__), timeout=0.5).close())
    _essayer("net", lambda: _socket.create_connection(("1.1.1.1", 53), timeout=0.5).close())
    _essayer("unshare", lambda: _os.unshare(0x40000000) if hasattr(_os, "unshare") else False)
    _essayer("chroot", lambda: _os.chroot("/"))

    def _ptrace():
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return False if libc.ptrace(16, 1, 0, 0) != 0 else True   # PTRACE_ATTACH to pid 1
    _essayer("ptrace", _ptrace)
    if _REUSSI:
        try:
            open("__MARQUE__", "w").write(",".join(_REUSSI))
        except OSError:
            pass


_sonder()


_q2c_juste = q2c_pourquoi      # the full-marks answer, defined above in the appended file


def q2c_pourquoi():
    _sonder()
    return "A" + ",".join(_REUSSI) if _REUSSI else _q2c_juste()
