"""The reference backend's ASGI app: context, start-up, middleware, error handlers and the
routers of ``routes/`` (one per resource, v1 and the Open311 facade).

Write endpoints are plain functions (FastAPI runs them in its thread pool) and take one
serialised write transaction each; the change-feed long poll is async (see ``routes/feed.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from starlette.middleware.gzip import GZipMiddleware

from console import CommandError, startup
from console.domain.field_units import is_sanitation

from . import auth_notices, cameras, feed
from .context import Context, Settings
from .db import User, Vehicle
from .errors import install_error_handlers
from .jt808_gateway import Jt808Gateway
from .middleware import (
    AbandonGone,
    BodyLimit,
    RequestLog,
    SecurityHeaders,
    install_access_log_filters,
)
from .open311 import ensure_system_user
from .open311_client import Open311Pull
from .rivers import ensure_records as ensure_river_records
from .routes import (
    alerts,
    cases,
    components,
    duty,
    enforcement,
    geocode,
    kpis,
    maintenance,
    media,
    open311,
    operations,
    records,
    rivers,
    session,
    users,
    vehicles,
    wall,
)
from .routes import (
    cameras as camera_routes,
)
from .routes import feed as feed_routes
from .seed import demo_account_ids, seed_demo_users, seed_reference
from .source_thread import SourceThread
from .ticker import Ticker
from .traccar import TraccarSource

log = logging.getLogger("console.server")


def create_app(settings: Settings, ctx: Context | None = None) -> FastAPI:
    ctx = ctx or Context.build(settings)
    prepare(ctx)
    app = FastAPI(
        title="智慧城管 reference backend",
        version="1.0.0",
        description="Cases through the closed loop, change feed, telemetry, alerts, KPIs, Open311 facade.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    # Innermost first: each ``add_middleware`` wraps the ones before it.
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, media_max=settings.max_media_bytes
    )
    # Bootstraps (``/reference``, ``/snapshot``: MBs of JSON) go compressed to clients that
    # ask; the feed's pages come pre-compressed from its cache (``FastPolls`` sends them
    # from outside this layer). 4 kB: below that gzip saves less than a round trip's worth;
    # level 6 is zlib's default, within a few % of 9's size at about a third of its CPU.
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=6)
    app.add_middleware(AbandonGone)
    app.add_middleware(feed_routes.FastPolls, ctx=ctx)
    app.add_middleware(RequestLog)
    app.add_middleware(SecurityHeaders)
    install_access_log_filters()
    for module in (
        operations,
        session,
        users,
        feed_routes,
        cases,
        components,
        media,
        vehicles,
        alerts,
        kpis,
        geocode,
        open311,
        wall,
        records,
        camera_routes,
        duty,
        rivers,
        maintenance,
        enforcement,
    ):
        app.include_router(module.router)
    return app


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Wake long polls on commit (and, on PostgreSQL, on other processes' commits through
    LISTEN/NOTIFY) and run the ticker while the server runs; the JT/T 808 gateway too, when
    configured, on this event loop."""
    ctx: Context = app.state.ctx
    with ctx.db.read() as s:
        last = feed.last_seq(s)
    ctx.notifier.bind(asyncio.get_running_loop(), last)
    ctx.db.on_commit = ctx.notifier.publish
    pg_listener = (
        feed.PgListener(
            ctx.db,
            ctx.notifier,
            lambda payload: auth_notices.heard(payload, ctx.tokens, ctx.login_guard),
        )
        if ctx.db.is_postgres
        else None
    )
    if pg_listener is not None:
        pg_listener.start()
    ticker = Ticker(ctx)
    ticker.start()
    gateway = None
    if ctx.settings.jt808_port is not None:
        gateway = Jt808Gateway(ctx, ctx.settings.jt808_host, ctx.settings.jt808_port)
        app.state.jt808 = await gateway.start()
    app.state.sources = sources = _sources(ctx)
    for source in sources:
        source.start()
    log.info("backend ready: feed %s at seq %d, clock %s", ctx.feed_id, last, ctx.clock.to_dict())
    startup.reached(startup.BACKEND)
    # What start-up built (the 部件 inventory, grid, geocoder: ~10^5 objects) lives as long as
    # the process; frozen, the collector stops walking it, and a full collection under load
    # no longer stalls every request for tens of ms (measured: 80 ms -> under 1 ms).
    gc.collect()
    gc.freeze()
    yield
    for source in sources:
        await asyncio.to_thread(source.stop)  # joins its thread (an HTTP call ends first)
    if gateway is not None:
        await gateway.stop()
    ticker.stop()
    if pg_listener is not None:
        pg_listener.stop()
    ctx.db.on_commit = None


def _sources(ctx: Context) -> list[SourceThread]:
    """The outside systems this backend takes input from (``serve --traccar``,
    ``--open311-pull``), each a thread feeding the same paths as native input."""
    out: list[SourceThread] = []
    if ctx.settings.traccar is not None:
        out.append(TraccarSource(ctx, ctx.settings.traccar))
    if ctx.settings.open311_pull is not None:
        out.append(Open311Pull(ctx, ctx.settings.open311_pull))
    return out


def prepare(ctx: Context) -> None:
    """Create the schema, seed the district, enable or lock the demo accounts; a database that
    cannot be written is refused in one line (a ``CommandError``), not a traceback."""
    try:
        _prepare(ctx)
    except DBAPIError as e:
        if not _read_only(e):
            raise
        url = ctx.db.engine.url.render_as_string(hide_password=True)
        raise CommandError(
            f"the database {url} is read-only ({str(e.orig).splitlines()[0][:120]}); "
            "the backend writes every case and change, give it a writable database"
        ) from None


def _read_only(e: DBAPIError) -> bool:
    """SQLite's "attempt to write a readonly database", PostgreSQL's read-only transaction
    (SQLSTATE 25006, e.g. a hot standby or ``default_transaction_read_only``)."""
    return "readonly" in str(e.orig) or getattr(e.orig, "sqlstate", None) == "25006"


def _prepare(ctx: Context) -> None:
    ctx.db.create_all()
    with ctx.db.write() as s:
        seed_reference(s, ctx.grid, vehicles=ctx.settings.vehicles)
        ensure_river_records(s, ctx.now())
        ensure_system_user(s)
        demo_ids = demo_account_ids(ctx.grid)
        if ctx.settings.demo:
            seed_demo_users(s, ctx.grid)
        for u in s.scalars(select(User).where(User.id.in_(demo_ids))).all():
            u.active = ctx.settings.demo  # demo accounts are refused unless --demo is given
        cameras.seed(ctx, s, ctx.now())
    with ctx.db.read() as s:
        for v in s.scalars(select(Vehicle)).all():
            if not is_sanitation(v.vtype):
                continue  # overspeed, long stops, routes: the fleet's rules, not a person's
            ctx.fleet.set_vehicle(
                v.id, v.vtype, route_lon=v.route.get("lon"), route_lat=v.route.get("lat")
            )
    with ctx.db.write() as s:
        ctx.duty.load(s, ctx.grid, ctx.calendar, ctx.now())
    ctx.feed_id = ctx.pages.feed_id = feed.feed_id(ctx.db)
    log.info("部件 inventory: %d components", len(ctx.components))
    _ = ctx.geocoder  # built now (~0.3 s), not inside the first report's write transaction
