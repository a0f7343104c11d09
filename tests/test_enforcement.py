"""行政执法 over real HTTP (docs/rules/enforcement.md): an enforcement case walks 立案审批 →
调查取证 → 告知 → 处罚决定 → 送达 → 执行 → 结案 with the right roles at each step, the wrong
role is 403 and the wrong state 422; the 简易程序 decides on the spot within 第五十一条's
limits; the legal clocks are set and a missed one shows; a case-loop case escalates once; the
consoles' record is masked, and the 阳光执法 public feed (no login) masks every person's data
(a property test over random names, ID numbers and phones); bad input is a 4xx.

The backend's district clock stands still (speed 1e-6); tests move it with ``advance``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
import requests
from conftest import Api, wait_until
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_api_cases import ok

from console.domain import enforcement as enf

DAY = 86400.0


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


PERSON = {
    "kind": "person",
    "name": "欧阳建国",
    "id_number": "33010219800101123X",
    "phone": "13912345678",
    "address": "杭州市上城区湖滨街道平海路12号3单元501室",
}
SHOP = {"kind": "org", "name": "杭州湖滨餐饮有限公司", "id_number": "91330102MA2H0A1B21"}


def file_case(off: Api, procedure="general", parties=(PERSON,), **extra) -> dict:
    body = {
        "procedure": procedure,
        "officers": ["demo-officer2"],
        "parties": list(parties),
        "category_code": "09006",
        "facts": f"当事人{parties[0]['name']}在平海路人行道摆摊经营，电话{parties[0].get('phone', '')}",
        "location": {"lon": 120.17, "lat": 30.25},
        **extra,
    }
    r = off.post("/api/v1/enforcement", key=uuid.uuid4().hex, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def step(api: Api, case: dict, action: str, note: str = "", **params):
    return api.post(
        f"/api/v1/enforcement/{case['id']}/actions",
        key=uuid.uuid4().hex,
        json={
            "action": action,
            "note": note,
            "expected_version": case["version"],
            "params": params,
        },
    )


def err(r, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()["error"]


FINE = {"penalty": {"fine": 2000}, "basis": "《杭州市城市市容和环境卫生管理条例》第十五条"}


def test_general_procedure_walks_its_states_with_the_right_roles(login, backend):
    off, off2, legal, lead = (
        login(u) for u in ("demo-officer", "demo-officer2", "demo-legal", "demo-lead")
    )
    c = file_case(off)
    assert c["state"] == "filed" and c["officers"] == ["demo-officer", "demo-officer2"]
    assert c["procedure"] == "general" and "filing" in c["deadlines"]
    assert c["parties"][0]["id_number"] == PERSON["id_number"]  # officers read it in full
    # 立案审批 is the 法制审核's: an officer (even of this case) and the shift lead are refused.
    assert err(step(off, c, "approve_filing"), 403)["code"] == "forbidden"
    assert err(step(lead, c, "approve_filing"), 403)["code"] == "forbidden"
    # Not yet investigating: 告知 is the wrong state.
    assert err(step(off, c, "notify", **FINE), 422)["code"] == "invalid_transition"
    c = ok(step(legal, c, "approve_filing"))
    assert c["state"] == "investigating"
    assert c["documents"][0]["number"].startswith("上城综执立字〔")
    due = datetime.fromisoformat(c["deadlines"]["decision"])
    assert (due - datetime.fromisoformat(c["at"]["filed"])).days in (90, 91)  # 第六十条
    c = ok(step(off2, c, "add_evidence", "现场拍照两张，询问笔录一份", photos=[]))
    assert len(c["evidence"]) == 1 and c["evidence"][0]["by"] == "demo-officer2"
    c = ok(step(off, c, "notify", **FINE))
    assert c["state"] == "notified" and c["proposed"]["penalty"]["fine"] == 2000
    # The 陈述申辩/听证 period runs (第六十二条/第六十四条): no decision yet.
    e = err(step(legal, c, "decide", **FINE), 422)
    assert "period" in e["message"] and e["details"]["until"] == c["deadlines"]["notice_until"]
    c = ok(step(off, c, "request_hearing"))
    c = ok(step(legal, c, "hold_hearing", "听证会已举行，当事人到场陈述"))
    backend.settings.clock.advance(6 * DAY)
    c = ok(step(legal, c, "decide", **FINE))
    assert c["state"] == "decided"
    number = c["decision"]["doc_number"]
    assert number.startswith("上城综执罚决字〔") and number.endswith("号")
    # 执行 before 送达 is refused; 送达 sets the 15-day payment clock (第六十七条).
    assert err(step(off, c, "execute"), 422)["code"] == "invalid_transition"
    c = ok(step(off2, c, "deliver"))
    assert "payment" in c["deadlines"] and "delivery" not in c["deadlines"]
    assert err(step(legal, c, "execute"), 403)["code"] == "forbidden"
    c = ok(step(off, c, "execute", paid=2000))
    assert c["state"] == "executed" and c["execution"]["paid"] == 2000
    assert err(step(off, c, "close"), 403)["code"] == "forbidden"
    c = ok(step(legal, c, "close"))
    assert c["state"] == "closed"
    assert [h["action"] for h in c["history"]] == [
        "file",
        "approve_filing",
        "add_evidence",
        "notify",
        "request_hearing",
        "hold_hearing",
        "decide",
        "deliver",
        "execute",
        "close",
    ]
    # The decision counted in time, as the KPI will (decided within 90 days of 立案).
    decided = datetime.fromisoformat(c["at"]["decided"])
    assert enf.timely_in(c, decided - timedelta(days=1), decided + timedelta(days=1)) is True


def test_an_officer_of_the_case_cannot_decide_it_and_officers_come_in_twos(login, backend):
    off = login("demo-officer")
    # 第四十二条: one officer alone is refused.
    r = off.post(
        "/api/v1/enforcement",
        key=uuid.uuid4().hex,
        json={"procedure": "general", "officers": [], "parties": [SHOP], "category_code": "09006"},
    )
    assert "two officers" in err(r, 400)["message"]
    # A named officer who is no officer (the 法制审核) is refused too.
    r = off.post(
        "/api/v1/enforcement",
        key=uuid.uuid4().hex,
        json={
            "procedure": "general",
            "officers": ["demo-legal"],
            "parties": [SHOP],
            "category_code": "09006",
        },
    )
    assert err(r, 400)["details"] == {"officer": "demo-legal"}
    # Only officers file.
    lead = login("demo-lead")
    r = lead.post(
        "/api/v1/enforcement",
        key=uuid.uuid4().hex,
        json={
            "procedure": "general",
            "officers": ["demo-officer"],
            "parties": [SHOP],
            "category_code": "09006",
        },
    )
    err(r, 403)
    # An officer not on the case may not step it.
    c = file_case(off, parties=(SHOP,))
    c = ok(step(login("demo-legal"), c, "approve_filing"))
    other = Api(backend.url, "sim-officer-1")
    assert "officers" in err(step(other, c, "add_evidence", "x"), 403)["message"]


def test_simple_procedure_decides_on_the_spot_within_article_51(login, backend):
    off, legal = login("demo-officer"), login("demo-legal")
    c = file_case(off, procedure="simple")
    assert "filing" not in c["deadlines"]
    # 立案审批 is not a step of the 简易程序.
    assert err(step(legal, c, "approve_filing"), 422)["code"] == "invalid_transition"
    # 第五十一条: at most 200 元 for a person; more needs the 一般程序.
    e = err(step(off, c, "decide_on_spot", penalty={"fine": 201}, basis="x"), 422)
    assert e["details"]["limit"] == 200
    c = ok(step(off, c, "decide_on_spot", penalty={"fine": 200}, basis="第五十一条"))
    assert c["state"] == "decided" and c["at"]["delivered"] == c["at"]["decided"]
    assert c["decision"]["doc_number"].startswith("上城综执简罚字〔")
    # An organisation may be fined up to 3000 元 on the spot.
    c2 = file_case(off, procedure="simple", parties=(SHOP,))
    assert err(step(off, c2, "decide_on_spot", penalty={"fine": 3001}, basis="x"), 422)
    c2 = ok(step(off, c2, "decide_on_spot", penalty={"fine": 3000, "warning": True}, basis="x"))
    # 当场处罚 is not a step of the 一般程序.
    g = file_case(off)
    assert err(step(off, g, "decide_on_spot", penalty={"fine": 50}, basis="x"), 422)


def test_document_numbers_count_per_year_and_kind(login, backend):
    off, legal = login("demo-officer"), login("demo-legal")
    a = ok(step(legal, file_case(off), "approve_filing"))
    b = ok(step(legal, file_case(off), "approve_filing"))
    na, nb = a["documents"][0]["number"], b["documents"][0]["number"]
    serial = lambda n: int(n.split("第")[1].rstrip("号"))  # noqa: E731
    assert serial(nb) == serial(na) + 1


def test_a_missed_filing_deadline_shows_and_counts_late(login, backend):
    off, legal, wall = login("demo-officer"), login("demo-legal"), login("demo-wall")
    # A lead discovered 30 days ago: 15 working days have passed without 立案.
    now = backend.settings.clock.now()
    old = datetime.fromtimestamp(now.timestamp() - 30 * DAY, now.tzinfo).isoformat()
    c = file_case(off, discovered_at=old)
    assert c["deadlines"]["filing"] < now.isoformat()
    rec = next(
        r
        for r in ok(wall.get("/api/v1/records", params={"type": "enforcement"}))["records"]
        if r["id"] == c["id"]
    )
    assert rec["running"] == {"what": "filing", "due": c["deadlines"]["filing"]}
    c = ok(step(legal, c, "approve_filing"))
    # Filed after its deadline: late in the period the deadline fell in, whatever follows.
    assert enf.timely_in(c, now - timedelta(days=30), now + timedelta(seconds=1)) is False


def test_escalation_from_a_case_records_the_link_once(login, backend):
    sup, off = login("demo-supervisor"), login("demo-officer")
    case = sup.report(category="09006", lon=120.171, lat=30.251)
    body = {
        "procedure": "general",
        "officers": ["demo-officer2"],
        "parties": [SHOP],
        "from_case_id": case["id"],
    }
    c = ok(off.post("/api/v1/enforcement", key=uuid.uuid4().hex, json=body))
    assert c["source_case_id"] == case["id"] and c["category_code"] == "09006"
    assert c["location"]["lon"] == 120.171 and c["location"]["street_code"]
    assert c["at"]["discovered"] == case["created_at"]
    # The matter's link can be followed back, and a second escalation while open is 409.
    listed = ok(off.get("/api/v1/enforcement", params={"case_id": case["id"]}))["cases"]
    assert [x["id"] for x in listed] == [c["id"]]
    e = err(off.post("/api/v1/enforcement", key=uuid.uuid4().hex, json=body), 409)
    assert e["code"] == "already_escalated" and e["details"]["enforcement_id"] == c["id"]
    body["from_case_id"] = "nope"
    err(off.post("/api/v1/enforcement", key=uuid.uuid4().hex, json=body), 404)


def test_consoles_and_other_roles_see_parties_masked(login, backend):
    off, wall, legal = login("demo-officer"), login("demo-wall"), login("demo-legal")
    c = ok(step(legal, file_case(off), "approve_filing"))
    c = ok(step(off, c, "add_evidence", f"询问{PERSON['name']}，电话{PERSON['phone']}"))
    c = ok(step(off, c, "notify", penalty={"fine": 500}, basis=f"对{PERSON['name']}拟罚款"))
    c = ok(step(off, c, "record_statement", f"{PERSON['name']}（{PERSON['id_number']}）称初犯"))
    c = ok(step(off, c, "request_hearing"))
    c = ok(step(legal, c, "hold_hearing", f"{PERSON['name']}到场，住{PERSON['address']}"))
    seen = ok(wall.get(f"/api/v1/enforcement/{c['id']}"))
    text = json.dumps(seen, ensure_ascii=False)
    for secret in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["address"]):
        assert secret not in text
    assert seen["parties"][0]["name"] == "欧阳某某"
    rec = next(
        r
        for r in ok(wall.get("/api/v1/records", params={"type": "enforcement"}))["records"]
        if r["id"] == c["id"]
    )
    rec_text = json.dumps(rec, ensure_ascii=False)
    for secret in (PERSON["name"], PERSON["id_number"], PERSON["phone"], PERSON["address"]):
        assert secret not in rec_text
    assert rec["state"] == "notified" and "欧阳某某" in rec["statements"][0]["note"]
    assert rec["running"]["what"] == "decision"
    # The officers read it all.
    assert PERSON["address"] in json.dumps(
        ok(off.get(f"/api/v1/enforcement/{c['id']}")), ensure_ascii=False
    )


def test_evidence_is_bounded(login, backend):
    off, legal = login("demo-officer"), login("demo-legal")
    c = ok(step(legal, file_case(off, parties=(SHOP,)), "approve_filing"))
    for i in range(enf.MAX_ENTRIES):
        c = ok(step(off, c, "add_evidence", f"证据{i}" + "x" * 1900))
    assert "at most" in err(step(off, c, "add_evidence", "one more"), 422)["message"]
    rec = next(
        r
        for r in ok(off.get("/api/v1/records", params={"type": "enforcement"}))["records"]
        if r["id"] == c["id"]
    )
    assert len(json.dumps(rec).encode()) < 64 << 10 and len(rec["evidence"]) == 30


BAD = [
    ({"procedure": "fast"}, 400),
    ({"officers": "demo-officer2"}, 400),
    ({"parties": []}, 400),
    ({"parties": [{"kind": "person", "name": "张三", "id_number": "123"}]}, 400),
    ({"parties": [{"kind": "person", "name": "张三", "id_number": "330102198001011231"}]}, 400),
    ({"parties": [{"kind": "org", "name": "某公司", "id_number": "33010219800101123X"}]}, 400),
    ({"parties": [{"kind": "org", "name": "某公司", "id_number": "91330102MA2H0A1B2C"}]}, 400),
    ({"parties": [{"kind": "alien", "name": "x"}]}, 400),
    ({"parties": [{"kind": "person", "name": "x" * 10_000}]}, 400),
    ({"category_code": "99999"}, 400),
    ({"facts": "x" * 100_000}, 400),
    ({"location": {"lon": 0.0, "lat": 0.0}}, 400),
    ({"discovered_at": "yesterday"}, 400),
    ({"discovered_at": "2099-01-01T00:00:00+00:00"}, 400),
    ({"unknown": 1}, 400),
]


@pytest.mark.parametrize(("change", "status"), BAD)
def test_bad_input_is_refused(login, change, status):
    body = {
        "procedure": "general",
        "officers": ["demo-officer2"],
        "parties": [SHOP],
        "category_code": "09006",
        **change,
    }
    r = login("demo-officer").post("/api/v1/enforcement", key=uuid.uuid4().hex, json=body)
    assert r.status_code == status, r.text


def test_bad_steps_are_refused(login, backend):
    off, legal = login("demo-officer"), login("demo-legal")
    c = ok(step(legal, file_case(off), "approve_filing"))
    assert err(step(off, c, "fly"), 400)["details"]["allowed"]
    assert err(step(off, c, "notify", penalty={"fine": -1}, basis="x"), 400)
    assert err(step(off, c, "notify", penalty={"fine": 10**12}, basis="x"), 400)
    assert err(step(off, c, "notify", penalty={}, basis="x"), 400)
    assert err(step(off, c, "notify", penalty={"fine": 5}), 400)["details"]["missing"] == "basis"
    assert err(step(off, c, "add_evidence"), 400)  # no note
    stale = {**c, "version": c["version"] - 1}
    assert err(step(off, stale, "add_evidence", "x"), 409)["code"] == "version_conflict"
    err(step(off, {**c, "id": "ZF0"}, "add_evidence", "x"), 404)


def test_public_feed_needs_no_login_and_shows_decided_cases_only(login, backend):
    off = login("demo-officer")
    open_one = file_case(off)
    done = file_case(off, procedure="simple", parties=(SHOP,))
    done = ok(step(off, done, "decide_on_spot", penalty={"fine": 500}, basis="第五十一条"))
    r = requests.get(backend.url + "/api/v1/public/enforcement", timeout=10)
    assert r.status_code == 200
    items = r.json()["items"]
    ids = [i["id"] for i in items]
    assert done["id"] in ids and open_one["id"] not in ids
    item = next(i for i in items if i["id"] == done["id"])
    assert item["doc_number"] == done["decision"]["doc_number"]
    assert item["parties"][0]["name"] == SHOP["name"]  # a legal person stays named
    assert item["penalty"]["fine"] == 500 and item["street"].endswith("街道")
    assert set(item) == {
        "id",
        "doc_number",
        "decided_at",
        "procedure",
        "state",
        "category",
        "parties",
        "facts",
        "basis",
        "penalty",
        "street",
        "organ",
    }
    assert (
        requests.get(
            backend.url + "/api/v1/public/enforcement", params={"page_size": 0}, timeout=10
        ).status_code
        == 400
    )


# ---- the property: no personal string survives in the public JSON --------------------------
#: Given-name characters for the generated names: common ones, without 某 (a name ending in
#: 某 is already its own mask) and without characters of the fixed public texts (the organ,
#: the category, the 文书 word), which a two-character name could otherwise collide with.
GIVEN = "伟芳娜敏静丽强磊洋艳杰娟涛明超秀霞刚桂英兰玲燕萍红鹏辉飞波宁凯峰琳雪梅晶婷"
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "周",
    "吴",
    "徐",
    "孙",
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "皇甫",
]
names = st.builds(
    lambda s, g: s + g, st.sampled_from(SURNAMES), st.text(alphabet=GIVEN, min_size=1, max_size=2)
)
#: 18-character ID numbers with their GB 11643 check character (X one time in eleven).
ids = st.text(alphabet="0123456789", min_size=17, max_size=17).map(
    lambda d: d + enf.id_check_digit(d)
)
phones = st.builds(lambda d: "1" + d, st.text(alphabet="0123456789", min_size=10, max_size=10))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names, ident=ids, phone=phones)
def test_public_feed_masks_every_person(login, backend, name, ident, phone):
    off = login("demo-officer")
    party = {
        "kind": "person",
        "name": name,
        "id_number": ident,
        "phone": phone,
        "address": f"{name}家",
    }
    c = file_case(
        off,
        procedure="simple",
        parties=(party,),
        facts=f"当事人{name}（身份证{ident}，电话{phone}）占道经营",
    )
    c = ok(step(off, c, "decide_on_spot", penalty={"fine": 100}, basis=f"对{name}处以罚款"))
    page = requests.get(
        backend.url + "/api/v1/public/enforcement", params={"page_size": 5}, timeout=10
    ).json()
    item = next(i for i in page["items"] if i["id"] == c["id"])
    text = json.dumps(page, ensure_ascii=False)
    for secret in (name, ident, phone, f"{name}家"):
        assert secret not in text, (secret, item)
    assert item["parties"][0]["name"] == enf.surname(name) + "某某"


def test_kpi_counts_enforcement_timeliness_with_drill_down(login, backend):
    off, legal = login("demo-officer"), login("demo-legal")
    on_time = file_case(off, procedure="simple", parties=(SHOP,))
    on_time = ok(step(off, on_time, "decide_on_spot", penalty={"warning": True}, basis="x"))
    now = backend.settings.clock.now()
    old = datetime.fromtimestamp(now.timestamp() - 40 * DAY, now.tzinfo).isoformat()
    late = ok(step(legal, file_case(off, discovered_at=old), "approve_filing"))
    undecided = file_case(off)  # its clocks still run: not counted
    rows = ok(login("demo-lead").get("/api/v1/kpis", params={"by": "department"}))
    row = next(r for r in rows["rows"] if r["key"] == "enforcement")
    cell = row["indicators"]["enforcement_timeliness"]
    assert 0 < cell["numerator"] < cell["denominator"]
    assert rows["definitions"]["enforcement_timeliness"]["zh"] == "执法及时率"

    def drill(part: str) -> list[str]:
        params = {
            "by": "department",
            "key": "enforcement",
            "indicator": "enforcement_timeliness",
            "part": part,
        }
        return ok(login("demo-lead").get("/api/v1/kpis/cases", params=params))["case_ids"]

    num, den = drill("numerator"), drill("denominator")
    assert on_time["id"] in num and late["id"] in den and late["id"] not in num
    assert undecided["id"] not in den and len(den) == cell["denominator"]


def test_a_finished_case_leaves_the_consoles_a_day_later(login, backend):
    """Runs last: it moves the district clock two days on."""
    off, wall = login("demo-officer"), login("demo-wall")
    c = file_case(off, procedure="simple", parties=(SHOP,))
    c = ok(step(off, c, "decide_on_spot", penalty={"warning": True}, basis="x"))
    c = ok(step(off, c, "execute"))
    c = ok(step(login("demo-legal"), c, "close"))

    def live_ids() -> set[str]:
        recs = ok(wall.get("/api/v1/records", params={"type": "enforcement"}))["records"]
        return {r["id"] for r in recs}

    assert c["id"] in live_ids()
    backend.settings.clock.advance(2 * DAY)
    wait_until(lambda: c["id"] not in live_ids())
    # Still in the API and the public feed.
    assert ok(wall.get(f"/api/v1/enforcement/{c['id']}"))["state"] == "closed"
    public = requests.get(backend.url + "/api/v1/public/enforcement", timeout=10).json()
    assert c["id"] in {i["id"] for i in public["items"]}
