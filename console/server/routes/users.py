"""User administration for the ``admin`` role (the same rules as ``main.py users``).

Async like login: a new password is hashed in the bounded hash pool, outside the write
transaction, which only stores the result.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from .. import auth, auth_notices, users
from ..context import Context
from ..db import User
from ..errors import ApiError
from ..schemas import UserNew, UserPatch
from ..seed import demo_account_ids
from .deps import Ctx, Who

router = APIRouter(prefix="/api/v1/users", tags=["users"])


def admin(p: Who) -> auth.Principal:
    auth.require_roles(p, {users.ADMIN}, "user administration")
    return p


Admin = Annotated[auth.Principal, Depends(admin)]


async def _hash(ctx: Context, user_id: str, password: str) -> str:
    users.check_password_policy(user_id, password)
    return await ctx.login_guard.hashes.run(auth.hash_password, password)


@router.get("")
def list_users(_: Admin, ctx: Ctx):
    with ctx.db.read() as s:
        return {"users": users.list_users(s)}


@router.post("")
async def add_user(body: UserNew, _: Admin, ctx: Ctx):
    pw = await _hash(ctx, body.id, body.password)

    def write() -> dict:
        with ctx.db.write() as s:
            return users.add_user(
                s,
                body.id,
                body.name,
                body.roles,
                body.department_id,
                pw,
                demo_account_ids(ctx.grid),
            )

    return await run_in_threadpool(write)


@router.patch("/{user_id}")
async def update_user(user_id: str, body: UserPatch, _: Admin, ctx: Ctx):
    pw = None if body.password is None else await _hash(ctx, user_id, body.password)

    def write() -> dict:
        with ctx.db.write() as s:
            return users.update_user(
                s,
                user_id,
                name=body.name,
                roles=body.roles,
                department_id=body.department_id,
                active=body.active,
                password_hash=pw,
            )

    out = await run_in_threadpool(write)
    # The feed's token cache holds this user's principal (roles, department) for up to its
    # TTL: whatever changed, this process looks the user up again at the next request.
    ctx.tokens.revoke_user(user_id)
    if pw is not None:  # the owner, given a new password, may use it at once
        ctx.login_guard.unlock(user_id)
    return out


@router.post("/{user_id}/unlock")
async def unlock_user(user_id: str, _: Admin, ctx: Ctx):
    """Lift the login lock of an account (someone else's wrong guesses lock its owner out
    for up to an hour): in this process at once, in the other API processes through
    PostgreSQL's NOTIFY. ``was_locked`` says whether this process had counted failures."""

    def write() -> None:
        with ctx.db.write() as s:
            if s.get(User, user_id) is None:
                raise ApiError(404, f"no user {user_id!r}")
            auth_notices.tell(s, auth_notices.UNLOCK, user_id)

    # Read before the write: on PostgreSQL this process hears its own notice at the commit.
    counted = ctx.login_guard.accounts.failures(user_id) > 0
    await run_in_threadpool(write)
    ctx.login_guard.unlock(user_id)
    return {"id": user_id, "was_locked": counted}
