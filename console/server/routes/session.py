"""Log in for a bearer token, log out to revoke it (``console.server.auth`` does the work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from console.domain.case import iso

from .. import auth
from ..schemas import Login
from .deps import Ctx, Who

router = APIRouter(prefix="/api/v1/session", tags=["session"])


@router.post("")
def login(body: Login, ctx: Ctx):
    with ctx.db.write() as s:
        token, expires, p = auth.login(
            s, body.username, body.password, ctx.wall_now(), ctx.settings.token_ttl
        )
    return {"token": token, "expires_at": iso(expires), "user": p.public()}


@router.delete("")
def logout(p: Who, ctx: Ctx, authorization: Annotated[str | None, Header()] = None):
    # Only a valid token can be revoked (``p`` checks it first), so a stale one gets 401.
    with ctx.db.write() as s:
        auth.logout(s, authorization or "")
    ctx.tokens.revoke(auth.token_hash((authorization or "")[7:].strip()))
    return {"ok": True}
