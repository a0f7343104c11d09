"""The 量化考核 board's numbers: periods, ranking, trends and sparklines, built from the
``GET /api/v1/kpis`` answers (the wire contract: rows with per-indicator numerator,
denominator and value, a score and a grade, and the indicators' ``definitions``).

The board and the monthly report (``widgets``) and the command line all go through here, so
they rank, compare and ask for drill-down the same way. Nothing here computes an indicator:
the backend does, with ``console.domain.kpi``; in a replay (no backend) ``local_get`` answers
the same requests from the shift log's cases with those same domain functions.

Choices, each with its reason:
- Periods are Hangzhou calendar units (the centre's 日/周/月 考核, DOMAIN.md): today from 00:00,
  this week from Monday 00:00, this month from the 1st, each up to *now*; a custom period is
  [from, to).
- The trend compares like with like: the previous period is the same stretch of the previous
  unit (today until 10:30 against yesterday until 10:30; the first 12 days of this month
  against the first 12 days of the last), so a morning is not compared with a whole day; a
  whole month is compared with the whole previous month (October's 31 days, not 30); a
  custom period is compared with the same length just before it.
- The sparkline is the score per day of the period; a one-day period shows the 7 days ending
  with it, since a single point says nothing.
- The ranking is by score, highest first; a row without a score (no denominator anywhere)
  comes last; equal scores share a rank (competition ranking, "1, 2, 2, 4").
- Roles (监督员, 受理员, 派遣员, 值班长) are one ``by=user`` request filtered by each row's
  assessed ``role``.
- 人员在岗 (``by=duty``, per 街道) and 河段 (``by=river``) are counted from time, not cases
  (``console.domain.kpi_time``): the same rows, trend and sparklines, but a cell's drill-down
  lists *items* (person-days, segment-days) from ``/api/v1/kpis/items``, not case ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.domain.china_time import CST

KPIS_PATH = "/api/v1/kpis"
CASES_PATH = "/api/v1/kpis/cases"
ITEMS_PATH = "/api/v1/kpis/items"

#: Board grouping → (the API's ``by``, the assessed role the rows are filtered by).
GROUPS: dict[str, tuple[str, str | None]] = {
    "department": ("department", None),
    "street": ("street", None),
    "community": ("community", None),
    "grid": ("grid", None),
    "supervisor": ("user", "supervisor"),
    "operator": ("user", "operator"),
    "dispatcher": ("user", "dispatcher"),
    "shift_lead": ("user", "shift_lead"),
    "duty": ("duty", None),
    "river": ("river", None),
}
#: The groupings whose numbers stand on items, not cases (their drill-down: ``items_request``):
#: what each item is.
ITEM_GROUPS = {"duty": "person_day", "river": "segment_day"}
PERIODS = ("today", "week", "month", "custom")
SPARK_MIN_DAYS = 7

#: ``get(path, params)`` → the decoded JSON answer (a session's fetch, a RestClient, or
#: ``local_get`` over a shift log's cases).
Get = Callable[[str, dict[str, str]], dict[str, Any]]


class BoardError(ValueError):
    """A period or grouping that cannot be asked for (said to the operator, not crashed)."""


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    kind: str = "custom"

    def params(self) -> dict[str, str]:
        return {"from": _iso(self.start), "to": _iso(self.end)}

    def previous(self) -> Period:
        """The same stretch of the previous unit (see the module's docstring)."""
        length = self.end - self.start
        if self.kind == "today":
            start = self.start - timedelta(days=1)
        elif self.kind == "week":
            start = self.start - timedelta(days=7)
        elif self.kind == "month":
            local = self.start.astimezone(CST)
            start = (local - timedelta(days=1)).replace(day=1)
            whole = self.end >= (local + timedelta(days=32)).replace(day=1)
            end = self.start if whole else min(start + length, self.start)
            return Period(start, end, "previous")  # a whole month: the whole previous one
        else:
            start = self.start - length
        return Period(start, start + length, "previous")

    def days(self) -> list[Period]:
        """The sparkline's days: each Hangzhou day of the period (at least the last 7)."""
        first = self.start.astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
        last = self.end - timedelta(microseconds=1)
        n = (last.astimezone(CST).date() - first.date()).days + 1
        if n < SPARK_MIN_DAYS:
            first -= timedelta(days=SPARK_MIN_DAYS - n)
            n = SPARK_MIN_DAYS
        out = []
        for i in range(n):
            d0 = first + timedelta(days=i)
            out.append(Period(d0, min(d0 + timedelta(days=1), self.end), "day"))
        return out


def period(
    kind: str, now: datetime, start: datetime | None = None, end: datetime | None = None
) -> Period:
    """The board's period of ``kind`` at ``now`` (aware); ``custom`` takes ``start``/``end``."""
    local = now.astimezone(CST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "today":
        return Period(midnight, now, kind)
    if kind == "week":
        return Period(midnight - timedelta(days=local.weekday()), now, kind)
    if kind == "month":
        return Period(midnight.replace(day=1), now, kind)
    if kind == "custom":
        if start is None or end is None or end <= start:
            raise BoardError("a custom period needs a start before its end")
        return Period(start, end, kind)
    raise BoardError(f"unknown period {kind!r}; one of {PERIODS}")


def month_period(month: str, now: datetime | None = None) -> Period:
    """``YYYY-MM`` as a Hangzhou calendar month (up to ``now`` if it has not ended)."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=CST)
    except ValueError as e:
        raise BoardError(f"month {month!r}: expected YYYY-MM, e.g. 2026-11") from e
    end = (start + timedelta(days=32)).replace(day=1)
    if now is not None:
        if now <= start:
            raise BoardError(f"month {month} has not begun")
        end = min(end, now)
    return Period(start, end, "month")


# ---- requests ------------------------------------------------------------------------------
def _by(group: str) -> tuple[str, str | None]:
    try:
        return GROUPS[group]
    except KeyError:
        raise BoardError(f"unknown grouping {group!r}; one of {tuple(GROUPS)}") from None


def kpi_request(group: str, p: Period) -> tuple[str, dict[str, str]]:
    return KPIS_PATH, {"by": _by(group)[0], **p.params()}


def cases_request(
    group: str, key: str, indicator: str, part: str, p: Period
) -> tuple[str, dict[str, str]]:
    """The drill-down of one cell: the cases in its numerator or denominator."""
    if part not in ("numerator", "denominator"):
        raise BoardError(f"part must be numerator or denominator, not {part!r}")
    by = _by(group)[0]
    return CASES_PATH, {"by": by, "key": key, "indicator": indicator, "part": part, **p.params()}


def items_request(group: str, key: str, indicator: str, p: Period) -> tuple[str, dict[str, str]]:
    """The drill-down of one cell of a time-counted grouping: its person-days or segment-days."""
    if group not in ITEM_GROUPS:
        raise BoardError(f"{group!r} is counted from cases: ask cases_request")
    return ITEMS_PATH, {"by": _by(group)[0], "key": key, "indicator": indicator, **p.params()}


# ---- the board -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    numerator: int
    denominator: int
    value: float | None


@dataclass
class BoardRow:
    key: str
    name: str
    role: str | None
    score: float | None
    grade: str | None
    cells: dict[str, Cell]
    rank: int = 0
    previous_score: float | None = None
    spark: list[float | None] = field(default_factory=list)

    @property
    def delta(self) -> float | None:
        """Score points against the previous period (None when either is missing)."""
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)


@dataclass
class Board:
    group: str
    period: Period
    previous: Period | None
    indicators: list[str]  # column order: the definitions' order, those the rows carry
    definitions: dict[str, dict[str, Any]]
    rows: list[BoardRow]
    days: list[Period] = field(default_factory=list)


def _rows(payload: Mapping[str, Any], role: str | None) -> list[Mapping[str, Any]]:
    rows = payload.get("rows") or []
    return [r for r in rows if role is None or r.get("role") == role]


def _score_by_key(payload: Mapping[str, Any] | None, role: str | None) -> dict[str, float | None]:
    return {} if payload is None else {str(r["key"]): r.get("score") for r in _rows(payload, role)}


def build_board(
    group: str,
    p: Period,
    payload: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
    daily: Iterable[Mapping[str, Any]] = (),
    days: list[Period] | None = None,
    previous_period: Period | None = None,
) -> Board:
    """The board from one ``/api/v1/kpis`` answer, the previous period's (for the trend) and
    one answer per day (for the sparklines)."""
    role = _by(group)[1]
    definitions: dict[str, dict[str, Any]] = dict(payload.get("definitions") or {})
    before = _score_by_key(previous, role)
    per_day = [_score_by_key(d, role) for d in daily]
    rows = []
    seen: set[str] = set()
    for r in _rows(payload, role):
        key = str(r["key"])
        cells = {
            i: Cell(int(c.get("numerator") or 0), int(c.get("denominator") or 0), c.get("value"))
            for i, c in (r.get("indicators") or {}).items()
        }
        seen.update(cells)
        rows.append(
            BoardRow(
                key=key,
                name=str(r.get("name") or key),
                role=r.get("role"),
                score=r.get("score"),
                grade=r.get("grade"),
                cells=cells,
                previous_score=before.get(key),
                spark=[d.get(key) for d in per_day],
            )
        )
    rows.sort(key=lambda x: (x.score is None, -(x.score or 0.0), x.name, x.key))
    for i, row in enumerate(rows):
        same = i and rows[i - 1].score == row.score and row.score is not None
        row.rank = rows[i - 1].rank if same else i + 1
    order = [i for i in definitions if i in seen] + sorted(seen - set(definitions))
    return Board(group, p, previous_period, order, definitions, rows, days or [])


def fetch_board(get: Get, group: str, p: Period, sparklines: bool = True) -> Board:
    """Ask for everything one board needs (blocking: call it in a worker). Answers are
    shared between requests that are the same (the four roles share one ``by=user``)."""
    ask = _memo(get)
    prev = p.previous()
    days = p.days() if sparklines else []
    return build_board(
        group,
        p,
        ask(*kpi_request(group, p)),
        ask(*kpi_request(group, prev)),
        [ask(*kpi_request(group, d)) for d in days],
        days,
        prev,
    )


def fetch_boards(get: Get, groups: Iterable[str], p: Period) -> list[Board]:
    """The monthly report's boards (no sparklines: the report draws its own charts). A group
    the source cannot answer (``LocalUnavailable``: a replay's 在岗率 over a month) is left
    out; the caller compares the boards' groups with those it asked for and says so."""
    ask = _memo(get)
    out = []
    for g in groups:
        try:
            out.append(fetch_board(ask, g, p, sparklines=False))
        except LocalUnavailable:
            continue
    return out


def _memo(get: Get) -> Get:
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]] = {}

    def ask(path: str, params: dict[str, str]) -> dict[str, Any]:
        k = (path, tuple(sorted(params.items())))
        if k not in seen:
            seen[k] = get(path, params)
        return seen[k]

    return ask


# ---- replay: the same requests answered from a shift log's cases ---------------------------
class LocalUnavailable(BoardError):
    """What a replay cannot answer without the backend (said visibly on the board)."""


#: ``rows(start, end, by)``: the rows of ``/api/v1/kpis`` (``console.replay.kpis.state_kpis``).
Rows = Callable[[datetime, datetime, str], list[dict[str, Any]]]
#: ``case_ids(start, end, by, key, indicator, part)``: one cell's cases
#: (``console.domain.kpi.kpi_cases`` over the same cases).
CaseIds = Callable[[datetime, datetime, str, str, str, str], list[str]]
#: ``items(start, end, by, key, indicator)``: one time-counted cell's items
#: (``console.domain.kpi_time`` over the same records).
Items = Callable[[datetime, datetime, str, str, str], list[dict[str, Any]]]


def local_get(
    rows: Rows,
    case_ids: CaseIds | None,
    definitions: Mapping[str, Any],
    items: Items | None = None,
) -> Get:
    """A ``Get`` answering the board's requests without a backend, from functions over the
    cases and records a replay holds (the backend's own domain functions), so the board
    cannot tell the difference; ``case_ids`` or ``items`` None: that drill-down is refused
    with a reason."""

    def get(path: str, params: dict[str, str]) -> dict[str, Any]:
        start = datetime.fromisoformat(params["from"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(params["to"].replace("Z", "+00:00"))
        by = params["by"]
        if path == KPIS_PATH:
            return {"from": params["from"], "to": params["to"], "by": by,
                    "rows": rows(start, end, by), "definitions": dict(definitions)}  # fmt: skip
        if path == CASES_PATH and case_ids is not None:
            ids = case_ids(start, end, by, params["key"], params["indicator"], params["part"])
            return {"case_ids": list(ids)}
        if path == ITEMS_PATH and items is not None:
            return {"items": items(start, end, by, params["key"], params["indicator"])}
        raise LocalUnavailable(f"{path} is not answered in a replay")

    return get
