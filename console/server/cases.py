"""Case services: create, act, read, list; each write emits the full case as a change.

The workflow itself is ``console.domain.case.apply_action``; this module adds what only the
authority can do: location checks against the real district, case numbers, optimistic
versions, storage, SLA-light bookkeeping and the case alerts that follow from the light.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from console.domain.case import Case, apply_action, new_case
from console.domain.china_time import CST, day_start, per_hour
from console.domain.sensor_kinds import back_to_normal_error
from console.domain.workflow import (
    REPORT_ROLES,
    SOURCE_ROLES,
    TERMINAL_STATES,
    Action,
    Actor,
    Source,
    State,
)

from . import case_alerts, components, feed, supervisors
from .alerts import next_id
from .context import Context
from .db import CaseRow, Department, Sensor, as_utc
from .errors import ApiError

OPEN_CASE_STATES = tuple(st.value for st in State if st not in TERMINAL_STATES)


def case_doc(ctx: Context, case: Case, now: datetime) -> dict:
    return case.to_dict(now, ctx.calendar, ctx.limits)


def _store(ctx: Context, s: Session, case: Case, now: datetime, row: CaseRow | None) -> dict:
    """Write the case row, emit the change, and bring its SLA alerts in line with its light."""
    doc = case_doc(ctx, case, now)
    if row is None:
        row = CaseRow(id=case.id)
        s.add(row)
    row.state = case.state
    row.version = case.version
    row.source = case.source
    row.category_code = case.category_code
    row.street_code = case.street_code
    row.community_code = case.community_code
    row.grid_code = case.grid_code
    row.department_id = case.department_id
    row.light = doc["light"]
    row.light_due_at = case.next_light_change(ctx.calendar, ctx.limits, now)
    row.search = f"{case.id} {case.address} {case.description}"[:2000]
    row.created_at = case.created_at
    row.updated_at = now
    row.closed_at = case.closed_at
    if case.state not in OPEN_CASE_STATES:
        row.open_sensor_id = None  # closed or void: the sensor's next breach files a new case
    row.doc = doc
    wire = without_contact(doc)
    row.wire = feed.dumps(wire).decode()
    s.flush()
    feed.append(s, "case", {"case": wire}, now)
    case_alerts.reconcile_case(s, now, doc)
    return doc


def outside_district(ctx: Context, lon: float, lat: float) -> ApiError:
    """The 400 for a point outside the district, naming the district and its bounds."""
    return ApiError(
        400,
        "location is outside the district",
        {
            "lon": lon,
            "lat": lat,
            "district": ctx.district.name,
            "bounds": list(ctx.district.bounds),
        },
        code="outside_district",
    )


def locate(ctx: Context, lon: float, lat: float) -> tuple[str, str, str]:
    """Grid, community and street codes of a point; 400 when it is outside the district."""
    code = ctx.grid.cell_code(lon, lat)
    if code is None:
        raise outside_district(ctx, lon, lat)
    info = ctx.grid.cell(code)
    return code, info["community_code"], info["street_code"]


def address_of(ctx: Context, lon: float, lat: float) -> str:
    """The address a case reported without one is given: its 街道, 社区 and the road, crossing
    or landmark it is at (``console.geo.geocode``), so every case can be found by address."""
    return ctx.geocoder.addresses([lon], [lat])[0] or ""


def create(ctx: Context, s: Session, actor: Actor, role: str, body: dict) -> dict:
    """Report a new case (``reported``) from a validated request body."""
    if body["category_code"] not in ctx.catalog:
        raise ApiError(400, f"unknown category {body['category_code']!r}", code="unknown_category")
    if body["urgency"] not in ctx.limits.urgency_levels:
        raise ApiError(
            400,
            f"unknown urgency {body['urgency']!r}",
            {"allowed": sorted(ctx.limits.urgency_levels)},
        )
    allowed = SOURCE_ROLES[Source(body["source"])]
    if not allowed & actor.roles:
        raise ApiError(
            403,
            f"source {body['source']!r} needs one of the roles {sorted(allowed)}",
            code="source_not_allowed",
        )
    lon, lat = body["location"]["lon"], body["location"]["lat"]
    grid, community, street = locate(ctx, lon, lat)
    component, owner = components.for_case(
        ctx, body["category_code"], lon, lat, body.get("component_code")
    )
    now = ctx.now()
    day = now.astimezone(CST).strftime("%Y%m%d")
    case_id = f"{day}{next_id(s, 'case:' + day):05d}"
    case = new_case(
        case_id,
        source=body["source"],
        category_code=body["category_code"],
        lon=lon,
        lat=lat,
        reporter=actor,
        role=role,
        at=now,
        limits=ctx.limits,
        urgency=body["urgency"],
        address=body.get("address") or address_of(ctx, lon, lat),
        description=body.get("description", ""),
        photos=body.get("photos", []),
        grid_code=grid,
        street_code=street,
        community_code=community,
        note=body.get("note", ""),
        component_code=component,
        component_owner=owner,
        photos_after=body.get("photos_after", []),
        reporter_contact=_contact(body.get("reporter_contact")),
    )
    return _store(ctx, s, case, now, None)


def _contact(c: dict | None) -> dict[str, str] | None:
    """The fields of a reporter's contact that were given (None when none was)."""
    given = {k: v for k, v in (c or {}).items() if v}
    return given or None


#: The roles that may read a citizen reporter's contact: the desks that take the call back
#: (受理员 and 值班长 do 回访, console.domain.callback) and an administrator. Dispatchers,
#: departments, supervisors and the wall work on the problem, not with the person (issue 13).
CONTACT_ROLES = frozenset({"operator", "shift_lead", "admin"})


def for_reader(roles: frozenset[str], doc: dict) -> dict:
    """``doc`` as a caller with ``roles`` may see it: without the reporter's contact unless
    one of the roles calls citizens back."""
    return doc if roles & CONTACT_ROLES else without_contact(doc)


def without_contact(doc: dict) -> dict:
    """``doc`` as the change feed and the snapshot carry it, to every follower alike: without
    the reporter's contact. A follower records what it receives in its shift log, a portable
    file on every desk and wall; a citizen's phone has no place there. The 回访 desk reads it
    from ``GET /api/v1/cases/{id}`` (``for_reader``)."""
    if "reporter_contact" not in doc:
        return doc
    return {k: v for k, v in doc.items() if k != "reporter_contact"}


def _load(s: Session, case_id: str, lock: bool) -> CaseRow:
    row = s.get(CaseRow, case_id, with_for_update=lock)
    if row is None:
        raise ApiError(404, f"no case {case_id!r}")
    return row


def act(ctx: Context, s: Session, actor: Actor, case_id: str, body: dict) -> dict:
    """Take one workflow action, checked against the case version the operator decided on."""
    row = _load(s, case_id, lock=True)
    now = ctx.now()
    expected = body.get("expected_version")
    if expected is not None and expected != row.version:
        current = for_reader(actor.roles, case_doc(ctx, Case.from_dict(row.doc), now))
        raise ApiError(
            409,
            f"case {case_id} changed: version {row.version}, you decided on {expected}",
            {"case": current, "expected_version": expected},
            code="version_conflict",
        )
    case = Case.from_dict(row.doc)
    params = dict(body.get("params") or {})
    for k in (
        "department_id",
        "hours",
        "valid",
        "due_date",
        "assists",
        "task",
        "assist",
        "dispute",
    ):
        if body.get(k) is not None:
            params[k] = body[k]
    if "department_id" in params and params["department_id"] is not None:
        _require_department(ctx, s, str(params["department_id"]))
    for assist in params.get("assists") or ():  # 协办 departments (console.domain.coop)
        _require_department(ctx, s, str(assist["department_id"]))
    params.update(_corrections(ctx, body))
    params.update(supervisors.action_params(s, case, body))
    new, _event = apply_action(
        case,
        body["action"],
        actor,
        now,
        ctx.calendar,
        ctx.limits,
        note=body.get("note", ""),
        params=params,
    )
    if row.open_sensor_id is not None and body["action"] in SENSOR_GATED_ACTIONS:
        _require_sensor_normal(s, row.open_sensor_id)
    return _store(ctx, s, new, now, row)


#: The actions a sensor's case takes only once the sensor reads normal again: 核查通过 and 结案.
SENSOR_GATED_ACTIONS = frozenset({Action.CHECK_PASS.value, Action.CLOSE.value})


def _require_sensor_normal(s: Session, sensor_id: str) -> None:
    """422 ``sensor_still_breached`` (not possible now, as the workflow's refusals) while the
    sensor that filed a case still reads over its threshold.

    Why a gate and not an automatic 结案: 结案 is the 值班长's act in the workflow table (the
    KPIs count it as the centre's), and 核查 is the supervisor's look at the work; the sensor
    is one more witness at that look. So 核查通过 (and 结案, in case the sensor breached again
    after 核查) is refused while the latest reading is still high: the supervisor takes
    核查不通过, which sends the case back to the department for rework. A reading back to
    normal alone changes nothing: the case still goes through 处置, 核查 and 结案 by people."""
    sensor = s.get(Sensor, sensor_id)
    why = (
        None if sensor is None else back_to_normal_error(sensor.kind, sensor.id, sensor.last_value)
    )
    if why is not None:
        raise ApiError(
            422,
            why,
            {"sensor_id": sensor_id, "value": sensor.last_value if sensor else None},
            code="sensor_still_breached",
        )


def _corrections(ctx: Context, body: dict) -> dict:
    """受理/立案 corrections as the domain takes them: a known category (400 otherwise), and a
    corrected location with the grid, community and street it lies in (400 outside the
    district) and, unless the operator typed one, the address there. The domain refuses them on any other action (``Transition.optional``)."""
    out: dict = {}
    code = body.get("category_code")
    if code is not None:
        if code not in ctx.catalog:
            raise ApiError(400, f"unknown category {code!r}", code="unknown_category")
        out["category_code"] = code
    if body.get("urgency") is not None:
        out["urgency"] = body["urgency"]
    loc = body.get("location")
    if loc is not None:
        grid, community, street = locate(ctx, loc["lon"], loc["lat"])
        out["location"] = {
            "lon": loc["lon"],
            "lat": loc["lat"],
            "grid_code": grid,
            "community_code": community,
            "street_code": street,
        }
    if body.get("address") is not None:
        out["address"] = body["address"]
    elif loc is not None:  # a moved case is found by the address of where it now is
        out["address"] = address_of(ctx, loc["lon"], loc["lat"])
    return out


def _require_department(ctx: Context, s: Session, dept_id: str) -> None:
    if s.get(Department, dept_id) is None:
        raise ApiError(400, f"unknown department {dept_id!r}", code="unknown_department")


def get(ctx: Context, s: Session, case_id: str) -> dict:
    row = _load(s, case_id, lock=False)
    return case_doc(ctx, Case.from_dict(row.doc), ctx.now())


def list_cases(ctx: Context, s: Session, f: dict, page: int, page_size: int) -> dict:
    q = select(CaseRow)
    if f.get("state"):
        q = q.where(CaseRow.state.in_(f["state"]))
    if f.get("category"):
        q = q.where(CaseRow.category_code == f["category"])
    if f.get("street"):
        q = q.where(CaseRow.street_code == f["street"])
    if f.get("department"):
        q = q.where(CaseRow.department_id == f["department"])
    if f.get("source"):
        q = q.where(CaseRow.source == f["source"])
    if f.get("light"):
        q = q.where(CaseRow.light == f["light"])
    if f.get("from"):
        q = q.where(CaseRow.created_at >= f["from"])
    if f.get("to"):
        q = q.where(CaseRow.created_at < f["to"])
    if f.get("q"):
        like = "%" + f["q"].replace("%", r"\%").replace("_", r"\_") + "%"
        q = q.where(or_(CaseRow.search.like(like, escape="\\"), CaseRow.id == f["q"]))
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    rows = s.scalars(
        q.order_by(CaseRow.created_at.desc(), CaseRow.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    now = ctx.now()
    return {
        "cases": [case_doc(ctx, Case.from_dict(r.doc), now) for r in rows],
        "page": page,
        "page_size": page_size,
        "total": total,
    }


def hourly_created(s: Session, day: date) -> list[int]:
    """Cases created in each hour of the China-time ``day`` (the wall's trend against the
    same day last week, which consoles no longer hold: ``console.domain.retention``)."""
    start = day_start(day)
    times = s.scalars(
        select(CaseRow.created_at).where(
            CaseRow.created_at >= start, CaseRow.created_at < start + timedelta(days=1)
        )
    ).all()
    return per_hour((as_utc(t).timestamp() for t in times), start.timestamp())


def refresh_lights(ctx: Context, s: Session, now: datetime) -> int:
    """Re-store cases whose SLA light changes by ``now`` (green→yellow→red) so that every
    console and the shift log see the change, and raise the matching alerts."""
    rows = s.scalars(
        select(CaseRow)
        .where(CaseRow.light_due_at.is_not(None), CaseRow.light_due_at <= now)
        .with_for_update()
    ).all()
    for row in rows:
        _store(ctx, s, Case.from_dict(row.doc), now, row)
    return len(rows)


def report_role(actor: Actor) -> str:
    """The role a new report is recorded under (the first reporting role the user holds)."""
    for r in REPORT_ROLES:
        if r in actor.roles:
            return r.value
    raise ApiError(
        403, f"reporting a case needs one of the roles {[r.value for r in REPORT_ROLES]}"
    )
