"""Open311 client: pull another system's GeoReport v2 service requests into intake.

``serve --open311-pull URL`` runs an ``Open311Pull`` thread inside the backend. Every
``every_s`` it asks the endpoint for ``requests.json`` (or ``.xml``) in ``start_date``/
``end_date`` windows of at most 90 days (the spec's limit on ``GET requests``), walking forward
from a watermark stored in the database, page by page where the server pages
(``page``/``page_size``, a common extension). Each request becomes a 公众举报 (``public``) case
through ``cases.create``, the same intake as the Open311 facade's ``POST requests``, with its
service code mapped to a category (``Open311PullConfig.category_of``).

Each request is imported once: ``open311_imports`` holds one row per (source, external id),
the unique key, so a re-poll and a restart find it there and create nothing; a changed
external status is recorded on the row (once per change), never on a second case. A request
whose point lies outside the district is not a case here: it is recorded on the row as
rejected with the reason and logged (a case must lie in a grid cell; an operator cannot
dispatch a street in another city). A request without ``service_request_id`` (Chicago sends
them before their id is assigned) is skipped without a row, so it is imported once it has one.
Any failure of a poll (HTTP error, HTML, a body that is neither JSON nor XML) is logged and
leaves the watermark where it was: the next poll asks for the same window again.

Status back to the other system: GeoReport v2 has no way to update a request's status (only
``POST requests`` to create one), so this client pushes nothing back; docs/interop.md says so.

The spec's quirks handled (GeoReport v2, wiki.open311.org, copied in tests/fixtures/open311/):
its own JSON examples write ``"service_code":006`` (not valid JSON): bare numbers with leading
zeros are read as the strings they are; ids may be numbers or strings; statuses other than
``open``/``closed`` (FixMyStreet's ``investigating``, ``in_progress``, ``fixed``) are kept
as sent; XML (as SF311 serves it) is read as well as JSON.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import String, Text, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from console.domain.workflow import Actor

from . import cases
from .context import Context
from .db import Base, Meta
from .errors import ApiError
from .open311 import MAX_WINDOW, PUBLIC_SERVICES, SYSTEM_USER
from .source_thread import HTTP_TIMEOUT_S, SourceThread

log = logging.getLogger(__name__)

#: A page of this many requests; fewer back means the last page.
PAGE_SIZE = 100
#: Pages read per window at most (a server ignoring ``page`` that sends the same page again is
#: detected before this; the cap bounds a server paging without end).
MAX_PAGES = 200
#: The watermark moves to a finished window's end less this much: a request the other system
#: files late (its clock behind, or a slow commit) is still inside the next window.
OVERLAP = timedelta(hours=1)
#: Where a first poll starts when no watermark is stored (one window).
FIRST_WINDOW = MAX_WINDOW
#: The category an unmapped service code gets: 暴露垃圾 (06010), the first and commonest of the
#: public's services (``open311.PUBLIC_SERVICES``); the note says the code was not mapped,
#: so the 受理员 corrects the category at 受理 (``Shift+A``).
DEFAULT_CATEGORY = PUBLIC_SERVICES[0]
MAX_ID = 100
#: Statuses that mean the other system is done with a request (GeoReport v2's ``closed``, and
#: FixMyStreet's extended ``fixed`` and ``duplicate``): first seen in one of these, a request is
#: recorded but becomes no case (nothing is left to do here).
CLOSED_STATUSES = frozenset({"closed", "fixed", "duplicate"})
#: Bare JSON numbers with a leading zero (``"service_code":006``, the spec's own examples):
#: quoted, so they are read as the strings they are meant to be.
_LEADING_ZERO = re.compile(r"(?<=[:\[,])(\s*)(-?0\d+)(?=\s*[,\]}])")


class Open311Import(Base):
    """One external request seen by the pull: the case it became, or why it did not."""

    __tablename__ = "open311_imports"
    #: ``open311:<host>`` of the endpoint pulled.
    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(MAX_ID), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    #: ``case``, or ``rejected`` (``reason`` says why: outside the district, no location).
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    external_status: Mapped[str] = mapped_column(String(40), default="")
    external_updated: Mapped[str] = mapped_column(String(40), default="")
    first_seen_at: Mapped[datetime]
    last_changed_at: Mapped[datetime]


@dataclass(frozen=True)
class Open311PullConfig:
    """``serve --open311-pull URL [--open311-pull-key K] [--open311-every S]
    [--open311-pull-jurisdiction J] [--open311-map FILE]``. ``url`` is the endpoint's base
    (``…/open311/v2/``), to which ``requests.json`` is appended."""

    url: str
    key: str | None = None
    every_s: float = 300.0
    jurisdiction: str | None = None
    fmt: str = "json"
    #: External service code -> the project's category code.
    codes: dict[str, str] = field(default_factory=dict)
    default_category: str = DEFAULT_CATEGORY
    page_size: int = PAGE_SIZE

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"the Open311 URL must be http:// or https://, not {self.url!r}")
        if self.fmt not in ("json", "xml"):
            raise ValueError("the Open311 format is json or xml")
        if self.every_s <= 0:
            raise ValueError("--open311-every must be above 0 seconds")

    @property
    def source(self) -> str:
        return f"open311:{urlsplit(self.url).netloc}"[:100]

    def category_of(self, code: str, catalog: Any) -> tuple[str, bool]:
        """(category, mapped?): the mapping table first; then a code that is one of our
        public services (a peer running this project's facade, or any GB/T 47678.5 city);
        else the default, unmapped."""
        mapped = self.codes.get(code)
        if mapped in catalog:
            return str(mapped), True
        if code in PUBLIC_SERVICES and code in catalog:
            return code, True
        return self.default_category, False


def load_code_map(path: str, catalog: Any) -> tuple[dict[str, str], str | None]:
    """The mapping file: JSON ``{"codes": {"006": "06012", ...}, "default": "06010"}``. A
    category that is not in the catalog is refused here, at start-up, not at the first poll."""
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        codes = {str(k): str(v) for k, v in (raw.get("codes") or {}).items()}
        default = raw.get("default")
    except (OSError, ValueError, AttributeError) as e:
        raise ValueError(f"{path}: not a mapping file ({e})") from None
    for k, v in [*codes.items(), *([("default", default)] if default else [])]:
        if v not in catalog:
            raise ValueError(f"{path}: {k!r} maps to {v!r}, which is not a category")
    return codes, (str(default) if default else None)


class FetchError(Exception):
    """The endpoint's answer could not be read as requests (status, HTML, malformed body)."""


# ---- reading the answer --------------------------------------------------------------------
def lenient_json(text: str) -> Any:
    """JSON, or the spec's almost-JSON (``"service_code":006``)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(_LEADING_ZERO.sub(r'\1"\2"', text))
    except ValueError as e:
        raise FetchError(f"malformed JSON: {e}") from None


def _xml_rows(text: str) -> list[dict[str, Any]]:
    # No document type: a GeoReport answer never needs one, and refusing it leaves no room
    # for entity expansion (a "billion laughs" body) in the parser.
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        if re.search(r"<!DOCTYPE\s+html", text, re.IGNORECASE):
            raise FetchError("an HTML page instead of GeoReport XML")
        raise FetchError("XML with a document type (refused)")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        raise FetchError(f"malformed XML: {e}") from None
    if root.tag in ("errors", "error"):
        raise FetchError("the server answered an error: " + " ".join(root.itertext()).strip()[:200])
    if root.tag == "html":
        raise FetchError("an HTML page instead of GeoReport XML")
    return [{c.tag: (c.text or "").strip() for c in item} for item in root]


def parse_requests(body: bytes) -> list[dict[str, Any]]:
    """The request documents of a ``GET requests`` answer, JSON or XML, by what it holds (a
    server's content type is often wrong)."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text[:1] == "<":
        if re.match(r"<(!DOCTYPE\s+html|html)", text, re.IGNORECASE):
            raise FetchError("an HTML page instead of GeoReport JSON or XML")
        return _xml_rows(text)
    if text[:1] not in ("[", "{"):
        raise FetchError(f"neither JSON nor XML: {text[:40]!r}")
    data = lenient_json(text)
    if isinstance(data, dict):  # some servers wrap the list
        data = data.get("service_requests", data.get("requests"))
    if not isinstance(data, list):
        raise FetchError("the body is not a list of requests")
    rows = [r for r in data if isinstance(r, dict)]
    if rows and all(
        {"code", "description"} <= r.keys() and "service_request_id" not in r for r in rows
    ):
        # The spec's error list, sent by some servers with 200.
        raise FetchError(
            "the server answered an error: " + "; ".join(str(r["description"]) for r in rows)[:200]
        )
    return rows


def error_text(r: requests.Response) -> str:
    """What an error answer says: the spec's error list (``[{code, description}]`` or
    ``<errors>``) as one line, or why the body is not one."""
    try:
        rows = parse_requests(r.content)
    except FetchError as e:
        return str(e)[:200]
    return "; ".join(str(x) for x in rows)[:200] or "an empty body"


def _text(v: object, limit: int) -> str:
    return "" if v is None else str(v).strip()[:limit]


def _number(v: object) -> float | None:
    try:
        x = float(str(v))
    except (TypeError, ValueError):
        return None
    return x if abs(x) < 1e6 else None


# ---- the pull ------------------------------------------------------------------------------
@dataclass
class PollResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    error: str | None = None


class Open311Pull(SourceThread):
    """One GeoReport v2 endpoint pulled every ``every_s`` for the backend's lifetime."""

    def __init__(self, ctx: Context, cfg: Open311PullConfig):
        super().__init__(ctx, "open311-pull", cfg.url, [cfg.key])
        self.cfg = cfg
        self.url = cfg.url.rstrip("/") + f"/requests.{cfg.fmt}"
        self.watermark_key = f"open311_pull:{cfg.source}"[:64]
        self.polls: list[PollResult] = []

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.polls.append(self.poll())
            except Exception:  # a bug or a dead database: the next poll tries again
                log.exception("Open311 pull %s failed", self.cfg.source)
            self._stop_event.wait(self.cfg.every_s)

    def poll(self) -> PollResult:
        """Walk the windows from the watermark to now; stop at the first failure (the
        watermark stays at the last finished window, so nothing is skipped)."""
        res = PollResult()
        now = self.ctx.now()
        start = self._watermark() or now - FIRST_WINDOW
        while start < now and not self._stop_event.is_set():
            end = min(start + MAX_WINDOW, now)
            try:
                self._window(start, end, res)
            except (FetchError, requests.RequestException) as e:
                res.error = self.failed(str(e))
                log.warning(
                    "Open311 pull %s: window %s–%s not read, retried at the next poll: %s",
                    self.cfg.source,
                    start.isoformat(),
                    end.isoformat(),
                    res.error,
                )
                break
            self._set_watermark(max(start, end - OVERLAP) if end >= now else end)
            start = end
        if res.error is None:
            self.succeeded()
        log.info(
            "Open311 pull %s: %d new cases, %d status changes, %d unchanged, %d rejected, %d skipped",
            self.cfg.source,
            res.created,
            res.updated,
            res.unchanged,
            res.rejected,
            res.skipped,
        )
        return res

    def _window(self, start: datetime, end: datetime, res: PollResult) -> None:
        previous: list[str] | None = None
        for page in range(1, MAX_PAGES + 1):
            rows = self._fetch(start, end, page)
            ids = [_text(r.get("service_request_id"), MAX_ID) for r in rows]
            if previous is not None and ids == previous:
                return  # the server ignores ``page``: this is the first page again
            self.take(rows, res)
            if len(rows) < self.cfg.page_size:
                return
            previous = ids
        log.warning(
            "Open311 pull %s: stopped after %d pages of one window", self.cfg.source, MAX_PAGES
        )

    def _fetch(self, start: datetime, end: datetime, page: int) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "page": page,
            "page_size": self.cfg.page_size,
        }
        if self.cfg.jurisdiction:
            params["jurisdiction_id"] = self.cfg.jurisdiction
        if self.cfg.key:
            params["api_key"] = self.cfg.key
        r = self.http.get(self.url, params=params, timeout=HTTP_TIMEOUT_S)
        if r.status_code != 200:
            raise FetchError(f"HTTP {r.status_code}: {error_text(r)}")
        return parse_requests(r.content)

    def take(self, rows: list[dict[str, Any]], res: PollResult) -> None:
        """One page of requests: what was seen before and has not changed is known from one
        query (most of a re-poll), the rest goes one request per write transaction."""
        ids = [_text(r.get("service_request_id"), MAX_ID) for r in rows]
        with self.ctx.db.read() as s:
            known = {
                x.external_id: (x.external_status, x.external_updated)
                for x in s.scalars(
                    select(Open311Import).where(
                        Open311Import.source == self.cfg.source,
                        Open311Import.external_id.in_(sorted({i for i in ids if i})),
                    )
                )
            }
        for r, ext_id in zip(rows, ids, strict=True):
            state = (_text(r.get("status"), 40), _text(r.get("updated_datetime"), 40))
            if ext_id and known.get(ext_id) == state:
                res.unchanged += 1
            else:
                self._one(r, res)

    def _one(self, r: dict[str, Any], res: PollResult) -> None:
        ext_id = _text(r.get("service_request_id"), MAX_ID)
        if not ext_id:
            res.skipped += 1
            log.info(
                "Open311 pull %s: a request without service_request_id skipped (imported once it has one)",
                self.cfg.source,
            )
            return
        status = _text(r.get("status"), 40)
        updated = _text(r.get("updated_datetime"), 40)
        try:
            self._store(ext_id, r, status, updated, res)
        except ApiError as e:  # intake refused it: recorded with the reason, not retried
            self._record(ext_id, f"refused by intake: {e.message}", status, updated)
            res.rejected += 1
            log.warning(
                "Open311 pull %s: request %s refused by intake: %s",
                self.cfg.source,
                ext_id,
                e.message,
            )
        except DBAPIError:
            raise  # the database, not the request: the poll stops, the window is asked again
        except Exception as e:
            # A request this code cannot take (a bug that odd data shows): recorded with the
            # error, so one request does not stop every later poll at the same place.
            log.exception("Open311 pull %s: request %s failed in intake", self.cfg.source, ext_id)
            self._record(ext_id, f"intake failed: {type(e).__name__}: {e}", status, updated)
            res.rejected += 1

    def _store(
        self, ext_id: str, r: dict[str, Any], status: str, updated: str, res: PollResult
    ) -> None:
        now = self.ctx.now()
        with self.ctx.db.write() as s:
            row = s.get(Open311Import, (self.cfg.source, ext_id))
            if row is not None:
                if (row.external_status, row.external_updated) == (status, updated):
                    res.unchanged += 1
                    return
                log.info(
                    "Open311 pull %s: request %s is now %r (was %r; case %s)",
                    self.cfg.source,
                    ext_id,
                    status,
                    row.external_status,
                    row.case_id,
                )
                row.external_status, row.external_updated, row.last_changed_at = (
                    status,
                    updated,
                    now,
                )
                res.updated += 1
                return
            if status.lower() in CLOSED_STATUSES:
                case_id, reason = None, f"already {status} at the source"
            else:
                case_id, reason = self._intake(s, ext_id, r)
            s.add(self._row(ext_id, case_id, reason, status, updated))
        if case_id:
            res.created += 1
        else:
            res.rejected += 1
            log.warning(
                "Open311 pull %s: request %s not taken in: %s", self.cfg.source, ext_id, reason
            )

    def _row(
        self, ext_id: str, case_id: str | None, reason: str, status: str, updated: str
    ) -> Open311Import:
        now = self.ctx.now()
        return Open311Import(
            source=self.cfg.source,
            external_id=ext_id,
            case_id=case_id,
            outcome="case" if case_id else "rejected",
            reason=reason,
            external_status=status,
            external_updated=updated,
            first_seen_at=now,
            last_changed_at=now,
        )

    def _record(self, ext_id: str, reason: str, status: str, updated: str) -> None:
        """Record a request intake refused (a separate transaction: the refused one rolled back)."""
        with self.ctx.db.write() as s:
            s.add(self._row(ext_id, None, reason, status, updated))

    def _intake(self, s: Session, ext_id: str, r: dict[str, Any]) -> tuple[str | None, str]:
        """The case a request becomes (its id), or None and why not."""
        ctx = self.ctx
        lat, lon = _number(r.get("lat")), _number(r.get("long"))
        said = _text(r.get("address"), 300)
        if lat is None or lon is None:
            found = ctx.geocoder.search(said, 1) if said else []
            if not found:
                return None, "no lat/long and no address found in the district"
            lon, lat = found[0]["lon"], found[0]["lat"]
        if ctx.grid.cell_code(lon, lat) is None:
            return None, f"outside the district ({lat:.5f}, {lon:.5f})"
        code = _text(r.get("service_code"), 40)
        name = _text(r.get("service_name"), 100)
        category, mapped = self.cfg.category_of(code, ctx.catalog)
        note = [f"Open311 {self.cfg.source} 外部编号 {ext_id}（{code} {name}）".strip()]
        if not mapped:
            note.append(f"外部服务代码 {code or '（无）'} 未映射，请受理时更正类别")
        if said:
            note.append(f"所述地址：{said}")
        media = _text(r.get("media_url"), 500)
        body = {
            "source": "public",
            "category_code": category,
            "location": {"lon": lon, "lat": lat},
            "urgency": "normal",
            "address": "",
            "description": (_text(r.get("description"), 2000) or name)[:2000],
            "photos": [media] if media.startswith(("http://", "https://")) else [],
            "note": "；".join(note)[:1000],
        }
        doc = cases.create(ctx, s, Actor(SYSTEM_USER, frozenset({"operator"})), "operator", body)
        return str(doc["id"]), ""

    def _watermark(self) -> datetime | None:
        with self.ctx.db.read() as s:
            row = s.get(Meta, self.watermark_key)
        return datetime.fromisoformat(row.value) if row else None

    def _set_watermark(self, t: datetime) -> None:
        with self.ctx.db.write() as s:
            row = s.get(Meta, self.watermark_key)
            if row is None:
                s.add(Meta(key=self.watermark_key, value=t.isoformat()))
            else:
                row.value = t.isoformat()
