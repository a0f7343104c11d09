"""Run the backend: in the foreground (``main.py serve``, one process or ``--workers N``) or in
a thread (demo, tests), with the same connection hygiene everywhere (``GuardedHttpTools``, or
``GuardedH11`` where httptools is not installed).

Limits and where they come from (docs/deployment.md says the same for operators):

- a request head must arrive within ``HEADER_TIMEOUT_S`` of the connection opening (or of
  the previous answer on a kept-alive one), its body within ``BODY_TIMEOUT_S`` of the head:
  a slow client holding a socket and a file descriptor with half a request is closed;
- an idle kept-alive connection is closed after ``KEEP_ALIVE_S`` (uvicorn's default, kept);
- at most ``Limits.max_connections`` sockets at once, the rest closed on accept: derived from
  the process's file-descriptor limit, which start-up raises to its hard maximum, so the
  server refuses connections instead of failing on EMFILE (which took it down in a probe).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: uvicorn_options() falls back to h11
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from console.ports import free_port

from .app import create_app, prepare
from .context import Context, Settings
from .errors import error_body
from .middleware import SECURITY_HEADERS

log = logging.getLogger(__name__)

#: nginx waits 60 s for a header (client_header_timeout) on the open internet; consoles on a
#: centre's LAN send theirs in milliseconds, so 10 s is generous and frees a slow client's
#: socket six times sooner.
HEADER_TIMEOUT_S = 10.0
#: The largest body is a 4 MB photo (``Settings.max_media_bytes``): 30 s is ~1 Mbit/s, a slow
#: mobile uplink from a street supervisor.
BODY_TIMEOUT_S = 30.0
#: uvicorn's default; a console's next long poll follows its answer at once.
KEEP_ALIVE_S = 5
#: h11's own default (16 kB), stated: a request head larger than this is refused with 400.
MAX_HEAD_BYTES = 16 * 1024
#: File descriptors kept back from connections: the database pool (30 on PostgreSQL; SQLite
#: opens 3 per connection: file, WAL, shm), log files, the thread pool's sessions, the
#: LISTEN connection, shapefiles read at start-up.
FD_RESERVE = 200


@dataclass
class Limits:
    max_connections: int = 10_000


LIMITS = Limits()


def fd_headroom(settings: Settings | None = None) -> Limits:
    """Raise the soft RLIMIT_NOFILE to the hard limit, derive the connection cap from it
    (one descriptor per connection; a follower is one connection) and lower
    ``settings.max_long_polls`` to fit; warn when that is below the followers configured."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            log.warning("could not raise the file-descriptor limit from %d to %d", soft, hard)
    LIMITS.max_connections = max(16, soft - FD_RESERVE)
    if settings is not None and settings.max_long_polls > LIMITS.max_connections - 16:
        log.warning(
            "file-descriptor limit %d allows %d connections: long polls capped at %d instead "
            "of %d (raise `ulimit -n`; each follower needs one descriptor)",
            soft,
            LIMITS.max_connections,
            LIMITS.max_connections - 16,
            settings.max_long_polls,
        )
        settings.max_long_polls = LIMITS.max_connections - 16
    return LIMITS


class _Guard:
    """A header and a body deadline and a connection cap for one of uvicorn's HTTP protocols
    (uvicorn itself has only the keep-alive timeout, armed after an answer). Mixed in before
    the protocol class; the protocol says when a head arrived (``_head_arrived``) and whether
    it is waiting for the client (``_awaiting_client``)."""

    # What the mixin uses of uvicorn's protocol classes (both have these).
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    connections: set[Any]
    _guard: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        if len(self.connections) > LIMITS.max_connections:
            log.warning("connection refused: %d open, the cap", len(self.connections) - 1)
            transport.close()
            return
        self._arm(HEADER_TIMEOUT_S)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm(HEADER_TIMEOUT_S)  # the next request's head, if any bytes of it come

    def send_400_response(self, msg: str) -> None:
        """A request the parser refused (malformed, or a head over ``MAX_HEAD_BYTES``),
        answered in the API's one error shape and with its security headers: uvicorn's own
        answer is a line of plain text, which a client expecting the shape cannot read."""
        body = json.dumps(error_body(400, msg.rstrip(".").lower() or "bad request")).encode()
        head = [
            b"HTTP/1.1 400 Bad Request",
            b"content-type: application/json",
            b"content-length: " + str(len(body)).encode(),
            b"connection: close",
            *(k + b": " + v for k, v in SECURITY_HEADERS),
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()

    def _head_arrived(self, body_follows: bool) -> None:
        """A request head is complete: now its body has a deadline, or nothing has."""
        if body_follows:
            self._arm(BODY_TIMEOUT_S)
        else:
            self._disarm()

    def _awaiting_client(self) -> bool:
        """Whether the connection is reading a head or a body (not answering a request)."""
        raise NotImplementedError

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._guard = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None

    def _expired(self) -> None:
        self._guard = None
        if self._awaiting_client() and not self.transport.is_closing():
            # Half a head or half a body after the deadline: a slow or stalled client.
            self.transport.close()


class GuardedH11(_Guard, H11Protocol):
    """uvicorn's pure-Python h11 protocol, guarded (the fallback when httptools is missing)."""

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:
            self._head_arrived(self.conn.their_state is h11.SEND_BODY)

    def _awaiting_client(self) -> bool:
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)


if HttpToolsProtocol is not None:

    class GuardedHttpTools(_Guard, HttpToolsProtocol):
        """uvicorn's httptools protocol (llhttp, Node's parser, in C), guarded; it also caps
        the request head at ``MAX_HEAD_BYTES`` as h11 does, which httptools does not (it
        gathers a header of any length in memory)."""

        _reading_head = True  # between a message's end (or the connection's start) and a head
        _head_bytes = 0

        def data_received(self, data: bytes) -> None:
            if self._reading_head:
                self._head_bytes += len(data)
            super().data_received(data)
            too_long = self._reading_head and self._head_bytes > MAX_HEAD_BYTES
            if too_long and not self.transport.is_closing():
                self.send_400_response("Request head too large.")

        def on_headers_complete(self) -> None:
            self._reading_head, self._head_bytes = False, 0
            super().on_headers_complete()
            self._head_arrived(body_follows=True)  # on_message_complete ends it at once if none

        def on_message_complete(self) -> None:
            self._reading_head, self._head_bytes = True, 0
            super().on_message_complete()
            self._disarm()

        def _awaiting_client(self) -> bool:
            # ``cycle`` is the last request parsed: none or answered means the next head is
            # due; one whose body is still coming, the body.
            return self.cycle is None or self.cycle.response_complete or self.cycle.more_body


def http_protocol(name: str = "auto") -> type[asyncio.Protocol]:
    """The guarded protocol for ``name`` (``auto``: httptools when importable, else h11).
    httptools parses in C: a request costs the backend a quarter less CPU than on h11 (~0.17
    ms; docs/deployment.md has the numbers)."""
    if name == "h11" or (name == "auto" and HttpToolsProtocol is None):
        return GuardedH11
    if HttpToolsProtocol is None:
        raise RuntimeError("httptools is not installed (pip install httptools)")
    return GuardedHttpTools


def uvicorn_options(http: str = "auto") -> dict[str, Any]:
    """The options every way of running the backend shares."""
    protocol = http_protocol(http)
    log.info("HTTP parser: %s", "httptools (C)" if protocol is not GuardedH11 else "h11 (Python)")
    return {
        "http": protocol,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "timeout_graceful_shutdown": 3,
    }


class BackendThread:
    """A real uvicorn server on loopback in a background thread, with a clean stop."""

    def __init__(
        self, settings: Settings, host: str = "127.0.0.1", port: int = 0, http: str = "auto"
    ):
        self.settings = settings
        self.host = host
        self.port = port or free_port(host)
        self.ctx = Context.build(settings)
        self.app = create_app(settings, self.ctx)
        fd_headroom(settings)
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            lifespan="on",
            **{**uvicorn_options(http), "timeout_graceful_shutdown": 2},
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


#: How ``serve --workers N`` hands its settings to the worker processes (uvicorn starts each
#: from an import string, so they cannot be passed as an object).
_WORKER_ENV = "ZHCG_SERVE_SETTINGS"


def serve(settings: Settings, host: str, port: int, workers: int = 1, http: str = "auto") -> None:
    """Serve in the foreground; ``workers`` > 1 runs that many API processes on one socket
    (on PostgreSQL only: ``main.py serve`` checks); ``http`` is the parser (``http_protocol``)."""
    fd_headroom(settings)
    if workers <= 1:
        app = create_app(settings, Context.build(settings))
        uvicorn.run(app, host=host, port=port, log_level="info", **uvicorn_options(http))
        return
    # The schema and the seed once, here, before N processes start at the same moment.
    ctx = Context.build(settings)
    prepare(ctx)
    ctx.db.dispose()
    os.environ[_WORKER_ENV] = json.dumps(
        {
            "db_url": settings.db_url,
            "demo": settings.demo,
            "open311_keys": sorted(settings.open311_keys),
            "token_ttl_s": settings.token_ttl.total_seconds(),
            "max_long_polls": settings.max_long_polls,
        }
    )
    uvicorn.run(
        "console.server.run:worker_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        **uvicorn_options(http),
    )


def worker_app() -> FastAPI:
    """The app of one ``serve --workers N`` process (uvicorn calls this in each)."""
    raw = json.loads(os.environ[_WORKER_ENV])
    settings = Settings(
        db_url=raw["db_url"],
        demo=raw["demo"],
        open311_keys=frozenset(raw["open311_keys"]),
        token_ttl=timedelta(seconds=raw["token_ttl_s"]),
        max_long_polls=raw["max_long_polls"],
    )
    fd_headroom(settings)
    return create_app(settings, Context.build(settings))
