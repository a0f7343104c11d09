"""What the simulator writes: Chinese descriptions per category and source, and addresses
from the geocoder, as the cases arrive at a real backend over HTTP."""

from __future__ import annotations

import re

import numpy as np
import requests
from conftest import start_backend

from console.clock import VirtualClock
from console.sim.district import SimConfig, run_headless
from console.sim.plan import CATEGORY_WEIGHTS, SOURCE_WEIGHTS
from console.sim.texts import PROBLEMS, description, hotline_description

#: The channel names of the plan, which once leaked into descriptions ("模拟app上报").
CHANNEL_WORDS = re.compile(r"app|open311|hotline|analytics|assigned|press|模拟", re.IGNORECASE)


def test_every_planned_category_has_its_own_words():
    assert set(CATEGORY_WEIGHTS) <= set(PROBLEMS)


def test_descriptions_speak_in_each_source_s_voice():
    rng = np.random.default_rng(1)
    place = "解放路128号附近"
    for code in CATEGORY_WEIGHTS:
        for source, _channel in SOURCE_WEIGHTS:
            text = description(rng, code, "暴露垃圾", source, place)
            assert place in text and not CHANNEL_WORDS.search(text), text
            assert "{" not in text, text  # every placeholder filled
        assert hotline_description(rng, code, "x", place).startswith("市民来电反映：")
    assert "视频智能分析" in description(rng, "06010", "暴露垃圾", "video", place)
    assert "区领导交办" in description(rng, "06010", "暴露垃圾", "leader", place)
    # A category the texts do not know still reads as Chinese, by its name.
    assert "井盖缺失" in description(rng, "99999", "井盖缺失", "supervisor", place)


def test_simulated_cases_carry_addresses_and_chinese_descriptions(tmp_path):
    backend = start_backend(f"sqlite:///{tmp_path / 'sim.db'}", speed=60.0)
    try:
        clock: VirtualClock = backend.settings.clock
        run_headless(backend.url, clock, hours=0.3, config=SimConfig(seed=5, cases_per_hour=200))
        s = requests.Session()
        token = s.post(
            f"{backend.url}/api/v1/session",
            json={"username": "demo-wall", "password": "demo"},
            timeout=10,
        ).json()["token"]
        s.headers["Authorization"] = f"Bearer {token}"
        cases = s.get(f"{backend.url}/api/v1/cases", params={"page_size": 500}, timeout=30).json()[
            "cases"
        ]
        streets = {
            st["code"]: st["name"]
            for st in s.get(f"{backend.url}/api/v1/reference", timeout=30).json()["streets"]
        }
    finally:
        backend.stop()
    assert len(cases) >= 20
    assert {c["source"] for c in cases} >= {"supervisor", "public"}
    for c in cases:
        assert c["description"] and not CHANNEL_WORDS.search(c["description"]), c["description"]
        assert c["address"].startswith(streets[c["street_code"]] + "街道"), c
        assert c["address"] != c["description"]
