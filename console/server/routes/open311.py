"""Open311 GeoReport v2 routes (``/open311/v2``); ``console.server.open311`` maps and renders.

The facade speaks the spec's own error shape, so every handler runs inside ``handle`` and
parses its inputs itself (a FastAPI validation error would answer in the v1 shape).
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from console.domain.case import Case
from console.domain.workflow import Actor

from .. import cases
from ..context import Context
from ..db import CaseRow
from ..inputs import MAX_INT64, parse_int
from ..open311 import (
    API_KEY_HEADER,
    INVALID_KEY,
    MAX_FIELD,
    MAX_WINDOW,
    PUBLIC_SERVICES,
    SYSTEM_USER,
    Open311Error,
    Open311Token,
    check_format,
    check_jurisdiction,
    check_key_placement,
    departments,
    handle,
    parse_date,
    parse_float,
    read_form,
    render,
    render_error,
    request_doc,
    service_doc,
)
from .deps import Ctx

router = APIRouter(prefix="/open311/v2", tags=["open311"])


@router.get("/services.{fmt}")
def services(fmt: str, request: Request, ctx: Ctx) -> Response:
    def run(f):
        check_jurisdiction(ctx, request.query_params.get("jurisdiction_id"))
        docs = [service_doc(ctx, c) for c in PUBLIC_SERVICES if c in ctx.catalog]
        return render(f, "services", "service", docs)

    return handle(fmt, run)


@router.get("/services/{code}.{fmt}")
def service_definition(code: str, fmt: str, request: Request, ctx: Ctx) -> Response:
    def run(f):
        check_jurisdiction(ctx, request.query_params.get("jurisdiction_id"))
        if code not in PUBLIC_SERVICES or code not in ctx.catalog:
            raise Open311Error(404, f"no service {code[:20]!r}")
        body = {"service_code": code, "attributes": []}
        if f == "xml":
            return Response(
                f'<?xml version="1.0" encoding="utf-8"?>\n<service_definition><service_code>{escape(code)}</service_code><attributes/></service_definition>',
                media_type="text/xml; charset=utf-8",
            )
        return Response(json.dumps(body), media_type="application/json")

    return handle(fmt, run)


@router.post("/requests.{fmt}")
async def post_request(fmt: str, request: Request, ctx: Ctx) -> Response:
    keys = ctx.settings.open311_keys | ctx.settings.open311_iot_keys
    header_key = request.headers.get(API_KEY_HEADER)
    try:
        f = check_format(fmt)
        check_key_placement(request)
        if header_key is not None and header_key not in keys:
            raise Open311Error(403, INVALID_KEY)  # refused before the body is read
        form = await read_form(request)
    except Open311Error as e:
        return render_error(fmt, e.status, e.description)

    def run(f):
        key = header_key if header_key is not None else form.get("api_key")
        if key not in keys:
            raise Open311Error(403, INVALID_KEY)
        check_jurisdiction(ctx, form.get("jurisdiction_id"))
        code = form.get("service_code", "")
        if code not in PUBLIC_SERVICES or code not in ctx.catalog:
            raise Open311Error(400, f"service_code {code[:20]!r} is not a service of this city")
        lat, lon = parse_float(form.get("lat"), "lat"), parse_float(form.get("long"), "long")
        said = form.get("address_string", "").strip()
        if lat is None or lon is None:
            lon, lat = _locate(ctx, lat, lon, said)
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
        body = {
            "source": "iot" if key in ctx.settings.open311_iot_keys else "public",
            "category_code": code,
            "location": {"lon": lon, "lat": lat},
            "urgency": "normal",
            # The centre's standard address (street, community, road) from the point; the
            # citizen's own words for the place stay in the note.
            "address": "",
            "description": form.get("description", "")[:2000],
            "photos": [form["media_url"][:500]] if form.get("media_url") else [],
            "note": f"Open311 市民所述地址：{said[:300]}" if said else "Open311",
            # For 回访 only: cases.for_reader leaves it out for the other roles.
            "reporter_contact": {
                "name": " ".join(
                    x for x in (form.get("last_name", ""), form.get("first_name", "")) if x
                )[:100],
                "phone": form.get("phone", "")[:40],
                "email": form.get("email", "")[:200],
            },
        }
        role = "gateway" if body["source"] == "iot" else "operator"
        with ctx.db.write() as s:
            doc = cases.create(ctx, s, Actor(SYSTEM_USER, frozenset({role})), role, body)
            token = uuid.uuid4().hex
            s.add(Open311Token(token=token, case_id=doc["id"], created_at=ctx.now()))
        notice = f"已收到您的反映，案件号 {doc['id']}，将在受理后派遣处置。"
        return render(
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

    return handle(f, run)


def _locate(ctx: Context, lat: float | None, lon: float | None, said: str) -> tuple[float, float]:
    """The point of a request sent without ``lat``/``long``: the best place the geocoder finds
    for its ``address_string`` (the spec lets a client send either)."""
    if lat is not None or lon is not None:
        raise Open311Error(
            400, "lat and long go together: send both, or neither and an address_string"
        )
    if not said:
        raise Open311Error(400, "a location is required: lat and long, or an address_string")
    found = ctx.geocoder.search(said, 1)
    if not found:
        raise Open311Error(
            400,
            f"address_string {said[:100]!r} was not found in the district: "
            "name a road and number, a crossing or a landmark, or send lat and long",
        )
    return found[0]["lon"], found[0]["lat"]


@router.get("/requests.{fmt}")
def get_requests(fmt: str, request: Request, ctx: Ctx) -> Response:
    q = request.query_params

    def run(f):
        check_jurisdiction(ctx, q.get("jurisdiction_id"))
        now = ctx.now()
        end = parse_date(q.get("end_date"), "end_date") or now
        start = parse_date(q.get("start_date"), "start_date") or end - MAX_WINDOW
        if end - start > MAX_WINDOW:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        try:
            # The page bound keeps the offset (page × page_size) a 64-bit integer.
            page = max(1, parse_int(q.get("page", "1"), "page", MAX_INT64 // 1000))
            page_size = min(max(1, parse_int(q.get("page_size", "100"), "page_size")), 1000)
        except ValueError as e:
            raise Open311Error(400, str(e)) from None
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
            depts = departments(s)
            rows = [
                request_doc(ctx, cases.case_doc(ctx, Case.from_dict(r.doc), now), depts)
                for r in s.scalars(stmt)
            ]
        return render(f, "service_requests", "request", rows)

    return handle(fmt, run)


def _one(ctx: Context, case_id: str, f: str) -> Response:
    """One request by id, for both spellings of the path."""
    with ctx.db.read() as s:
        row = s.get(CaseRow, case_id[:32])
        if row is None:
            raise Open311Error(404, f"no service request {case_id[:32]!r}")
        doc = cases.case_doc(ctx, Case.from_dict(row.doc), ctx.now())
        return render(f, "service_requests", "request", [request_doc(ctx, doc, departments(s))])


@router.get("/requests/{case_id}.{fmt}")
def get_request(case_id: str, fmt: str, ctx: Ctx) -> Response:
    return handle(fmt, lambda f: _one(ctx, case_id, f))


@router.get("/request/{case_id}.{fmt}", include_in_schema=False)
def get_request_swagger_spelling(case_id: str, fmt: str, ctx: Ctx) -> Response:
    """The swagger file spells the single-request path ``/request/{id}``; serve both."""
    return handle(fmt, lambda f: _one(ctx, case_id, f))


@router.get("/tokens/{token}.{fmt}")
def get_token(token: str, fmt: str, ctx: Ctx) -> Response:

    def run(f):
        with ctx.db.read() as s:
            t = s.scalar(select(Open311Token).where(Open311Token.token == token[:40]))
        if t is None:
            raise Open311Error(404, f"no request for token {token[:40]!r}")
        return render(
            f, "service_requests", "request", [{"service_request_id": t.case_id, "token": t.token}]
        )

    return handle(fmt, run)
