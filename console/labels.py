"""Display names of domain codes in Chinese and English (states, actions, sources, roles,
vehicle types, alert kinds...).

These are data that travel with the domain codes, not UI chrome: the Qt translation files
cover the window's own words, this table covers the vocabulary of the workflow, so the backend's
codes read the same on every console, in either language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from console.domain.callback import SATISFACTION_ZH
from console.domain.china_time import CST
from console.domain.queues import QUEUES
from console.domain.workflow import ROLE_NAMES_ZH, SOURCE_NAMES_ZH, TRANSITIONS

_TABLE: dict[str, dict[str, tuple[str, str]]] = {
    "state": {
        "reported": ("上报", "Reported"),
        "accepted": ("受理", "Accepted"),
        "verifying": ("核实中", "Verifying"),
        "registered": ("立案", "Registered"),
        "dispatched": ("派遣", "Dispatched"),
        "handled": ("处置完毕", "Handled"),
        "checking": ("核查中", "Checking"),
        "checked": ("核查通过", "Checked"),
        "closed": ("结案", "Closed"),
        "returned": ("回退", "Returned"),
        "parked": ("挂账", "Parked"),
        "void": ("作废", "Void"),
    },
    "action": {
        "report": ("上报", "Report"),
        "accept": ("受理", "Accept"),
        "send_verify": ("发核实", "Send to verify"),
        "verified": ("核实反馈", "Verified"),
        "register": ("立案", "Register"),
        "dispatch": ("派遣", "Dispatch"),
        "complete": ("处置反馈", "Report done"),
        "send_check": ("发核查", "Send to check"),
        "check_pass": ("核查通过", "Check passed"),
        "check_fail": ("核查不通过(返工)", "Check failed (rework)"),
        "close": ("结案", "Close"),
        "void": ("作废", "Void"),
        "return": ("回退", "Return"),
        "redispatch": ("重新派遣", "Re-dispatch"),
        "request_extension": ("申请延期", "Request extension"),
        "approve_extension": ("批准延期", "Approve extension"),
        "deny_extension": ("驳回延期", "Deny extension"),
        "park": ("挂账", "Park"),
        "resume": ("恢复处置", "Resume"),
        "send_back": ("退回立案", "Send back to registration"),
        "close_self": ("自处理结案", "Close self-handled case"),
        "request_park": ("申请缓办", "Request parking"),
        "approve_park": ("批准缓办", "Approve parking"),
        "deny_park": ("驳回缓办", "Deny parking"),
        "accept_corrected": ("受理（更正）", "Accept with corrections"),
        "register_corrected": ("立案（更正）", "Register with corrections"),
        "escalate": ("升级", "Escalate"),
        "take_over": ("接管任务", "Take over task"),
        "callback": ("回访", "Call back"),
        "extension_approved": ("延期已批准", "Extension approved"),
        "add_assist": ("添加协办", "Add assisting department"),
        "assist_accept": ("协办接收", "Accept assist task"),
        "assist_complete": ("协办完成", "Assist task done"),
        "assist_return": ("协办退回", "Return assist task"),
        "arbitrate": ("争议裁定", "Arbitrate dispute"),
    },
    # 协办 task states and why a return was disputed (console.domain.coop).
    "assist_state": {
        "dispatched": ("派发", "Assigned"),
        "accepted": ("已接收", "Accepted"),
        "done": ("完成", "Done"),
        "returned": ("退回", "Returned"),
        "cancelled": ("撤销", "Cancelled"),
    },
    "dispute_reason": {
        "claimed": ("权属争议", "Ownership disputed"),
        "repeated": ("多次退回", "Returned repeatedly"),
    },
    "source": {
        "supervisor": ("监督员上报", "Field supervisor"),
        "public": ("公众举报", "Public report"),
        "video": ("视频发现", "Video"),
        "iot": ("物联感知", "IoT sensor"),
        "leader": ("领导交办", "Leader's order"),
        "media": ("媒体曝光", "Media"),
        "self": ("自处理", "Self-handled"),
    },
    "role": {
        "supervisor": ("监督员", "Supervisor"),
        "operator": ("受理员", "Operator"),
        "shift_lead": ("值班长", "Shift lead"),
        "dispatcher": ("派遣员", "Dispatcher"),
        "department": ("专业部门", "Department"),
        "wall": ("大屏", "Video wall"),
        "gateway": ("数据网关", "Gateway"),
        "officer": ("执法队员", "Enforcement officer"),
        "legal": ("法制审核", "Legal review"),
    },
    "urgency": {
        "normal": ("一般", "Normal"),
        "urgent": ("紧急", "Urgent"),
        "critical": ("特急", "Critical"),
    },
    "vehicle_type": {
        "sprinkler": ("洒水车", "Sprinkler"),
        "sweeper": ("洗扫车", "Sweeper"),
        "washer": ("清洗车", "Washer"),
        "garbage": ("垃圾清运车", "Refuse truck"),
        "inspection": ("巡查车", "Patrol car"),
        "muck": ("渣土车", "Muck truck"),
        "river_foot": ("河道巡查员", "River patroller"),
        "river_boat": ("河道巡查船", "River patrol boat"),
    },
    "vehicle_status": {
        "unknown": ("未知", "Unknown"),
        "working": ("作业中", "Working"),
        "moving": ("行驶", "Driving"),
        "stopped": ("停驶", "Stopped"),
        "offline": ("离线", "Offline"),
    },
    "alert_kind": {
        "case_disposal": ("处置超时", "Disposal late"),
        "case_field": ("核实核查超时", "Field task late"),
        "case_desk": ("坐席环节超时", "Centre desk late"),
        # the per-colour kinds of shift logs recorded before levelled case alerts
        "case_yellow": ("案件黄灯", "Case at risk (yellow)"),
        "case_red": ("案件超时", "Case overdue (red)"),
        "vehicle_overspeed": ("作业超速", "Overspeed while working"),
        "vehicle_long_stop": ("长时间停留", "Long stop"),
        "vehicle_offline": ("车辆离线", "Vehicle offline"),
        "vehicle_deviation": ("偏离路线", "Route deviation"),
        "vehicle_not_working": ("未作业", "Not working"),
        "sensor_threshold": ("传感器报警", "Sensor threshold"),
        "staff_off_grid": ("人员离岗", "Off their grid"),
        "staff_silent": ("人员失联", "No position"),
        "vehicle_speeding": ("车辆超速", "Speeding"),
        "vehicle_geofence_enter": ("驶入电子围栏", "Entered geofence"),
        "vehicle_geofence_exit": ("驶出电子围栏", "Left geofence"),
        "vehicle_alarm": ("车载终端报警", "Terminal alarm"),
    },
    "severity": {
        "critical": ("严重", "Critical"),
        "warning": ("警告", "Warning"),
        "info": ("提示", "Info"),
    },
    "alert_level": {
        "yellow": ("黄灯", "Yellow"),
        "red": ("红灯", "Red"),
        "supervise": ("督办", "Supervision"),
    },
    "alert_state": {
        "raised": ("未确认", "Open"),
        "acknowledged": ("已确认", "Acknowledged"),
        "resolved": ("已解除", "Resolved"),
    },
    "queue": {k: (zh, en) for k, zh, en in QUEUES},
    # A case's SLA light (console.domain.sla.light): how 时限 colours read in an export.
    "light": {"green": ("绿灯", "Green"), "yellow": ("黄灯", "Yellow"), "red": ("红灯", "Red")},
    # 回访 answers (console.domain.callback.SATISFACTION_ZH gives the Chinese).
    "satisfaction": {
        "satisfied": ("满意", "Satisfied"),
        "basically_satisfied": ("基本满意", "Mostly satisfied"),
        "unsatisfied": ("不满意", "Dissatisfied"),
        "unreached": ("未接通", "Not reached"),
    },
}
# The workflow's own Chinese names win: this table only adds the English.
for _a, _t in TRANSITIONS.items():
    _TABLE["action"][_a.value] = (_t.zh, _TABLE["action"].get(_a.value, ("", _a.value))[1])
for _s, _zh in SOURCE_NAMES_ZH.items():
    _TABLE["source"][_s.value] = (_zh, _TABLE["source"][_s.value][1])
for _r, _zh in ROLE_NAMES_ZH.items():
    _TABLE["role"][_r.value] = (_zh, _TABLE["role"][_r.value][1])
for _k, _zh in SATISFACTION_ZH.items():
    _TABLE["satisfaction"][_k] = (_zh, _TABLE["satisfaction"][_k][1])


class Labels:
    """``labels.name("state", "dispatched")`` → 派遣 (zh) or Dispatched (en); unknown codes
    show as themselves, so a newer backend's code is visible rather than blank."""

    def __init__(self, lang: str = "zh"):
        self.lang = lang

    def name(self, kind: str, code) -> str:
        pair = _TABLE.get(kind, {}).get(str(code))
        if pair is None:
            return "" if code is None else str(code)
        zh, en = pair
        return en if self.lang == "en" and en else zh

    def category(self, cat: dict | None, code: str = "") -> str:
        if not cat:
            return code
        return (cat.get("name_en") if self.lang == "en" else cat.get("name_zh")) or code


def local_time(iso: str | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    """A wire timestamp (UTC ISO 8601) as the centre reads it: Hangzhou time."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(CST).strftime(fmt)
    except ValueError:
        return str(iso)


class PlaceNames:
    """Street and community names of unit-grid codes, from a ``/reference`` document: what a
    case without an address is shown at (the queue, the handover report). A grid code's
    first 9 digits are its street, its first 12 its community."""

    def __init__(self, reference: dict):
        self.communities = {c["code"]: c["name"] for c in reference.get("communities") or []}
        self.streets = {s["code"]: s["name"] for s in reference.get("streets") or []}

    def of(self, grid_code: str | None) -> tuple[str, str]:
        """(community name, street name); the code itself when the community is unknown."""
        code = str(grid_code or "")
        return self.communities.get(code[:12], code), self.streets.get(code[:9], "")

    def address(self, doc: Mapping[str, Any]) -> str:
        """The case's address, else its street and community (never its description)."""
        if doc.get("address"):
            return str(doc["address"])
        community, street = self.of(doc.get("grid_code"))
        return f"{street}街道{community}" if street else community
