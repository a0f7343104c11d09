"""What the backend's inputs from outside systems (``traccar``, ``open311_client``) share: a
daemon thread with an HTTP session, started and stopped with the backend (``app.lifespan``),
and its state as ``/readyz`` shows it (the last problem, or when it last worked), with its
secrets taken out of every message it logs or shows."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote, quote_plus

import requests

from .context import Context

#: One HTTP call to the outside system at most this long: a stop waits for it.
HTTP_TIMEOUT_S = 15.0


class SourceThread(threading.Thread):
    """A thread that talks to one outside system until ``stop()``; ``run`` waits on
    ``_stop_event`` between attempts, so a stop ends the wait at once."""

    def __init__(self, ctx: Context, name: str, target: str, secrets: Iterable[str | None]):
        super().__init__(name=name, daemon=True)
        self.ctx = ctx
        self.target = target
        self.http = requests.Session()
        self._stop_event = threading.Event()
        self._secrets = [x for x in secrets if x]
        #: The last failure, until the next success (``failed``/``succeeded``).
        self.problem: str | None = None
        self.ok_at: datetime | None = None

    def scrub(self, text: str) -> str:
        """``text`` without the source's secrets (a requests error quotes the URL, and a key
        or token may be in its query)."""
        for x in self._secrets:
            for form in {x, quote(x, safe=""), quote_plus(x)}:
                text = text.replace(form, "***")
        return text

    def failed(self, problem: str) -> str:
        """Record a failure; returns it as it may be logged."""
        self.problem = self.scrub(problem)[:300]
        return self.problem

    def succeeded(self) -> None:
        self.problem, self.ok_at = None, self.ctx.now()

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: informational, a failing source does not make the backend unready
        (its own work goes on without it)."""
        return {
            "source": self.name,
            "target": self.target,
            "ok": self.problem is None and self.ok_at is not None,
            "problem": self.problem,
            "ok_at": self.ok_at.isoformat() if self.ok_at else None,
        }

    def stop(self) -> None:
        """Stop and wait for the thread (at most an HTTP call's timeout and a margin)."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=HTTP_TIMEOUT_S + 5)
        self.http.close()
