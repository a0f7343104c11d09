"""Bearer tokens already checked, remembered for a short while.

A console's long poll comes back several times a minute: without this each poll is a
database round trip (and a thread-pool job) just to learn what the last one learned. Only the
feed's polls trust it (``routes.deps.follower``); every other request looks its session up, so
a write, a snapshot or a case read is refused the moment the session ends anywhere. A token is remembered for ``ttl_s`` at most, and never past its own
expiry. Logging out forgets it at once in this process (``revoke``), and disabling a user
forgets all of theirs (``revoke_user``, for the user administration to call); the other API
processes on PostgreSQL are told at the change's commit (``auth_notices``). Only a change
no process is told of (``main.py users`` beside a running SQLite backend) waits out ``ttl_s``,
which is therefore short: 30 s is about one long-poll cycle of a console (its wait is 20 s),
so a poll costs a lookup at most every other cycle.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime

from .auth import Principal


class TokenCache:
    """token hash -> (principal, when to look again); bounded, least recently used first."""

    def __init__(self, ttl_s: float = 30.0, max_entries: int = 10_000):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        # Revocations come from the thread pool (logout is a write endpoint), lookups from
        # the event loop.
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> Principal | None:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(token_hash)
            if hit is None:
                return None
            if hit[1] <= now:
                del self._entries[token_hash]
                return None
            self._entries.move_to_end(token_hash)
            return hit[0]

    def put(self, token_hash: str, p: Principal, expires_at: datetime, now: datetime) -> None:
        """Remember ``p`` for ``ttl_s``, or until the token expires if that comes first."""
        keep = min(self.ttl_s, (expires_at - now).total_seconds())
        if keep <= 0:
            return
        with self._lock:
            self._entries[token_hash] = (p, time.monotonic() + keep)
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def revoke(self, token_hash: str) -> None:
        with self._lock:
            self._entries.pop(token_hash, None)

    def revoke_user(self, user_id: str) -> None:
        """Forget every token of ``user_id`` (a user disabled, their roles or password
        changed): the next request looks the user up again."""
        with self._lock:
            for h in [h for h, (p, _) in self._entries.items() if p.id == user_id]:
                del self._entries[h]
