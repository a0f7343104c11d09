"""回访: calling a member of the public back once their report is closed, and their 满意度.

Why after 结案 and not before: callbacks are made on finished requests (12345 centres list
"办结诉求满意度回访" among their outgoing calls; complaint-handling rules call back "after the
matter is handled"), and a caller who cannot be reached must not hold a finished case open:
the closure and its on-time KPI stay the centre's, the satisfaction is recorded beside them.

- Only public reports (``source = public``: the 12345 hotline, app/WeChat, Open311) are
  called back: they have a caller to ask. Supervisors', sensors' and video cases have none.
- The scale is the three answers 满意 / 基本满意 / 不满意 used by hotline "一事一评"
  evaluation, plus 未接通 (not reached) for an attempt that reached nobody.
- Up to ``MAX_ATTEMPTS`` attempts: an unreached call may be tried again until a reached answer
  is recorded or the attempts are used up (call-centre rules retry an unreachable caller at
  intervals, then give up and inform by SMS; three tries is our bound). After a reached answer
  no further callback.
- 满意率 = (满意 + 基本满意) / reached callbacks; unreached callers are outside the
  denominator (they gave no opinion) and counted on their own (``console.domain.kpi``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .workflow import BadActionParams, InvalidTransition, Source, State

#: Satisfaction codes and their Chinese names, in the order a dialog offers them.
SATISFACTION_ZH = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "unreached": "未接通",
}
UNREACHED = "unreached"
REACHED = frozenset(SATISFACTION_ZH) - {UNREACHED}
#: Reached answers that count as satisfied in the 满意率.
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
MAX_ATTEMPTS = 3


def callback_open(source: str, state: str, satisfaction: str | None, attempts: int) -> bool:
    """Whether the case still waits for its 回访 (the console offers the action on this)."""
    return (
        source == Source.PUBLIC.value
        and state == State.CLOSED.value
        and satisfaction not in REACHED
        and attempts < MAX_ATTEMPTS
    )


def record(
    source: str,
    satisfaction: str | None,
    attempts: int,
    params: Mapping[str, Any],
    data: dict[str, Any],
) -> tuple[str, int]:
    """Check one callback on a closed case and return (satisfaction, attempts) after it; the
    event's ``data`` gets the answer and the attempt number. 400 for an unknown answer, 422
    for a case that takes no (further) callback."""
    level = str(params.get("satisfaction") or "")
    if level not in SATISFACTION_ZH:
        raise BadActionParams(f"unknown satisfaction {level!r}", {"allowed": list(SATISFACTION_ZH)})
    if source != Source.PUBLIC.value:
        raise InvalidTransition("only public reports are called back (回访)", {"source": source})
    if satisfaction in REACHED:
        raise InvalidTransition(
            "the caller has already been called back", {"satisfaction": satisfaction}
        )
    if attempts >= MAX_ATTEMPTS:
        raise InvalidTransition(
            f"the caller was not reached in {MAX_ATTEMPTS} attempts; no further callback",
            {"attempts": attempts},
        )
    data["satisfaction"] = level
    data["attempt"] = attempts + 1
    return level, attempts + 1
