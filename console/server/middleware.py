"""What every request passes through before a router: the body limit and the request log."""

from __future__ import annotations

import logging
import time
import uuid

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
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await error_response(413, f"request body larger than {limit} bytes")(
                scope, receive, send
            )


class _TooLarge(Exception):
    """Raised out of ``receive`` to abandon a request whose body passed the limit."""
