"""A free TCP port on loopback, for a server this process is about to start (the demo's
backend, tests, benchmarks). The kernel picks one; another process could take it before the
server binds, which on loopback in practice it does not."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
