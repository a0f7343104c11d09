"""One simulated actor's HTTP client: its own login, retries, and error accounting.

The simulator must survive the backend going away and coming back, and bad answers must be
counted, not crash it: a connection error or 5xx is retried with backoff, a 401 re-logs in.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter

import requests

log = logging.getLogger("console.sim")
#: A session idle this long drops its pooled connections before its next request. The
#: reference backend closes a kept-alive connection after 5 idle seconds (uvicorn's default,
#: ``console.server.run.KEEP_ALIVE_S``); a supervisor's request sent on one at that instant met
#: a closed socket (ConnectionError, counted as the backend's failure: CI saw one in a
#: 3-district-hour run). Reconnecting on loopback costs ~0.1 ms.
STALE_AFTER_S = 4.0


class ActorClient:
    def __init__(
        self, base: str, username: str, password: str = "demo", errors: Counter | None = None
    ):
        self.base = base.rstrip("/")
        self.username = username
        self.password = password
        self.http = requests.Session()
        self.errors = errors if errors is not None else Counter()
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._token: str | None = None

    def _login(self) -> None:
        r = self.http.post(
            f"{self.base}/api/v1/session",
            json={"username": self.username, "password": self.password},
            timeout=10,
        )
        r.raise_for_status()
        self._token = r.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {self._token}"

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent_key: bool = False,
        retries: int = 4,
        answers: frozenset[str] = frozenset(),
        **kw,
    ) -> requests.Response | None:
        """Send with retries; None when the backend stayed unreachable or kept failing.
        ``answers``: API error codes the caller handles as an answer (e.g. a 核查 refused while
        the sensor still reads high, tried again later), not counted as the actor's errors."""
        headers = kw.pop("headers", {})
        if idempotent_key:
            headers["Idempotency-Key"] = uuid.uuid4().hex  # the same key for every retry
        delay = 0.25
        for attempt in range(retries):
            try:
                with self._lock:
                    if time.monotonic() - self._last > STALE_AFTER_S:
                        self.http.close()  # its pooled connections only: it stays usable
                    if self._token is None:
                        self._login()
                    try:
                        r = self.http.request(
                            method,
                            self.base + path,
                            headers=headers,
                            timeout=kw.pop("timeout", 30),
                            **kw,
                        )
                    finally:
                        self._last = time.monotonic()
                if r.status_code == 401 and attempt == 0:
                    self._token = None
                    continue
                if r.status_code < 500:
                    if (
                        r.status_code >= 400
                        and r.status_code != 409
                        and error_code(r) not in answers
                    ):
                        self.errors[r.status_code] += 1
                        # A refusal of a simulated actor is the simulator's mistake (or a
                        # race it should not lose): say which, so it can be traced.
                        log.warning(
                            "%s %s %s -> %s %s",
                            self.username,
                            method,
                            path,
                            r.status_code,
                            r.text[:200],
                        )
                    return r
                self.errors[r.status_code] += 1
                log.warning("%s %s %s -> %s", self.username, method, path, r.status_code)
            except requests.RequestException as e:
                self.errors["connection"] += 1
                log.warning("%s %s %s: %s", self.username, method, path, type(e).__name__)
            time.sleep(delay)
            delay = min(delay * 2, 4.0)
        return None

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)


def error_code(r: requests.Response) -> str | None:
    """The ``error.code`` of an API error response, if it has one."""
    try:
        return r.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
