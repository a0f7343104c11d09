"""The operator's work queues (待受理, 待核实, …): which queue a case is waiting in.

A queue is the *stage* a case waits for, not its raw state: an accepted public report waits
for verification (待核实) while an accepted supervisor report waits for registration (待立案).
超期 (overdue) cuts across queues by SLA light and 全部 holds everything, so both are views
rather than a queue a case sits in.
"""

from __future__ import annotations

from .workflow import State

#: (key, Chinese label, English label), in the order the tabs show them.
QUEUES: tuple[tuple[str, str, str], ...] = (
    ("accept", "待受理", "To accept"),
    ("verify", "待核实", "To verify"),
    ("register", "待立案", "To register"),
    ("dispatch", "待派遣", "To dispatch"),
    ("arbitrate", "待裁定", "To arbitrate"),  # disputed returns (console.domain.coop)
    ("dispose", "处置中", "In disposal"),
    ("check", "待核查", "To check"),
    ("close", "待结案", "To close"),
    ("parked", "挂账", "Parked"),
    ("callback", "待回访", "To call back"),
    ("overdue", "超期", "Overdue"),
    ("all", "全部", "All"),
)
QUEUE_KEYS = tuple(q[0] for q in QUEUES)
QUEUE_CODE = {k: i for i, k in enumerate(QUEUE_KEYS)}
#: Queues derived from other columns (the light, or nothing at all), never a case's home.
VIEW_QUEUES = frozenset({"overdue", "all"})
NO_QUEUE = -1  # closed (called back, or not public) and void cases: only in 全部

_BY_STATE = {
    State.REPORTED: "accept",
    State.VERIFYING: "verify",
    State.REGISTERED: "dispatch",
    State.RETURNED: "dispatch",
    State.DISPATCHED: "dispose",
    State.HANDLED: "check",
    State.CHECKING: "check",
    State.CHECKED: "close",
    State.PARKED: "parked",
}


def queue_of(
    state: str, stage: str | None, callback_due: bool = False, disputed: bool = False
) -> str | None:
    """The queue a case in ``state`` whose running clock is ``stage`` waits in; None when it
    waits in none (closed, void, or a state this console does not know). A closed public report
    still waiting for its 回访 (``console.domain.callback.callback_open``) waits in 待回访, and a
    return waiting for the 值班长's arbitration (``console.domain.coop.dispute_pending``) in
    待裁定, not 待派遣: the dispatcher cannot move it on."""
    try:
        st = State(state)
    except ValueError:
        return None
    if st == State.CLOSED and callback_due:
        return "callback"
    if st == State.ACCEPTED:
        return "verify" if stage == "send_verify" else "register"
    if st == State.RETURNED and disputed:
        return "arbitrate"
    if st == State.REGISTERED and stage == "close":
        return "close"  # a registered 自处理 case waits for 结案, not for dispatch
    return _BY_STATE.get(st)
