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

from . import auth_notices
from .db import AuthSession, User
from .errors import ApiError

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str, n: int = _SCRYPT["n"]) -> str:
    """A salted scrypt hash; the cost ``n`` is stored with it (``verify_password`` reads it),
    so a cheaper one can be given where the password is public anyway (the demo's)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **dict(_SCRYPT, n=n))
    return f"scrypt${n}${salt.hex()}${digest.hex()}"


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


#: What an unknown username is checked against: a hash of a random password, made once with
#: the same parameters as every stored hash, so an unknown user costs exactly one scrypt like
#: a known one and the timing does not tell which usernames exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Candidate:
    """The row a login checks, read and released before the slow hash."""

    principal: Principal
    password_hash: str
    active: bool


def login_candidate(s: Session, username: str) -> Candidate | None:
    user = s.get(User, username)
    if user is None:
        return None
    return Candidate(principal_of(user), user.password_hash, user.active)


def check_password(candidate: Candidate | None, password: str) -> str:
    """Why the attempt fails ("unknown user", "wrong password", "disabled"), or "" if it
    succeeds; always exactly one scrypt, outside any lock or transaction."""
    stored = candidate.password_hash if candidate is not None else _DUMMY_HASH
    ok = verify_password(password, stored)
    if candidate is None:
        return "unknown user"
    if not ok:
        return "wrong password"
    return "" if candidate.active else "disabled"


def start_session(s: Session, user_id: str, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    """A new bearer token for ``user_id`` (a short write: the hash is already checked)."""
    token = secrets.token_urlsafe(32)
    expires = now + ttl
    s.add(
        AuthSession(
            token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=expires
        )
    )
    s.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    return token, expires


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
    """End the session; the other API processes forget the token at the commit."""
    key = token_hash(authorization[7:].strip())
    s.execute(delete(AuthSession).where(AuthSession.token_hash == key))
    auth_notices.tell(s, auth_notices.REVOKE_TOKEN, key)


def require_roles(p: Principal, roles: set[str] | frozenset[str], what: str) -> None:
    if not (p.roles & roles):
        raise ApiError(
            403, f"{what} needs one of the roles {sorted(roles)}", {"roles": sorted(roles)}
        )
