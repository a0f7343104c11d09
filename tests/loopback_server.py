"""A stand-in for an outside system in the tests: an ASGI app (Starlette) on a real uvicorn
server, in a thread, on a free loopback port."""

from __future__ import annotations

import threading

import uvicorn

from console.ports import free_port
from tests.conftest import wait_until


class LoopbackServer:
    def __init__(self, app, name: str) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        wait_until(lambda: self.server.started, timeout=10)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
