"""The console's REST client: one pooled ``requests.Session``, a timeout on every call, TLS
verification on (optionally against a CA bundle), a bearer token, and a transparent re-login
on 401 when it holds the credentials (tokens expire in the middle of a night shift)."""

from __future__ import annotations

import threading
from typing import Any, Literal, overload

import requests

from . import jsonstream

DEFAULT_TIMEOUT = 10.0
#: Bytes handed to the decoder at a time from a streamed answer (inflated: urllib3 returns
#: this much JSON, not this much gzip): 512 kB, ~250 of a city's cases decoded in one batch
#: (``jsonstream``: one scanner call sharing their keys' strings; at 64 kB each batch of ~30
#: held its own, 167 B more per case) in ~10 ms, close behind the socket.
STREAM_CHUNK = 1 << 19


class ApiError(Exception):
    """A non-2xx answer: ``status`` and the backend's ``{"error": {...}}`` body."""

    def __init__(self, status: int, body: dict[str, Any], retry_after: float | None = None):
        err = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {err.get('code', '')}: {err.get('message', '')}")
        self.status = status
        self.body = body
        self.code = err.get("code")
        self.message = err.get("message", "")
        self.details = err.get("details") or {}
        #: Seconds the server asked us to wait (``Retry-After`` of a 503 or 429), if it did.
        self.retry_after = retry_after


class RestClient:
    def __init__(
        self,
        base_url: str,
        username: str | None = None,
        password: str | None = None,
        *,
        verify: bool | str = True,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.base = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout = timeout
        self.http = requests.Session()
        self.http.verify = verify  # True, False (never in production) or a CA-bundle path
        self.user: dict[str, Any] | None = None
        self._login_lock = threading.Lock()

    def login(self) -> dict[str, Any]:
        with self._login_lock:
            r = self.http.post(
                f"{self.base}/api/v1/session",
                json={"username": self.username, "password": self._password},
                timeout=self.timeout,
            )
            if r.status_code != 200:
                raise ApiError(r.status_code, _json(r))
            body: dict[str, Any] = r.json()
            self.http.headers["Authorization"] = f"Bearer {body['token']}"
            self.user = body["user"]
            return body

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        raw: Literal[False] = False,
        streamed: bool = False,
        **kw: Any,
    ) -> Any: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        raw: Literal[True],
        **kw: Any,
    ) -> bytes: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        raw: bool = False,
        streamed: bool = False,
        **kw: Any,
    ) -> Any:
        """JSON of a 2xx answer (its bytes if ``raw``: media); ``ApiError`` otherwise;
        ``requests`` errors pass through. The JSON is typed ``Any``: the caller annotates the
        document its endpoint returns (``console.domain.documents``). ``streamed``: decode the
        JSON while it arrives (``jsonstream``; the snapshot: a city's is ~100 MB), which also
        lets other threads run between its items instead of waiting out one long
        ``json.loads``. Answers come gzip'd when the backend compresses them (``requests``
        asks for gzip and inflates it as it reads)."""
        if "Authorization" not in self.http.headers and self.username:
            self.login()
        for attempt in (1, 2):
            r = self.http.request(
                method,
                self.base + path,
                timeout=timeout or self.timeout,
                headers=headers,
                stream=streamed,
                **kw,
            )
            if (
                r.status_code == 401
                and attempt == 1
                and self.username
                and self._password is not None
            ):
                self.login()
                continue
            if 200 <= r.status_code < 300:
                if streamed:
                    with r:
                        return jsonstream.load(r.iter_content(STREAM_CHUNK))
                return r.content if raw else r.json()
            raise ApiError(r.status_code, _json(r), _seconds(r.headers.get("Retry-After")))
        raise AssertionError("unreachable")

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)


def _seconds(retry_after: str | None) -> float | None:
    """``Retry-After`` in seconds (the backend sends seconds; an HTTP date from a proxy is
    ignored: the caller's own backoff applies), at most 5 minutes."""
    try:
        return min(max(float(retry_after), 0.0), 300.0) if retry_after else None
    except ValueError:
        return None


def _json(r: requests.Response) -> dict[str, Any]:
    try:
        body = r.json()
    except ValueError:
        body = {"error": {"code": "bad_response", "message": r.text[:200]}}
    return (
        body
        if isinstance(body, dict)
        else {"error": {"code": "bad_response", "message": str(body)[:200]}}
    )
