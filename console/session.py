"""One operator's session with a backend: who they are, the live feed, the outbox.

Everything a console does over the network goes through here, off the GUI thread: the
LiveSource (bootstrap + long poll into the shift log), the Outbox (actions written before they
are sent), and ``fetch`` for one-off reads (a case's photos, a vehicle's track) from worker
threads. Each thread has its own ``requests.Session``. No Qt here: the window wires the
callbacks to the Qt bridge.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime

from console.domain.china_time import CST
from console.domain.workflow import Actor
from console.store import daily_logs
from console.store.daily_logs import DailyLogs
from console.store.shiftlog import ShiftLog
from console.sync.client import RestClient
from console.sync.live import Batch, LiveSource
from console.sync.outbox import Outbox, Outcome

log = logging.getLogger(__name__)


def shift_log_name(username: str, when: datetime | None = None) -> str:
    """One file per user per day: a console restarted during its shift resumes its log."""
    day = (when or datetime.now(CST)).astimezone(CST).strftime("%Y-%m-%d")
    return f"{day}-{re.sub(r'[^A-Za-z0-9_.-]', '_', username)[:40]}.zhcg"


class Session:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        log_path,
        *,
        verify: bool | str = True,
        on_batch: Callable[[Batch], None] | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        wait_s: float = 20.0,
        daily: DailyLogs | None = None,
    ):
        """``log_path``: the shift log; or ``daily``: one file per district day, rolled at the
        district's midnight (a wall that runs for months; ``console.store.daily_logs``)."""
        self.base_url = base_url
        self._creds = (username, password, verify)
        self._local = threading.local()
        # Login now, on the caller's thread: a wrong password is for the login dialog to say.
        self.user = self._client().login()["user"]
        self.actor = Actor(
            self.user["id"], frozenset(self.user.get("roles") or ()), self.user.get("department_id")
        )
        self.shiftlog = (
            daily.open(daily_logs.today())
            if daily is not None
            else ShiftLog(log_path, backend_url=base_url, user=username)
        )
        self.on_roll: Callable[[ShiftLog], None] = lambda new: None
        self.live = LiveSource(
            self._new_client(),
            self.shiftlog,
            on_batch,
            wait_s=wait_s,
            roll=daily.roll if daily is not None else None,
            on_roll=self._rolled,
        )
        self.outbox = Outbox(self._new_client(), self.shiftlog, on_outcome)

    def _rolled(self, new: ShiftLog) -> None:
        """Live thread: the next file took over. Actions still to send move with it (a resend
        of one the old file saw finish is answered from the backend's idempotency record)."""
        old, self.shiftlog = self.shiftlog, new
        new.outbox_carry(old.outbox_pending())
        self.outbox.log = new
        self.on_roll(new)

    def _new_client(self) -> RestClient:
        username, password, verify = self._creds
        return RestClient(self.base_url, username, password, verify=verify)

    def _client(self) -> RestClient:
        c = getattr(self._local, "client", None)
        if c is None:
            c = self._local.client = self._new_client()
        return c

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> Session:
        self.live.start()
        self.outbox.start()
        return self

    def stop(self) -> None:
        """Stop the threads (if ``start`` ran: a console that never opened stops too) and
        close the log."""
        self.live.stop()
        self.outbox.stop()
        if self.outbox.is_alive():
            self.outbox.join(timeout=3)
        if self.live.is_alive():
            self.live.join(timeout=1)  # may sit in a long poll; the closed log refuses its page
        self.shiftlog.close()

    # ---- reads (worker threads) ------------------------------------------------------------
    def fetch(self, path: str, **params) -> dict:
        return self._client().get(path, params=params or None)

    def fetch_bytes(self, path: str) -> bytes:
        return self._client().request("GET", path, raw=True)

    # ---- actions (durable, through the outbox) ---------------------------------------------
    def act(self, case: dict, action: str, **params) -> str:
        """An action decided on ``case`` as the operator saw it (its version travels along)."""
        body = {k: v for k, v in params.items() if v not in (None, "")}
        return self.outbox.submit(case["id"], action, case.get("version"), **body)

    def new_case(self, body: dict) -> str:
        return self.outbox.new_case(f"new-{datetime.now(CST):%H%M%S}", body)

    def ack_alert(self, alert_id: str, comment: str = "") -> str:
        return self.outbox.ack_alert(alert_id, comment)

    def throw_to_wall(self, subject_type: str, subject_id: str) -> dict:
        """Worker thread: put a case, vehicle or alert on every wall's focus scene
        (``POST /api/v1/wall/focus``). Not through the outbox: a throw is worth its moment
        only, so a failure is told at once, never retried later."""
        body = {"subject_type": subject_type, "subject_id": subject_id}
        return self._client().post("/api/v1/wall/focus", json=body)

    def post(self, path: str, body: dict, key: str) -> dict:
        """Worker thread: a write that is not a case's (a work order's 派单, 验收), with its
        ``Idempotency-Key``; not through the outbox: the desk sees the refusal at once (a 409
        when someone acted first) and decides again on what the feed brought."""
        return self._client().post(path, json=body, headers={"Idempotency-Key": key})

    def enforcement_step(self, case_id: str, body: dict) -> dict:
        """Worker thread: one step of an enforcement case, as ``post``: a 法制审核's decision
        is taken at the desk, and a refusal (403, 422, 409) is told at once."""
        return self.post(f"/api/v1/enforcement/{case_id}/actions", body, uuid.uuid4().hex)

    def can(self, role: str) -> bool:
        return role in self.actor.roles
