"""One error shape for every failure: ``{"error": {"code", "message", "details"}}``.

Request validation failures are answered with 400 (bad input), so that 422 keeps its single
meaning in this API: the workflow refused a transition.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from console.domain.workflow import WorkflowError

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_transition",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        details: dict | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}
        self.code = code or _CODES.get(status, "error")
        #: Response headers the refusal needs (``Retry-After`` on 429/503).
        self.headers = headers


def error_body(status: int, message: str, details=None, code: str | None = None) -> dict:
    return {
        "error": {
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": details or {},
        }
    }


def error_response(
    status: int, message: str, details=None, code: str | None = None, headers=None
) -> JSONResponse:
    return JSONResponse(
        error_body(status, message, details, code), status_code=status, headers=headers
    )


def _jsonable_errors(errors) -> list[dict]:
    out = []
    for e in errors:
        out.append(
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", ""))[:300],
                "type": str(e.get("type", "")),
            }
        )
    return out[:50]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        if exc.status >= 500:
            log.error("%s %s -> %s %s", request.method, request.url.path, exc.status, exc.message)
        return error_response(exc.status, exc.message, exc.details, exc.code, exc.headers)

    @app.exception_handler(WorkflowError)
    async def _workflow_error(request: Request, exc: WorkflowError):
        return error_response(exc.status, exc.message, exc.details, exc.code)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        log.info("%s %s -> 400 validation", request.method, request.url.path)
        return error_response(400, "invalid request", {"errors": _jsonable_errors(exc.errors())})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return error_response(
            exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError):
        # The database refused a value the validators let through (e.g. a NUL in a path
        # parameter on PostgreSQL): the client's input, so 400, and logged for a fix.
        log.warning(
            "database refused input on %s %s: %s", request.method, request.url.path, exc.orig
        )
        return error_response(
            400, "the database refused a value in this request", {"reason": str(exc.orig)[:200]}
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; it has been logged")
