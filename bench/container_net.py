"""The host side of the bench's network probe: an internal Docker network, a listener on the
host's address in it, and a capture of every packet on its bridge.

The gradings run on an `--internal` network (`ag-bench-net`): its containers reach this host's
address on the bridge and nothing beyond it, so no experiment can send a packet off the machine.
An address outside the grading container is the host's address on that bridge: a TCP listener
counts connections there, and a raw capture (AF_PACKET on the bridge, Linux, root) counts every
TCP or UDP packet sent to it, so "refused, never sent" is seen, not inferred. A control
connection from the probe (root, outside the sandbox) must show in both, or the capture is blind.
"""
from __future__ import annotations

import json
import socket
import struct
import threading
import time

from bench.container_images import BenchError, docker

NETWORK = "ag-bench-net"
ETH_P_ALL = 0x0003


def bench_network() -> tuple:
    """(network name, host address on it, bridge interface), made when missing."""
    if docker("network", "inspect", NETWORK, check=False).returncode != 0:
        docker("network", "create", "--internal", NETWORK)
    info = json.loads(docker("network", "inspect", NETWORK).stdout)[0]
    gateway = info["IPAM"]["Config"][0]["Gateway"]
    bridge = info.get("Options", {}).get("com.docker.network.bridge.name") or "br-" + info["Id"][:12]
    if not info.get("Internal"):
        raise BenchError("the network %s exists but is not --internal: remove it (docker network rm %s)"
                         % (NETWORK, NETWORK))
    return NETWORK, gateway, bridge


class Listener:
    """TCP listeners on the host's address of the bench network; counts connections per port."""

    def __init__(self, host: str, ports: list):
        self.hits = {p: 0 for p in ports}
        self.socks = []
        for port in ports:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
            s.listen(64)
            s.settimeout(0.2)
            self.socks.append((s, port))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for s, port in self.socks:
                try:
                    conn, _ = s.accept()
                except OSError:
                    continue
                self.hits[port] += 1
                conn.close()

    def close(self) -> dict:
        self.stop.set()
        self.thread.join(2)
        for s, _ in self.socks:
            s.close()
        return dict(self.hits)


class Capture:
    """Every IPv4 TCP/UDP packet on the bridge to `host`, counted per destination port."""

    def __init__(self, interface: str, host: str):
        self.target = socket.inet_aton(host)
        self.seen: dict = {}
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((interface, 0))
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                frame = self.sock.recv(65535)
            except OSError:
                continue
            if len(frame) < 38 or frame[12:14] != b"\x08\x00":          # IPv4 only
                continue
            ip = frame[14:]
            proto, dst, ihl = ip[9], ip[16:20], (ip[0] & 0x0F) * 4
            if dst != self.target or proto not in (6, 17):
                continue
            port = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
            key = ("tcp" if proto == 6 else "udp", port)
            self.seen[key] = self.seen.get(key, 0) + 1

    def close(self) -> dict:
        time.sleep(0.5)                  # the last frames on their way
        self.stop.set()
        self.thread.join(2)
        self.sock.close()
        return dict(self.seen)
