"""An answer's body made once, in its own thread, and streamed to every request that asks for
the same one (same key) while it is made and for a moment after.

A city's gzip'd snapshot costs the backend ~0.6 s of CPU (50,000 cases read and compressed).
When a shift starts, ten consoles ask for it within seconds of each other: made per request,
that is ten times the CPU, on a machine the consoles' own decoding competes for. Shared, the
requests that arrive while one is being made read the same chunks as they come (the first
bytes leave at once for all of them), and those in the next ``SharedBody.reuse_s`` seconds
get it whole, as long as their key is the body's (the snapshot's: the feed's last seq, so a
request made after a change never gets a body made before it). Seconds are the caller's clock
(the snapshot's: district time, which a simulation runs fast and a test moves by hours: a
body is as of the instant it was begun, and a request later than ``reuse_s`` after it, or
earlier, gets its own).

A body shared this way must not depend on who asks (the snapshot is the same for every
reader). The maker runs to the end whatever its readers do, so a console that goes away
mid-stream leaves the others theirs; if making fails, every reader's stream breaks (as the
per-request stream did), and the next request makes it again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator

log = logging.getLogger(__name__)


class BodyFailed(RuntimeError):
    """The shared body could not be made to its end: the reader's stream breaks off."""


class _Making:
    """One body: its key, when it was begun, its chunks so far, whether it ended (and how)."""

    def __init__(self, key: Hashable, begun: float) -> None:
        self.key, self.begun = key, begun
        self.chunks: list[bytes] = []
        self.ended = False
        self.failed = False
        self.changed = threading.Condition()

    def make(self, chunks: Iterator[bytes]) -> None:
        try:
            for chunk in chunks:
                with self.changed:
                    self.chunks.append(chunk)
                    self.changed.notify_all()
        except Exception:
            self.failed = True
            log.exception("a shared body failed while it was made")
        finally:
            with self.changed:
                self.ended = True
                self.changed.notify_all()

    def read(self) -> Iterator[bytes]:
        """Every chunk, as it comes."""
        at = 0
        while True:
            with self.changed:
                while at == len(self.chunks) and not self.ended:
                    self.changed.wait()
                fresh, ended = self.chunks[at:], self.ended
            at += len(fresh)
            yield from fresh
            if ended and at == len(self.chunks):
                if self.failed:
                    raise BodyFailed("the shared body failed while it was made")
                return


class SharedBody:
    """``read(key, now, make)``: the current body's chunks if it has this key, was begun at
    most ``reuse_s`` before ``now`` (and not after it), and did not fail; else ``make()``'s
    chunks, made in a thread of its own (and the current body from then on)."""

    def __init__(self, name: str, reuse_s: float) -> None:
        self.name = name
        self.reuse_s = reuse_s
        self._lock = threading.Lock()
        self._current: _Making | None = None

    def read(
        self, key: Hashable, now: float, make: Callable[[], Iterator[bytes]]
    ) -> Iterator[bytes]:
        with self._lock:
            cur = self._current
            if (
                cur is None
                or cur.failed
                or not 0 <= now - cur.begun <= self.reuse_s
                or cur.key != key
            ):
                cur = self._current = _Making(key, now)
                threading.Thread(
                    target=cur.make, args=(make(),), name=self.name, daemon=True
                ).start()
        return cur.read()
