"""Idempotent writes: a client that retries with the same ``Idempotency-Key`` gets the first
answer instead of a second effect (a second case, a second acknowledgement)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import delete
from sqlalchemy.orm import Session

from console.domain.workflow import WorkflowError

from .context import Context
from .db import IdempotencyRecord
from .errors import ApiError, error_body


def run_once(
    ctx: Context,
    user_id: str,
    key: str | None,
    request_sig: dict[str, Any],
    fn: Callable[[Session], Any],
) -> JSONResponse:
    """Run ``fn(session)`` once per (user, key): repeats get the first response, and the
    record commits in the same transaction as the effect, so a crash loses both or neither.
    Refusals are recorded too (inside a savepoint that drops the effect), so a retry of a
    refused request is refused the same way rather than tried again."""
    h = hashlib.sha256(json.dumps(request_sig, sort_keys=True, default=str).encode()).hexdigest()
    with ctx.db.write() as s:
        if key:
            rec = s.get(IdempotencyRecord, (user_id, key))
            if rec is not None:
                if rec.request_hash != h:
                    raise ApiError(
                        400,
                        "Idempotency-Key reused with a different request",
                        code="idempotency_key_reused",
                    )
                return JSONResponse(
                    rec.body, status_code=rec.status, headers={"Idempotent-Replayed": "true"}
                )
        sp = s.begin_nested()
        try:
            status, body = 200, fn(s)
            sp.commit()
        except (ApiError, WorkflowError) as e:
            sp.rollback()
            status, body = e.status, error_body(e.status, e.message, e.details, e.code)
        if key:
            s.add(
                IdempotencyRecord(
                    user_id=user_id,
                    key=key,
                    request_hash=h,
                    status=status,
                    body=body,
                    created_at=ctx.wall_now(),
                )
            )
    return JSONResponse(body, status_code=status)


def prune(ctx: Context) -> None:
    """Forget records older than the retention (wall time: retries do not speed up)."""
    with ctx.db.write() as s:
        s.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.created_at < ctx.wall_now() - ctx.settings.idempotency_ttl
            )
        )
