"""部门协作 in the simulated district (docs/rules/coop.md, docs/rules/simulation.md): the
centre names a 协办 department on some dispatches of matters that need two, the 协办
departments do their tasks (most on time, some late), some departments return a matter as
not theirs (权属争议), and the 值班长 arbitrates.

``DistrictSimulator`` asks this module at three of its decisions (dispatch, a dispatched case,
a returned case); everything here is the simulator's own pace, an HTTP client's choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from console.domain.coop import OPEN_ASSIST_STATES, dispute_pending

#: Which department a matter's 主办 most often needs beside it, and for what: the pairs of a
#: district's 联勤联动 (a road dug up needs traffic control, a street-light pole the power
#: company, a green belt's rubbish the sanitation trucks). A reasoned table for the demo.
ASSIST_FOR: dict[str, tuple[str, str]] = {
    "municipal": ("traffic", "占道施工期间交通疏导"),
    "water": ("municipal", "管线抢修后恢复路面"),
    "streetlight": ("power", "线路断电配合抢修"),
    "landscape": ("sanitation", "清运修剪枝叶及绿地垃圾"),
    "sanitation": ("enforcement", "查处乱倒垃圾行为"),
    "construction": ("enforcement", "查处违规施工"),
    "gas": ("traffic", "燃气抢修现场交通管制"),
}
#: A street office (属地) 主办 most often needs the enforcement bureau for the same matter.
STREET_ASSIST = ("enforcement", "配合属地开展联合执法")


def assist_for(lead: str) -> tuple[str, str] | None:
    """The 协办 department and task a matter handled by ``lead`` typically needs."""
    return ASSIST_FOR.get(lead) or (STREET_ASSIST if lead.startswith("street-") else None)


@dataclass(frozen=True)
class CoopPace:
    """How often and how fast (assumed values, stated here; docs/rules/simulation.md)."""

    #: Share of dispatches to a department of ``assist_for`` that name its 协办.
    assist_share: float = 0.2
    #: Share of 协办 tasks done after their deadline (departments working for another's
    #: case run late a little more often than on their own: 0.12 against 0.08).
    assist_late_share: float = 0.12
    #: When a 协办 department accepts (minutes of its clock) and finishes (share of the limit).
    accept_minutes: tuple[float, float] = (5.0, 40.0)
    done_used: tuple[float, float] = (0.15, 0.8)
    late_used: tuple[float, float] = (1.05, 1.6)
    #: Share of first dispatches to a department of ``assist_for`` returned as 权属争议, and of the
    #: plain returns marked so.
    dispute_return_share: float = 0.03
    dispute_of_returns: float = 0.5
    #: Share of decisions that keep the returning department as 主办 (it loses the dispute).
    lead_kept_share: float = 0.6


class CoopSim:
    """The 部门协作 choices of the simulated centre and departments."""

    def __init__(self, seed: int, pace: CoopPace | None = None):
        self.pace = pace or CoopPace()
        self.rng = np.random.default_rng([seed, 16])

    def dispatch_assists(self, lead: str) -> dict:
        """The ``assists`` of a dispatch to ``lead`` (empty for most)."""
        pair = assist_for(lead)
        if pair is None or self.rng.random() >= self.pace.assist_share:
            return {}
        return {"assists": [{"department_id": pair[0], "task": pair[1]}]}

    def assist_step(self, case: dict) -> tuple[float, str, str, dict] | None:
        """The next step of the case's first open 协办 task, as (minutes of the department's
        clock from now, user, action, body), or None when none is open."""
        a = next((x for x in case.get("assists") or () if x["state"] in OPEN_ASSIST_STATES), None)
        if a is None:
            return None
        user, p = f"dept-{a['department_id']}", self.pace
        if a["state"] == "dispatched":
            minutes = float(self.rng.uniform(*p.accept_minutes))
            return minutes, user, "assist_accept", {"assist": a["n"]}
        limit = float(case.get("stage_limit_minutes") or 240.0)
        late = self.rng.random() < p.assist_late_share
        share = float(self.rng.uniform(*(p.late_used if late else p.done_used)))
        return share * limit, user, "assist_complete", {"assist": a["n"], "note": "协办事项已完成"}

    def claims_dispute(self, lead: str, plain_return: bool) -> bool:
        """Whether the department returns (or marks its return) as 权属争议."""
        if plain_return:
            return self.rng.random() < self.pace.dispute_of_returns
        return assist_for(lead) is not None and self.rng.random() < self.pace.dispute_return_share

    def arbitration(self, case: dict, other: str) -> dict | None:
        """The 值班长's decision on a disputed return: keep the returning department as 主办
        (with the 协办 it needs) or give it to ``other``; None when no dispute waits."""
        if not dispute_pending(case.get("dispute")):
            return None
        returned_by = case.get("department_id") or other  # a return keeps its department
        keep = returned_by != other and self.rng.random() < self.pace.lead_kept_share
        lead = returned_by if keep else other
        body: dict = {"department_id": lead, "note": _REASONS[keep]}
        pair = assist_for(lead)
        if pair is not None and pair[0] != lead:
            body["assists"] = [{"department_id": pair[0], "task": pair[1]}]
        return body


_REASONS = {
    True: "经核对管养清单，属原单位职责，维持派遣",
    False: "经核对管养清单，改由属地/权属单位主办",
}
