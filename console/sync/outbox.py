"""The outbox: operator actions written durably before they are sent, sent until answered.

An action gets its Idempotency-Key when the operator takes it and keeps it for every retry,
across network loss and process restarts; the backend applies a key once and replays its
first answer, so nothing is lost and nothing is applied twice. Refusals (403 role, 409 the
case changed, 422 not possible now) come back to the operator with the reason and, for 409,
the current case.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from console.store.shiftlog import ShiftLog

from .client import ApiError, RestClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    key: str
    case_id: str
    action: str
    status: int
    ok: bool
    message: str
    case: (
        dict[str, Any] | None
    )  # the answered document (case or alert), or the current case on a 409


#: Outbox ``action`` values that are not case-workflow actions, and where they are posted.
#: Everything else is a workflow action on ``/cases/{id}/actions``.
CREATE_CASE = "create_case"  # a new case (12345 hotline): the row's case_id is a local label
ACK_ALERT = "ack_alert"  # the row's case_id holds the alert id


def _path(row: dict[str, Any]) -> str:
    if row["action"] == CREATE_CASE:
        return "/api/v1/cases"
    if row["action"] == ACK_ALERT:
        return f"/api/v1/alerts/{row['case_id']}/ack"
    return f"/api/v1/cases/{row['case_id']}/actions"


class Outbox(threading.Thread):
    def __init__(
        self,
        client: RestClient,
        shiftlog: ShiftLog,
        on_outcome: Callable[[Outcome], None] | None = None,
        backoff_max_s: float = 8.0,
    ):
        super().__init__(name="outbox", daemon=True)
        self.client = client
        self.log = shiftlog
        self.on_outcome = on_outcome or (lambda o: None)
        self.backoff_max_s = backoff_max_s
        self._wake = threading.Event()
        self._stop_event = threading.Event()
        self._rng = random.Random()

    def submit(self, case_id: str, action: str, expected_version: int | None, **params: Any) -> str:
        """Record a workflow action (durably) and wake the sender; returns its Idempotency-Key."""
        body = {"action": action, "expected_version": expected_version, **params}
        return self._add(case_id, action, body)

    def new_case(self, label: str, body: dict[str, Any]) -> str:
        """Queue a new case (a hotline call); ``label`` names it until the backend numbers it."""
        return self._add(label, CREATE_CASE, body)

    def ack_alert(self, alert_id: str, comment: str = "") -> str:
        return self._add(alert_id, ACK_ALERT, {"comment": comment})

    def _add(self, subject: str, action: str, body: dict[str, Any]) -> str:
        key = uuid.uuid4().hex
        self.log.outbox_add(key, self.client.username or "", subject, action, body)
        self._wake.set()
        return key

    def pending(self) -> int:
        return len(self.log.outbox_pending())

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def run(self) -> None:
        delay = 0.25
        while not self._stop_event.is_set():
            rows = self.log.outbox_pending()
            if not rows:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            failed = False
            for row in rows:
                if self._stop_event.is_set():
                    return
                if not self._send(row):
                    failed = True
                    break  # keep order: the next action may depend on this one
            if failed:
                self._stop_event.wait(delay * (0.5 + self._rng.random()))
                delay = min(delay * 2, self.backoff_max_s)
            else:
                delay = 0.25

    def _send(self, row: dict[str, Any]) -> bool:
        """True when the backend answered (success or refusal); False to retry later."""
        body = json.loads(row["body"])
        try:
            case = self.client.post(
                _path(row),
                json=body,
                headers={"Idempotency-Key": row["key"]},
            )
        except (requests.ConnectionError, requests.Timeout) as e:
            self.log.outbox_attempt(row["key"], type(e).__name__)
            return False
        except ApiError as e:
            if e.status >= 500 or e.status == 429:
                self.log.outbox_attempt(row["key"], str(e))
                return False
            self.log.outbox_finish(row["key"], e.status, e.body)
            current = e.details.get("case") if isinstance(e.details, dict) else None
            self.on_outcome(
                Outcome(
                    row["key"], row["case_id"], row["action"], e.status, False, e.message, current
                )
            )
            return True
        self.log.outbox_finish(row["key"], 200, case)
        self.on_outcome(Outcome(row["key"], row["case_id"], row["action"], 200, True, "", case))
        return True
