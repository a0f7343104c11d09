"""Passwords, bearer tokens and roles.

Passwords are stored as salted scrypt hashes (stdlib, memory-hard, deliberately slow). Tokens
are random; only their SHA-256 is stored, so a copy of the database yields no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.domain.workflow import Actor

from .db import AuthSession, User
from .errors import ApiError

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    params = dict(_SCRYPT, n=int(n))
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **params)
    return hmac.compare_digest(digest.hex(), digest_hex)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request."""

    id: str
    name: str
    roles: frozenset[str]
    department_id: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.roles, self.department_id)

    def public(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "roles": sorted(self.roles),
            "department_id": self.department_id,
        }


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.name, frozenset(user.roles), user.department_id)


def login(
    s: Session, username: str, password: str, now: datetime, ttl: timedelta
) -> tuple[str, datetime, Principal]:
    user = s.get(User, username)
    # Hash even for unknown users so that timing does not reveal which usernames exist.
    stored = user.password_hash if user is not None else hash_password("x")
    ok = verify_password(password, stored)
    if user is None or not ok or not user.active:
        raise ApiError(401, "wrong username or password")
    token = secrets.token_urlsafe(32)
    expires = now + ttl
    s.add(
        AuthSession(
            token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=expires
        )
    )
    s.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    return token, expires, principal_of(user)


def authenticate(s: Session, authorization: str | None, now: datetime) -> Principal:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "missing bearer token")
    token = authorization[7:].strip()
    row = s.execute(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise ApiError(401, "unknown or revoked token")
    sess, user = row
    expires = (
        sess.expires_at if sess.expires_at.tzinfo else sess.expires_at.replace(tzinfo=now.tzinfo)
    )
    if expires <= now:
        raise ApiError(401, "token expired", code="token_expired")
    if not user.active:
        raise ApiError(401, "user disabled")
    return principal_of(user)


def logout(s: Session, authorization: str) -> None:
    s.execute(
        delete(AuthSession).where(AuthSession.token_hash == token_hash(authorization[7:].strip()))
    )


def require_roles(p: Principal, roles: set[str] | frozenset[str], what: str) -> None:
    if not (p.roles & roles):
        raise ApiError(
            403, f"{what} needs one of the roles {sorted(roles)}", {"roles": sorted(roles)}
        )
