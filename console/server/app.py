"""The reference backend's HTTP API (v1): FastAPI routes over the services of this package.

Write endpoints are plain functions (FastAPI runs them in its thread pool) and take one
serialised write transaction each; the change-feed long poll is async and sleeps on the
notifier, so hundreds of followers cost no threads and no database polling.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select
from starlette.concurrency import run_in_threadpool

from console.domain.alert_rules import EscalationRule
from console.domain.case import iso
from console.domain.kpi import compute_kpis
from console.domain.workflow import REPORT_ROLES, WorkflowError

from . import alerts, auth, cases, feed, reference, telemetry
from .context import Context, Settings
from .db import CaseRow, IdempotencyRecord, Media, User, Vehicle
from .errors import ApiError, error_body, error_response, install_error_handlers
from .open311 import ensure_system_user
from .open311 import router as open311_router
from .schemas import AlertAck, CaseAction, KpiBy, Login, NewCase, Telemetry
from .seed import DEMO_USERS, seed_demo_users, seed_reference, sim_users

log = logging.getLogger("console.server")

CENTRE_ROLES = frozenset({"operator", "shift_lead", "dispatcher"})
READ_ROLES = frozenset({"supervisor", "operator", "shift_lead", "dispatcher", "department", "wall"})


def _parse_time_param(v: str | None, name: str) -> datetime | None:
    if v is None or v == "":
        return None
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name} must be an ISO 8601 timestamp", {name: v[:100]}) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def create_app(settings: Settings, ctx: Context | None = None) -> FastAPI:
    ctx = ctx or Context.build(settings)
    ticker = Ticker(ctx)
    pg_listener: feed.PgListener | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        nonlocal pg_listener
        with ctx.db.read() as s:
            last = feed.last_seq(s)
        ctx.notifier.bind(asyncio.get_running_loop(), last)
        ctx.db.on_commit = ctx.notifier.publish
        if ctx.db.is_postgres:
            pg_listener = feed.PgListener(ctx.db, ctx.notifier)
            pg_listener.start()
        ticker.start()
        log.info(
            "backend ready: feed %s at seq %d, clock %s", ctx.feed_id, last, ctx.clock.to_dict()
        )
        yield
        ticker.stop()
        if pg_listener is not None:
            pg_listener.stop()
        ctx.db.on_commit = None

    prepare(ctx)
    app = FastAPI(
        title="智慧城管 reference backend",
        version="1.0.0",
        description="Cases through the closed loop, change feed, telemetry, alerts, KPIs, Open311 facade.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, media_max=settings.max_media_bytes
    )

    @app.middleware("http")
    async def request_log(request: Request, call_next):
        if "\x00" in request.url.path or "%00" in str(request.url.query):
            return error_response(400, "NUL characters are not allowed in URLs")
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex[:12]
        t0 = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = rid
        ms = (time.perf_counter() - t0) * 1000
        if response.status_code >= 400 or request.url.path != "/api/v1/changes":
            log.debug(
                "%s %s %s %.1fms rid=%s",
                request.method,
                request.url.path,
                response.status_code,
                ms,
                rid,
            )
        return response

    # ---- dependencies ----------------------------------------------------------------------
    def principal(authorization: Annotated[str | None, Header()] = None) -> auth.Principal:
        with ctx.db.read() as s:
            return auth.authenticate(s, authorization, ctx.wall_now())

    Who = Annotated[auth.Principal, Depends(principal)]

    def reader(p: Who) -> auth.Principal:
        auth.require_roles(p, READ_ROLES, "reading")
        return p

    Reader = Annotated[auth.Principal, Depends(reader)]
    IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]

    def idempotent(p: auth.Principal, key: str | None, request_sig: dict, fn) -> JSONResponse:
        """Run ``fn(session)`` once per (user, key): repeats get the first response, and the
        record commits in the same transaction as the effect, so a crash loses both or neither."""
        h = hashlib.sha256(
            json.dumps(request_sig, sort_keys=True, default=str).encode()
        ).hexdigest()
        with ctx.db.write() as s:
            if key:
                rec = s.get(IdempotencyRecord, (p.id, key))
                if rec is not None:
                    if rec.request_hash != h:
                        raise ApiError(
                            400,
                            "Idempotency-Key reused with a different request",
                            code="idempotency_key_reused",
                        )
                    return JSONResponse(
                        rec.body, status_code=rec.status, headers={"Idempotent-Replayed": "true"}
                    )
            sp = s.begin_nested()
            try:
                status, body = 200, fn(s)
                sp.commit()
            except ApiError as e:
                sp.rollback()
                status, body = e.status, error_body(e.status, e.message, e.details, e.code)
            except WorkflowError as e:
                sp.rollback()
                status, body = e.status, error_body(e.status, e.message, e.details, e.code)
            if key:
                s.add(
                    IdempotencyRecord(
                        user_id=p.id,
                        key=key,
                        request_hash=h,
                        status=status,
                        body=body,
                        created_at=ctx.wall_now(),
                    )
                )
        return JSONResponse(body, status_code=status)

    # ---- operations ------------------------------------------------------------------------
    @app.get("/healthz", tags=["operations"])
    def healthz():
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz():
        if not ctx.db.ping():
            return error_response(503, "database not reachable", code="unavailable")
        return {"status": "ready", "database": ctx.db.engine.dialect.name}

    @app.get("/api/v1/clock", tags=["operations"])
    def clock():
        return ctx.clock.to_dict()

    # ---- session ---------------------------------------------------------------------------
    @app.post("/api/v1/session", tags=["session"])
    def login(body: Login):
        with ctx.db.write() as s:
            token, expires, p = auth.login(
                s, body.username, body.password, ctx.wall_now(), ctx.settings.token_ttl
            )
        return {"token": token, "expires_at": iso(expires), "user": p.public()}

    @app.delete("/api/v1/session", tags=["session"])
    def logout(p: Who, authorization: Annotated[str | None, Header()] = None):
        with ctx.db.write() as s:
            auth.logout(s, authorization or "")
        return {"ok": True}

    # ---- bootstrap and change feed ---------------------------------------------------------
    @app.get("/api/v1/reference", tags=["feed"])
    def get_reference(p: Who, if_none_match: Annotated[str | None, Header()] = None):
        body, etag = reference.build(ctx)
        if if_none_match and if_none_match.strip('"') == etag:
            return Response(status_code=304, headers={"ETag": f'"{etag}"'})
        return Response(body, media_type="application/json", headers={"ETag": f'"{etag}"'})

    @app.get("/api/v1/snapshot", tags=["feed"])
    def snapshot(p: Reader):
        now = ctx.now()
        with ctx.db.read() as s:
            seq = feed.last_seq(s)
            return {
                "feed_id": ctx.feed_id,
                "seq": seq,
                "server_time": iso(now),
                "speed": ctx.clock.speed,
                "cases": cases.snapshot_cases(ctx, s, now - timedelta(hours=24)),
                "vehicles": [
                    telemetry.vehicle_wire(v)
                    for v in s.scalars(select(Vehicle).order_by(Vehicle.id)).all()
                ],
                "alerts": alerts.open_alerts(s),
            }

    @app.get("/api/v1/changes", tags=["feed"])
    async def changes(
        p: Reader,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        wait: Annotated[float, Query(ge=0, le=300)] = 0.0,
    ):
        limit = min(limit, ctx.settings.max_changes_per_poll)
        wait = min(wait, ctx.settings.max_wait_s)

        def fetch():
            with ctx.db.read() as s:
                return feed.read(s, since, limit)

        rows, last, reset = await run_in_threadpool(fetch)
        if not rows and not reset and wait > 0 and await ctx.notifier.wait_beyond(since, wait):
            rows, last, reset = await run_in_threadpool(fetch)
        return {
            "feed_id": ctx.feed_id,
            "changes": rows,
            "last_seq": last,
            "reset": reset,
            "server_time": iso(ctx.now()),
        }

    # ---- cases -----------------------------------------------------------------------------
    @app.post("/api/v1/cases", tags=["cases"])
    def create_case(body: NewCase, p: Who, key: IdemKey = None):
        role = cases.report_role(p.actor)
        data = body.model_dump(mode="json")
        return idempotent(
            p, key, {"op": "create", **data}, lambda s: cases.create(ctx, s, p.actor, role, data)
        )

    @app.get("/api/v1/cases", tags=["cases"])
    def list_cases(
        p: Reader,
        state: Annotated[list[str] | None, Query(max_length=12)] = None,
        category: Annotated[str | None, Query(max_length=8)] = None,
        street: Annotated[str | None, Query(max_length=16)] = None,
        department: Annotated[str | None, Query(max_length=64)] = None,
        source: Annotated[str | None, Query(max_length=16)] = None,
        light: Annotated[str | None, Query(max_length=8)] = None,
        q: Annotated[str | None, Query(max_length=100)] = None,
        from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        to: Annotated[str | None, Query(max_length=40)] = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    ):
        f = {
            "state": state,
            "category": category,
            "street": street,
            "department": department,
            "source": source,
            "light": light,
            "q": q,
            "from": _parse_time_param(from_, "from"),
            "to": _parse_time_param(to, "to"),
        }
        with ctx.db.read() as s:
            return cases.list_cases(ctx, s, f, page, min(page_size, ctx.settings.max_page))

    @app.get("/api/v1/cases/{case_id}", tags=["cases"])
    def get_case(case_id: str, p: Reader):
        with ctx.db.read() as s:
            return cases.get(ctx, s, case_id[:64])

    @app.post("/api/v1/cases/{case_id}/actions", tags=["cases"])
    def case_action(case_id: str, body: CaseAction, p: Who, key: IdemKey = None):
        data = body.model_dump(mode="json")
        return idempotent(
            p,
            key,
            {"op": "action", "case": case_id, **data},
            lambda s: cases.act(ctx, s, p.actor, case_id[:64], data),
        )

    @app.post("/api/v1/media", tags=["cases"])
    async def upload_media(
        request: Request, p: Who, content_type: Annotated[str | None, Header()] = None
    ):
        auth.require_roles(p, {r.value for r in REPORT_ROLES} | {"department"}, "uploading photos")
        if not content_type or not content_type.startswith("image/"):
            raise ApiError(415, "upload an image (Content-Type image/*)")
        data = await request.body()
        if not data:
            raise ApiError(400, "empty upload")
        mid = uuid.uuid4().hex

        def store():
            with ctx.db.write() as s:
                s.add(
                    Media(
                        id=mid,
                        content_type=content_type[:100],
                        data=data,
                        created_at=ctx.wall_now(),
                        uploaded_by=p.id,
                    )
                )

        await run_in_threadpool(store)
        return {"id": mid, "url": f"/api/v1/media/{mid}"}

    @app.get("/api/v1/media/{media_id}", tags=["cases"])
    def get_media(media_id: str, p: Reader):
        with ctx.db.read() as s:
            m = s.get(Media, media_id[:40])
            if m is None:
                raise ApiError(404, "no such media")
            return Response(m.data, media_type=m.content_type)

    # ---- telemetry and vehicles ------------------------------------------------------------
    @app.post("/api/v1/telemetry", tags=["vehicles"])
    def post_telemetry(body: Telemetry, p: Who):
        auth.require_roles(p, {"gateway"}, "posting telemetry")
        out: dict = {}
        with ctx.db.write() as s:
            if body.fixes:
                out["fixes"] = telemetry.ingest_fixes(ctx, s, [f.model_dump() for f in body.fixes])
            if body.readings:
                out["readings"] = telemetry.ingest_readings(
                    ctx, s, [r.model_dump() for r in body.readings]
                )
        return out

    @app.get("/api/v1/vehicles/{vehicle_id}/track", tags=["vehicles"])
    def vehicle_track(
        vehicle_id: str,
        p: Reader,
        from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        to: Annotated[str | None, Query(max_length=40)] = None,
    ):
        now = ctx.now()
        t0 = _parse_time_param(from_, "from") or now - timedelta(hours=1)
        t1 = _parse_time_param(to, "to") or now + timedelta(minutes=5)
        with ctx.db.read() as s:
            return telemetry.track(s, vehicle_id[:32], t0.timestamp(), t1.timestamp())

    # ---- alerts ----------------------------------------------------------------------------
    @app.get("/api/v1/alerts", tags=["alerts"])
    def list_alerts(p: Reader):
        with ctx.db.read() as s:
            return {"alerts": alerts.open_alerts(s)}

    @app.post("/api/v1/alerts/{alert_id}/ack", tags=["alerts"])
    def ack_alert(alert_id: str, p: Who, body: AlertAck | None = None, key: IdemKey = None):
        auth.require_roles(p, CENTRE_ROLES, "acknowledging alerts")
        comment = body.comment if body else ""
        return idempotent(
            p,
            key,
            {"op": "ack", "alert": alert_id, "comment": comment},
            lambda s: alerts.acknowledge(s, alert_id[:32], p.id, comment, ctx.now()),
        )

    @app.post("/api/v1/alerts/{alert_id}/resolve", tags=["alerts"])
    def resolve_alert(alert_id: str, p: Who, key: IdemKey = None):
        auth.require_roles(p, CENTRE_ROLES, "resolving alerts")
        return idempotent(
            p,
            key,
            {"op": "resolve", "alert": alert_id},
            lambda s: alerts.resolve(s, alert_id[:32], p.id, ctx.now()),
        )

    # ---- KPIs ------------------------------------------------------------------------------
    @app.get("/api/v1/kpis", tags=["kpis"])
    def kpis(
        p: Reader,
        by: KpiBy = "department",
        from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        to: Annotated[str | None, Query(max_length=40)] = None,
    ):
        now = ctx.now()
        start = _parse_time_param(from_, "from") or now - timedelta(days=30)
        end = _parse_time_param(to, "to") or now + timedelta(seconds=1)
        if end <= start:
            raise ApiError(400, "to must be after from")
        with ctx.db.read() as s:
            docs = [
                r.doc
                for r in s.scalars(
                    select(CaseRow).where(CaseRow.updated_at >= start, CaseRow.created_at < end)
                ).all()
            ]
            users = {
                u.id: {"name": u.name, "roles": u.roles} for u in s.scalars(select(User)).all()
            }
        rows = compute_kpis(docs, start, end, by, now=now, users=users)
        return {"from": iso(start), "to": iso(end), "by": by, "rows": rows}

    app.include_router(open311_router)
    return app


def prepare(ctx: Context) -> None:
    """Create the schema, seed the district, enable or lock the demo accounts."""
    ctx.db.create_all()
    with ctx.db.write() as s:
        seed_reference(s, ctx.grid)
        ensure_system_user(s)
        demo_ids = {u[0] for u in DEMO_USERS + sim_users(ctx.grid)}
        if ctx.settings.demo:
            seed_demo_users(s, ctx.grid)
        for u in s.scalars(select(User).where(User.id.in_(demo_ids))).all():
            u.active = ctx.settings.demo  # demo accounts are refused unless --demo is given
    with ctx.db.read() as s:
        for v in s.scalars(select(Vehicle)).all():
            ctx.fleet.set_vehicle(
                v.id, v.vtype, route_lon=v.route.get("lon"), route_lat=v.route.get("lat")
            )
    ctx.feed_id = feed.feed_id(ctx.db)


class Ticker(threading.Thread):
    """Background work that time alone triggers: SLA lights, escalation, offline vehicles,
    feed retention and expired idempotency records."""

    def __init__(self, ctx: Context):
        super().__init__(name="backend-ticker", daemon=True)
        self.ctx = ctx
        self._stop_event = threading.Event()
        self._n = 0

    def run(self) -> None:
        while not self._stop_event.wait(self.ctx.settings.tick_seconds):
            try:
                self.tick()
            except Exception:
                log.exception("ticker failed")

    def tick(self) -> None:
        ctx = self.ctx
        now = ctx.now()
        with ctx.db.write() as s:
            cases.refresh_lights(ctx, s, now)
            alerts.escalate_due(s, now, EscalationRule(ctx.settings.escalate_after_minutes))
            telemetry.tick(ctx, s, now)
        self._n += 1
        if self._n % 60 == 0:
            feed.prune(ctx.db, ctx.settings.retain_changes)
            with ctx.db.write() as s:
                s.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.created_at < ctx.wall_now() - ctx.settings.idempotency_ttl
                    )
                )

    def stop(self) -> None:
        self._stop_event.set()


class BodyLimit:
    """Refuse bodies over the limit with 413, whether or not Content-Length is sent."""

    def __init__(self, app, max_bytes: int, media_max: int):
        self.app = app
        self.max_bytes = max_bytes
        self.media_max = media_max

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.media_max if scope["path"].startswith("/api/v1/media") else self.max_bytes
        headers = dict(scope.get("headers") or [])
        cl = headers.get(b"content-length")
        if cl is not None and (not cl.isdigit() or int(cl) > limit):
            return await error_response(413, f"request body larger than {limit} bytes")(
                scope, receive, send
            )
        seen = 0

        async def limited_receive():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await error_response(413, f"request body larger than {limit} bytes")(
                scope, receive, send
            )


class _TooLarge(Exception):
    pass
