"""智慧城管 command console: command-line entry point.

python main.py [--lang zh|en] [--theme dark|light] [--speed N]
                                    the embedded demo: backend + simulator + console window
python main.py --backend URL [--user U]
                                    the console on a running backend (login dialog)
python main.py ... --tiles URL|FILE.mbtiles [--tiles-datum gcj02] | --basemap-config FILE
                                    a basemap under the map (console, wall, replay)
python main.py ... --screenshot PATH --quit-after S
                                    render the window at 1920x1080 after S seconds and exit
python main.py wall [--backend URL] [--replay FILE...] [--screens 0,1]
                    [--screenshot PATH --size WxH --scene NAME --quit-after S]
                                    the video wall (full screen, scenes on a playlist)
python main.py serve [--demo] [--simulate] [--speed N] [--port P] [--db URL] [--workers N]
                    [--http auto|httptools|h11] [--vehicles N] [--case-rate R] [--jt808 PORT]
                    [--traccar URL ...] [--open311-pull URL ...]   (docs/interop.md)
python main.py users add|passwd|disable|enable|list [ID] [--roles R,..] [--db URL]
                                    user administration (a password from the terminal or stdin)
python main.py sim jt808 --backend URL --gateway HOST:PORT --terminals N [--interval S]
                                    simulated JT/T 808 terminals (docs/jt808.md)
python main.py record --backend URL --user U --password P --out FILE
                                    follow a backend's feed into a shift log, no window
python main.py replay FILE... [--at start|middle|end|HH:MM] [--speed X]
                                    replay shift logs (several: as one) in the console window
python main.py report FILE... --out PATH.pdf|PATH.html
                                    the handover report (交接班报告) of a shift log
python main.py export FILE... --out NEW [--from TIME] [--to TIME]
                                    a time range of shift logs (several: merged) as a new file
python main.py tiles build --out FILE.mbtiles [--theme dark|light] [--min-zoom 11] [--max-zoom 18]
                                    render the demo's offline basemap (approximate, generated)
python main.py export-track --vehicle V --from TIME --to TIME --out x.gpx|x.geojson
                    (--backend URL [--user U --password P] | --log FILE...)
                                    a vehicle's track for a period as GPX 1.1 or GeoJSON
python main.py export-cases --backend URL --from TIME --to TIME --out x.geojson|x.csv|x.xlsx
                                    the cases reported in a period (docs/exports.md)
python main.py bench [NAME [OPTIONS]]
                                    benchmarks: basemap|feed|sync|geo|components|kpi|gui|replay|
                                    startup|sim_pace|wall_soak|hostile|scale|backend_scale|jt808|
                                    tiles|interop|exports (by default all but the last nine);
                                    bench NAME --help lists its options
"""

from __future__ import annotations

import argparse
import inspect
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from console import CommandError

ROOT = Path(__file__).resolve().parent


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )


def _db_url(args) -> str:
    from console.demo_process import fresh_sqlite
    from console.paths import data_dir

    if args.db:
        return args.db
    if args.demo:
        return fresh_sqlite(data_dir() / "demo.db")
    return f"sqlite:///{data_dir() / 'zhcg.db'}"


def _settings(args):
    from console.clock import VirtualClock
    from console.server.context import Settings
    from console.server.seed import DEMO_FLEET_SIZE, DEMO_OPEN311_KEY

    keys = set(args.open311_key or [])
    if args.demo:
        keys.add(DEMO_OPEN311_KEY)
    return Settings(
        db_url=_db_url(args),
        demo=args.demo,
        clock=VirtualClock(),
        open311_keys=frozenset(keys),
        open311_iot_keys=frozenset(args.open311_iot_key or ()),
        open311_jurisdiction=args.open311_jurisdiction,
        vehicles=args.vehicles or DEMO_FLEET_SIZE,
        jt808_port=args.jt808,
        jt808_host=args.host,
        **_interop_settings(args),
    )


def _interop_settings(args) -> dict:
    """``serve --traccar …`` and ``--open311-pull …`` as settings (docs/interop.md). Secrets
    may come from the environment instead of the command line, where ``ps`` shows them."""
    from console.domain.categories import CategoryCatalog
    from console.server.open311_client import (
        DEFAULT_CATEGORY,
        Open311PullConfig,
        load_code_map,
    )
    from console.server.traccar import TraccarConfig

    out: dict = {}
    try:
        if args.traccar:
            out["traccar"] = TraccarConfig(
                args.traccar,
                user=args.traccar_user,
                password=args.traccar_password or os.environ.get("ZHCG_TRACCAR_PASSWORD"),
                token=args.traccar_token or os.environ.get("ZHCG_TRACCAR_TOKEN"),
            )
        if args.open311_pull:
            codes, default = (
                load_code_map(args.open311_map, CategoryCatalog.load())
                if args.open311_map
                else ({}, None)
            )
            out["open311_pull"] = Open311PullConfig(
                args.open311_pull,
                key=args.open311_pull_key or os.environ.get("ZHCG_OPEN311_PULL_KEY"),
                every_s=args.open311_every,
                jurisdiction=args.open311_pull_jurisdiction,
                fmt=args.open311_pull_format,
                codes=codes,
                default_category=default or DEFAULT_CATEGORY,
            )
    except ValueError as e:
        raise CommandError(str(e)) from None
    return out


def _check_speed(args) -> None:
    if not (1 <= args.speed <= 60):
        raise CommandError("--speed must be between 1 and 60")


#: ``serve --vehicles``: five times the city-scale fleet of issue 14 (2,000). The seed draws a
#: random route per vehicle (~1.2 ms each), and every vehicle posts a fix each 5 s.
MAX_VEHICLES = 10_000
#: ``serve --case-rate`` (reports per district hour): the simulator draws its week's reports up
#: front (``sim.plan.report_plan``, 168 h unless ``--hours``): at 3,000/h ~500,000 of them,
#: ~150 MB at its peak and ~10 s to draw (measured, tracemalloc); and at the
#: demo's 10x clock that is ~8 reports a second, each with the centre's actions after it, posted
#: one after another by the simulator's one actor thread.
MAX_CASE_RATE = 3_000.0


def _check_scale(args) -> None:
    """``--vehicles`` seeds a simulated fleet (demo only: a real centre's vehicles are its
    own); ``--case-rate`` drives the simulator (so it needs ``--simulate``)."""
    if args.vehicles is not None:
        if not args.demo:
            raise CommandError("--vehicles seeds a simulated fleet: it needs --demo")
        if not 1 <= args.vehicles <= MAX_VEHICLES:
            raise CommandError(f"--vehicles must be between 1 and {MAX_VEHICLES}")
    if args.case_rate is not None:
        if not args.simulate:
            raise CommandError("--case-rate sets the simulator's reports: it needs --simulate")
        if not 0 < args.case_rate <= MAX_CASE_RATE:
            raise CommandError(
                f"--case-rate must be above 0 and at most {MAX_CASE_RATE:g} cases an hour"
            )


def _check_jt808_port(args) -> None:
    """``--jt808 PORT`` must be a port the gateway can listen on: said here in one line, not
    as a traceback out of the server's start-up (the check binds and lets go at once)."""
    import socket

    if args.jt808 is None:
        return
    if not 0 <= args.jt808 <= 65535:
        raise CommandError("--jt808 must be a TCP port (0-65535)")
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((args.host, args.jt808))
        except OSError as e:
            raise CommandError(f"--jt808 {args.jt808}: cannot listen on it ({e.strerror})") from e


def cmd_serve(args) -> int:
    _check_speed(args)
    _check_scale(args)
    _check_jt808_port(args)
    if args.jt808_share is not None and not (args.simulate and 0 < args.jt808_share <= 1):
        raise CommandError(
            "--jt808-share is a share (0-1] of the simulated fleet: needs --simulate"
        )
    if args.simulate and not args.demo:
        # The simulator files cases and logs in as the demo and sim-* accounts (password
        # "demo"): on a centre's database that would re-enable those accounts and mix made-up
        # cases with real ones, so the simulation is a demo (or training) thing only.
        raise CommandError(
            "--simulate needs --demo: the simulator uses the demo accounts, "
            "which a real database must not have"
        )
    if not args.simulate:
        from console.server.run import serve

        settings = _settings(args)
        if args.workers > 1 and (settings.traccar or settings.open311_pull):
            # Each worker would follow the same Traccar server and pull the same endpoint.
            raise CommandError(
                "--traccar and --open311-pull run in one process: not with --workers"
            )
        if args.workers > 1 and args.jt808 is not None:
            # One listener per port: N processes cannot all bind it, and a terminal's session
            # lives in the process that accepted it.
            raise CommandError("--jt808 runs in one API process: leave out --workers")
        if args.workers > 1 and not settings.db_url.startswith(("postgresql:", "postgres:")):
            # SQLite serialises writers per process: several would fight over its file lock,
            # and the feed's wake-ups cross processes only through PostgreSQL's NOTIFY.
            raise CommandError("--workers needs a PostgreSQL database (--db postgresql://...)")
        serve(settings, args.host, args.port, args.workers, args.http)
        return 0
    if args.workers != 1:
        raise CommandError("--workers runs the API only; start the simulator on its own")
    if args.traccar or args.open311_pull:
        raise CommandError("--traccar and --open311-pull run with serve, not with --simulate")
    from console.demo import EmbeddedDemo
    from console.server.seed import DEMO_FLEET_SIZE

    demo = EmbeddedDemo(
        _db_url(args),
        speed=args.speed,
        start=datetime.fromisoformat(args.start) if args.start else None,
        seed=args.seed,
        auto_centre=not args.no_auto_centre,
        host=args.host,
        port=args.port,
        open311_keys=frozenset(args.open311_key or ()),
        vehicles=args.vehicles or DEMO_FLEET_SIZE,
        case_rate=args.case_rate,
        jt808_port=args.jt808,
        jt808_share=args.jt808_share or 0.0,
    )
    logging.getLogger("main").info("backend on %s (clock %sx)", demo.url, args.speed)
    logging.getLogger("main").info("simulator summary: %s", demo.run(hours=args.hours))
    return 0


def _basemap(args) -> list:
    """The basemap sources (``console.tiles.defaults``): ``--tiles``, ``--basemap-config`` or
    the data folder's basemap.json; a flag that cannot be used is refused here, before any
    window opens."""
    from console.tiles.config import BasemapConfigError
    from console.tiles.defaults import default_sources

    try:
        return default_sources(args.tiles, args.basemap_config, args.tiles_datum)
    except BasemapConfigError as e:
        raise CommandError(str(e)) from e


def cmd_console(args) -> int:
    _check_speed(args)
    if args.jt808_share is not None and (args.backend or not 0 < args.jt808_share <= 1):
        raise CommandError(
            "--jt808-share is a share (0-1] of the demo's fleet (not with --backend)"
        )
    from widgets.app.console_start import run

    return run(
        backend=args.backend,
        user=args.user,
        lang=args.lang,
        theme=args.theme,
        speed=args.speed,
        auto_centre=not args.no_auto_centre,
        sound=not args.no_sound,
        screenshot=args.screenshot,
        screenshot_zoom=args.screenshot_zoom,
        quit_after=args.quit_after,
        jt808_share=args.jt808_share,
        basemap=_basemap(args),
    )


def cmd_wall(args) -> int:
    _check_speed(args)
    from widgets.app.wall_app import run_wall

    return run_wall(
        backend=args.backend,
        user=args.user,
        password=args.password,
        replay=args.replay,
        screens=args.screens,
        speed=args.speed,
        lang=args.lang,
        screenshot=args.screenshot,
        size=args.size,
        scene=args.scene,
        quit_after=args.quit_after,
        basemap=_basemap(args),
    )


def cmd_replay(args) -> int:
    from widgets.app.replay_app import run_replay

    return run_replay(
        args.files,
        at=args.at,
        speed=args.speed,
        lang=args.lang,
        theme=args.theme,
        screenshot=args.screenshot,
        quit_after=args.quit_after,
        basemap=_basemap(args),
    )


def cmd_report(args) -> int:
    from widgets.report.document import report_command

    return report_command(args.files, args.out, lang=args.lang)


def cmd_kpi_report(args) -> int:
    from widgets.report.kpi_report import kpi_report_command

    return kpi_report_command(
        args.backend, args.user, args.password, args.month, args.out, lang=args.lang
    )


def cmd_export(args) -> int:
    from console.replay.logfiles import export_logs
    from console.replay.timeparse import parse_instant

    try:
        start = parse_instant(args.start) if args.start else None
        end = parse_instant(args.end) if args.end else None
        summary = export_logs(args.files, args.out, start, end)
    except (ValueError, OSError) as e:
        raise CommandError(str(e)) from e
    print(summary)
    return 0


def cmd_tiles(args) -> int:
    from widgets.map.tile_build import tiles_command

    return tiles_command(args)


def cmd_export_track(args) -> int:
    from console.exports.command import export_track_command

    source = {"backend": args.backend, "user": args.user, "password": args.password}
    period = (args.start, args.end)
    return export_track_command(args.out, args.vehicle, *period, logs=args.log or [], **source)


def cmd_export_cases(args) -> int:
    from console.exports.command import export_cases_command

    return export_cases_command(
        args.out, args.start, args.end, args.backend, args.user, args.password, lang=args.lang
    )


def cmd_bench(args) -> int:
    """Run benchmarks; a named one gets the options after its name (its own ``--help`` lists
    them), so each benchmark owns its flags instead of this parser knowing all of them."""
    import runpy

    every = tuple(b for b in BENCHMARKS if b not in LONG_BENCHMARKS)
    if args.which == "all" and args.options:
        raise CommandError("options go with a named benchmark: bench NAME [OPTIONS]")
    for name in every if args.which == "all" else (args.which,):
        print(f"== bench {name} ==", flush=True)
        bench = runpy.run_path(str(ROOT / "tests" / "benchmarks" / f"bench_{name}.py"))
        if inspect.signature(bench["main"]).parameters:
            bench["main"](list(args.options))
        elif args.options:
            raise CommandError(f"bench {name} takes no options")
        else:
            bench["main"]()
    return 0


def cmd_sim(args) -> int:
    """``sim jt808``: simulated JT/T 808 terminals against a running backend's gateway."""
    from console.sim.jt808_terminals import TerminalFleet, parse_gateway, run_terminals

    if not 1 <= args.terminals <= MAX_VEHICLES:
        raise CommandError(f"--terminals must be between 1 and {MAX_VEHICLES}")
    if args.interval <= 0:
        raise CommandError("--interval must be above 0 district seconds")
    try:
        host, port = parse_gateway(args.gateway)
        fleet = TerminalFleet(
            args.backend.rstrip("/"),
            host,
            port,
            args.terminals,
            user=args.user,
            password=args.password,
            interval_s=args.interval,
        )
        stats = run_terminals(fleet, args.seconds)
    except (ValueError, RuntimeError) as e:
        raise CommandError(str(e)) from e
    print(", ".join(f"{k}: {v}" for k, v in sorted(stats.items())))
    return 0


def cmd_record(args) -> int:
    from console.sync.recorder import record

    return record(
        args.backend,
        args.user,
        args.password,
        args.out,
        status_every_s=args.status_every,
        checkpoint_every=args.checkpoint_every or None,
    )


def _read_password() -> str:
    """The new password: typed twice at a terminal, else one line of stdin (scripts)."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def cmd_users(args) -> int:
    from console.paths import data_dir
    from console.server.users import users_command

    print(
        users_command(
            args.db or f"sqlite:///{data_dir() / 'zhcg.db'}",
            args.action,
            args.user,
            name=args.name,
            roles=args.roles.split(",") if args.roles else None,
            department_id=args.department,
            read_password=_read_password,
        )
    )
    return 0


def _users_args(us: argparse.ArgumentParser) -> None:
    us.add_argument("action", choices=("add", "passwd", "disable", "enable", "list"))
    us.add_argument("user", nargs="?", help="the user id (all but list)")
    us.add_argument("--name", help="add: the display name (default: the id)")
    us.add_argument("--roles", help="add: comma-separated, e.g. operator,dispatcher or admin")
    us.add_argument("--department", help="add: the department id of a department user")
    us.add_argument("--db", help="database URL (default: the serve default, zhcg.db)")


def _backend_args(demo_default: bool, simulate_default: bool):
    def add(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--demo",
            action="store_true",
            default=demo_default,
            help="seed the demo users (password 'demo') and Open311 key",
        )
        sp.add_argument(
            "--simulate",
            action="store_true",
            default=simulate_default,
            help="run the district simulator against the backend (needs --demo)",
        )
        sp.add_argument(
            "--speed",
            type=float,
            default=10.0,
            help="time compression while simulating, 1-60 (default 10)",
        )
        sp.add_argument(
            "--start", help="district start time while simulating (ISO 8601 with offset)"
        )
        sp.add_argument(
            "--hours",
            type=float,
            default=None,
            help="stop the simulation after this many district hours",
        )
        sp.add_argument(
            "--seed", type=int, default=20261128, help="simulator seed (runs are reproducible)"
        )
        sp.add_argument(
            "--vehicles",
            type=int,
            help=f"vehicles seeded on a new demo database (default 40, at most {MAX_VEHICLES})",
        )
        sp.add_argument(
            "--case-rate",
            type=float,
            help="reports per district hour while simulating (default 60: the demo district)",
        )
        sp.add_argument(
            "--no-auto-centre",
            action="store_true",
            help="leave accept/register/dispatch/close to human operators",
        )
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, default=8311)
        sp.add_argument(
            "--http",
            choices=("auto", "httptools", "h11"),
            default="auto",
            help="HTTP parser: httptools (C) when installed, else h11 (default auto)",
        )
        sp.add_argument(
            "--db",
            help="database URL (default: SQLite under var/); postgresql://... for PostgreSQL",
        )
        sp.add_argument(
            "--open311-key", action="append", help="an accepted Open311 api_key (repeatable)"
        )
        sp.add_argument(
            "--open311-iot-key",
            action="append",
            help="an Open311 api_key of a sensor platform: its requests are filed as iot",
        )
        sp.add_argument(
            "--open311-jurisdiction",
            default="hangzhou-shangcheng",
            help="the jurisdiction_id the Open311 endpoint serves",
        )
        _interop_args(sp)
        sp.add_argument(
            "--jt808",
            type=int,
            metavar="PORT",
            help="accept JT/T 808 vehicle terminals on this TCP port (docs/jt808.md)",
        )
        sp.add_argument(
            "--jt808-share",
            type=float,
            metavar="S",
            help="with --simulate: this share of the fleet (e.g. 0.25) reports as JT/T 808 "
            "terminals through the gateway (--jt808 PORT, or a free port)",
        )
        sp.add_argument(
            "--workers",
            type=int,
            default=1,
            help="API processes on one address (needs --db postgresql://...; not with --simulate)",
        )

    return add


def _interop_args(sp: argparse.ArgumentParser) -> None:
    """Outside systems the backend takes input from (docs/interop.md)."""
    g = sp.add_argument_group("Traccar as a telemetry source")
    g.add_argument("--traccar", metavar="URL", help="a Traccar server, e.g. http://host:8082")
    g.add_argument("--traccar-user", metavar="U", help="its user (e-mail)")
    g.add_argument(
        "--traccar-password", metavar="P", help="its password (or $ZHCG_TRACCAR_PASSWORD)"
    )
    g.add_argument("--traccar-token", metavar="T", help="an API token (or $ZHCG_TRACCAR_TOKEN)")
    o = sp.add_argument_group("Open311 client: pull another system's requests into intake")
    o.add_argument("--open311-pull", metavar="URL", help="a GeoReport v2 base URL (…/v2/)")
    o.add_argument(
        "--open311-pull-key", metavar="K", help="its api_key (or $ZHCG_OPEN311_PULL_KEY)"
    )
    o.add_argument(
        "--open311-every", type=float, default=300.0, metavar="S", help="seconds between polls"
    )
    o.add_argument("--open311-pull-jurisdiction", metavar="J", help="its jurisdiction_id")
    o.add_argument("--open311-pull-format", choices=("json", "xml"), default="json")
    o.add_argument(
        "--open311-map",
        metavar="FILE",
        help='service codes to categories: {"codes": {"006": "06012"}, "default": "06010"}',
    )


def _console_args(con: argparse.ArgumentParser) -> None:
    con.add_argument("--backend", help="backend URL; without it the embedded demo starts")
    con.add_argument("--user", help="user name for the login dialog")
    con.add_argument("--lang", choices=("zh", "en"), default="zh")
    con.add_argument("--theme", choices=("dark", "light"), default="dark")
    con.add_argument(
        "--speed", type=float, default=20.0, help="demo district clock speed, 1-60 (default 20)"
    )
    con.add_argument("--no-sound", action="store_true", help="no alert sounds")
    con.add_argument(
        "--jt808-share",
        type=float,
        metavar="S",
        help="demo: this share of the fleet (0-1] reports as JT/T 808 terminals (docs/jt808.md)",
    )
    con.add_argument(
        "--no-auto-centre",
        action="store_true",
        help="demo: the simulated centre leaves accept/register/dispatch/close to you",
    )
    con.add_argument("--screenshot", help="save the window (1920x1080) to this PNG and exit")
    con.add_argument(
        "--screenshot-zoom",
        type=float,
        metavar="METRES",
        help="with --screenshot: the map zoomed onto the queue's first case, METRES across",
    )
    con.add_argument(
        "--quit-after", type=float, help="seconds before the screenshot / before exiting"
    )
    _basemap_args(con)


def _basemap_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tiles",
        metavar="URL|FILE.mbtiles|FILE.pmtiles",
        help="basemap: an XYZ URL template ({z}/{x}/{y}, {s}, {-y}), a WMTS GetCapabilities "
        "URL, an MBTiles or a PMTiles file (default: --basemap-config, else basemap.json in the data "
        "folder, else the demo's own basemap, built in the background on the first start)",
    )
    p.add_argument(
        "--tiles-datum",
        choices=("wgs84", "cgcs2000", "gcj02"),
        default="wgs84",
        help="the datum --tiles are drawn in (gcj02: AMap and most Chinese commercial tiles)",
    )
    p.add_argument(
        "--basemap-config", metavar="FILE", help="a JSON list of basemap sources (docs/basemap.md)"
    )


def _wall_args(wall: argparse.ArgumentParser) -> None:
    wall.add_argument("--backend", help="backend URL; without it the embedded demo starts")
    wall.add_argument("--user", default="demo-wall", help="the wall account (read-only)")
    wall.add_argument("--password", default="demo")
    wall.add_argument("--replay", nargs="+", metavar="FILE", help="play shift logs on the wall")
    wall.add_argument("--screens", help="screen numbers, e.g. 0,1 (default: every screen)")
    wall.add_argument("--lang", choices=("zh", "en"), default="zh")
    wall.add_argument(
        "--speed", type=float, default=20.0, help="demo district clock speed, 1-60 (default 20)"
    )
    wall.add_argument("--screenshot", help="save one wall screen to this PNG and exit")
    wall.add_argument("--size", help="screenshot size WxH (default 3840x2160)")
    wall.add_argument(
        "--scene",
        help="screenshot this scene (overview, ranking, flow, ...; all: each, PATH with {scene})",
    )
    wall.add_argument("--quit-after", type=float, help="seconds before the screenshot / exit")
    _basemap_args(wall)


def _sim_args(sim: argparse.ArgumentParser) -> None:
    sim.add_argument("which", choices=("jt808",), help="jt808: vehicle terminals over JT/T 808")
    sim.add_argument("--backend", required=True, help="backend URL (its reference and clock)")
    sim.add_argument("--gateway", required=True, help="the gateway's HOST:PORT (serve --jt808)")
    sim.add_argument("--terminals", type=int, default=40, help="terminals (the first vehicles)")
    sim.add_argument(
        "--interval", type=float, default=5.0, help="district seconds between reports (5)"
    )
    sim.add_argument("--seconds", type=float, help="stop after this many real seconds")
    sim.add_argument("--user", default="demo-wall", help="reads the reference (default demo-wall)")
    sim.add_argument("--password", default="demo")


def _record_args(rec: argparse.ArgumentParser) -> None:
    rec.add_argument("--backend", required=True, help="backend URL, e.g. http://127.0.0.1:8311")
    rec.add_argument("--user", required=True)
    rec.add_argument("--password", required=True)
    rec.add_argument(
        "--out", required=True, help="shift-log file (created, or resumed if it exists)"
    )
    rec.add_argument(
        "--status-every", type=float, default=30.0, help="seconds between status log lines"
    )
    rec.add_argument(
        "--checkpoint-every",
        type=int,
        default=None,
        help="write a state checkpoint every N changes (a batch of fixes counts its fixes; "
        "default: as often as a console does)",
    )


def _replay_args(rep: argparse.ArgumentParser) -> None:
    rep.add_argument(
        "files", nargs="+", help="shift-log files; several consecutive ones play as one"
    )
    rep.add_argument(
        "--at", default="start", help="start, middle, end, HH:MM[:SS] (Hangzhou) or ISO time"
    )
    rep.add_argument(
        "--speed", type=float, choices=(0.25, 0.5, 1, 2, 4, 8, 16, 32, 64), help="play at once"
    )
    rep.add_argument("--lang", choices=("zh", "en"), default="zh")
    rep.add_argument("--theme", choices=("dark", "light"), default="dark")
    rep.add_argument("--screenshot", help="save the window (1920x1080) to this PNG and exit")
    rep.add_argument("--quit-after", type=float, help="seconds before the screenshot / exit")
    _basemap_args(rep)


def _report_args(rpt: argparse.ArgumentParser) -> None:
    rpt.add_argument("files", nargs="+")
    rpt.add_argument("--out", required=True, help="PATH.pdf or PATH.html")
    rpt.add_argument("--lang", choices=("zh", "en"), default="zh")


def _kpi_report_args(kr: argparse.ArgumentParser) -> None:
    kr.add_argument("--backend", required=True, help="backend URL, e.g. http://127.0.0.1:8311")
    kr.add_argument("--user", default="demo-lead", help="an account that may read KPIs")
    kr.add_argument("--password", default="demo")
    kr.add_argument("--month", required=True, help="YYYY-MM (Hangzhou calendar month)")
    kr.add_argument("--out", required=True, help="PATH.pdf or PATH.xlsx")
    kr.add_argument("--lang", choices=("zh", "en"), default="zh")


def _export_args(exp: argparse.ArgumentParser) -> None:
    exp.add_argument("files", nargs="+")
    exp.add_argument("--out", required=True, help="the new shift-log file")
    exp.add_argument("--from", dest="start", help="ISO time, or YYYY-MM-DD HH:MM (Hangzhou)")
    exp.add_argument("--to", dest="end", help="ISO time, or YYYY-MM-DD HH:MM (Hangzhou)")


def _tiles_args(tiles: argparse.ArgumentParser) -> None:
    tiles.add_argument("action", choices=("build",), help="build: render the demo basemap")
    tiles.add_argument("--out", required=True, help="the MBTiles file to write (replaced)")
    tiles.add_argument("--theme", choices=("dark", "light"), default="dark")
    tiles.add_argument("--min-zoom", type=int, default=11)
    tiles.add_argument("--max-zoom", type=int, default=18)
    tiles.add_argument("--workers", type=int, default=2, help="render threads (default 2)")


def _period_args(exp: argparse.ArgumentParser) -> None:
    exp.add_argument(
        "--from", dest="start", required=True, help="ISO time, or YYYY-MM-DD HH:MM (Hangzhou)"
    )
    exp.add_argument(
        "--to", dest="end", required=True, help="ISO time, or YYYY-MM-DD HH:MM (Hangzhou)"
    )


def _export_track_args(exp: argparse.ArgumentParser) -> None:
    exp.add_argument("--vehicle", required=True, help="the vehicle id (as in the fleet panel)")
    _period_args(exp)
    exp.add_argument("--out", required=True, help="PATH.gpx (GPX 1.1) or PATH.geojson")
    exp.add_argument("--backend", help="backend URL, e.g. http://127.0.0.1:8311")
    exp.add_argument("--user", default="demo-lead", help="an account that may read tracks")
    exp.add_argument("--password", default="demo")
    exp.add_argument(
        "--log", nargs="+", metavar="FILE", help="read the track from shift logs instead"
    )


def _export_cases_args(exp: argparse.ArgumentParser) -> None:
    exp.add_argument("--backend", required=True, help="backend URL, e.g. http://127.0.0.1:8311")
    exp.add_argument("--user", default="demo-lead", help="an account that may read cases")
    exp.add_argument("--password", default="demo")
    _period_args(exp)
    exp.add_argument("--out", required=True, help="PATH.geojson, PATH.csv or PATH.xlsx")
    exp.add_argument("--lang", choices=("zh", "en"), default="zh", help="names and headers")


def _bench_args(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("which", nargs="?", default="all", choices=("all", *BENCHMARKS))
    bench.add_argument(
        "options",
        nargs=argparse.REMAINDER,
        help="the named benchmark's own options (bench NAME --help lists them)",
    )
    hostile = bench.add_argument_group("hostile (not in all; defaults 500, 50, 8, 1000, 30 s, 1)")
    for name, kind, what in (
        ("followers", int, "parked followers"),
        ("catchup", int, "followers catching up from seq 0"),
        ("logins", int, "login-flood loops"),
        ("slow", int, "slow sockets"),
        ("seconds", float, "seconds of load"),
        ("processes", int, "API processes (serve --workers N; needs --db postgresql://)"),
        ("http", str, "the backend's HTTP parser (serve --http: auto, httptools, h11)"),
    ):
        hostile.add_argument(f"--{name}", type=kind, help=what)


#: Every benchmark in tests/benchmarks (``bench_<name>.py``); ``all`` runs the quick ones.
#: Not in ``bench all``: minutes each, or a fleet of their own to seed.
LONG_BENCHMARKS = (
    "sim_pace",
    "wall_soak",
    "hostile",
    "scale",
    "backend_scale",
    "jt808",
    "tiles",
    "interop",
    "exports",
)
BENCHMARKS = (
    "basemap",
    "feed",
    "sync",
    "geo",
    "components",
    "kpi",
    "gui",
    "replay",
    "startup",
    *LONG_BENCHMARKS,
)


@dataclass(frozen=True)
class Command:
    run: Callable[[argparse.Namespace], int]
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    verbose: bool = True  # takes -v/--verbose


#: The subcommands: name -> what runs, its help, its arguments. ``console`` is the default.
COMMANDS: dict[str, Command] = {
    "serve": Command(cmd_serve, "run the reference backend", _backend_args(False, False)),
    "console": Command(
        cmd_console,
        "the console window (default command): embedded demo or --backend",
        _console_args,
    ),
    "wall": Command(
        cmd_wall, "the video wall: full-screen scenes on every screen (or --screens)", _wall_args
    ),
    "sim": Command(
        cmd_sim, "simulated field devices against a running backend (jt808: terminals)", _sim_args
    ),
    "record": Command(
        cmd_record, "follow a backend's feed into a shift-log file, with no window", _record_args
    ),
    "replay": Command(
        cmd_replay, "replay shift logs in the console window (no backend)", _replay_args
    ),
    "report": Command(
        cmd_report, "write the handover report (交接班报告) of shift logs", _report_args
    ),
    "kpi-report": Command(
        cmd_kpi_report,
        "write the monthly 考核 report (PDF or Excel) from a backend",
        _kpi_report_args,
    ),
    "users": Command(
        cmd_users,
        "add, re-password, disable, enable or list the backend's users",
        _users_args,
    ),
    "export": Command(cmd_export, "write a time range of shift logs to a new file", _export_args),
    "tiles": Command(
        cmd_tiles, "build the demo's offline basemap (MBTiles, zoom 11-18)", _tiles_args
    ),
    "export-track": Command(
        cmd_export_track,
        "write a vehicle's track for a period as GPX or GeoJSON (backend or shift logs)",
        _export_track_args,
    ),
    "export-cases": Command(
        cmd_export_cases,
        "write the cases reported in a period as GeoJSON, CSV or XLSX (backend)",
        _export_cases_args,
    ),
    "bench": Command(
        cmd_bench,
        "print the benchmarks (feed, sync, geo, components, kpi, gui, replay)",
        _bench_args,
        verbose=False,
    ),
}


class _UsageError(CommandError):
    """argparse refused the command line; ``prog`` is "main.py" or "main.py <command>"."""

    def __init__(self, prog: str, message: str, usage: str):
        super().__init__(message)
        self.prog, self.usage = prog, usage


class _Parser(argparse.ArgumentParser):
    """argparse's refusals go the one exit path too (instead of its own print-and-exit)."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(self.prog, message, self.format_usage())


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="main.py", description="智慧城管 command console")
    sub = p.add_subparsers(dest="command")
    for name, command in COMMANDS.items():
        sp = sub.add_parser(name, help=command.help)
        command.arguments(sp)
        if command.verbose:
            sp.add_argument("-v", "--verbose", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; its refusal (CommandError) is said once, as ``main.py <command>:
    <message>`` on stderr, with exit status 2; an unexpected failure is logged with its
    traceback and exits with 1."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["console", *argv]
    try:
        args = parser.parse_args(argv)
    except _UsageError as e:
        print(f"{e.usage}{e.prog}: {e}", file=sys.stderr)
        return 2
    _setup_logging(getattr(args, "verbose", False))
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command].run(args)
    except CommandError as e:
        print(f"main.py {args.command}: {e}", file=sys.stderr)
        return 2
    except Exception:
        logging.getLogger("main").exception("main.py %s failed", args.command)
        return 1


if __name__ == "__main__":
    sys.exit(main())
