"""What one API process tells the others about sign-ins, on PostgreSQL.

The feed's token cache (``tokens``) and the login throttles (``login_guard``) live in each
process. A logout, a user disabled, re-passworded or given other roles, an admin lifting a
login lock: each happens in one process, or in ``main.py users`` (no API process at all). The
change's own transaction sends a NOTIFY (delivered at its commit, never for a rollback), and
every process hears it on the feed's LISTEN connection (``feed.PgListener``) and forgets at
once what it had cached. Without it a disabled user's cached token would follow the feed of
the other processes for up to the cache's TTL (30 s).

On SQLite there is one API process, which updates its own caches; a ``main.py users`` change
made beside it reaches the feed's cache within the TTL (every other request looks the session
up in the database anyway).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

if TYPE_CHECKING:  # tokens imports auth, which tells through this module
    from .login_guard import LoginGuard
    from .tokens import TokenCache

log = logging.getLogger(__name__)

PG_AUTH_CHANNEL = "zhcg_auth"

#: What a notice may say, and what a process does on hearing it.
UNLOCK, REVOKE_TOKEN, REVOKE_USER = "unlock", "revoke-token", "revoke-user"


def tell(s: Session, verb: str, arg: str) -> None:
    """Tell every API process ``verb`` about ``arg`` (a user id, or a token's hash) when
    ``s`` commits; nothing on a database other than PostgreSQL."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_notify(:c, :p)"), {"c": PG_AUTH_CHANNEL, "p": f"{verb}:{arg}"})


def heard(payload: str, tokens: TokenCache, guard: LoginGuard) -> None:
    """Act on a notice from ``tell`` (this process's own included: each act is idempotent)."""
    verb, _, arg = payload.partition(":")
    if verb == REVOKE_TOKEN:
        tokens.revoke(arg)
    elif verb == REVOKE_USER:
        tokens.revoke_user(arg)
    elif verb == UNLOCK:
        guard.unlock(arg)
    else:
        log.warning("unknown sign-in notice %r", payload[:200])
