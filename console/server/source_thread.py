"""What the backend's inputs from outside systems (``traccar``, ``open311_client``) share: a
daemon thread with an HTTP session, started and stopped with the backend (``app.lifespan``)."""

from __future__ import annotations

import threading

import requests

from .context import Context

#: One HTTP call to the outside system at most this long: a stop waits for it.
HTTP_TIMEOUT_S = 15.0


class SourceThread(threading.Thread):
    """A thread that talks to one outside system until ``stop()``; ``run`` waits on
    ``_stop_event`` between attempts, so a stop ends the wait at once."""

    def __init__(self, ctx: Context, name: str):
        super().__init__(name=name, daemon=True)
        self.ctx = ctx
        self.http = requests.Session()
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Stop and wait for the thread (at most an HTTP call's timeout and a margin)."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=HTTP_TIMEOUT_S + 5)
        self.http.close()
