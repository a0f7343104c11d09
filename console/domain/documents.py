"""The wire documents: what the backend sends and every layer of the console passes on.

These are the JSON shapes of the change feed and the snapshot, as TypedDicts so that the
console's ``doc["key"]`` accesses are checked against what the backend really produces. They
live at the bottom layer (``console.domain``) because the backend, the sync client, the shift
log, the state, the replay and the widgets all hand them to each other.

Times are ISO 8601 strings in UTC (``console.domain.case.iso``); fix times are epoch seconds.
A key is ``NotRequired`` only where a producer really leaves it out. Nothing checks these types
at run time: ``console.sync.validate`` checks each received change's essentials before it is
folded, and readers of optional keys use ``.get``.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, Required, TypedDict


class Location(TypedDict):
    lon: float
    lat: float


class CaseEvent(TypedDict):
    """One step of a case's history (``console.domain.case._event``): the stage it ended, that
    stage's deadline and whether it was met, so KPIs count events without a clock."""

    n: int
    action: str
    user: str
    role: str
    at: str
    from_state: str | None
    to_state: str
    note: str
    data: dict[str, Any]
    stage: str | None
    stage_deadline: str | None
    on_time: bool | None


class AssistDoc(TypedDict):
    """One 协办 task of a case (``console.domain.coop``): its department, task, working-time
    deadline and state (dispatched → accepted → done / returned; cancelled with the case's
    return or void)."""

    n: int
    department_id: str
    task: str
    state: str
    assigned_at: str
    deadline: str
    accepted_at: str | None
    finished_at: str | None
    on_time: bool | None
    note: str


class DisputeDoc(TypedDict):
    """A return the centre arbitrates (``console.domain.coop``): pending, then decided by the
    值班长 (the decision's keys are absent while pending)."""

    state: str
    reason: str
    opened_at: str
    returns: int
    parties: list[str]
    return_note: str
    decided_at: NotRequired[str]
    decided_by: NotRequired[str]
    lead_department: NotRequired[str]
    assist_departments: NotRequired[list[str]]
    lost: NotRequired[list[str]]
    decision: NotRequired[str]


class CaseDoc(TypedDict):
    """A case: ``Case.to_dict`` with the backend's clock (``server/cases.case_doc``), in
    ``GET /api/v1/snapshot`` ``cases``, in each ``case`` change and in the case endpoints'
    answers. ``stockpiled`` and ``park_overdue`` are absent from a document serialised without a
    clock."""

    id: str
    source: str
    category_code: str
    location: Location
    created_at: str
    state: str
    version: int
    urgency: str
    address: str
    description: str
    photos: list[str]
    reporter: str | None
    #: The citizen's name/phone/e-mail of a public report; left out of the documents sent to
    #: roles that do not call citizens back (console.server.cases.CONTACT_ROLES).
    reporter_contact: NotRequired[dict[str, str] | None]
    grid_code: str | None
    street_code: str | None
    community_code: str | None
    department_id: str | None
    departments: list[str]
    verified: bool
    stage: str | None
    stage_started_at: str | None
    stage_limit_minutes: float | None
    stage_clock: str
    paused_minutes: float
    extension_pending_hours: float | None
    rework_count: int
    extension_count: int
    extension_hours: float
    return_count: int
    dispatch_count: int
    parked_at: str | None
    closed_at: str | None
    updated_at: str | None
    events: list[CaseEvent]
    deadline: str | None
    light: str | None
    stockpiled: NotRequired[bool]
    component_code: str | None
    component_owner: str | None
    park_due_date: str | None
    park_request_due_date: str | None
    park_overdue: NotRequired[bool]
    # 核实/核查 addressee and 回访 (``console.domain.field_tasks``, ``console.domain.callback``);
    # absent from documents recorded before they existed, so readers use ``.get``.
    assignee: NotRequired[str | None]
    satisfaction: NotRequired[str | None]
    callback_attempts: NotRequired[int]
    # 部门协作 (``console.domain.coop``): absent from documents recorded before it existed.
    assists: NotRequired[list[AssistDoc]]
    dispute: NotRequired[DisputeDoc | None]


class LastFix(TypedDict):
    """A vehicle's latest fix as the backend holds it (``server/telemetry.vehicle_wire``)."""

    t: float
    lon: float | None
    lat: float | None
    speed_kmh: float | None
    heading: float | None
    flags: int


class VehicleDoc(TypedDict, total=False):
    """A vehicle: ``server/telemetry.vehicle_wire`` sends every key (snapshot ``vehicles``,
    ``vehicle`` changes); the reference's vehicles have no ``status`` nor ``last_fix``, and
    ``CityState.vehicles`` keeps a vehicle without its ``last_fix`` (the fix is in columns)."""

    id: Required[str]
    plate: str | None
    type: str | None
    department_id: str | None
    status: str
    last_fix: LastFix | None


class AlertDoc(TypedDict):
    """An alert (``server/alerts.to_wire``): snapshot ``alerts``, ``alert`` changes,
    ``GET /api/v1/alerts``. A ``resolved`` one leaves the console's open alerts. A group alert
    (``subject_type == "group"``) folds a flood of one kind: ``detail`` holds its counts."""

    id: str
    kind: str
    severity: str
    subject_type: str
    subject_id: str
    state: str
    raised_at: str | None
    acked_at: str | None
    acked_by: str | None
    ack_comment: str
    resolved_at: str | None
    resolved_by: str | None
    escalated: bool
    escalated_at: str | None
    detail: dict[str, Any]
    # Absent in shift logs recorded before levelled and grouped alerts (docs/rules/alerts.md).
    level: NotRequired[str | None]  # yellow | red | supervise (督办) for case alerts
    level_at: NotRequired[str | None]  # when the current level began
    group_id: NotRequired[str | None]  # the flood group this alert was folded into
    history: NotRequired[list[dict[str, Any]]]  # every step: raised, level, acknowledged, ...


class SensorDoc(TypedDict):
    """A sensor and its last reading (``server/telemetry.sensor_wire``): the reference's
    ``sensors`` and ``sensor`` changes."""

    id: str
    kind: str
    name: str
    lon: float
    lat: float
    grid_code: str | None
    last_value: float | None
    last_t: float | None


class RecordDoc(TypedDict, total=False):
    """One thing of the centre's other systems (``console.domain.records``): its whole current
    document; the fields beyond these belong to its ``type``. ``live`` false: consoles drop it."""

    type: Required[str]
    id: Required[str]
    live: bool


class FixBatch(TypedDict):
    """The fixes one telemetry post accepted, as parallel columns (``server/telemetry.
    ingest_fixes``): the payload of a ``fixes`` change."""

    vehicle_id: list[str]
    t: list[float]
    lon: list[float]
    lat: list[float]
    speed_kmh: list[float]
    heading: list[float]
    flags: list[int]


class _ChangeHead(TypedDict):
    """What every feed entry carries (``server/feed.to_wire``): the payload's keys sit next to
    these, so a change is one flat object."""

    seq: int
    ts: str


class CaseChange(_ChangeHead):
    kind: Literal["case"]
    case: CaseDoc


class VehicleChange(_ChangeHead):
    kind: Literal["vehicle"]
    vehicle: VehicleDoc


class AlertChange(_ChangeHead):
    kind: Literal["alert"]
    alert: AlertDoc


class SensorChange(_ChangeHead):
    kind: Literal["sensor"]
    sensor: SensorDoc


class FixesChange(_ChangeHead, FixBatch):
    kind: Literal["fixes"]


class ReferenceChange(_ChangeHead):
    """Accepted by ``console.sync.validate`` (a newer backend may announce reference updates)
    and logged, but not folded: no endpoint emits it yet."""

    kind: Literal["reference"]


class RecordChange(_ChangeHead):
    kind: Literal["record"]
    record: RecordDoc


class WallFocusDoc(TypedDict):
    """A subject thrown to the video wall (``POST /api/v1/wall/focus``): walls show it on
    their focus scene for ``seconds``, then resume their playlists."""

    subject_type: Literal["case", "vehicle", "alert"]
    subject_id: str
    seconds: int
    by: str
    at: str


class WallFocusChange(_ChangeHead):
    kind: Literal["wall_focus"]
    wall_focus: WallFocusDoc


#: One entry of the change feed; ``kind`` says which.
Change = (
    CaseChange
    | VehicleChange
    | AlertChange
    | SensorChange
    | FixesChange
    | ReferenceChange
    | WallFocusChange
    | RecordChange
)


class ChangePage(TypedDict):
    """``GET /api/v1/changes``: the changes after ``since``, where to continue, and ``reset``
    when the client must bootstrap again (its ``since`` is outside the retained feed)."""

    feed_id: str
    changes: list[Change]
    last_seq: int
    reset: bool
    server_time: str


class Snapshot(TypedDict):
    """``GET /api/v1/snapshot``: what a console bootstraps from; the feed continues after
    ``seq``. Cases are the open ones and those closed in the last 24 h; records the live ones
    (absent in logs recorded before records)."""

    feed_id: str
    seq: int
    server_time: str
    speed: float
    cases: list[CaseDoc]
    vehicles: list[VehicleDoc]
    alerts: list[AlertDoc]
    records: NotRequired[list[RecordDoc]]
