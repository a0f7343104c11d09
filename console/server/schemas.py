"""Request bodies: strict types, bounded sizes, unknown fields refused.

Bounds are part of the contract (they appear in the OpenAPI): a huge string or list is a
400 with the field named, never a slow request or a bloated database.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)

from console.domain.workflow import Action, Source


def _float_sized(v):
    """Refuse integers no float can hold (``10**400``): pydantic's bound checks convert them to
    float and raise OverflowError, a 500 (issue 13)."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**63:
        raise ValueError("number out of range")
    return v


Finite = Annotated[
    StrictFloat | StrictInt, BeforeValidator(_float_sized), Field(allow_inf_nan=False)
]
Text = Annotated[str, Field(max_length=2000)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


def _no_nul(v):
    """PostgreSQL text cannot hold NUL, and a lone surrogate (``"\\ud800"``, valid JSON) cannot
    be encoded as UTF-8 for the database or the response (a 500, issue 13); no legitimate
    client sends either. Refuse them up front."""
    if isinstance(v, str):
        if "\x00" in v:
            raise ValueError("text must not contain NUL characters")
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must not contain lone surrogates") from None
    if isinstance(v, list):
        for x in v:
            _no_nul(x)
    return v


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text_without_nul(cls, v):
        return _no_nul(v)


class Login(Strict):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class Location(Strict):
    lon: Annotated[Finite, Field(ge=-180, le=180)]
    lat: Annotated[Finite, Field(ge=-90, le=90)]


class Contact(Strict):
    """A citizen reporter's contact (the hotline desk or the Open311 gateway takes it down)."""

    name: Annotated[str, Field(max_length=100)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    email: Annotated[str, Field(max_length=200)] = ""


class NewCase(Strict):
    source: Source = Source.SUPERVISOR
    category_code: Annotated[str, Field(pattern=r"^\d{4,5}$")]
    location: Location
    urgency: Annotated[str, Field(max_length=16)] = "normal"
    address: Annotated[str, Field(max_length=300)] = ""
    description: Text = ""
    photos: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=9)] = []
    note: Text = ""
    #: The 部件 the case is about (16 digits); without it a component category case gets the
    #: nearest one within ``console.domain.components.ATTACH_RADIUS_M``.
    component_code: Annotated[str, Field(pattern=r"^\d{16}$")] | None = None
    #: 自处理 (source ``self``): the photos after the on-the-spot fix (``photos``: before).
    photos_after: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=9)] = []
    #: Only the roles of ``cases.CONTACT_ROLES`` read it back.
    reporter_contact: Contact | None = None


CategoryCode = Annotated[str, Field(pattern=r"^\d{4,5}$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class AssistIn(Strict):
    """One 协办 named at 派遣, 重新派遣 or 争议裁定 (console.domain.coop)."""

    department_id: Id
    task: Annotated[str, Field(min_length=1, max_length=300)]


class CaseAction(Strict):
    action: Action
    expected_version: StrictInt | None = None
    note: Text = ""
    department_id: Id | None = None
    hours: Annotated[Finite, Field(gt=0, le=720)] | None = None
    valid: StrictBool | None = None
    #: 受理/立案 corrections (each optional; the server checks the category and locates the point).
    category_code: CategoryCode | None = None
    urgency: Annotated[str, Field(max_length=16)] | None = None
    location: Location | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    #: 缓办: the due date (a CST calendar date) of park, request_park, approve_park.
    due_date: IsoDate | None = None
    # send_verify/send_check: the supervisor the centre addresses the task to (else the grid's).
    assignee: Id | None = None
    # callback: the caller's answer (console.domain.callback.SATISFACTION_ZH).
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied", "unreached"] | None = (
        None
    )
    # 部门协作 (console.domain.coop): 协办 named with a dispatch or a 争议裁定; add_assist's
    # task; the 协办 task a department acts on; a return marked 权属争议.
    assists: Annotated[list[AssistIn], Field(max_length=6)] | None = None
    task: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    assist: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None
    dispute: StrictBool | None = None


class FixIn(BaseModel):
    """One vehicle fix. Items are checked one by one in the service (see telemetry.py), so a
    bad item is reported with its index instead of failing the whole batch."""

    model_config = ConfigDict(extra="ignore")
    vehicle_id: object = None
    t: object = None
    lon: object = None
    lat: object = None
    speed_kmh: object = None
    heading: object = None
    flags: object = 0


class ReadingIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sensor_id: object = None
    t: object = None
    value: object = None


class Telemetry(Strict):
    fixes: Annotated[list[FixIn], Field(max_length=5000)] = []
    readings: Annotated[list[ReadingIn], Field(max_length=5000)] = []


class AlertAck(Strict):
    comment: Annotated[str, Field(max_length=500)] = ""


#: The case-based groupings (``console.domain.kpi.GROUPINGS``) and those counted from time
#: (``console.domain.kpi_time.TIME_BY``).
KpiBy = Literal[
    "department", "street", "community", "grid", "user", "category", "source", "duty", "river"
]


class UserNew(Strict):
    """``POST /api/v1/users`` (admin): the password policy is ``users.check_password_policy``."""

    id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    roles: Annotated[list[Id], Field(min_length=1, max_length=10)]
    department_id: Id | None = None
    password: Annotated[str, Field(min_length=1, max_length=200)]


class UserPatch(Strict):
    """``PATCH /api/v1/users/{id}`` (admin): what is given changes; ``active: false`` or a new
    password ends the user's sessions."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    roles: Annotated[list[Id], Field(min_length=1, max_length=10)] | None = None
    department_id: Id | None = None
    active: StrictBool | None = None
    password: Annotated[str, Field(min_length=1, max_length=200)] | None = None
