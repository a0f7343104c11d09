"""Open311 GeoReport v2 facade: citizens' apps report problems and follow them.

A citizen request becomes a case with source 公众举报 (``public``) that runs through the
same closed loop as every other case; the facade maps the case back to the spec's two
statuses with Chinese ``status_notes`` for the stage it is in. The facade speaks the spec's
own error shape (``[{"code", "description"}]`` / ``<errors>``), not the v1 API's, and parses
its inputs itself so malformed requests get that shape too. Every case is listed, not only
citizen reports: a city's public feed shows the problems the city knows of, whoever found them.
"""

from __future__ import annotations

import json
import math
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from console.domain.case import Case
from console.domain.workflow import Actor, WorkflowError

from . import cases
from .auth import hash_password
from .context import Context
from .db import Base, CaseRow, Department, User
from .errors import ApiError

router = APIRouter(prefix="/open311/v2", tags=["open311"])

SYSTEM_USER = "open311"
MAX_WINDOW = timedelta(days=90)
MAX_FIELD = 4000
#: The problems citizens report themselves (a curated subset of the matters catalog).
PUBLIC_SERVICES = [
    "06010",
    "06012",
    "06011",
    "06014",
    "06036",
    "06042",
    "06017",
    "06013",
    "06030",
    "06034",
    "06028",
    "06027",
    "07001",
    "07002",
    "09001",
    "09005",
    "09006",
    "09009",
    "09010",
    "09011",
    "09012",
    "08001",
    "08004",
    "08002",
    "01001",
    "01002",
    "01003",
    "01004",
    "01037",
    "04013",
]
STATE_NOTES = {
    "reported": "已受理登记，等待受理",
    "accepted": "已受理，正在审核",
    "verifying": "监督员正在现场核实",
    "registered": "已立案，等待派遣",
    "dispatched": "已立案，已派遣至{dept}处置",
    "handled": "{dept}已处置完毕，等待核查",
    "checking": "监督员正在现场核查处置结果",
    "checked": "核查通过，等待结案",
    "returned": "正在重新派遣",
    "parked": "已列入计划处置（缓办）",
    "closed": "已结案",
    "void": "不予立案：{note}",
}


class Open311Token(Base):
    """Tokens handed to clients for their requests (``GET tokens/{token}``)."""

    __tablename__ = "open311_tokens"
    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime]


def ensure_system_user(s: Session) -> None:
    """The account citizen reports are recorded under (never logs in: its password is random)."""
    if s.get(User, SYSTEM_USER) is None:
        s.add(
            User(
                id=SYSTEM_USER,
                name="Open311 公众举报",
                roles=["operator"],
                department_id=None,
                password_hash=hash_password(secrets.token_hex(16)),
                active=True,
            )
        )


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description


# ---- rendering ---------------------------------------------------------------------------
def _xml_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return escape(str(v))


def _xml(root: str, item: str, rows: list[dict]) -> str:
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>']
    for r in rows:
        parts.append(
            f"<{item}>"
            + "".join(
                f"<{k}>{_xml_value(v)}</{k}>" if v not in (None, "") else f"<{k}/>"
                for k, v in r.items()
            )
            + f"</{item}>"
        )
    parts.append(f"</{root}>")
    return "".join(parts)


def _render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> Response:
    if fmt == "xml":
        return Response(
            _xml(root, item, rows), status_code=status, media_type="text/xml; charset=utf-8"
        )
    return Response(
        json.dumps(rows, ensure_ascii=False),
        status_code=status,
        media_type="application/json; charset=utf-8",
    )


def _error(fmt: str, status: int, description: str) -> Response:
    return _render(fmt, "errors", "error", [{"code": status, "description": description}], status)


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, "format must be json or xml")
    return fmt


def _handle(fmt: str, fn) -> Response:
    try:
        return fn(_fmt(fmt))
    except Open311Error as e:
        return _error(fmt if fmt in ("json", "xml") else "json", e.status, e.description)
    except (ApiError, WorkflowError) as e:
        return _error(fmt if fmt in ("json", "xml") else "json", e.status, e.message)


# ---- mapping -----------------------------------------------------------------------------
def _service(ctx: Context, code: str) -> dict:
    c = ctx.catalog.get(code)
    return {
        "service_code": c.code,
        "service_name": c.name_zh,
        "description": f"{c.name_zh} ({c.name_en})",
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join([c.major_name_zh, c.name_zh]),
        "group": c.major_name_zh,
    }


def _request(ctx: Context, doc: dict, departments: dict[str, str]) -> dict:
    state = doc["state"]
    dept = departments.get(doc.get("department_id") or "", "")
    last_note = (
        next((e.get("note") for e in reversed(doc.get("events", [])) if e.get("note")), "") or ""
    )
    try:
        service_name = ctx.catalog.get(doc["category_code"]).name_zh
    except KeyError:
        service_name = None
    photos = doc.get("photos") or []
    return {
        "service_request_id": doc["id"],
        "status": "closed" if state in ("closed", "void") else "open",
        "status_notes": STATE_NOTES.get(state, state).format(
            dept=dept or "处置单位", note=last_note or "无效或重复"
        ),
        "service_name": service_name,
        "service_code": doc["category_code"],
        "description": (doc.get("description") or "")[:MAX_FIELD],
        "agency_responsible": dept or None,
        "service_notice": None,
        "requested_datetime": doc["created_at"],
        "updated_datetime": doc.get("updated_at"),
        "expected_datetime": doc.get("deadline") if state not in ("closed", "void") else None,
        "address": doc.get("address") or None,
        "address_id": doc.get("grid_code"),
        "zipcode": None,
        "lat": doc["location"]["lat"],
        "long": doc["location"]["lon"],
        "media_url": photos[0] if photos else None,
    }


def _departments(s: Session) -> dict[str, str]:
    return {d.id: d.name for d in s.scalars(select(Department))}


# ---- input parsing -----------------------------------------------------------------------
async def _form(request: Request) -> dict[str, str]:
    """Form-encoded (as the spec says) or JSON bodies, as a flat dict of strings."""
    raw = await request.body()
    ctype = request.headers.get("content-type", "")
    try:
        if "json" in ctype:
            data = json.loads(raw or b"{}")
            if not isinstance(data, dict):
                raise Open311Error(400, "the body must be an object of fields")
            out = {str(k): "" if v is None else str(v) for k, v in data.items()}
            if any("\x00" in k or "\x00" in v for k, v in out.items()):
                raise Open311Error(400, "fields must not contain NUL characters")
            return out
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise Open311Error(400, "the body is not valid form data or JSON") from None
    out = {k: v[0] for k, v in parsed.items()}
    for k, v in request.query_params.items():
        out.setdefault(k, v)
    if any("\x00" in k or "\x00" in v for k, v in out.items()):
        raise Open311Error(400, "fields must not contain NUL characters")
    return out


def _float(v: str | None, name: str) -> float | None:
    if v in (None, ""):
        return None
    try:
        x = float(v)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    if not math.isfinite(x):
        raise Open311Error(400, f"{name} must be a finite number")
    return x


def _date(v: str | None, name: str) -> datetime | None:
    if not v:
        return None
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date-time") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _ctx(request: Request) -> Context:
    return request.app.state.ctx


# ---- routes ------------------------------------------------------------------------------
@router.get("/services.{fmt}")
def services(fmt: str, request: Request) -> Response:
    ctx = _ctx(request)
    return _handle(
        fmt,
        lambda f: _render(
            f,
            "services",
            "service",
            [_service(ctx, c) for c in PUBLIC_SERVICES if c in ctx.catalog],
        ),
    )


@router.get("/services/{code}.{fmt}")
def service_definition(code: str, fmt: str, request: Request) -> Response:
    ctx = _ctx(request)

    def run(f):
        if code not in PUBLIC_SERVICES or code not in ctx.catalog:
            raise Open311Error(404, f"no service {code[:20]!r}")
        body = {"service_code": code, "attributes": []}
        if f == "xml":
            return Response(
                f'<?xml version="1.0" encoding="utf-8"?>\n<service_definition><service_code>{escape(code)}</service_code><attributes/></service_definition>',
                media_type="text/xml; charset=utf-8",
            )
        return Response(json.dumps(body), media_type="application/json")

    return _handle(fmt, run)


@router.post("/requests.{fmt}")
async def post_request(fmt: str, request: Request) -> Response:
    ctx = _ctx(request)
    try:
        f = _fmt(fmt)
        form = await _form(request)
    except Open311Error as e:
        return _error(fmt if fmt in ("json", "xml") else "json", e.status, e.description)

    def run(f):
        if form.get("api_key") not in ctx.settings.open311_keys:
            raise Open311Error(
                403, "Invalid api_key received -- can't proceed with create_request."
            )
        code = form.get("service_code", "")
        if code not in PUBLIC_SERVICES or code not in ctx.catalog:
            raise Open311Error(400, f"service_code {code[:20]!r} is not a service of this city")
        lat, lon = _float(form.get("lat"), "lat"), _float(form.get("long"), "long")
        if lat is None or lon is None:
            raise Open311Error(
                400, "lat and long are required: this city has no geocoder for address_string"
            )
        for name in (
            "description",
            "address_string",
            "email",
            "first_name",
            "last_name",
            "phone",
            "media_url",
        ):
            if len(form.get(name, "")) > MAX_FIELD:
                raise Open311Error(400, f"{name} longer than {MAX_FIELD} characters")
        who = " ".join(x for x in (form.get("last_name", ""), form.get("first_name", "")) if x)
        body = {
            "source": "public",
            "category_code": code,
            "location": {"lon": lon, "lat": lat},
            "urgency": "normal",
            "address": form.get("address_string", "")[:300],
            "description": form.get("description", "")[:2000],
            "photos": [form["media_url"][:500]] if form.get("media_url") else [],
            "note": f"Open311 {who} {form.get('phone', '')} {form.get('email', '')}".strip()[:2000],
        }
        with ctx.db.write() as s:
            doc = cases.create(
                ctx, s, Actor(SYSTEM_USER, frozenset({"operator"})), "operator", body
            )
            token = uuid.uuid4().hex
            s.add(Open311Token(token=token, case_id=doc["id"], created_at=ctx.now()))
        notice = f"已收到您的反映，案件号 {doc['id']}，将在受理后派遣处置。"
        return _render(
            f,
            "service_requests",
            "request",
            [
                {
                    "service_request_id": doc["id"],
                    "token": token,
                    "service_notice": notice,
                    "account_id": None,
                }
            ],
        )

    return _handle(f, run)


@router.get("/requests.{fmt}")
def get_requests(fmt: str, request: Request) -> Response:
    ctx = _ctx(request)
    q = request.query_params

    def run(f):
        now = ctx.now()
        end = _date(q.get("end_date"), "end_date") or now
        start = _date(q.get("start_date"), "start_date") or end - MAX_WINDOW
        if end - start > MAX_WINDOW:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        try:
            page = max(1, int(q.get("page", "1")))
            page_size = min(max(1, int(q.get("page_size", "100"))), 1000)
        except ValueError:
            raise Open311Error(400, "page and page_size must be integers") from None
        stmt = select(CaseRow)
        if q.get("service_request_id"):
            ids = [x.strip()[:32] for x in q["service_request_id"].split(",") if x.strip()][:100]
            stmt = stmt.where(CaseRow.id.in_(ids))
        else:
            stmt = stmt.where(CaseRow.created_at >= start, CaseRow.created_at <= end)
        if q.get("service_code"):
            stmt = stmt.where(
                CaseRow.category_code.in_(
                    [c.strip()[:8] for c in q["service_code"].split(",")][:50]
                )
            )
        status = q.get("status")
        if status:
            wanted = {x.strip() for x in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status must be open or closed")
            if wanted == {"closed"}:
                stmt = stmt.where(CaseRow.state.in_(("closed", "void")))
            elif wanted == {"open"}:
                stmt = stmt.where(~CaseRow.state.in_(("closed", "void")))
        stmt = (
            stmt.order_by(CaseRow.created_at.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        with ctx.db.read() as s:
            depts = _departments(s)
            rows = [
                _request(ctx, cases.case_doc(ctx, Case.from_dict(r.doc), now), depts)
                for r in s.scalars(stmt)
            ]
        return _render(f, "service_requests", "request", rows)

    return _handle(fmt, run)


def _one(ctx: Context, case_id: str, f: str) -> Response:
    with ctx.db.read() as s:
        row = s.get(CaseRow, case_id[:32])
        if row is None:
            raise Open311Error(404, f"no service request {case_id[:32]!r}")
        doc = cases.case_doc(ctx, Case.from_dict(row.doc), ctx.now())
        return _render(f, "service_requests", "request", [_request(ctx, doc, _departments(s))])


@router.get("/requests/{case_id}.{fmt}")
def get_request(case_id: str, fmt: str, request: Request) -> Response:
    return _handle(fmt, lambda f: _one(_ctx(request), case_id, f))


@router.get("/request/{case_id}.{fmt}", include_in_schema=False)
def get_request_swagger_spelling(case_id: str, fmt: str, request: Request) -> Response:
    """The swagger file spells the single-request path ``/request/{id}``; serve both."""
    return _handle(fmt, lambda f: _one(_ctx(request), case_id, f))


@router.get("/tokens/{token}.{fmt}")
def get_token(token: str, fmt: str, request: Request) -> Response:
    ctx = _ctx(request)

    def run(f):
        with ctx.db.read() as s:
            t = s.scalar(select(Open311Token).where(Open311Token.token == token[:40]))
        if t is None:
            raise Open311Error(404, f"no request for token {token[:40]!r}")
        return _render(
            f, "service_requests", "request", [{"service_request_id": t.case_id, "token": t.token}]
        )

    return _handle(fmt, run)
