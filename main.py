"""智慧城管 command console: command-line entry point.

python main.py                      the embedded demo: backend + district simulator
                                    (+ the console window once it lands)
python main.py serve [--demo] [--simulate] [--speed N] [--port P] [--db URL]
python main.py record --backend URL --user U --password P --out FILE
                                    follow a backend's feed into a shift log, no window
python main.py bench [feed|sync|geo] benchmarks (all by default)
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEMO_DB = ROOT / "var" / "demo.db"


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )


def _db_url(args) -> str:
    if args.db:
        return args.db
    if args.demo:
        # The demo starts a fresh district every time: yesterday's demo cases would only
        # confuse today's SLA clocks.
        DEMO_DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(DEMO_DB) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{DEMO_DB}"
    (ROOT / "var").mkdir(exist_ok=True)
    return f"sqlite:///{ROOT / 'var' / 'zhcg.db'}"


def _settings(args):
    from console.clock import VirtualClock
    from console.domain.calendar import WorkCalendar
    from console.server.context import Settings
    from console.server.seed import DEMO_OPEN311_KEY
    from console.sim.timebase import simulation_start

    if args.simulate:
        start = (
            datetime.fromisoformat(args.start)
            if args.start
            else simulation_start(WorkCalendar.default(), args.speed)
        )
        clock = VirtualClock(speed=args.speed, start=start)
    else:
        clock = VirtualClock()
    keys = set(args.open311_key or [])
    if args.demo:
        keys.add(DEMO_OPEN311_KEY)
    return Settings(db_url=_db_url(args), demo=args.demo, clock=clock, open311_keys=frozenset(keys))


def cmd_serve(args) -> int:
    from console.server.run import BackendThread, serve

    settings = _settings(args)
    if not args.simulate:
        serve(settings, args.host, args.port)
        return 0
    from console.sim.district import DistrictSimulator, SimConfig

    backend = BackendThread(settings, host=args.host, port=args.port).start()
    logging.getLogger("main").info(
        "backend on %s (clock %sx from %s)",
        backend.url,
        args.speed,
        settings.clock.now().isoformat(),
    )
    sim = DistrictSimulator(
        backend.url, settings.clock, SimConfig(seed=args.seed, auto_centre=not args.no_auto_centre)
    )
    try:
        sim.run(hours=args.hours)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        logging.getLogger("main").info("simulator summary: %s", sim.summary())
        backend.stop()
    return 0


def cmd_bench(args) -> int:
    import runpy

    for name in ("feed", "sync", "geo") if args.which == "all" else (args.which,):
        print(f"== bench {name} ==", flush=True)
        bench = runpy.run_path(str(ROOT / "tests" / "benchmarks" / f"bench_{name}.py"))
        if name == "feed":
            bench["main"](["--db", args.db] if args.db else [])
        elif name == "sync":
            bench["main"]([])
        else:
            bench["main"]()
    return 0


def cmd_record(args) -> int:
    from console.sync.recorder import record

    return record(
        args.backend,
        args.user,
        args.password,
        args.out,
        status_every_s=args.status_every,
        checkpoint_every=args.checkpoint_every,
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="智慧城管 command console")
    sub = p.add_subparsers(dest="command")

    def backend_flags(sp, demo_default: bool, simulate_default: bool) -> None:
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
            help="run the district simulator against the backend",
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
            "--no-auto-centre",
            action="store_true",
            help="leave accept/register/dispatch/close to human operators",
        )
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, default=8311)
        sp.add_argument(
            "--db",
            help="database URL (default: SQLite under var/); postgresql://... for PostgreSQL",
        )
        sp.add_argument("-v", "--verbose", action="store_true")
        sp.add_argument(
            "--open311-key", action="append", help="an accepted Open311 api_key (repeatable)"
        )

    backend_flags(sub.add_parser("serve", help="run the reference backend"), False, False)
    demo = sub.add_parser("demo", help="the embedded demo (default command)")
    backend_flags(demo, True, True)
    rec = sub.add_parser(
        "record", help="follow a backend's feed into a shift-log file, with no window"
    )
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
        default=20_000,
        help="write a state checkpoint every N changes (a batch of fixes counts its fixes)",
    )
    rec.add_argument("-v", "--verbose", action="store_true")
    bench = sub.add_parser("bench", help="print the benchmarks (feed, console sync, geo)")
    bench.add_argument("which", nargs="?", default="all", choices=("all", "feed", "sync", "geo"))
    bench.add_argument("--db", help="PostgreSQL URL to benchmark besides SQLite")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["demo", *argv]
    args = parser.parse_args(argv)
    _setup_logging(getattr(args, "verbose", False))
    if args.command in ("serve", "demo"):
        if args.simulate and not (1 <= args.speed <= 60):
            parser.error("--speed must be between 1 and 60")
        return cmd_serve(args)
    if args.command == "record":
        return cmd_record(args)
    if args.command == "bench":
        return cmd_bench(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
