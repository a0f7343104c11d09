"""What keeps login from stalling the backend or helping a guesser: a bounded hashing pool,
failed-attempt throttles per account and per client address, and the login audit log.

Why a pool of its own: scrypt is deliberately slow (~50–100 ms and 16 MiB here). Run inside
the write transaction, a login flood serialised every write behind it (issue 13: case create
12 ms idle → ~970 ms with 8 anonymous login loops). Here the hash runs outside every lock, on
at most ``workers`` threads (hashlib releases the GIL while OpenSSL hashes), so the other
cores keep serving; beyond ``queue`` waiting attempts the backend answers 503 + Retry-After
instead of queueing without limit.

The throttles live in this process (see docs/login_and_users.md for several API processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from .errors import ApiError

T = TypeVar("T")

#: The login audit trail: one line per attempt (never the password). A centre ships this
#: logger to its journal / SIEM like the access log.
audit_log = logging.getLogger("console.server.audit.login")


def default_hash_workers() -> int:
    """Half the cores (at least one): a flood may take those, never the ones serving writes."""
    return max(1, (os.cpu_count() or 2) // 2)


class HashPool:
    """A bounded pool for password hashes: ``workers`` threads, at most ``queue`` attempts
    waiting behind them; one more is refused with 503 and a Retry-After."""

    def __init__(self, workers: int, queue: int):
        self.limit = workers + queue
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hash")
        self._lock = threading.Lock()
        self._pending = 0

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._pending >= self.limit:
                raise ApiError(
                    503,
                    "too many logins at once; retry shortly",
                    code="login_busy",
                    headers={"Retry-After": "1"},
                )
            self._pending += 1
        future = self._pool.submit(fn, *args)
        # Counted until the hash itself ends, not until its caller stops waiting: a client
        # that hangs up leaves its hash queued, and that still takes a place.
        future.add_done_callback(self._done)
        return await asyncio.wrap_future(future)

    def _done(self, _future: object) -> None:
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class ThrottlePolicy:
    """``free`` failures are answered normally; each further failure locks the key for
    ``base_s · 2^k`` seconds (k = 0, 1, …), at most ``cap_s``; a key with no failure for
    ``forget_s`` starts again from zero."""

    free: int
    base_s: float = 1.0
    cap_s: float = 3600.0
    forget_s: float = 24 * 3600.0


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class Throttle:
    """Failed attempts per key (an account or a client address), with exponential lockout.

    At most ``max_keys`` keys are remembered (least recently failed forgotten first), so a
    flood of made-up usernames costs bounded memory.
    """

    def __init__(
        self,
        policy: ThrottlePolicy,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.policy = policy
        self.max_keys = max_keys
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            rec = self._records.get(key)
            return max(0.0, rec.locked_until - now) if rec else 0.0

    def failed(self, key: str) -> float:
        """Count a failure; the lock it starts, in seconds (0: none yet)."""
        now, p = self._clock(), self.policy
        with self._lock:
            rec = self._records.pop(key, None)
            if rec is None or now - rec.last > p.forget_s:
                rec = _Record()
            rec.failures += 1
            rec.last = now
            over = rec.failures - p.free
            lock = min(p.cap_s, p.base_s * 2 ** min(over - 1, 40)) if over > 0 else 0.0
            rec.locked_until = now + lock
            self._records[key] = rec
            while len(self._records) > self.max_keys:
                self._records.popitem(last=False)
            return lock

    def failures(self, key: str) -> int:
        """Failures counted on ``key`` (0 when unknown or forgotten)."""
        with self._lock:
            rec = self._records.get(key)
            return rec.failures if rec else 0

    def reset(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)


#: Per account. 5 free failures (typos and a caps-lock), then 1 s, 2 s, 4 s … up to an hour:
#: a guesser gets 18 tries in the first ~70 minutes and then one an hour, so 100 consecutive
#: failures (NIST SP 800-63B §5.2.2 caps consecutive failed attempts on one account at 100)
#: take more than three days; the owner after
#: a few typos waits seconds, not the fixed 15–30 min of a classic lockout (OWASP
#: Authentication Cheat Sheet, "Account Lockout": prefer an exponential backoff).
ACCOUNT_POLICY = ThrottlePolicy(free=5)
#: Per client address. A centre's desks may share one NAT address, so more free failures (20)
#: before the same backoff; it stops one address from guessing across many accounts (which
#: the per-account limit alone would allow at 5 per account).
ADDRESS_POLICY = ThrottlePolicy(free=20)


class LoginGuard:
    """The throttles and the hash pool of one backend process."""

    def __init__(
        self,
        account: ThrottlePolicy = ACCOUNT_POLICY,
        address: ThrottlePolicy = ADDRESS_POLICY,
        workers: int | None = None,
        queue_per_worker: int = 8,
    ):
        self.accounts = Throttle(account)
        self.addresses = Throttle(address)
        w = workers or default_hash_workers()
        # 8 waiting per worker: at ~60–100 ms a hash the last in line waits under a second,
        # well inside a client's timeout; more would only queue a flood.
        self.hashes = HashPool(w, queue_per_worker * w)
        self._turns: dict[str, _Turn] = {}
        self._lock = threading.Lock()

    @contextlib.asynccontextmanager
    async def attempt(self, username: str, address: str) -> AsyncIterator[None]:
        """One login attempt: refused with 429 + Retry-After (before any hash) while the
        account or the address is locked. Attempts on one account are checked one at a time:
        else a burst of parallel guesses would all pass the lock check before the first
        failure is counted. A console's own clients (live feed, outbox, workers) log in to one
        account at once, so the later ones wait their turn rather than being refused; beyond
        ``MAX_WAITING_PER_ACCOUNT`` waiting, a burst is refused."""
        self._refuse_if_locked(username, address)
        with self._lock:
            turn = self._turns.get(username)
            if turn is None:
                turn = self._turns[username] = _Turn()
            crowded = turn.waiting >= MAX_WAITING_PER_ACCOUNT
            if not crowded:
                turn.waiting += 1
        if crowded:
            audit(username, address, False, "concurrent")
            raise _too_many(1)
        try:
            async with turn.lock:
                self._refuse_if_locked(username, address)  # the attempt before may have locked it
                yield
        finally:
            with self._lock:
                turn.waiting -= 1
                if not turn.waiting:
                    self._turns.pop(username, None)

    def _refuse_if_locked(self, username: str, address: str) -> None:
        wait = max(self.accounts.retry_after(username), self.addresses.retry_after(address))
        if wait:
            audit(username, address, False, "locked")
            raise _too_many(math.ceil(wait))

    def failed(self, username: str, address: str, reason: str) -> None:
        lock = max(self.accounts.failed(username), self.addresses.failed(address))
        audit(username, address, False, reason)
        if lock:
            audit_log.warning(
                "login locked %s from %s for %.0f s", _quoted(username), address, lock
            )

    def unlock(self, username: str) -> bool:
        """An admin lifts the account's lock (its owner, locked out by someone else's guesses,
        must not wait up to an hour); True if there was a count to forget. The addresses
        stay as they are: a guesser's address keeps its own lock."""
        had = self.accounts.failures(username) > 0
        self.accounts.reset(username)
        if had:
            audit_log.warning("login lock lifted for %s by an admin", _quoted(username))
        return had

    def succeeded(self, username: str, address: str) -> None:
        """The account starts again from zero; the address does not (one known password must
        not reset a guesser's count across the other accounts)."""
        self.accounts.reset(username)
        audit(username, address, True, "ok")


#: Attempts on one account that may wait behind the one being checked (a console's few clients
#: logging in at once); a larger burst on one account is a guesser's, refused with 429.
MAX_WAITING_PER_ACCOUNT = 8


@dataclass
class _Turn:
    """The attempts on one account: one checked at a time, ``waiting`` counting all of them."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


def _too_many(seconds: int) -> ApiError:
    return ApiError(
        429,
        "too many failed logins; retry later",
        {"retry_after_s": seconds},
        headers={"Retry-After": str(seconds)},
    )


def _quoted(s: str) -> str:
    """A username as JSON: control characters and newlines cannot forge audit lines."""
    return json.dumps(s, ensure_ascii=False)


def audit(username: str, address: str, ok: bool, reason: str) -> None:
    """One audit line: time (UTC, ISO), outcome, user as typed, address, reason."""
    audit_log.info(
        "login %s at=%s user=%s addr=%s reason=%s",
        "ok" if ok else "failed",
        datetime.now(UTC).isoformat(timespec="milliseconds"),
        _quoted(username),
        address,
        reason,
    )
