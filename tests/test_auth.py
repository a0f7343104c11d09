"""Login under hostile use: no user oracle, one scrypt per attempt, failed attempts throttled
per account and per address (429 + Retry-After), the hash pool bounded (503 + Retry-After),
and a login flood that cannot hold a case write behind it.

Each test starts its own backend (SQLite): the throttles are per process and per address,
and every test here logs in from 127.0.0.1, so sharing one would let one test's failures
lock the next one out.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import uuid

import pytest
import requests
from conftest import Api, start_backend

from console.server.login_guard import LoginGuard, ThrottlePolicy

#: Throttles off, for the tests about the hash and the pool rather than the throttles.
UNLIMITED = ThrottlePolicy(free=10**9)


@pytest.fixture
def fresh(tmp_path):
    b = start_backend(f"sqlite:///{tmp_path / 'auth.db'}")
    yield b
    b.stop()


def attempt(b, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{b.url}/api/v1/session", json={"username": username, "password": password}, timeout=30
    )


def test_unknown_user_wrong_password_and_disabled_answer_alike(fresh):
    unknown = attempt(fresh, "nobody-here", "demo")
    wrong = attempt(fresh, "demo-lead", "not-the-password")
    with fresh.ctx.db.write() as s:
        from console.server.db import User

        s.get(User, "demo-dept").active = False
    disabled = attempt(fresh, "demo-dept", "demo")
    assert unknown.status_code == wrong.status_code == disabled.status_code == 401
    assert unknown.json() == wrong.json() == disabled.json()
    assert attempt(fresh, "demo-lead", "demo").status_code == 200


def test_every_attempt_costs_exactly_one_scrypt(fresh, monkeypatch):
    calls: list[int] = []
    real = hashlib.scrypt

    def counted(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    for username, password in [("nobody", "x"), ("demo-lead", "wrong"), ("demo-lead", "demo")]:
        calls.clear()
        attempt(fresh, username, password)
        assert len(calls) == 1, (username, password, len(calls))


def test_failed_logins_lock_the_account_until_retry_after(fresh, caplog):
    # free=3 and a 3 s first lock: room for a slow machine between the requests below.
    fresh.ctx.login_guard = LoginGuard(ThrottlePolicy(free=3, base_s=3.0), UNLIMITED)
    with caplog.at_level(logging.INFO, logger="console.server.audit.login"):
        for _ in range(4):
            assert attempt(fresh, "demo-lead", "guess-123").status_code == 401
        locked = attempt(fresh, "demo-lead", "demo")  # even the right password waits
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_requests"
    wait = int(locked.headers["Retry-After"])
    assert 1 <= wait <= 3
    # Another account from the same address is not locked by this one's failures.
    assert attempt(fresh, "demo-operator", "demo").status_code == 200
    time.sleep(wait)
    assert attempt(fresh, "demo-lead", "demo").status_code == 200
    # The success reset the account: the next failure is a plain 401 again.
    assert attempt(fresh, "demo-lead", "guess-123").status_code == 401
    lines = [r.getMessage() for r in caplog.records]
    assert sum('user="demo-lead"' in m and "reason=wrong password" in m for m in lines) == 4
    assert any("reason=locked" in m for m in lines)
    assert not any("guess-123" in m for m in lines)  # the tried password is never logged


def test_failures_across_accounts_lock_the_address(fresh):
    fresh.ctx.login_guard = LoginGuard(UNLIMITED, ThrottlePolicy(free=5, base_s=3.0))
    for i in range(6):
        assert attempt(fresh, f"spray-{i}", "Winter2026!").status_code == 401
    r = attempt(fresh, "demo-lead", "demo")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_a_full_hash_pool_answers_503_with_retry_after(fresh):
    fresh.ctx.login_guard = LoginGuard(UNLIMITED, UNLIMITED, workers=1, queue_per_worker=0)
    seen: dict[int, requests.Response] = {}
    stop = threading.Event()

    def loop(i: int) -> None:
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline:
            r = attempt(fresh, f"nobody-{i}", "x")
            seen.setdefault(r.status_code, r)
            if r.status_code == 503:
                stop.set()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(seen) <= {401, 503}
    busy = seen[503]
    assert busy.headers["Retry-After"] == "1" and busy.json()["error"]["code"] == "login_busy"


def test_a_case_write_overtakes_a_login_flood(fresh):
    """The write does not queue behind the hashes: some login that started before it is
    still waiting when it is done (before, each hash held the write lock)."""
    fresh.ctx.login_guard = LoginGuard(UNLIMITED, UNLIMITED, workers=1)
    sup = Api(fresh.url, "demo-supervisor")
    spans: list[tuple[float, float]] = []
    stop = threading.Event()

    def flood(i: int) -> None:
        s = requests.Session()
        while not stop.is_set():
            t0 = time.monotonic()
            s.post(
                f"{fresh.url}/api/v1/session",
                json={"username": f"nobody-{i}", "password": "x"},
                timeout=60,
            )
            spans.append((t0, time.monotonic()))

    threads = [threading.Thread(target=flood, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        start = time.monotonic()
        sup.report(description=f"flood {uuid.uuid4().hex[:6]}")
        end = time.monotonic()
        while not any(a < start and b > end for a, b in list(spans)):
            assert time.monotonic() < end + 60, "no login that began before the write ended"
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()


def test_parallel_attempts_at_one_account_take_turns():
    """Attempts on one account are checked one at a time (else a burst of parallel guesses
    would all pass the lock check before one failure counted), but wait their turn: a
    console's own clients log in to one account at once and must all get in."""
    from console.server.errors import ApiError
    from console.server.login_guard import MAX_WAITING_PER_ACCOUNT

    guard = LoginGuard()
    order: list[tuple[str, str, str]] = []

    async def one(name: str, addr: str, hold: float = 0.0, fail: int = 0) -> None:
        async with guard.attempt(name, addr):
            order.append(("in", name, addr))
            await asyncio.sleep(hold)
            for _ in range(fail):
                guard.failed(name, addr, "wrong password")
            order.append(("out", name, addr))

    async def turns() -> None:
        await asyncio.gather(
            one("demo-lead", "10.0.0.1", hold=0.05),
            one("demo-lead", "10.0.0.2"),
            one("demo-operator", "10.0.0.1"),
        )

    asyncio.run(turns())
    lead = [e for e in order if e[1] == "demo-lead"]
    assert [(e[0], e[2]) for e in lead] == [
        ("in", "10.0.0.1"),
        ("out", "10.0.0.1"),
        ("in", "10.0.0.2"),
        ("out", "10.0.0.2"),
    ]
    # other accounts are not held up
    assert order.index(("in", "demo-operator", "10.0.0.1")) < order.index(
        ("out", "demo-lead", "10.0.0.1")
    )

    async def locked_while_waiting() -> list[BaseException | None]:
        # The first attempt's failures lock the account: the one waiting behind it is refused.
        return await asyncio.gather(
            one("demo-dept", "10.0.0.3", hold=0.05, fail=6),  # 5 are free
            one("demo-dept", "10.0.0.4"),
            return_exceptions=True,
        )

    first, second = asyncio.run(locked_while_waiting())
    assert first is None and isinstance(second, ApiError) and second.status == 429

    async def burst() -> list[BaseException | None]:
        n = MAX_WAITING_PER_ACCOUNT + 3
        return await asyncio.gather(
            *(one("demo-wall", f"10.0.1.{i}", hold=0.01) for i in range(n)),
            return_exceptions=True,
        )

    out = asyncio.run(burst())
    refused = [e for e in out if isinstance(e, ApiError)]
    assert len(refused) == 3 and all(e.status == 429 for e in refused)
    assert guard._turns == {}  # nothing left behind


def test_a_hash_whose_caller_hung_up_still_holds_its_place():
    """A client that hangs up leaves its hash in the pool: it counts until it ends, so
    abandoned attempts cannot queue past the bound."""
    import asyncio

    from console.server.errors import ApiError
    from console.server.login_guard import HashPool

    pool = HashPool(workers=1, queue=0)
    release = threading.Event()

    async def scenario() -> None:
        first = asyncio.ensure_future(pool.run(release.wait, 10))
        await asyncio.sleep(0.05)
        first.cancel()
        with pytest.raises(ApiError) as busy:
            await pool.run(int)
        assert busy.value.status == 503
        release.set()
        deadline = time.monotonic() + 10
        while True:
            try:
                assert await pool.run(int, "7") == 7
                return
            except ApiError:
                assert time.monotonic() < deadline, "the place was never given back"
                await asyncio.sleep(0.02)

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        pool.shutdown()


def test_the_lockout_schedule_doubles_to_its_cap_and_is_forgotten():
    from console.server.login_guard import ACCOUNT_POLICY, Throttle

    now = [0.0]
    t = Throttle(ACCOUNT_POLICY, max_keys=2, clock=lambda: now[0])
    locks = []
    for _ in range(20):
        locks.append(t.failed("a"))
        now[0] += locks[-1]  # the guesser waits out each lock
    assert locks[:5] == [0.0] * 5  # the free failures
    assert locks[5:9] == [1.0, 2.0, 4.0, 8.0]
    assert max(locks) == ACCOUNT_POLICY.cap_s == 3600.0
    # 100 consecutive failures (NIST SP 800-63B §5.2.2's ceiling) take more than three days.
    assert sum(locks) + 80 * ACCOUNT_POLICY.cap_s > 3 * 24 * 3600
    t.failed("a")
    assert t.retry_after("a") == 3600.0
    now[0] += ACCOUNT_POLICY.cap_s + ACCOUNT_POLICY.forget_s + 1
    assert t.failed("a") == 0.0  # a day without failures: counted from zero again
    t.failed("b"), t.failed("c")  # only max_keys are remembered, the oldest forgotten
    assert set(t._records) == {"b", "c"}


def test_only_the_demo_accounts_hash_cheaply(fresh):
    """The demo's password is public ("demo"); every other account keeps the full cost."""
    from console.server.auth import hash_password, verify_password
    from console.server.db import User
    from console.server.open311 import SYSTEM_USER
    from console.server.seed import DEMO_HASH_N

    with fresh.ctx.db.read() as s:
        demo = s.get(User, "demo-lead").password_hash
        system = s.get(User, SYSTEM_USER)
    assert demo.startswith(f"scrypt${DEMO_HASH_N}$") and verify_password("demo", demo)
    real = hash_password("lantern-harbour-47")
    assert real.startswith("scrypt$16384$") and verify_password("lantern-harbour-47", real)
    assert system is not None and system.password_hash.startswith("scrypt$16384$")
