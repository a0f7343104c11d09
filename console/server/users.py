"""User administration, shared by ``main.py users …`` and ``/api/v1/users`` (admin role).

The password hash is always made by the caller before the write transaction (it is slow and
must not hold the write lock); these functions only check and store. Disabling a user or
changing their password revokes every session they hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console import CommandError
from console.domain.workflow import Role
from console.geo.grid import UnitGrid

from . import auth_notices
from .auth import hash_password
from .db import AuthSession, Database, Department, User
from .errors import ApiError
from .seed import add_missing_departments, demo_account_ids

#: Administers users; takes no part in the case workflow (so it is not a workflow ``Role``).
ADMIN = "admin"
ROLES = frozenset({r.value for r in Role} | {ADMIN})

#: OWASP ASVS 4.0 §2.1.1 asks for at least 12 characters and §2.1.2 allows up to 128 (more is
#: only a slow hash of a pasted novel). Length is the policy — no composition rules (NIST SP
#: 800-63B §5.1.1.2 advises against them) — plus two cheap refusals of the obvious: fewer than
#: 5 different characters ("aaaaaaaaaaaa", "121212121212") and a password containing the
#: user id. The demo's ``demo`` password is seeded directly under ``--demo`` and never checked.
MIN_PASSWORD, MAX_PASSWORD, MIN_DISTINCT = 12, 128, 5
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_password_policy(user_id: str, password: str) -> None:
    """400 naming what is wrong with ``password``; never echoes it."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ApiError(
            400,
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            {"min_length": MIN_PASSWORD, "max_length": MAX_PASSWORD},
        )
    if len(set(password)) < MIN_DISTINCT:
        raise ApiError(400, f"a password has at least {MIN_DISTINCT} different characters")
    if user_id.lower() in password.lower():
        raise ApiError(400, "a password must not contain the user id")


def public(u: User) -> dict:
    return {
        "id": u.id,
        "name": u.name,
        "roles": sorted(u.roles),
        "department_id": u.department_id,
        "active": u.active,
    }


def list_users(s: Session) -> list[dict]:
    return [public(u) for u in s.scalars(select(User).order_by(User.id)).all()]


def _check_roles(s: Session, roles: list[str], department_id: str | None) -> None:
    unknown = sorted(set(roles) - ROLES)
    if not roles or unknown:
        raise ApiError(
            400, "roles must be a non-empty list of known roles", {"known": sorted(ROLES)}
        )
    if department_id is not None and s.get(Department, department_id) is None:
        raise ApiError(400, f"no department {department_id!r}")
    if (Role.DEPARTMENT.value in roles) != (department_id is not None):
        raise ApiError(400, "a department user has a department_id, and only they do")


def add_user(
    s: Session,
    user_id: str,
    name: str,
    roles: list[str],
    department_id: str | None,
    password_hash: str,
    reserved: frozenset[str],
) -> dict:
    """A new active user; ``reserved`` are the demo and simulator account ids, which the
    backend disables on every start without ``--demo`` and so may not be taken."""
    if not _ID.fullmatch(user_id):
        raise ApiError(400, "a user id is 1-64 letters, digits, '.', '_' or '-'")
    if user_id in reserved:
        raise ApiError(409, f"{user_id!r} is a demo account id")
    if s.get(User, user_id) is not None:
        raise ApiError(409, f"user {user_id!r} exists")
    _check_roles(s, roles, department_id)
    u = User(
        id=user_id,
        name=name,
        roles=sorted(set(roles)),
        department_id=department_id,
        password_hash=password_hash,
        active=True,
    )
    s.add(u)
    s.flush()
    return public(u)


def update_user(
    s: Session,
    user_id: str,
    *,
    name: str | None = None,
    roles: list[str] | None = None,
    department_id: str | None = None,
    active: bool | None = None,
    password_hash: str | None = None,
) -> dict:
    """Change what is given; a new password or ``active=False`` ends the user's sessions.
    Every API process forgets the user's cached tokens at the commit (``auth_notices``), and
    a new password lifts the account's login lock."""
    u = s.get(User, user_id)
    if u is None:
        raise ApiError(404, f"no user {user_id!r}")
    if name is not None:
        u.name = name
    if roles is not None or department_id is not None:
        new_roles = roles if roles is not None else list(u.roles)
        new_dept = department_id if department_id is not None else u.department_id
        if Role.DEPARTMENT.value not in new_roles and department_id is None:
            new_dept = None  # the department role taken away takes its department along
        _check_roles(s, new_roles, new_dept)
        u.roles, u.department_id = sorted(set(new_roles)), new_dept
    if password_hash is not None:
        u.password_hash = password_hash
    if active is not None:
        u.active = active
    if password_hash is not None or active is False:
        s.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    auth_notices.tell(s, auth_notices.REVOKE_USER, user_id)
    if password_hash is not None:
        auth_notices.tell(s, auth_notices.UNLOCK, user_id)
    s.flush()
    return public(u)


def users_command(
    db_url: str,
    action: str,
    user_id: str | None,
    *,
    name: str | None = None,
    roles: list[str] | None = None,
    department_id: str | None = None,
    read_password: Callable[[], str] = lambda: "",
) -> str:
    """``main.py users add|passwd|disable|enable|list``: what to print; a refusal is a
    ``CommandError`` in one line. Works on a database no backend has opened yet (the schema
    and the district's departments are created first, as ``serve`` would)."""
    db, grid = Database(db_url), UnitGrid.load()
    try:
        db.create_all()
        with db.write() as s:
            add_missing_departments(s, grid)
        reserved = demo_account_ids(grid)
        if action == "list":
            with db.read() as s:
                rows = list_users(s)
            return "\n".join(
                f"{u['id']:<24} {'active' if u['active'] else 'disabled':<8} "
                f"{','.join(u['roles']):<36} {u['department_id'] or '-':<16} {u['name']}"
                for u in rows
            )
        if user_id is None:
            raise CommandError(f"users {action} needs a user id")
        if action == "add" and not roles:
            raise CommandError("users add needs --roles")
        pw = None
        if action in ("add", "passwd"):
            password = read_password()
            check_password_policy(user_id, password)
            pw = hash_password(password)  # before the write transaction, which only stores it
        with db.write() as s:
            if action == "add" and pw is not None and roles:
                add_user(s, user_id, name or user_id, roles, department_id, pw, reserved)
            else:
                update_user(
                    s,
                    user_id,
                    password_hash=pw,
                    active={"disable": False, "enable": True}.get(action),
                )
    except ApiError as e:
        raise CommandError(e.message) from None
    finally:
        db.dispose()
    return {
        "add": f"added {user_id}",
        "passwd": f"password of {user_id} changed; their sessions ended",
        "disable": f"{user_id} disabled; their sessions ended",
        "enable": f"{user_id} enabled",
    }[action]
