"""Time limits (stage, per category, urgency), the deadline helpers, and the SLA light."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.categories import CategoryCatalog
from console.domain.china_time import CST
from console.domain.limits import BUILTIN_CLOCKS, STAGES, Limit, TimeLimits
from console.domain.sla import (
    GREEN,
    NO_LIGHT,
    RED,
    YELLOW,
    LightThresholds,
    light,
    lights,
    minutes_left,
)
from resources import resource_path

CAL = WorkCalendar.default()
LIMITS = TimeLimits.default()
CATALOG = CategoryCatalog.load()
PROPS = settings(max_examples=200, deadline=None)
MANHOLES = [f"010{n:02d}" for n in (*range(1, 13), 14, 15, *range(17, 24)) if n != 4]
#: The default scheme's codes: matters, and components whose matter has the same code.
SCHEME_CODES = {c.code for c in CATALOG}

#: category code -> (disposal limit, a word its matter name must contain)
DISPOSAL = {
    "06010": (Limit(240, "working"), "暴露垃圾"),
    "06012": (Limit(120, "working"), "道路不洁"),
    "06017": (Limit(240, "working"), "绿地脏乱"),
    "06001": (Limit(7200, "working"), "私搭乱建"),
    "08016": (Limit(7200, "working"), "无证建设"),
    "08005": (Limit(240, "working"), "施工废弃料"),
    "06011": (Limit(360, "working"), "渣土"),
    "01037": (Limit(480, "working"), "路灯"),
    "06014": (Limit(120, "working"), "道路遗撒"),
    "01060": (Limit(480, "working"), "路灯配电箱"),
    "09012": (Limit(120, "calendar"), "消防通道"),
    "10001": (Limit(240, "calendar"), "积雪"),
    "10002": (Limit(360, "calendar"), "线缆"),
    "06013": (Limit(4320, "calendar"), "道路破损"),
    "06006": (Limit(3360, "working"), "彩旗"),
    "09006": (Limit(120, "working"), "占道经营"),
    "04002": (Limit(2400, "working"), "行道树"),
    "02012": (Limit(1440, "working"), "路名牌"),
    **{code: (Limit(360, "calendar"), "井盖") for code in MANHOLES},
    "01004": (Limit(360, "calendar"), "雨水箅子"),
}


def cst(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


# ---- limits ------------------------------------------------------------------------------------
def test_stage_defaults_and_their_clocks():
    # The centre's desks run on its 7x24 calendar, the supervisors' on their patrol shifts.
    expected = {
        "accept": Limit(30, "centre"),
        "send_verify": Limit(30, "centre"),
        "verify": Limit(120, "field"),
        "register": Limit(30, "centre"),
        "dispatch": Limit(30, "centre"),
        "send_check": Limit(30, "centre"),
        "check": Limit(120, "field"),
        "close": Limit(30, "centre"),
    }
    assert set(STAGES) == set(expected)
    for stage, limit in expected.items():
        assert LIMITS.stage_limit(stage) == limit
    cfg = LIMITS.to_dict()["calendars"]
    assert cfg["centre"]["days"] == "all" and cfg["centre"]["periods"] == [[0, 1440]]
    assert cfg["field"]["days"] == "all" and cfg["field"]["periods"] == [[420, 1140]]
    assert cfg["centre"]["source"] and cfg["field"]["source"]


@pytest.mark.parametrize(("code", "expected"), DISPOSAL.items())
def test_disposal_limits_per_category(code, expected):
    limit, word = expected
    assert LIMITS.stage_limit("dispose", code) == limit
    assert word in CATALOG.get(code).name_zh


def test_manhole_covers_are_all_covered():
    covers = {c.code for c in CATALOG.of_kind("matter") if "井盖" in c.name_zh}
    assert covers == set(MANHOLES) and len(covers) == 20
    assert {LIMITS.stage_limit("dispose", c) for c in covers} == {Limit(360, "calendar")}


def test_every_matter_of_the_scheme_has_its_own_rule():
    # No matter falls back silently: every code of the default scheme (matters, and the
    # components that share their codes) is listed in exactly one rule with a source.
    listed = [code for rule in LIMITS.to_dict()["dispose"] for code in rule["codes"]]
    assert len(listed) == len(set(listed))
    assert set(listed) == SCHEME_CODES and len(SCHEME_CODES) == 250
    for rule in LIMITS.to_dict()["dispose"]:
        assert rule["source"] and rule["what"] and rule["clock"] in BUILTIN_CLOCKS


def test_the_default_is_only_for_codes_outside_the_scheme():
    default = Limit(480, "working")
    assert LIMITS.dispose_default == default
    assert LIMITS.stage_limit("dispose") == default
    assert LIMITS.stage_limit("dispose", "99999") == default
    legacy = [c.code for c in CategoryCatalog.load("legacy-beijing-chaoyang")]
    assert legacy and all(LIMITS.stage_limit("dispose", c) == default for c in legacy)
    assert not [c for c in SCHEME_CODES if LIMITS.stage_limit("dispose", c) is default]
    # The category only matters for disposal.
    assert LIMITS.stage_limit("verify", "06010") == Limit(120, "field")


def test_safety_matters_count_calendar_time():
    on_calendar = {
        code
        for rule in LIMITS.to_dict()["dispose"]
        if rule["clock"] == "calendar"
        for code in rule["codes"]
    }
    assert {"09012", "10001", "10002", "06013", "01011", "02014"} | set(MANHOLES) <= on_calendar
    assert not on_calendar & {"06010", "06001", "09006"}


def test_every_mapped_code_is_a_matter_and_refs_match_the_tsv():
    cfg = LIMITS.to_dict()
    assert cfg["scheme"] == CATALOG.scheme
    tsv_lines = resource_path("categories.tsv").read_text(encoding="utf-8").splitlines()
    for rule in cfg["dispose"]:
        assert rule["source"] and rule["ref"]
        refs = re.findall(r"categories\.tsv:(\d+) (\d{5})", rule["ref"])
        assert sorted(code for _, code in refs) == sorted(rule["codes"])
        for line, code in refs:
            row = tsv_lines[int(line) - 1].split("\t")
            assert row[1] == "event" and row[4] == code
    for entry in (*cfg["stages"].values(), cfg["dispose_default"]):
        assert entry["source"]


def test_urgency_scales_every_stage():
    assert dict(LIMITS.urgency_levels) == {"normal": 1.0, "urgent": 0.5, "critical": 0.25}
    assert LIMITS.stage_limit("dispose", "06010", "urgent") == Limit(120, "working")
    assert LIMITS.stage_limit("check", urgency="critical") == Limit(30, "field")
    with pytest.raises(ValueError, match="urgency"):
        LIMITS.stage_limit("dispose", "06010", "asap")
    with pytest.raises(TypeError):
        LIMITS.urgency_levels["urgent"] = 0.1  # read-only


def test_unknown_stage():
    with pytest.raises(ValueError, match="stage"):
        LIMITS.stage_limit("evaluate")


def test_stockpile_and_caching():
    assert LIMITS.stockpile_days == 60
    assert TimeLimits.default() is LIMITS


def test_dict_round_trip_is_json_and_detached():
    d = LIMITS.to_dict()
    again = TimeLimits.from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
    assert again.to_dict() == d
    for stage in (*STAGES, "dispose"):
        for code in (None, "06010", "01001"):
            assert again.stage_limit(stage, code, "urgent") == LIMITS.stage_limit(
                stage, code, "urgent"
            )
    d["stages"]["accept"]["minutes"] = 1
    assert LIMITS.stage_limit("accept").minutes == 30
    assert not any(k.startswith("_") for k in d)


def _config(**changes) -> dict:
    d = LIMITS.to_dict()
    d.update(changes)
    return d


@pytest.mark.parametrize(
    "bad",
    [
        lambda d: d["stages"].pop("close"),
        lambda d: d["stages"].update(evaluate={"minutes": 5}),
        lambda d: d["stages"]["verify"].update(minutes=0),
        lambda d: d["stages"]["verify"].update(clock="lunar"),
        lambda d: d["dispose"].append({"codes": ["06010"], "minutes": 5}),
        lambda d: d["dispose"].append({"codes": [], "minutes": 5}),
        lambda d: d["dispose"].append({"codes": ["X1"], "minutes": 5, "clock": "night"}),
        lambda d: d.update(urgency_levels={"urgent": 0.5}),
        lambda d: d.update(urgency_levels={"normal": 1, "urgent": -1}),
        lambda d: d.update(stockpile_days=0),
        lambda d: d["calendars"].update(working={"days": "all", "periods": [[0, 1440]]}),
        lambda d: d["calendars"].update(night={"days": "weekends", "periods": [[0, 480]]}),
        lambda d: d["calendars"].update(night={"days": "all", "periods": [[480, 0]]}),
        lambda d: d["calendars"].update(night={"days": "all"}),
        lambda d: d["calendars"].update(night=[[0, 480]]),
        lambda d: d.pop("calendars"),  # the stages name "centre" and "field"
    ],
)
def test_invalid_configuration(bad):
    d = LIMITS.to_dict()
    bad(d)
    with pytest.raises(ValueError):
        TimeLimits.from_dict(d)


def test_configurable_levels_and_calendar_clock():
    d = _config(urgency_levels={"normal": 1.0, "紧急": 0.5, "特急": 0.1})
    d["stages"]["close"] = {"minutes": 1440, "clock": "calendar"}
    limits = TimeLimits.from_dict(d)
    assert limits.stage_limit("close", urgency="特急") == Limit(144, "calendar")


def test_old_configuration_without_calendars_still_loads():
    # A shift log recorded before named calendars: every stage on "working", no "calendars".
    old = json.loads((resource_path("time_limits.json")).read_text(encoding="utf-8"))
    old.pop("calendars")
    for entry in old["stages"].values():
        entry["clock"] = "working"
    limits = TimeLimits.from_dict(old)
    assert limits.stage_limit("accept") == Limit(30, "working")
    assert limits.clock_names == BUILTIN_CLOCKS
    assert limits.to_dict()["calendars"] == {}
    with pytest.raises(ValueError, match="unknown clock"):
        limits.clock(CAL, "centre")


def test_limit_validation():
    assert Limit(30, "centre").clock == "centre"  # any name: the configuration checks it
    for bad_clock in ("", None):
        with pytest.raises(ValueError):
            Limit(30, bad_clock)
    for bad in (-1, math.nan, math.inf):
        with pytest.raises(ValueError):
            Limit(bad, "working")


# ---- deadline and elapsed on each clock --------------------------------------------------------
def test_deadline_on_each_clock():
    start = cst(2026, 11, 27, 17, 30)  # a Friday
    dl = LIMITS.deadline
    assert dl(CAL, start, Limit(60, "working")) == cst(2026, 11, 30, 8, 30)
    assert dl(CAL, start, Limit(60, "calendar")) == cst(2026, 11, 27, 18, 30)
    assert dl(CAL, start, Limit(60, "calendar")).tzinfo == UTC
    assert dl(CAL, start, Limit(60, "centre")) == cst(2026, 11, 27, 18, 30)
    # The field shifts end at 19:00 and start at 07:00, Saturday included.
    assert dl(CAL, start, Limit(120, "field")) == cst(2026, 11, 28, 7, 30)
    # Stopped-clock minutes move the deadline on the limit's own clock.
    assert dl(CAL, start, Limit(60, "working"), extra_minutes=30) == cst(2026, 11, 30, 9, 0)
    assert LIMITS.elapsed(CAL, start, cst(2026, 11, 30, 8, 30), Limit(1, "working")) == 60
    wall = LIMITS.elapsed(CAL, start, cst(2026, 11, 30, 8, 30), Limit(1, "calendar"))
    assert wall == 3 * 24 * 60 - 540
    assert LIMITS.elapsed(CAL, start, start - timedelta(hours=1), Limit(1, "calendar")) == 0
    with pytest.raises(ValueError):
        dl(CAL, datetime(2026, 11, 27, 17, 30), Limit(60, "calendar"))
    with pytest.raises(ValueError, match="unknown clock"):
        dl(CAL, start, Limit(60, "lunar"))


def test_centre_clock_runs_at_night_and_on_holidays():
    sunday_3am = cst(2026, 11, 29, 3, 0)
    assert LIMITS.deadline(CAL, sunday_3am, LIMITS.stage_limit("accept")) == cst(
        2026, 11, 29, 3, 30
    )
    # A department's clock does not run then: 4 working hours from Sunday 03:00 end at noon Monday.
    assert LIMITS.deadline(CAL, sunday_3am, LIMITS.stage_limit("dispose", "06010")) == cst(
        2026, 11, 30, 12, 0
    )
    # National Day: the centre works through it, departments resume on 10-08.
    holiday = cst(2026, 10, 2, 10, 0)
    assert LIMITS.deadline(CAL, holiday, LIMITS.stage_limit("register")) == cst(2026, 10, 2, 10, 30)
    assert LIMITS.deadline(CAL, holiday, Limit(60, "working")) == cst(2026, 10, 8, 9, 0)


def test_calendar_time_deadline_crosses_the_night():
    # A missing manhole cover reported at 22:00 on a Friday is due at 04:00 on Saturday.
    friday_10pm = cst(2026, 11, 27, 22, 0)
    limit = LIMITS.stage_limit("dispose", "01003")
    assert limit == Limit(360, "calendar")
    assert LIMITS.deadline(CAL, friday_10pm, limit) == cst(2026, 11, 28, 4, 0)


def test_shift_calendar_on_working_days():
    # A centre staffed 07:00-22:00 on working days only (days: working shares the holidays).
    d = _config()
    d["calendars"]["centre"] = {"days": "working", "periods": [[420, 1320]]}
    limits = TimeLimits.from_dict(d)
    friday_9pm = cst(2026, 9, 30, 21, 45)  # the eve of National Day
    assert limits.deadline(CAL, friday_9pm, limits.stage_limit("accept")) == cst(2026, 10, 8, 7, 15)
    assert limits.clock(CAL, "centre") is limits.clock(CAL, "centre")  # cached


def test_minutes_left_counts_on_the_stage_clock():
    now = cst(2026, 11, 29, 3, 0).timestamp()  # Sunday 03:00
    red_at = cst(2026, 11, 29, 3, 30).timestamp()
    assert minutes_left(LIMITS.clock(CAL, "centre"), now, red_at) == 30
    assert minutes_left(CAL, now, red_at) == 0  # working time does not pass on a Sunday night
    assert minutes_left(LIMITS.clock(CAL, "centre"), red_at + 600, red_at) == -10
    assert minutes_left(CAL, now, math.nan) is None and minutes_left(CAL, now, math.inf) is None


@PROPS
@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(CST)
    ),
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
    st.sampled_from(["working", "calendar", "centre", "field"]),
)
def test_elapsed_until_deadline_is_the_limit(start, minutes, clock):
    limit = Limit(minutes, clock)
    end = LIMITS.deadline(CAL, start, limit)
    assert LIMITS.elapsed(CAL, start, end, limit) == pytest.approx(minutes, abs=1e-6)


# ---- the light ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("used", "colour"),
    [
        (0.0, "green"),
        (0.5, "green"),
        (0.8 - 1e-9, "green"),
        (0.8, "yellow"),
        (0.95, "yellow"),
        (1.0, "yellow"),  # at the deadline: still on time
        (1.0 + 1e-9, "red"),
        (7.0, "red"),
        (-0.1, "green"),
    ],
)
def test_light_boundaries(used, colour):
    assert light(used) == colour
    assert lights(np.array([used]))[0] == ("green", "yellow", "red").index(colour)


def test_light_thresholds_are_configurable():
    t = LightThresholds(yellow=0.5, red=0.9)
    assert [light(x, t) for x in (0.49, 0.5, 0.9, 0.91)] == ["green", "yellow", "yellow", "red"]
    for bad in ((0, 1), (0.9, 0.8), (0.8, math.inf)):
        with pytest.raises(ValueError):
            LightThresholds(*bad)
    with pytest.raises(ValueError):
        light(math.nan)


def test_lights_shape_dtype_and_nan():
    used = np.array([[0.1, 0.8, 1.0], [1.5, np.nan, 0.79]])
    out = lights(used)
    assert out.dtype == np.int8 and out.shape == (2, 3)
    assert out.tolist() == [[GREEN, YELLOW, YELLOW], [RED, NO_LIGHT, GREEN]]


@PROPS
@given(st.lists(st.floats(min_value=-1, max_value=3, allow_nan=False), max_size=50))
def test_lights_agree_with_light(values):
    codes = lights(np.array(values, dtype=float))
    assert [("green", "yellow", "red")[c] for c in codes] == [light(v) for v in values]
