"""Open311 GeoReport v2 facade: citizens' apps report problems and follow them.

This module maps cases to the spec's documents and renders them; the routes are in
``routes/open311.py``.

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
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from fastapi import Request, Response
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from starlette.exceptions import HTTPException

from console.domain.workflow import WorkflowError

from .auth import hash_password
from .context import Context
from .db import Base, Department, User
from .errors import ApiError
from .inputs import load_json, parse_instant

SYSTEM_USER = "open311"
MAX_WINDOW = timedelta(days=90)
MAX_FIELD = 4000
FORMATS = ("json", "xml")
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
    # before 立案 (不予立案) or after it (docs/rules/workflow.md); the staff's reason stays inside
    "void": "已作废（无效、重复或不属受理范围）",
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
    """A refusal answered in the spec's error shape (see ``render_error``)."""

    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description


# ---- rendering ---------------------------------------------------------------------------
#: What XML 1.0 forbids in a document (its ``Char`` production): C0 controls but tab, newline
#: and carriage return, lone surrogates, U+FFFE and U+FFFF. One ``\x07`` in a description made
#: every consumer of the feed fail to parse it (issue 13); such characters are dropped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return escape(_NOT_XML_CHAR.sub("", str(v)))


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


def render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> Response:
    if fmt == "xml":
        return Response(
            _xml(root, item, rows), status_code=status, media_type="text/xml; charset=utf-8"
        )
    return Response(
        json.dumps(rows, ensure_ascii=False),
        status_code=status,
        media_type="application/json; charset=utf-8",
    )


def render_error(fmt: str, status: int, description: str) -> Response:
    """The spec's error list, in JSON when the format asked for is not one of ours."""
    fmt = fmt if fmt in FORMATS else "json"
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, "format must be json or xml")
    return fmt


def handle(fmt: str, fn: Callable[[str], Response]) -> Response:
    """``fn(format)``, with every refusal (this facade's, the API's, the workflow's) answered
    in the spec's error shape."""
    try:
        return fn(check_format(fmt))
    except Open311Error as e:
        return render_error(fmt, e.status, e.description)
    except (ApiError, WorkflowError) as e:
        return render_error(fmt, e.status, e.message)


# ---- mapping -----------------------------------------------------------------------------
def service_doc(ctx: Context, code: str) -> dict:
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


def request_doc(ctx: Context, doc: dict, departments: dict[str, str]) -> dict:
    """A case as the public sees it: GeoReport v2's request fields and nothing else.

    The spec's GET response has no reporter fields (name, phone and e-mail are POST-only), and
    what staff write is not public either: the description and photo are shown only for
    citizen reports (source ``public``, the citizen's own words), staff notes never (a voided
    case says so without the centre's reason)."""
    state = doc["state"]
    dept = departments.get(doc.get("department_id") or "", "")
    try:
        service_name = ctx.catalog.get(doc["category_code"]).name_zh
    except KeyError:
        service_name = None
    citizens = doc.get("source") == "public"
    photos = (doc.get("photos") or []) if citizens else []
    return {
        "service_request_id": doc["id"],
        "status": "closed" if state in ("closed", "void") else "open",
        "status_notes": STATE_NOTES.get(state, state).format(dept=dept or "处置单位"),
        "service_name": service_name,
        "service_code": doc["category_code"],
        "description": (doc.get("description") or "")[:MAX_FIELD] if citizens else service_name,
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


def departments(s: Session) -> dict[str, str]:
    return {d.id: d.name for d in s.scalars(select(Department))}


# ---- input parsing -----------------------------------------------------------------------
#: The header a gateway may send its key in instead of the form's ``api_key`` (checked before
#: the body is read). Never the query string: URLs end up in access logs and proxies' logs.
API_KEY_HEADER = "X-Api-Key"
INVALID_KEY = "Invalid api_key received -- can't proceed with create_request."


def check_key_placement(request: Request) -> None:
    """Refuse a write whose ``api_key`` is in the URL (a secret there is logged by every hop)."""
    if "api_key" in request.query_params:
        raise Open311Error(
            400,
            f"send api_key in the request body or the {API_KEY_HEADER} header, "
            "never in the URL (URLs are logged)",
        )


def check_jurisdiction(ctx: Context, given: str | None) -> None:
    """GeoReport v2: ``jurisdiction_id`` is optional for a single-city endpoint, and one naming
    another city is answered 404 ("jurisdiction_id provided was not found")."""
    if given and given != ctx.settings.open311_jurisdiction:
        raise Open311Error(404, f"jurisdiction_id {given[:40]!r} was not found")


async def read_form(request: Request) -> dict[str, str]:
    """Form-encoded (as the spec says) or JSON bodies, as a flat dict of strings; JSON is
    decoded by ``inputs.load_json`` (bounded nesting, no lone surrogates)."""
    try:
        raw = await request.body()
    except HTTPException as e:  # the body limit's 413, in this facade's shape
        raise Open311Error(e.status_code, str(e.detail)) from None
    ctype = request.headers.get("content-type", "")
    if "json" in ctype:
        try:
            data = load_json(raw)
        except ValueError as e:
            raise Open311Error(400, str(e)) from None
        if not isinstance(data, dict):
            raise Open311Error(400, "the body must be an object of fields")
        out = {str(k): "" if v is None else str(v)[: MAX_FIELD + 1] for k, v in data.items()}
    else:
        try:
            parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            raise Open311Error(400, "the body is not valid form data or JSON") from None
        out = {k: v[0] for k, v in parsed.items()}
        for k, v in request.query_params.items():
            out.setdefault(k, v)
    if any("\x00" in k or "\x00" in v for k, v in out.items()):
        raise Open311Error(400, "fields must not contain NUL characters")
    return out


def parse_float(v: str | None, name: str) -> float | None:
    if v in (None, ""):
        return None
    try:
        x = float(v)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    if not math.isfinite(x):
        raise Open311Error(400, f"{name} must be a finite number")
    return x


def parse_date(v: str | None, name: str) -> datetime | None:
    if not v:
        return None
    try:
        return parse_instant(v, name)
    except ValueError as e:
        raise Open311Error(400, str(e).replace("ISO 8601 timestamp", "W3C date-time")) from None
