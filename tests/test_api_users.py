"""User administration end to end, on SQLite and PostgreSQL: ``main.py users`` against the
backend's own database, logins over HTTP, and ``/api/v1/users`` for the admin role.

Disabling a user or changing their password ends their sessions; the password policy and the
reserved demo ids are refused with a 4xx (or one line from the command) in the one error shape.
"""

from __future__ import annotations

import io
import uuid
from unittest import mock

import pytest
import requests
from conftest import PG_URL, Api, wait_until

import main
from console.server.auth_notices import PG_AUTH_CHANNEL
from console.server.login_guard import ThrottlePolicy

PASSWORD = "lantern-harbour-47"


def users_cli(monkeypatch, capsys, db_url: str, *argv: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main.main(["users", *argv, "--db", db_url])
    out = capsys.readouterr()
    return code, out.out + out.err


def session(b, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{b.url}/api/v1/session", json={"username": username, "password": password}, timeout=30
    )


def test_users_cli_add_login_passwd_disable_list(backend, monkeypatch, capsys):
    db, uid = backend.settings.db_url, f"op-{uuid.uuid4().hex[:6]}"
    code, out = users_cli(
        monkeypatch,
        capsys,
        db,
        "add",
        uid,
        "--roles",
        "operator",
        "--name",
        "受理员 周",
        stdin=PASSWORD + "\n",
    )
    assert (code, out.strip()) == (0, f"added {uid}")
    api = Api(backend.url, uid, PASSWORD)
    assert api.user["roles"] == ["operator"]
    assert api.get("/api/v1/snapshot").status_code == 200

    new = PASSWORD + "-2"
    code, out = users_cli(monkeypatch, capsys, db, "passwd", uid, stdin=new + "\n")
    assert code == 0
    assert api.get("/api/v1/snapshot").status_code == 401  # the old session ended
    assert session(backend, uid, PASSWORD).status_code == 401
    api = Api(backend.url, uid, new)

    code, out = users_cli(monkeypatch, capsys, db, "disable", uid)
    assert code == 0
    assert api.get("/api/v1/snapshot").status_code == 401
    assert session(backend, uid, new).status_code == 401

    code, out = users_cli(monkeypatch, capsys, db, "list")
    line = next(x for x in out.splitlines() if x.startswith(uid + " "))
    assert "disabled" in line and "operator" in line and "受理员 周" in line

    code, out = users_cli(monkeypatch, capsys, db, "enable", uid)
    assert code == 0 and Api(backend.url, uid, new).user["id"] == uid


@pytest.mark.parametrize(
    ("argv", "stdin", "says"),
    [
        (["add", "weak-user", "--roles", "operator"], "short\n", "12 to 128 characters"),
        (["add", "weak-user", "--roles", "operator"], "abababababababab\n", "5 different"),
        (["add", "weak-user", "--roles", "operator"], "my-weak-user-pass\n", "user id"),
        (["add", "demo-lead", "--roles", "operator"], PASSWORD + "\n", "demo account"),
        (["add", "x-user", "--roles", "pilot"], PASSWORD + "\n", "known roles"),
        (["add", "x-user"], PASSWORD + "\n", "needs --roles"),
        (["passwd", "no-such-user"], PASSWORD + "\n", "no user"),
    ],
)
def test_users_cli_refusals_are_one_line(backend, monkeypatch, capsys, argv, stdin, says):
    code, out = users_cli(monkeypatch, capsys, backend.settings.db_url, *argv, stdin=stdin)
    assert code == 2 and out.startswith("main.py users: ") and says in out
    assert out.count("\n") == 1 and stdin.strip() not in out  # never echoes the password


@pytest.fixture(scope="module")
def admin(backend):
    """An admin made with the command, as a centre makes its first one."""
    uid = f"admin-{uuid.uuid4().hex[:6]}"
    with mock.patch("sys.stdin", io.StringIO(PASSWORD + "\n")):
        argv = ["users", "add", uid, "--roles", "admin", "--db", backend.settings.db_url]
        assert main.main(argv) == 0
    return Api(backend.url, uid, PASSWORD)


def test_admin_endpoint_adds_changes_and_disables(backend, admin, login):
    uid = f"dept-user-{uuid.uuid4().hex[:6]}"
    r = admin.post(
        "/api/v1/users",
        json={
            "id": uid,
            "name": "环卫处 孙",
            "roles": ["department"],
            "department_id": "sanitation",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "id": uid,
        "name": "环卫处 孙",
        "roles": ["department"],
        "department_id": "sanitation",
        "active": True,
    }
    user = Api(backend.url, uid, PASSWORD)
    assert user.get("/api/v1/snapshot").status_code == 200  # the token is cached from here on
    listed = {u["id"]: u for u in admin.get("/api/v1/users").json()["users"]}
    assert listed[uid]["active"] and "password_hash" not in listed[uid]

    r = admin.http.patch(f"{backend.url}/api/v1/users/{uid}", json={"active": False}, timeout=30)
    assert r.status_code == 200 and r.json()["active"] is False
    assert user.get("/api/v1/snapshot").status_code == 401
    assert session(backend, uid, PASSWORD).status_code == 401

    r = admin.http.patch(
        f"{backend.url}/api/v1/users/{uid}",
        json={"active": True, "password": PASSWORD + "!"},
        timeout=30,
    )
    assert r.status_code == 200
    assert session(backend, uid, PASSWORD + "!").status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"id": "u1", "name": "n", "roles": ["operator"], "password": "short"}, 400),
        ({"id": "u1", "name": "n", "roles": ["wizard"], "password": PASSWORD}, 400),
        ({"id": "u1", "name": "n", "roles": ["department"], "password": PASSWORD}, 400),
        ({"id": "../x", "name": "n", "roles": ["operator"], "password": PASSWORD}, 400),
        ({"id": "demo-wall", "name": "n", "roles": ["wall"], "password": PASSWORD}, 409),
        ({"id": "u1", "name": "n", "roles": ["operator"], "password": PASSWORD, "x": 1}, 400),
    ],
)
def test_admin_endpoint_refuses_bad_users(admin, body, status):
    r = admin.post("/api/v1/users", json=body)
    assert r.status_code == status and set(r.json()) == {"error"}, r.text
    assert PASSWORD not in r.text and "short" not in r.json()["error"]["message"]


def test_only_the_admin_role_administers_users(backend, login):
    lead = login("demo-lead")
    assert lead.get("/api/v1/users").status_code == 403
    r = lead.post(
        "/api/v1/users", json={"id": "x", "name": "x", "roles": ["admin"], "password": PASSWORD}
    )
    assert r.status_code == 403
    r = lead.http.patch(
        f"{backend.url}/api/v1/users/demo-lead", json={"roles": ["admin"]}, timeout=30
    )
    assert r.status_code == 403
    assert requests.get(f"{backend.url}/api/v1/users", timeout=10).status_code == 401


def test_patching_an_unknown_user_is_404(backend, admin):
    r = admin.http.patch(f"{backend.url}/api/v1/users/nobody", json={"name": "x"}, timeout=30)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_an_admin_lifts_a_login_lock_here_and_in_the_other_processes(backend, admin, login):
    uid = f"locked-{uuid.uuid4().hex[:6]}"
    body = {"id": uid, "name": "值班员", "roles": ["operator"], "password": PASSWORD}
    assert admin.post("/api/v1/users", json=body).status_code == 200
    guard = backend.ctx.login_guard
    policy = guard.accounts.policy
    # One wrong guess free, the second locks for ten minutes: no lock runs out mid-test.
    guard.accounts.policy = ThrottlePolicy(free=1, base_s=600)
    pg = _listen(backend)

    def lock() -> None:
        assert session(backend, uid, "wrong-guess-0001").status_code == 401
        assert session(backend, uid, "wrong-guess-0002").status_code == 401
        assert session(backend, uid, PASSWORD).status_code == 429

    try:
        lock()
        assert login("demo-lead").post(f"/api/v1/users/{uid}/unlock").status_code == 403
        assert admin.post("/api/v1/users/nobody-here/unlock").status_code == 404
        r = admin.post(f"/api/v1/users/{uid}/unlock")
        assert r.status_code == 200 and r.json() == {"id": uid, "was_locked": True}, r.text
        assert session(backend, uid, PASSWORD).status_code == 200
        if pg is not None:  # the other API processes were told
            heard = [n for n in pg.notifies(timeout=5, stop_after=1)]
            assert [(n.channel, n.payload) for n in heard] == [(PG_AUTH_CHANNEL, f"unlock:{uid}")]
            # ... and what another process tells, this one does.
            lock()
            pg.execute("SELECT pg_notify(%s, %s)", (PG_AUTH_CHANNEL, f"unlock:{uid}"))
            wait_until(lambda: guard.accounts.retry_after(uid) == 0, timeout=10)
            assert session(backend, uid, PASSWORD).status_code == 200
        # A new password set by the admin is usable at once.
        lock()
        new = "signal-lantern-58"
        assert admin.http.patch(
            f"{backend.url}/api/v1/users/{uid}", json={"password": new}, timeout=30
        ).ok
        assert session(backend, uid, new).status_code == 200
    finally:
        guard.accounts.policy = policy
        if pg is not None:
            pg.close()


def _listen(backend):
    """On PostgreSQL, a connection LISTENing where the other API processes listen."""
    if not backend.settings.db_url.startswith("postgresql"):
        return None
    import psycopg

    conn = psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    conn.execute(f"LISTEN {PG_AUTH_CHANNEL}")
    return conn


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)  # SQLite runs one API process
def test_other_processes_forget_a_token_at_once_when_a_user_is_disabled(
    backend, monkeypatch, capsys
):
    """The feed's polls trust the token cache; on PostgreSQL a user disabled by the command
    (another process) or logged out elsewhere is refused by this process's feed at once, not
    after the cache's 30 s."""
    from console.server import auth
    from console.server.db import Database

    uid = f"leaver-{uuid.uuid4().hex[:6]}"
    assert (
        users_cli(
            monkeypatch,
            capsys,
            backend.settings.db_url,
            "add",
            uid,
            "--roles",
            "operator",
            stdin=PASSWORD + "\n",
        )[0]
        == 0
    )
    one, two = Api(backend.url, uid, PASSWORD), Api(backend.url, uid, PASSWORD)
    for api in (one, two):
        assert api.get("/api/v1/changes").status_code == 200  # now in the token cache

    # A logout handled by another API process: its transaction, its NOTIFY.
    other = Database(backend.settings.db_url)
    try:
        with other.write() as s:
            auth.logout(s, one.http.headers["Authorization"])
    finally:
        other.dispose()
    wait_until(lambda: one.get("/api/v1/changes").status_code == 401, timeout=5)
    assert two.get("/api/v1/changes").status_code == 200

    assert users_cli(monkeypatch, capsys, backend.settings.db_url, "disable", uid)[0] == 0
    wait_until(lambda: two.get("/api/v1/changes").status_code == 401, timeout=5)
