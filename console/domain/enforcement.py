"""行政执法: the enforcement case (执法案件), its procedures, deadlines and public disclosure.

One table (``TRANSITIONS``) says which state each step leaves and reaches, which role takes
it and which inputs it needs; ``check_step`` applies the law's conditions the table cannot
hold (two officers, the investigator never approving their own case, the notice period, the
amount limits of the 简易程序). ``public_view`` is the 阳光执法 form of a case: what
《行政处罚法》第四十八条 publishes, with every person's data masked (``mask_name``,
``mask_id_number``, free text scrubbed). Sources are cited at each rule and collected in
docs/rules/enforcement.md. Pure: the backend, the console and the simulator share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from .china_time import CST
from .workflow import BadActionParams, ForbiddenAction, InvalidTransition, Role


class EState(StrEnum):
    FILED = "filed"  # 待立案审批 (立案申请 made by the officers)
    INVESTIGATING = "investigating"  # 调查取证 (立案 approved)
    NOTIFIED = "notified"  # 已告知: the 陈述申辩/听证 period runs
    DECIDED = "decided"  # 已作出处罚决定, waiting for 送达 and 执行
    EXECUTED = "executed"  # 执行完毕
    CLOSED = "closed"  # 结案
    REJECTED = "rejected"  # 不予立案


ESTATE_ZH = {
    EState.FILED: "待立案审批",
    EState.INVESTIGATING: "调查取证",
    EState.NOTIFIED: "告知(陈述申辩/听证期)",
    EState.DECIDED: "已决定待执行",
    EState.EXECUTED: "执行完毕",
    EState.CLOSED: "结案",
    EState.REJECTED: "不予立案",
}
TERMINAL = frozenset({EState.CLOSED, EState.REJECTED})


class Procedure(StrEnum):
    GENERAL = "general"  # 一般程序 (《行政处罚法》第五章第三节)
    SIMPLE = "simple"  # 简易程序 / 当场处罚 (第五章第二节, 第五十一条)


PROCEDURE_ZH = {Procedure.GENERAL: "一般程序", Procedure.SIMPLE: "简易程序"}


class PartyKind(StrEnum):
    PERSON = "person"  # 公民
    ORG = "org"  # 法人或者其他组织


class EAction(StrEnum):
    APPROVE_FILING = "approve_filing"
    REJECT_FILING = "reject_filing"
    ADD_EVIDENCE = "add_evidence"
    NOTIFY = "notify"
    RECORD_STATEMENT = "record_statement"
    REQUEST_HEARING = "request_hearing"
    HOLD_HEARING = "hold_hearing"
    DECIDE = "decide"
    DECIDE_NO_PENALTY = "decide_no_penalty"
    DECIDE_ON_SPOT = "decide_on_spot"
    DELIVER = "deliver"
    EXECUTE = "execute"
    CLOSE = "close"


#: Who takes which step. 执法队员 (officer) investigate, notify, deliver and record execution;
#: 法制审核 (legal: the bureau's 法制审核机构 acting for its 负责人 in this model) approves
#: 立案 and takes every decision. Why two roles and not the officer alone: 立案 needs the
#: 负责人's approval (《市场监督管理行政处罚程序规定》第十八条, 《住房和城乡建设行政处罚程序
#: 规定》第十三条), the decision is the 负责人's after review (《行政处罚法》第五十七条) and a
#: 法制审核 precedes decisions of weight (第五十八条); an investigator deciding their own case is
#: what that separation exists to prevent (``check_step`` also refuses a legal reviewer who
#: is one of the case's officers). The 简易程序's 当场处罚 is the officers' own (第五十二条).
OFFICER, LEGAL = Role.OFFICER, Role.LEGAL


@dataclass(frozen=True)
class Step:
    action: EAction
    sources: frozenset[EState]
    target: EState | None  # None: the case stays where it is (evidence, statements, hearings)
    role: Role
    zh: str
    procedure: Procedure | None = None  # the step exists only in this procedure
    note_required: bool = False
    params: tuple[str, ...] = ()  # required inputs
    optional: tuple[str, ...] = ()


def _s(
    action: EAction,
    sources: Iterable[EState],
    target: EState | None,
    role: Role,
    zh: str,
    **kw: Any,
) -> Step:
    return Step(action, frozenset(sources), target, role, zh, **kw)


E, A = EState, EAction
TRANSITIONS: dict[EAction, Step] = {
    t.action: t
    for t in (
        _s(
            A.APPROVE_FILING,
            {E.FILED},
            E.INVESTIGATING,
            LEGAL,
            "立案审批",
            procedure=Procedure.GENERAL,
        ),
        _s(A.REJECT_FILING, {E.FILED}, E.REJECTED, LEGAL, "不予立案", note_required=True),
        _s(
            A.ADD_EVIDENCE,
            {E.INVESTIGATING, E.NOTIFIED},
            None,
            OFFICER,
            "调查取证",
            note_required=True,
            optional=("photos",),
        ),
        _s(
            A.NOTIFY,
            {E.INVESTIGATING},
            E.NOTIFIED,
            OFFICER,
            "处罚告知",
            params=("penalty", "basis"),
        ),
        _s(
            A.RECORD_STATEMENT,
            {E.NOTIFIED},
            None,
            OFFICER,
            "陈述申辩",
            note_required=True,
            optional=("waive",),
        ),
        _s(A.REQUEST_HEARING, {E.NOTIFIED}, None, OFFICER, "听证申请"),
        _s(A.HOLD_HEARING, {E.NOTIFIED}, None, LEGAL, "举行听证", note_required=True),
        _s(
            A.DECIDE,
            {E.NOTIFIED},
            E.DECIDED,
            LEGAL,
            "处罚决定",
            params=("penalty", "basis"),
        ),
        _s(
            A.DECIDE_NO_PENALTY,
            {E.INVESTIGATING, E.NOTIFIED},
            E.CLOSED,
            LEGAL,
            "不予处罚",
            note_required=True,
        ),
        _s(
            A.DECIDE_ON_SPOT,
            {E.FILED},
            E.DECIDED,
            OFFICER,
            "当场处罚",
            procedure=Procedure.SIMPLE,
            params=("penalty", "basis"),
        ),
        _s(A.DELIVER, {E.DECIDED}, None, OFFICER, "送达决定书"),
        _s(A.EXECUTE, {E.DECIDED}, E.EXECUTED, OFFICER, "执行", optional=("paid",)),
        _s(A.CLOSE, {E.EXECUTED}, E.CLOSED, LEGAL, "结案"),
    )
}

# ---- deadlines ---------------------------------------------------------------------------
#: 立案: within 15 working days of discovering the lead (《市场监督管理行政处罚程序规定》
#: 第十八条: "自发现线索或者收到材料之日起十五个工作日内予以核查，由…负责人决定是否立案"; the
#: 住建 rules set the same span). Counted on the district's work calendar.
FILING_WORKING_DAYS = 15
#: 处罚决定: within 90 days of 立案 (《行政处罚法》2021 第六十条).
DECISION_DAYS = 90
#: The 陈述申辩/听证 period after 告知: a hearing must be asked for within 5 days of the notice
#: (第六十四条(一)); both rights are notified at once (第四十四条) and no decision may be taken
#: before the party has been heard (第六十二条), so the decision waits for the 5 days unless
#: the party waives them. (Some local rules give 3 days for 陈述申辩 alone; the 5-day hearing
#: window is the longer and binding one.)
NOTICE_DAYS = 5
#: 决定书 delivered within 7 days of the decision when the party is absent (第六十一条).
DELIVERY_DAYS = 7
#: 罚款 paid within 15 days of receiving the decision (第六十七条).
PAYMENT_DAYS = 15
#: 简易程序 limits (第五十一条): 警告 or a 罚款 of at most 200 元 for a person, 3000 元 for a
#: legal person or other organisation; no confiscation.
SIMPLE_FINE_LIMIT = {PartyKind.PERSON: 200, PartyKind.ORG: 3000}
#: 执法人员不得少于两人 (第四十二条).
MIN_OFFICERS = 2
#: Evidence entries and statements a case holds at most: a case file's bound, and what keeps
#: its document (and the record consoles follow) a bounded size.
MAX_ENTRIES = 50
#: Upper bound of any amount the backend takes (元): ten billion, far beyond any district's
#: penalty, so an absurd figure is refused as bad input, never stored.
MAX_AMOUNT = 10_000_000_000


def add_working_days(start: datetime, n: int, is_working_day: Callable[[date], bool]) -> datetime:
    """The end (24:00 China time) of the ``n``-th working day after ``start``'s day: a span
    "within N 工作日 of the day" ends with that day, whatever the hour it began."""
    d = start.astimezone(CST).date()
    left = n
    while left > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            left -= 1
    return datetime.combine(d + timedelta(days=1), time(), CST)


def _days_after(t: datetime, n: int) -> datetime:
    """The end of the ``n``-th calendar day after ``t``'s day (China time): 第六十条's 90 days
    and the other day counts run from the day after the event (《民法典》第二百零一条)."""
    d = t.astimezone(CST).date() + timedelta(days=n + 1)
    return datetime.combine(d, time(), CST)


def filing_due(discovered_at: datetime, is_working_day: Callable[[date], bool]) -> datetime:
    return add_working_days(discovered_at, FILING_WORKING_DAYS, is_working_day)


def decision_due(filed_at: datetime) -> datetime:
    return _days_after(filed_at, DECISION_DAYS)


def notice_until(notified_at: datetime) -> datetime:
    return _days_after(notified_at, NOTICE_DAYS)


def delivery_due(decided_at: datetime) -> datetime:
    return _days_after(decided_at, DELIVERY_DAYS)


def payment_due(delivered_at: datetime) -> datetime:
    return _days_after(delivered_at, PAYMENT_DAYS)


def running_deadline(doc: dict[str, Any]) -> tuple[str, str] | None:
    """(what, ISO instant) of the deadline the case's state waits for, or None when done."""
    st, dl = doc["state"], doc.get("deadlines", {})
    if st == EState.FILED:
        return ("filing", dl["filing"]) if "filing" in dl else None
    if st in (EState.INVESTIGATING, EState.NOTIFIED):
        return ("decision", dl["decision"]) if "decision" in dl else None
    if st == EState.DECIDED:
        if "payment" in dl:
            return ("payment", dl["payment"])
        return ("delivery", dl["delivery"]) if "delivery" in dl else None
    return None


DEADLINE_ZH = {"filing": "立案", "decision": "处罚决定", "delivery": "送达", "payment": "缴款"}


def timely_in(doc: dict[str, Any], start: datetime, end: datetime) -> bool | None:
    """Whether the case counts for 执法 timeliness in [start, end), and how: True when it was
    decided in the period with 立案 and 处罚决定 each within its clock; False when it was decided
    in the period with a clock missed, or when a clock ran out in the period with its step not
    taken by ``end``; None when it does not count in the period (nothing decided or missed in
    it, or 不予立案). Only what happened before ``end`` is read, so a closed period keeps its
    number."""
    if doc["state"] == EState.REJECTED:
        return None
    dl, at = doc.get("deadlines", {}), doc.get("at", {})

    def done(step: str) -> datetime | None:
        t = at.get(step)
        return None if t is None or datetime.fromisoformat(t) >= end else datetime.fromisoformat(t)

    clocks = [
        (done(step), datetime.fromisoformat(dl[key]))
        for step, key in (("filed", "filing"), ("decided", "decision"))
        if key in dl
    ]
    decided = done("decided")
    if decided is not None:
        if not start <= decided < end:
            return None
        return all(t is not None and t <= due for t, due in clocks)
    missed = [due for t, due in clocks if (t is None or t > due) and due < end]
    if missed and start <= min(missed):
        return False
    return None


# ---- inputs --------------------------------------------------------------------------------
#: 统一社会信用代码 (GB 32100-2015): 18 characters of digits and capitals without I O Z S V.
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
#: 居民身份证号码 (GB 11643-1999): 17 digits and a check digit (0-9 or X).
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^\+?[\d\-]{5,20}$")


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code_ok(code: str) -> bool:
    """GB 32100-2015 4.5: the 18th character is the check of the first 17 (weights 3^i mod 31)."""
    if not CREDIT_CODE_RE.match(code):
        return False
    total = sum(_CREDIT_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def id_check_digit(first17: str) -> str:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits (10 is written X)."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return "10X98765432"[total % 11]


def id_number_ok(ident: str) -> bool:
    return bool(ID_NUMBER_RE.match(ident)) and id_check_digit(ident[:17]) == ident[17]


def check_party(p: dict[str, Any]) -> None:
    """A party as the backend stores it; 400 naming the field otherwise."""
    kind = p.get("kind")
    if kind not in (PartyKind.PERSON, PartyKind.ORG):
        raise BadActionParams("party kind must be 'person' or 'org'", {"kind": str(kind)[:20]})
    if not (p.get("name") or "").strip():
        raise BadActionParams("a party needs a name")
    ident = p.get("id_number") or ""
    if kind == PartyKind.PERSON and ident and not id_number_ok(ident):
        raise BadActionParams("id_number must be an 18-character 居民身份证号码 (GB 11643)")
    if kind == PartyKind.ORG and ident and not credit_code_ok(ident):
        raise BadActionParams("id_number of an org must be an 18-character 统一社会信用代码")
    if p.get("phone") and not PHONE_RE.match(p["phone"]):
        raise BadActionParams("phone must be digits (and + or -)")


def check_penalty(
    penalty: dict[str, Any], party_kind: PartyKind | str, procedure: Procedure | str
) -> dict[str, Any]:
    """A penalty {warning, fine, confiscation} normalised; 400 when empty, negative, too large
    or beyond the 简易程序's limits (第五十一条)."""
    out = {
        "warning": bool(penalty.get("warning", False)),
        "fine": penalty.get("fine", 0) or 0,
        "confiscation": penalty.get("confiscation", 0) or 0,
    }
    for k in ("fine", "confiscation"):
        v = out[k]
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_AMOUNT:
            raise BadActionParams(f"{k} must be a whole number of yuan from 0 to {MAX_AMOUNT}")
    if not (out["warning"] or out["fine"] or out["confiscation"]):
        raise BadActionParams("a penalty needs a warning, a fine or a confiscation")
    if Procedure(procedure) == Procedure.SIMPLE:
        limit = SIMPLE_FINE_LIMIT[PartyKind(party_kind)]
        if out["confiscation"] or out["fine"] > limit:
            raise InvalidTransition(
                f"简易程序 allows a warning or a fine of at most {limit} 元 for this party "
                "(《行政处罚法》第五十一条): use the 一般程序",
                {"limit": limit, "fine": out["fine"], "confiscation": out["confiscation"]},
            )
    return out


# ---- the step check ---------------------------------------------------------------------
@dataclass(frozen=True)
class StepActor:
    user_id: str
    roles: frozenset[str]


def check_step(
    doc: dict[str, Any], action: str, actor: StepActor, now: datetime, note: str = ""
) -> Step:
    """The step ``action`` on ``doc`` by ``actor`` at ``now``, or the refusal: unknown action
    400, role 403, the investigator as decider 403, state or procedure 422, a notice period
    still running 422."""
    try:
        act = EAction(action)
    except ValueError:
        raise BadActionParams(
            f"unknown action {str(action)[:40]!r}", {"allowed": [a.value for a in EAction]}
        ) from None
    t = TRANSITIONS[act]
    if t.role not in actor.roles:
        raise ForbiddenAction(f"{act.value!r} needs the role {t.role.value!r}", {"role": t.role})
    if t.role == LEGAL and actor.user_id in doc.get("officers", []):
        raise ForbiddenAction(
            f"{act.value!r} cannot be taken by an officer of this case (调查与决定分离)",
            {"officers": doc.get("officers", [])},
        )
    if t.role == OFFICER and actor.user_id not in doc.get("officers", []):
        raise ForbiddenAction(
            f"{act.value!r} is for the case's officers", {"officers": doc.get("officers", [])}
        )
    state = EState(doc["state"])
    if state not in t.sources:
        raise InvalidTransition(
            f"cannot {act.value} a case that is {state.value}",
            {"state": state.value, "allowed_from": sorted(s.value for s in t.sources)},
        )
    if t.procedure is not None and doc["procedure"] != t.procedure:
        raise InvalidTransition(
            f"{act.value!r} belongs to the {t.procedure.value} procedure",
            {"procedure": doc["procedure"]},
        )
    if t.note_required and not note.strip():
        raise BadActionParams(f"{act.value!r} needs a note giving the reason or the record")
    _check_period(doc, act, now)
    if act == EAction.EXECUTE and not doc.get("at", {}).get("delivered"):
        raise InvalidTransition("the decision must be delivered (送达) before it is executed")
    return t


def available_steps(
    doc: dict[str, Any], user_id: str, roles: Iterable[str], now: datetime
) -> list[EAction]:
    """The steps ``user_id`` could take on the case now: the console enables these buttons,
    by the same ``check_step`` the backend refuses the others with."""
    actor = StepActor(user_id, frozenset(roles))
    out = []
    for act, t in TRANSITIONS.items():
        try:
            check_step(doc, act, actor, now, "-" if t.note_required else "")
        except (BadActionParams, ForbiddenAction, InvalidTransition):
            continue
        if act == EAction.EXECUTE or act == EAction.DELIVER:
            delivered = bool(doc.get("at", {}).get("delivered"))
            if delivered != (act == EAction.EXECUTE):
                continue
        out.append(act)
    return out


def check_params(t: Step, params: dict[str, Any]) -> None:
    """Required inputs present, no others (400)."""
    for p in t.params:
        if params.get(p) in (None, "", {}):
            raise BadActionParams(f"{t.action.value!r} needs {p!r}", {"missing": p})
    unexpected = sorted(
        k for k, v in params.items() if v is not None and k not in t.params + t.optional
    )
    if unexpected:
        raise BadActionParams(
            f"{t.action.value!r} takes no {', '.join(unexpected)}",
            {"unexpected": unexpected, "takes": [*t.params, *t.optional]},
        )


def apply_step(
    doc: dict[str, Any],
    action: str,
    actor: StepActor,
    now: datetime,
    note: str,
    params: dict[str, Any],
    number: Callable[[str], str],
) -> dict[str, Any]:
    """The case after ``action``: checked (``check_step``, ``check_params``), the state moved,
    its deadlines set, the 文书 it produces numbered by ``number(kind)`` (the backend's per-year
    counter), the step in the history. Returns a new doc; ``doc`` is not changed."""
    t = check_step(doc, action, actor, now, note)
    check_params(t, params)
    new = {
        **doc,
        "at": dict(doc.get("at", {})),
        "deadlines": dict(doc.get("deadlines", {})),
        "documents": list(doc.get("documents", [])),
        "evidence": list(doc.get("evidence", [])),
        "history": list(doc.get("history", [])),
    }
    ts = now.isoformat()
    act = t.action
    party_kind = doc["parties"][0]["kind"] if doc.get("parties") else PartyKind.PERSON

    def produce(kind: str) -> str:
        n = number(kind)
        new["documents"].append({"kind": kind, "name": DOC_KINDS[kind][1], "number": n, "at": ts})
        return n

    if act == EAction.APPROVE_FILING:
        new["at"]["filed"] = ts
        new["deadlines"]["decision"] = decision_due(now).isoformat()
        produce("filing")
    elif act == EAction.ADD_EVIDENCE:
        if len(new["evidence"]) >= MAX_ENTRIES:
            raise InvalidTransition(f"a case holds at most {MAX_ENTRIES} evidence entries")
        photos = params.get("photos") or []
        new["evidence"].append({"by": actor.user_id, "at": ts, "photos": photos, "note": note})
    elif act == EAction.NOTIFY:
        new["proposed"] = {
            "penalty": check_penalty(params["penalty"], party_kind, doc["procedure"]),
            "basis": str(params["basis"]),
        }
        new["at"]["notified"] = ts
        new["deadlines"]["notice_until"] = notice_until(now).isoformat()
        produce("notice")
    elif act == EAction.RECORD_STATEMENT:
        if len(doc.get("statements", [])) >= MAX_ENTRIES:
            raise InvalidTransition(f"a case holds at most {MAX_ENTRIES} statements")
        new["statements"] = [*doc.get("statements", []), {"at": ts, "note": note}]
        if params.get("waive"):
            new["waived"] = True
    elif act == EAction.REQUEST_HEARING:
        new["hearing"] = {"requested_at": ts}
    elif act == EAction.HOLD_HEARING:
        new["hearing"] = {**doc.get("hearing", {}), "held_at": ts, "record": note}
    elif act in (EAction.DECIDE, EAction.DECIDE_ON_SPOT):
        penalty = check_penalty(params["penalty"], party_kind, doc["procedure"])
        kind = "simple" if act == EAction.DECIDE_ON_SPOT else "decision"
        if kind == "simple":
            new["at"]["filed"] = ts
        new["decision"] = {
            "doc_number": produce(kind),
            "penalty": penalty,
            "basis": str(params["basis"]),
        }
        new["at"]["decided"] = ts
        if act == EAction.DECIDE_ON_SPOT:
            # 第五十二条: the 当场 decision is handed to the party on the spot.
            _delivered(new, now, penalty)
        else:
            new["deadlines"]["delivery"] = delivery_due(now).isoformat()
    elif act == EAction.DECIDE_NO_PENALTY:
        new["decision"] = {"doc_number": produce("no_penalty"), "penalty": {}, "basis": note}
        new["at"]["decided"] = ts
        new["at"]["closed"] = ts
    elif act == EAction.DELIVER:
        if doc.get("at", {}).get("delivered"):
            raise InvalidTransition("the decision has already been delivered")
        _delivered(new, now, doc["decision"]["penalty"])
    elif act == EAction.EXECUTE:
        paid = params.get("paid", doc["decision"]["penalty"].get("fine", 0))
        if isinstance(paid, bool) or not isinstance(paid, int) or not 0 <= paid <= MAX_AMOUNT:
            raise BadActionParams(f"paid must be a whole number of yuan from 0 to {MAX_AMOUNT}")
        new["execution"] = {"paid": paid, "at": ts}
        new["at"]["executed"] = ts
    elif act == EAction.CLOSE:
        new["at"]["closed"] = ts
    if t.target is not None:
        new["state"] = t.target.value
    new["version"] = doc.get("version", 0) + 1
    new["history"].append(
        {
            "action": act.value,
            "zh": t.zh,
            "by": actor.user_id,
            "role": t.role.value,
            "at": ts,
            "note": note,
        }
    )
    return new


def _delivered(new: dict[str, Any], now: datetime, penalty: dict[str, Any]) -> None:
    new["at"]["delivered"] = now.isoformat()
    new["deadlines"].pop("delivery", None)
    if penalty.get("fine"):
        new["deadlines"]["payment"] = payment_due(now).isoformat()


def new_case(
    case_id: str,
    procedure: Procedure | str,
    officers: list[str],
    parties: list[dict[str, Any]],
    category_code: str,
    category_name: str,
    facts: str,
    discovered_at: datetime,
    now: datetime,
    is_working_day: Callable[[date], bool],
    location: dict[str, Any] | None = None,
    source_case_id: str | None = None,
) -> dict[str, Any]:
    """A case as its officers file it (立案申请, or the start of a 当场处罚): checked for the
    two officers (第四十二条) and a valid party; the 立案 deadline runs from ``discovered_at``."""
    if len(set(officers)) < MIN_OFFICERS:
        raise BadActionParams(
            "an enforcement case needs at least two officers (《行政处罚法》第四十二条)",
            {"officers": officers},
        )
    if not parties:
        raise BadActionParams("an enforcement case needs a party (当事人)")
    for p in parties:
        check_party(p)
    if discovered_at > now:
        raise BadActionParams("discovered_at is in the future")
    ts = now.isoformat()
    deadlines = {}
    if Procedure(procedure) == Procedure.GENERAL:
        deadlines["filing"] = filing_due(discovered_at, is_working_day).isoformat()
    return {
        "id": case_id,
        "procedure": Procedure(procedure).value,
        "state": EState.FILED.value,
        "version": 1,
        "officers": list(dict.fromkeys(officers)),
        "parties": parties,
        "category_code": category_code,
        "category_name": category_name,
        "facts": facts,
        "location": location,
        "source_case_id": source_case_id,
        "at": {"discovered": discovered_at.isoformat(), "created": ts},
        "deadlines": deadlines,
        "documents": [],
        "evidence": [],
        "history": [
            {
                "action": "file",
                "zh": "立案申请",
                "by": officers[0],
                "role": "officer",
                "at": ts,
                "note": "",
            }
        ],
    }


def _check_period(doc: dict[str, Any], act: EAction, now: datetime) -> None:
    """The 陈述申辩/听证 period: a hearing asked for within it (第六十四条(一)), a decision
    only after it (or after the party waived it) and after a requested hearing was held."""
    until = doc.get("deadlines", {}).get("notice_until")
    hearing = doc.get("hearing") or {}
    if act == EAction.REQUEST_HEARING:
        if until is not None and now.isoformat() > until:
            raise InvalidTransition("a hearing must be asked for within 5 days of the notice")
        if hearing.get("requested_at"):
            raise InvalidTransition("a hearing has already been requested")
    if act == EAction.HOLD_HEARING and not hearing.get("requested_at"):
        raise InvalidTransition("no hearing was requested")
    if act == EAction.DECIDE:
        if hearing.get("requested_at") and not hearing.get("held_at"):
            raise InvalidTransition("the requested hearing has not been held (第六十三条)")
        if not doc.get("waived") and until is not None and now.isoformat() < until:
            raise InvalidTransition(
                "the 陈述申辩/听证 period runs until " + until + " (第六十二条)", {"until": until}
            )


# ---- documents ---------------------------------------------------------------------------
#: The 文书 a case produces and the word of each number (上城综执 + word + 字〔year〕第N号),
#: after the 文书 numbering of 《综合行政执法文书格式范本》 practice: organ short name, kind,
#: year in 〔〕, a serial per year and kind.
DOC_KINDS = {
    "filing": ("立", "立案审批表"),
    "notice": ("罚告", "行政处罚告知书"),
    "decision": ("罚决", "行政处罚决定书"),
    "simple": ("简罚", "当场行政处罚决定书"),
    "no_penalty": ("不罚", "不予行政处罚决定书"),
}
ORGAN_SHORT = "上城综执"


def doc_number(kind: str, year: int, serial: int) -> str:
    word, _ = DOC_KINDS[kind]
    return f"{ORGAN_SHORT}{word}字〔{year}〕第{serial:04d}号"


# ---- 阳光执法: masking ------------------------------------------------------------------------
#: 复姓 kept whole in a masked name (the common ones of 《百家姓》 still in use).
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "令狐",
        "夏侯",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "轩辕",
        "呼延",
        "申屠",
        "太史",
        "澹台",
        "公冶",
        "宗政",
        "濮阳",
        "淳于",
        "单于",
        "钟离",
        "闻人",
        "赫连",
        "万俟",
        "百里",
        "东郭",
        "第五",
        "司空",
        "拓跋",
        "左丘",
        "梁丘",
        "公羊",
        "谷梁",
        "鲜于",
        "仲孙",
        "南门",
        "羊舌",
        "微生",
        "漆雕",
        "乐正",
        "壤驷",
        "公良",
        "夹谷",
        "巫马",
    ]
)


def surname(name: str) -> str:
    """The surname of a Chinese name: a 复姓 when the name starts with one and has a given
    name after it, else the first character."""
    name = name.strip()
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def mask_name(name: str) -> str:
    """张三 → 张某某, 欧阳娜娜 → 欧阳某某: the form courts' and 执法公示 pages use."""
    return surname(name) + "某某"


def mask_id_number(ident: str) -> str:
    """A 身份证号码 with only its first and last character: 3**************X. The six-digit
    region code and the birth date are the identifying parts (GB/T 35273-2020 3.14 去标识化:
    a record must not identify a person without extra information), so neither is shown."""
    if len(ident) < 2:
        return "*" * len(ident)
    return ident[0] + "*" * (len(ident) - 2) + ident[-1]


def mask_phone(phone: str) -> str:
    """A phone with its last four digits only (the rest starred)."""
    return "*" * max(0, len(phone) - 4) + phone[-4:] if len(phone) > 4 else "*" * len(phone)


_ID_IN_TEXT = re.compile(r"\d{17}[\dXx]|\d{15}")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1\d{10}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def scrub_text(text: str, parties: Iterable[dict[str, Any]]) -> str:
    """``text`` with every person party's name, ID number, phone and address replaced by its
    masked form, and any other ID-like or phone-like number starred: an officer's 案情 often
    names the party."""
    out = text
    for p in parties:
        if p.get("kind") != PartyKind.PERSON:
            continue
        for field, mask in (
            ("id_number", mask_id_number),
            ("phone", mask_phone),
            ("address", lambda _a: "（住址略）"),
            ("name", mask_name),
        ):
            v = (p.get(field) or "").strip()
            if v:
                out = out.replace(v, mask(v))
    out = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), out)
    return _PHONE_IN_TEXT.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], out)


def masked_party(p: dict[str, Any]) -> dict[str, Any]:
    """A party as consoles and the public see it. A person: masked name, masked ID, no phone
    or address. An organisation: its name and 统一社会信用代码 stay (a legal person's identity
    is public: 国家企业信用信息公示系统), its contact person is not carried."""
    if p.get("kind") == PartyKind.ORG:
        return {"kind": "org", "name": p["name"], "id_number": p.get("id_number") or ""}
    ident = p.get("id_number") or ""
    return {
        "kind": "person",
        "name": mask_name(p["name"]),
        "id_number": mask_id_number(ident) if ident else "",
    }


def console_view(doc: dict[str, Any]) -> dict[str, Any]:
    """The case as the change feed carries it to every console and shift log: parties masked
    (a shift log is a portable file on every desk and wall; the officers and the 法制审核 read
    the full parties from ``GET /api/v1/enforcement/{id}``), free text scrubbed."""
    parties = doc.get("parties", [])
    out = dict(doc)
    out["parties"] = [masked_party(p) for p in parties]
    out["facts"] = scrub_text(doc.get("facts", ""), parties)
    out["evidence"] = [
        {**e, "note": scrub_text(e.get("note", ""), parties)} for e in doc.get("evidence", [])
    ]
    for key in ("history", "statements"):
        out[key] = [{**h, "note": scrub_text(h.get("note", ""), parties)} for h in doc.get(key, [])]
    if doc.get("hearing", {}).get("record"):
        out["hearing"] = {**doc["hearing"], "record": scrub_text(doc["hearing"]["record"], parties)}
    for key in ("proposed", "decision"):
        if doc.get(key):
            out[key] = {**doc[key], "basis": scrub_text(doc[key].get("basis", ""), parties)}
    return out


#: The states whose cases the public feed shows (第四十八条: 具有一定社会影响的行政处罚决定
#: 应当依法公开; here every decision is, as 阳光执法 pages of the district do).
PUBLIC_STATES = frozenset({EState.DECIDED, EState.EXECUTED, EState.CLOSED})


def public_view(doc: dict[str, Any], street_name: str = "") -> dict[str, Any]:
    """The 阳光执法 entry of a decided case: a whitelist (the decision's number, date, party
    masked, the violation, its legal basis, the penalty, the place to the 街道), never the
    evidence, the history or the officers. The place is given only as the 街道: an address
    can be a home."""
    parties = doc.get("parties", [])
    decision = doc.get("decision") or {}
    return {
        "id": doc["id"],
        "doc_number": decision.get("doc_number", ""),
        "decided_at": doc.get("at", {}).get("decided", ""),
        "procedure": doc["procedure"],
        "state": doc["state"],
        "category": doc.get("category_name", ""),
        "parties": [masked_party(p) for p in parties],
        "facts": scrub_text(doc.get("facts", ""), parties),
        "basis": scrub_text(decision.get("basis", ""), parties),
        "penalty": decision.get("penalty", {}),
        "street": street_name,
        "organ": "杭州市上城区综合行政执法局",
    }
