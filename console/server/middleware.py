"""What every request passes through before a router: the body limit, the security headers,
the request log, and the access log's redaction of secrets."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid

import anyio
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response

log = logging.getLogger("console.server")


class RequestLog:
    """Refuse NUL characters in URLs (PostgreSQL cannot store them), tag each response with
    an ``x-request-id`` (the client's, or a new one) and log it at debug level; successful
    long polls are not logged, they would drown the rest.

    Plain ASGI rather than ``BaseHTTPMiddleware``: that one costs a task and a memory stream
    per request, and hides the client's disconnect from a long poll behind its own receive.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            return await error_response(400, "NUL characters are not allowed in URLs")(
                scope, receive, send
            )
        rid = (
            dict(scope.get("headers") or []).get(b"x-request-id") or uuid.uuid4().hex[:12].encode()
        )
        t0 = time.perf_counter()
        status = 0

        async def tagged_send(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = msg["status"]
                msg["headers"] = [*msg.get("headers", []), (b"x-request-id", rid)]
            await send(msg)

        await self.app(scope, receive, tagged_send)
        if status >= 400 or path != "/api/v1/changes":
            log.debug(
                "%s %s %s %.1fms rid=%s",
                scope["method"],
                path,
                status,
                (time.perf_counter() - t0) * 1000,
                rid.decode("latin-1"),
            )


class BodyLimit:
    """Refuse bodies over the limit with 413, whether or not Content-Length is sent (media
    uploads under ``/api/v1/media`` have their own, larger limit)."""

    def __init__(self, app: ASGIApp, max_bytes: int, media_max: int):
        self.app = app
        self.max_bytes = max_bytes
        self.media_max = media_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.media_max if scope["path"].startswith("/api/v1/media") else self.max_bytes
        headers = dict(scope.get("headers") or [])
        cl = headers.get(b"content-length")
        if cl is not None and (not cl.isdigit() or int(cl) > limit):
            return await error_response(413, f"request body larger than {limit} bytes")(
                scope, receive, send
            )
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    # An HTTPException: FastAPI's body reader passes it on (anything else it
                    # turns into a 400), and the error handler answers it in the error shape.
                    raise HTTPException(413, f"request body larger than {limit} bytes")
            return msg

        await self.app(scope, limited_receive, send)


class AbandonGone:
    """Drop the work of a request whose client has gone before its answer started.

    A client that gives up (its timeout, a console closed, a balancer's probe cut short)
    leaves its request queued for the thread pool; under load the pool then spends itself on
    answers nobody reads (issue 13: one ``/healthz`` took 380 s behind the jobs of 500
    followers that had left). Here a watcher waits for the client's ``http.disconnect`` once
    the app has the whole body, and cancels the request's work if no answer has started: a
    job still waiting for a thread never runs; one already running in a thread finishes (the
    thread pool's cancel scope is shielded), so a write is never cut in half and its
    Idempotency-Key still answers the client's retry.

    The watcher owns ``receive`` after the body: it hands the app the messages it reads, so a
    route that waits for the disconnect itself (the feed's long poll) still sees it.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False
        watcher: asyncio.Task[None] | None = None
        gone = asyncio.Event()
        scope_ = anyio.CancelScope()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()
            if not started:
                scope_.cancel()

        def start_watching() -> None:
            nonlocal watcher
            if watcher is None:
                watcher = asyncio.ensure_future(watch())

        first: Message | None = None  # a bodiless request's message, read before the app

        async def watched_receive() -> Message:
            nonlocal first
            if first is not None:
                msg, first = first, None
                return msg
            if watcher is not None:
                await gone.wait()
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] != "http.request" or not msg.get("more_body"):
                start_watching()
            if msg["type"] == "http.disconnect":
                gone.set()
            return msg

        async def noting_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        if not _has_body(scope):
            # Nothing to read first (the app may never ask): the app gets the empty body
            # message when it asks, the watcher everything after it.
            first = await receive()
            start_watching()
        try:
            with scope_:
                await self.app(scope, watched_receive, noting_send)
            if scope_.cancelled_caught:
                log.debug(
                    "%s %s: the client left before its answer; dropped",
                    scope["method"],
                    scope["path"],
                )
        finally:
            if watcher is not None:
                watcher.cancel()


def _has_body(scope: Scope) -> bool:
    for k, v in scope.get("headers") or ():
        if k == b"transfer-encoding" or (k == b"content-length" and v.strip() not in (b"0", b"")):
            return True
    return False


#: Sent on every response (OWASP Secure Headers Project, "Best practices" for APIs): no MIME
#: sniffing (a photo must never run as HTML or script), never framed (clickjacking: the API
#: has no page to frame), and no Referer leaking case URLs to other sites.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Add ``SECURITY_HEADERS`` to every response, and ``Cache-Control: no-store`` to answers
    to authenticated requests that set no caching of their own (a case with a citizen's phone
    must not stay in a shared or disk cache). Pure ASGI, so long polls pay one header merge."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        authed = any(k == b"authorization" for k, _ in scope.get("headers") or [])

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = MutableHeaders(scope=msg)
                for k, v in SECURITY_HEADERS:
                    headers.setdefault(k.decode(), v.decode())
                if authed:
                    headers.setdefault("cache-control", "no-store")
            await send(msg)

        await self.app(scope, receive, send_with_headers)


class RedactSecrets(logging.Filter):
    """Blank ``api_key`` values in uvicorn's access log lines: a key sent in a URL (refused with
    400, but the line is still written) must not end up in the log."""

    _KEY = re.compile(r"((?:^|[?&])api_key=)[^&\s]*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._KEY.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args
            )
        return True


class QuietPolls(logging.Filter):
    """Drop uvicorn's access lines for answered long polls and liveness probes: 500 followers
    write hundreds a second, which drown the rest (``RequestLog`` skips them too, and the
    nginx example has ``access_log off`` for ``/healthz``); on the event loop each cost
    ~0.05-0.08 ms (measured with httptools: /healthz ~0.49 -> ~0.44 ms of backend CPU, a
    tenth of the request). Refused ones (4xx/5xx) are still written."""

    _QUIET = ("/api/v1/changes", "/healthz", "/readyz")

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[4], int):
            path = str(args[2]).partition("?")[0]
            return args[4] >= 400 or path not in self._QUIET
        return True


def install_access_log_filters() -> None:
    """Install ``QuietPolls`` and ``RedactSecrets`` on uvicorn's access logger, once per
    process (quiet first: a dropped line needs no redaction)."""
    access = logging.getLogger("uvicorn.access")
    for kind in (QuietPolls, RedactSecrets):
        if not any(isinstance(f, kind) for f in access.filters):
            access.addFilter(kind())
