"""Log in for a bearer token, log out to revoke it (``console.server.auth`` does the work).

Login is async so that a flood of attempts waits in the bounded hash pool
(``login_guard.HashPool``), not in the request thread pool the other endpoints share; the
user row is read in one short read, the hash runs outside every lock and transaction, and only
a successful attempt takes the write lock, briefly, to store its session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from console.domain.case import iso

from .. import auth
from ..context import Context
from ..errors import ApiError
from ..schemas import Login
from .deps import Ctx, Who

router = APIRouter(prefix="/api/v1/session", tags=["session"])


def _read_candidate(ctx: Context, username: str) -> auth.Candidate | None:
    with ctx.db.read() as s:
        return auth.login_candidate(s, username)


def _store_session(ctx: Context, user_id: str):
    with ctx.db.write() as s:
        return auth.start_session(s, user_id, ctx.wall_now(), ctx.settings.token_ttl)


@router.post("")
async def login(body: Login, ctx: Ctx, request: Request):
    address = request.client.host if request.client else "unknown"
    guard = ctx.login_guard
    async with guard.attempt(body.username, address):
        candidate = await run_in_threadpool(_read_candidate, ctx, body.username)
        refused = await guard.hashes.run(auth.check_password, candidate, body.password)
        if refused or candidate is None:
            guard.failed(body.username, address, refused)
            # One answer for an unknown user, a wrong password and a disabled account.
            raise ApiError(401, "wrong username or password")
        token, expires = await run_in_threadpool(_store_session, ctx, candidate.principal.id)
        guard.succeeded(body.username, address)
    return {"token": token, "expires_at": iso(expires), "user": candidate.principal.public()}


@router.delete("")
def logout(p: Who, ctx: Ctx, authorization: Annotated[str | None, Header()] = None):
    # Only a valid token can be revoked (``p`` checks it first), so a stale one gets 401.
    with ctx.db.write() as s:
        auth.logout(s, authorization or "")
    ctx.tokens.revoke(auth.token_hash((authorization or "")[7:].strip()))
    return {"ok": True}
