"""The demo's enforcement officers (行政执法): pairs of officers escalate some street-order
matters of the case loop into enforcement cases and walk them through, the 法制审核 approves
and decides (docs/rules/enforcement.md).

Driven by the simulator's follower: a case-loop case reaching 立案 in an enforceable category
may be escalated; every change of an enforcement record is answered by the next step of the
role whose turn it is, once per (case, version). Pace and shares are the demo's (no bulletin
publishes them): most street vendors are dealt with by the 简易程序 on the spot; one lead in
ten comes from an older complaint so that its 15-working-day 立案 clock has already run out
(the missed deadlines the console and the 执法及时率 show).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from console.domain.enforcement import id_check_digit

if TYPE_CHECKING:
    from .district import DistrictSimulator

log = logging.getLogger("console.sim")

#: Street-order matters the 综合行政执法 handles by penalty when the party does not comply
#: (浙政办发〔2021〕51号: 街面秩序 and 市容 powers of the street 综合行政执法队).
ENFORCEABLE = {
    "09001": "无照经营游商",
    "09005": "店外经营",
    "09006": "占道经营",
    "07003": "违规户外广告",
    "06027": "油烟污染",
    "08006": "施工物料乱堆放",
}
#: Case-loop states from which a matter is escalated, and the share escalated (the rest are
#: put right on request).
ESCALATE_STATES = frozenset({"registered", "dispatched"})
ESCALATE_SHARE = 0.5
#: The officers' own patrol findings (巡查发现) per district hour, besides escalations: the
#: street teams patrol and fine vendors on the spot most of the day (a demo figure).
PATROL_FINDINGS_PER_HOUR = 6.0
#: Share of escalations decided by 简易程序 (a vendor fined on the spot).
SIMPLE_SHARE = 0.5
#: Share of leads discovered long before (an older complaint), whose 立案 comes late.
LATE_LEAD_SHARE = 0.1
#: Share of parties who waive the 陈述申辩/听证 period (the decision need not wait 5 days).
WAIVE_SHARE = 0.6
PAIRS = [("sim-officer-1", "sim-officer-2"), ("sim-officer-3", "sim-officer-4")]
LEGAL = "sim-legal"
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "欧阳", "司马"]
GIVEN = "伟芳娜敏静丽强磊洋艳杰娟涛明超秀霞刚桂英"
SHOPS = ["便利店", "餐饮店", "水果店", "广告有限公司", "建材商行", "小吃店"]
_CREDIT = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class EnforcementSim:
    """Escalates and walks enforcement cases for the simulator ``sim`` (its clock, queue,
    clients and random generator)."""

    def __init__(self, sim: DistrictSimulator):
        self.sim = sim
        self.rng = sim.rng
        self.escalated: set[str] = set()
        self.seen: set[tuple[str, int]] = set()
        self.steps: Counter[str] = Counter()

    def start(self, hours: float) -> None:
        """Plan the patrol findings of the next ``hours`` (a Poisson process)."""
        rng, now = self.rng, self.sim.clock.epoch()
        n = int(rng.poisson(PATROL_FINDINGS_PER_HOUR * hours))
        lon, lat = self.sim.grid.random_points(n, rng)
        for t, x, y in zip(rng.uniform(0, hours * 3600, n), lon, lat, strict=True):
            code = str(rng.choice(list(ENFORCEABLE)[:3]))  # the street-vendor matters
            self.sim.schedule(now + float(t), self._file, None, code, float(x), float(y))

    # ---- the follower's hooks ----------------------------------------------------------
    def on_case(self, case: dict[str, Any]) -> None:
        """A case-loop case changed: escalate an enforceable one once it is 立案 or with the
        street's team (the party refused to put it right), sometimes."""
        if case["state"] not in ESCALATE_STATES or case["category_code"] not in ENFORCEABLE:
            return
        if case["id"] in self.escalated:
            return
        self.escalated.add(case["id"])
        if self.rng.random() >= ESCALATE_SHARE:
            return
        loc = case["location"]
        self.sim.schedule(
            self._soon(5, 30), self._file, case["id"], case["category_code"], loc["lon"], loc["lat"]
        )

    def on_record(self, rec: dict[str, Any]) -> None:
        """An enforcement record changed: schedule the next step of whoever's turn it is."""
        if rec.get("type") != "enforcement" or not rec.get("live", True):
            return
        key = (rec["id"], rec["version"])
        if key in self.seen:
            return
        self.seen.add(key)
        nxt = self._next(rec)
        if nxt is not None:
            at, user, action, note, params = nxt
            self.sim.schedule(at, self._step, user, rec, action, note, params)

    # ---- decisions ---------------------------------------------------------------------
    def _soon(self, lo: float, hi: float) -> float:
        """District epoch a few minutes (uniform in [lo, hi]) from now."""
        return self.sim.clock.epoch() + 60 * float(self.rng.uniform(lo, hi))

    def _next(self, rec: dict[str, Any]) -> tuple[float, str, str, str, dict] | None:
        st, officer = rec["state"], rec["officers"][0]
        fine = int(self.rng.choice([50, 100, 200])) if rec["procedure"] == "simple" else 0
        if st == "filed" and rec["procedure"] == "simple":
            penalty = {"fine": fine} if fine else {"warning": True}
            basis = f"《杭州市城市市容和环境卫生管理条例》，{rec['category_name']}"
            return (
                self._soon(3, 15),
                officer,
                "decide_on_spot",
                "",
                {"penalty": penalty, "basis": basis},
            )
        if st == "filed":
            return self._soon(10, 90), LEGAL, "approve_filing", "同意立案", {}
        if st == "investigating" and not rec.get("evidence"):
            return self._soon(20, 120), officer, "add_evidence", "现场检查笔录、照片及询问笔录", {}
        if st == "investigating":
            amount = int(self.rng.choice([500, 1000, 2000, 5000]))
            params = {"penalty": {"fine": amount}, "basis": "《城市市容和环境卫生管理条例》"}
            return self._soon(30, 180), officer, "notify", "", params
        if st == "notified" and not rec.get("statements") and self.rng.random() < WAIVE_SHARE:
            return (
                self._soon(10, 60),
                officer,
                "record_statement",
                "当事人放弃陈述申辩和听证",
                {"waive": True},
            )
        if st == "notified":
            until = datetime.fromisoformat(rec["deadlines"]["notice_until"]).timestamp()
            at = until + 60 if not rec.get("waived") else self._soon(30, 120)
            return (
                max(at, self._soon(30, 120)),
                LEGAL,
                "decide",
                "",
                {
                    "penalty": rec["proposed"]["penalty"],
                    "basis": rec["proposed"]["basis"],
                },
            )
        if st == "decided" and not rec.get("at", {}).get("delivered"):
            return self._soon(60, 480), officer, "deliver", "直接送达", {}
        if st == "decided":
            return self._soon(120, 1440), officer, "execute", "当事人已缴纳罚款", {}
        if st == "executed":
            return self._soon(60, 480), LEGAL, "close", "执行完毕，结案", {}
        return None

    # ---- actions -----------------------------------------------------------------------
    def _party(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.4:
            head = "91330102"
            body = head + "".join(rng.choice(list(_CREDIT), size=9))
            total = sum(_CREDIT.index(c) * pow(3, i, 31) for i, c in enumerate(body))
            code = body + _CREDIT[(31 - total % 31) % 31]
            name = f"杭州{''.join(rng.choice(list(GIVEN), size=2))}{rng.choice(SHOPS)}"
            return {"kind": "org", "name": name, "id_number": code}
        first17 = "330102" + f"{int(rng.integers(1960, 2004))}{int(rng.integers(1, 13)):02d}"
        first17 += f"{int(rng.integers(1, 29)):02d}{int(rng.integers(0, 1000)):03d}"
        name = str(rng.choice(SURNAMES)) + "".join(rng.choice(list(GIVEN), size=2))
        return {
            "kind": "person",
            "name": name,
            "id_number": first17 + id_check_digit(first17),
            "phone": "13" + "".join(str(d) for d in rng.integers(0, 10, size=9)),
        }

    def _file(self, case_id: str | None, category: str, lon: float, lat: float) -> None:
        """File a case: escalating the case-loop case ``case_id``, or a patrol finding."""
        pair = PAIRS[int(self.rng.integers(len(PAIRS)))]
        party = self._party()
        simple = party["kind"] == "person" and self.rng.random() < SIMPLE_SHARE
        body: dict[str, Any] = {
            "procedure": "simple" if simple else "general",
            "officers": [pair[1]],
            "parties": [party],
            "facts": f"当事人{party['name']}{ENFORCEABLE[category]}，经责令改正拒不改正",
        }
        if case_id is not None:
            body["from_case_id"] = case_id
        else:
            body |= {"category_code": category, "location": {"lon": lon, "lat": lat}}
        if not simple and self.rng.random() < LATE_LEAD_SHARE:
            days = float(self.rng.uniform(22, 30))
            body["discovered_at"] = (self.sim.clock.now() - timedelta(days=days)).isoformat()
        r = self.sim.client(pair[0]).post("/api/v1/enforcement", json=body, idempotent_key=True)
        if r is not None and r.status_code == 200:
            self.steps["file"] += 1

    def _step(
        self, user: str, rec: dict[str, Any], action: str, note: str, params: dict[str, Any]
    ) -> None:
        body = {
            "action": action,
            "note": note,
            "expected_version": rec["version"],
            "params": params,
        }
        r = self.sim.client(user).post(
            f"/api/v1/enforcement/{rec['id']}/actions", json=body, idempotent_key=True
        )
        if r is not None and r.status_code == 200:
            self.steps[action] += 1
