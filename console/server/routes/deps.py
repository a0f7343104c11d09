"""What the v1 routers share: the context, who is calling, and the input rules they repeat."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from .. import auth
from ..context import Context
from ..errors import ApiError
from ..inputs import parse_instant

#: The roles that work in the command centre: they may acknowledge and resolve alerts.
CENTRE_ROLES = frozenset({"operator", "shift_lead", "dispatcher"})
#: Everyone who may read cases, the feed and KPIs (a telemetry gateway may not).
READ_ROLES = frozenset({"supervisor", "operator", "shift_lead", "dispatcher", "department", "wall"})


async def get_ctx(request: Request) -> Context:
    """The backend's context, set on the app by ``create_app`` (async: no thread-pool hop)."""
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(get_ctx)]


def principal(ctx: Ctx, authorization: Annotated[str | None, Header()] = None) -> auth.Principal:
    """The caller behind the bearer token, or 401."""
    with ctx.db.read() as s:
        return auth.authenticate(s, authorization, ctx.wall_now())


Who = Annotated[auth.Principal, Depends(principal)]


def reader(p: Who) -> auth.Principal:
    """A caller who may read (403 for the others)."""
    auth.require_roles(p, READ_ROLES, "reading")
    return p


Reader = Annotated[auth.Principal, Depends(reader)]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
#: The ``from``/``to`` query parameters of the ranged reads (parse them with ``parse_time``).
From = Annotated[str | None, Query(alias="from", max_length=40)]
To = Annotated[str | None, Query(max_length=40)]


def parse_time(v: str | None, name: str) -> datetime | None:
    """An ISO 8601 query parameter (naive means UTC; ``inputs.parse_instant`` bounds it); 400
    naming the parameter if malformed or out of range."""
    if v is None or v == "":
        return None
    try:
        return parse_instant(v, name)
    except ValueError as e:
        raise ApiError(400, str(e), {name: v[:100]}) from None
