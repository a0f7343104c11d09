"""Everything a request handler needs, built once per backend instance."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from console.clock import VirtualClock
from console.derived_cache import cached
from console.domain.calendar import WorkCalendar
from console.domain.categories import CategoryCatalog
from console.domain.china_time import CST
from console.domain.limits import TimeLimits
from console.domain.routing import RoutingTable
from console.domain.vehicle_rules import FleetRules, RuleConfig
from console.geo.district import District
from console.geo.geocode import Geocoder
from console.geo.grid import UnitGrid
from console.geo.inventory import ComponentIndex
from console.geo.roads import RoadNetwork

from .db import Database
from .duty import DutyBoard
from .feed import Notifier, Pacer, PageCache
from .login_guard import LoginGuard
from .seed import DEMO_FLEET_SIZE
from .shared_body import SharedBody
from .tokens import TokenCache

if TYPE_CHECKING:
    from .open311_client import Open311PullConfig
    from .traccar import TraccarConfig

#: How long a made snapshot still serves later requests at its seq (district seconds): what
#: moves with the clock alone (a light due but not yet re-stored, a parked case's 缓办 due,
#: a finished case leaving the live picture) stays within seconds of what the request would
#: have got.
SNAPSHOT_REUSE_S = 5.0


@dataclass
class Settings:
    """Backend settings (``python main.py serve`` flags map onto these)."""

    db_url: str = "sqlite:///var/zhcg.db"
    demo: bool = False
    clock: VirtualClock = field(default_factory=VirtualClock)
    token_ttl: timedelta = timedelta(hours=12)
    max_body_bytes: int = 1 << 20
    max_media_bytes: int = 4 << 20
    max_page: int = 500
    max_changes_per_poll: int = 2000
    max_wait_s: float = 60.0
    #: Long polls asleep at once; beyond it 503 + Retry-After. Each costs a socket (one file
    #: descriptor) and a few kB; 2,000 is four times the 500 consoles a district centre's
    #: biggest day was probed with, and start-up lowers it to the descriptors there are
    #: (``run.fd_headroom``).
    max_long_polls: int = 2000
    retain_changes: int = 200_000
    tick_seconds: float = 1.0
    escalate_after_minutes: float = 15.0
    open311_keys: frozenset[str] = frozenset()
    #: Keys of sensor platforms posting through Open311: their requests are filed as 物联感知
    #: (``iot``), the others' as 公众举报 (``public``).
    open311_iot_keys: frozenset[str] = frozenset()
    #: The GeoReport v2 ``jurisdiction_id`` this endpoint serves (a request naming another: 404).
    open311_jurisdiction: str = "hangzhou-shangcheng"
    idempotency_ttl: timedelta = timedelta(days=2)
    #: Vehicles seeded on a new database (``seed.fleet_mix``); a city-sized fleet is a
    #: simulator and benchmark option (``serve --demo --vehicles N``), the demo has 40.
    vehicles: int = DEMO_FLEET_SIZE
    #: A Traccar server whose devices' positions and events feed the backend (``traccar.py``).
    traccar: TraccarConfig | None = None
    #: A GeoReport v2 endpoint whose requests are pulled into intake (``open311_client.py``).
    open311_pull: Open311PullConfig | None = None
    #: ``serve --jt808 PORT``: the JT/T 808 gateway's TCP port (0: a free one), on
    #: ``jt808_host``; None runs no gateway (``jt808_gateway``, docs/jt808.md).
    jt808_port: int | None = None
    jt808_host: str = "127.0.0.1"


@dataclass
class Context:
    settings: Settings
    db: Database
    calendar: WorkCalendar
    limits: TimeLimits
    catalog: CategoryCatalog
    district: District
    grid: UnitGrid
    notifier: Notifier
    fleet: FleetRules
    pages: PageCache
    tokens: TokenCache = field(default_factory=TokenCache)
    #: Spreads the feed's fan-out over event-loop turns (see ``feed.Pacer``).
    pacer: Pacer = field(default_factory=Pacer)
    feed_id: str = ""
    #: ``/reference`` as (JSON bytes, ETag), built on first request (see reference.py).
    reference_cache: tuple[bytes, str] | None = None
    #: Which department a case goes to (``resources/routing.tsv``).
    routing: RoutingTable = field(default_factory=RoutingTable.load)
    #: Login throttles and the bounded password-hash pool (per process; login_guard.py).
    login_guard: LoginGuard = field(default_factory=LoginGuard)
    #: The gzip'd snapshot, made once for the consoles asking together (snapshot.py).
    snapshots: SharedBody = field(default_factory=lambda: SharedBody("snapshot", SNAPSHOT_REUSE_S))
    #: Supervisors' and officers' duty states (duty.py), loaded at start like ``fleet``.
    duty: DutyBoard = field(default_factory=DutyBoard)

    @functools.cached_property
    def components(self) -> ComponentIndex:
        """The 部件 inventory, derived from the district and its roads (see
        ``console.geo.inventory``); ``prepare`` builds it at start-up, or reads it from the
        disk cache (``console.derived_cache``)."""
        return cached(
            "components", lambda: ComponentIndex.build(self.district, self.grid, RoadNetwork.load())
        )

    @property
    def clock(self) -> VirtualClock:
        return self.settings.clock

    def now(self) -> datetime:
        """District time (compressed when simulating): SLA clocks, events, alerts."""
        return self.settings.clock.now()

    def uncovered_years(self) -> list[int]:
        """Years from today's district date to 30 days on without a holiday notice in the work
        calendar: their deadlines would count plain Monday–Friday, so this is published
        (``/api/v1/clock``) and logged instead of being silently assumed."""
        return self.calendar.uncovered_years(self.now().astimezone(CST).date())

    @staticmethod
    def wall_now() -> datetime:
        """Real time: token expiry and idempotency retention do not speed up with the sim."""
        return datetime.now(UTC)

    @functools.cached_property
    def geocoder(self) -> Geocoder:
        """Addresses from points and places from text (the shipped district's, like ``grid``),
        built on first use."""
        return Geocoder.load()

    @classmethod
    def build(cls, settings: Settings) -> Context:
        db = Database(settings.db_url)
        notifier = Notifier()
        return cls(
            settings=settings,
            db=db,
            calendar=WorkCalendar.default(),
            limits=TimeLimits.default(),
            catalog=CategoryCatalog.load(),
            district=District.load(),
            grid=UnitGrid.load(),
            notifier=notifier,
            fleet=FleetRules(RuleConfig()),
            pages=PageCache(db, notifier, settings.clock.now),
        )
