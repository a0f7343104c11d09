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
from console.domain.limits import STAGES, Limit, TimeLimits, deadline, elapsed
from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW, LightThresholds, light, lights
from resources import resource_path

CAL = WorkCalendar.default()
LIMITS = TimeLimits.default()
CATALOG = CategoryCatalog.load()
PROPS = settings(max_examples=200, deadline=None)
MANHOLES = [f"010{n:02d}" for n in (*range(1, 13), 14, 15, *range(17, 24)) if n != 4]

#: category code -> (disposal minutes, a word its matter name must contain)
DISPOSAL = {
    "06010": (240, "暴露垃圾"),
    "06012": (120, "道路不洁"),
    "06017": (240, "绿地脏乱"),
    "06001": (7200, "私搭乱建"),
    "08016": (7200, "无证建设"),
    "08005": (240, "施工废弃料"),
    "06011": (360, "渣土"),
    "01004": (240, "雨水箅子"),
    "01037": (480, "路灯"),
    "06014": (120, "道路遗撒"),
    "01060": (480, "路灯配电箱"),
    **{code: (180, "井盖") for code in MANHOLES},
}


def cst(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


# ---- limits ------------------------------------------------------------------------------------
def test_stage_defaults():
    expected = {
        "accept": 30,
        "send_verify": 30,
        "verify": 120,
        "register": 30,
        "dispatch": 30,
        "send_check": 30,
        "check": 120,
        "close": 30,
    }
    assert set(STAGES) == set(expected)
    for stage, minutes in expected.items():
        assert LIMITS.stage_limit(stage) == Limit(minutes, "working")


@pytest.mark.parametrize(("code", "expected"), DISPOSAL.items())
def test_disposal_limits_per_category(code, expected):
    minutes, word = expected
    assert LIMITS.stage_limit("dispose", code) == Limit(minutes, "working")
    assert word in CATALOG.get(code).name_zh


def test_manhole_covers_are_all_covered():
    covers = {c.code for c in CATALOG.of_kind("matter") if "井盖" in c.name_zh}
    assert covers == set(MANHOLES) and len(covers) == 20


def test_other_categories_get_the_default():
    default = Limit(480, "working")
    assert LIMITS.dispose_default == default
    assert LIMITS.stage_limit("dispose") == default
    assert LIMITS.stage_limit("dispose", "09008") == default  # 机动车乱停放
    assert LIMITS.stage_limit("dispose", "99999") == default
    # The category only matters for disposal.
    assert LIMITS.stage_limit("verify", "06010") == Limit(120, "working")


def test_every_mapped_code_is_a_matter_and_refs_match_the_tsv():
    cfg = LIMITS.to_dict()
    assert cfg["scheme"] == CATALOG.scheme
    tsv_lines = resource_path("categories.tsv").read_text(encoding="utf-8").splitlines()
    for rule in cfg["dispose"]:
        assert rule["source"] and rule["ref"]
        for code in rule["codes"]:
            assert code in CATALOG
        for line, code in re.findall(r"categories\.tsv:(\d+) (\d{5})", rule["ref"]):
            row = tsv_lines[int(line) - 1].split("\t")
            assert row[1] == "event" and row[4] == code
    for entry in (*cfg["stages"].values(), cfg["dispose_default"]):
        assert entry["source"]


def test_urgency_scales_every_stage():
    assert dict(LIMITS.urgency_levels) == {"normal": 1.0, "urgent": 0.5, "critical": 0.25}
    assert LIMITS.stage_limit("dispose", "06010", "urgent") == Limit(120, "working")
    assert LIMITS.stage_limit("check", urgency="critical") == Limit(30, "working")
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
        lambda d: d.update(urgency_levels={"urgent": 0.5}),
        lambda d: d.update(urgency_levels={"normal": 1, "urgent": -1}),
        lambda d: d.update(stockpile_days=0),
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


def test_limit_validation():
    with pytest.raises(ValueError):
        Limit(30, "wall")
    for bad in (-1, math.nan, math.inf):
        with pytest.raises(ValueError):
            Limit(bad, "working")


# ---- deadline and elapsed ----------------------------------------------------------------------
def test_deadline_on_each_clock():
    start = cst(2026, 11, 27, 17, 30)  # a Friday
    assert deadline(CAL, start, Limit(60, "working")) == cst(2026, 11, 30, 8, 30)
    assert deadline(CAL, start, Limit(60, "calendar")) == cst(2026, 11, 27, 18, 30)
    assert deadline(CAL, start, Limit(60, "calendar")).tzinfo == UTC
    # Stopped-clock minutes move the deadline on the limit's own clock.
    assert deadline(CAL, start, Limit(60, "working"), extra_minutes=30) == cst(2026, 11, 30, 9, 0)
    assert elapsed(CAL, start, cst(2026, 11, 30, 8, 30), Limit(1, "working")) == 60
    assert elapsed(CAL, start, cst(2026, 11, 30, 8, 30), Limit(1, "calendar")) == 3 * 24 * 60 - 540
    assert elapsed(CAL, start, start - timedelta(hours=1), Limit(1, "calendar")) == 0
    # The helpers are reachable from a TimeLimits too (case.py calls them that way).
    assert LIMITS.deadline is deadline and LIMITS.elapsed is elapsed
    with pytest.raises(ValueError):
        deadline(CAL, datetime(2026, 11, 27, 17, 30), Limit(60, "calendar"))


@PROPS
@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(CST)
    ),
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
    st.sampled_from(["working", "calendar"]),
)
def test_elapsed_until_deadline_is_the_limit(start, minutes, clock):
    limit = Limit(minutes, clock)
    end = deadline(CAL, start, limit)
    assert elapsed(CAL, start, end, limit) == pytest.approx(minutes, abs=1e-6)


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
