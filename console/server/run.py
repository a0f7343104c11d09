"""Run the backend: in the foreground (``main.py serve``) or in a thread (demo, tests)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from .app import create_app
from .context import Context, Settings

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class BackendThread:
    """A real uvicorn server on loopback in a background thread, with a clean stop."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 0):
        self.settings = settings
        self.host = host
        self.port = port or free_port(host)
        self.ctx = Context.build(settings)
        self.app = create_app(settings, self.ctx)
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="backend", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> BackendThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"backend did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.ctx.login_guard.hashes.shutdown()
        self.ctx.db.dispose()

    def __enter__(self) -> BackendThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(settings: Settings, host: str, port: int) -> None:
    ctx = Context.build(settings)
    app = create_app(settings, ctx)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=3)
