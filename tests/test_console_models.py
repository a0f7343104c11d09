"""The console's table models: Qt's model tester on each with live-like data, and the
incremental row updates (removals, re-orders, insertions, never a reset) under random churn."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import TEST_START
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt

from console.state import CityState, Diff
from widgets.common.row_sync import IncrementalRows
from widgets.panels.alerts import AlertModel
from widgets.panels.case_table import COLUMNS, CaseTableModel
from widgets.panels.fleet import VehicleModel

ROOT = Path(__file__).resolve().parents[1]
T0 = TEST_START.timestamp()


def case_doc(i: int, state: str, stage: str | None, version: int = 1) -> dict:
    created = (TEST_START + timedelta(minutes=i)).isoformat()
    return {
        "id": f"20261123{i:05d}",
        "source": "supervisor",
        "category_code": "06010" if i % 2 else "01001",
        "location": {"lon": 120.17 + i * 1e-4, "lat": 30.25},
        "created_at": created,
        "state": state,
        "version": version,
        "stage": stage,
        "stage_started_at": created if stage else None,
        "stage_limit_minutes": 30.0 if stage else None,
        "stage_clock": "working",
        "paused_minutes": 0.0,
        "address": f"测试路{i}号",
        "description": "暴露垃圾" if i % 3 else "井盖缺失",
        "events": [],
    }


def populated_state(n: int = 60) -> CityState:
    s = CityState()
    s.set_reference({"categories": [], "departments": []})
    states = [("reported", "accept"), ("accepted", "register"), ("dispatched", "dispose")]
    cases = [case_doc(i, *states[i % 3]) for i in range(n)]
    s.bootstrap(
        {
            "seq": 1,
            "cases": cases,
            "vehicles": [
                {
                    "id": f"V{i:03d}",
                    "plate": f"浙A·{i:05d}",
                    "type": "sweeper",
                    "status": "working",
                    "last_fix": {
                        "t": T0,
                        "lon": 120.17,
                        "lat": 30.25,
                        "speed_kmh": 10.0,
                        "heading": 90.0,
                        "flags": 1,
                    },
                }
                for i in range(12)
            ],
            "alerts": [
                {
                    "id": f"A{i:08d}",
                    "kind": "vehicle_long_stop",
                    "severity": "warning" if i % 2 else "critical",
                    "subject_type": "vehicle",
                    "subject_id": f"V{i:03d}",
                    "state": "raised",
                    "raised_at": TEST_START.isoformat(),
                    "detail": {},
                }
                for i in range(6)
            ],
        }
    )
    return s


def now() -> float:
    return T0 + 20 * 60


def test_case_model_passes_the_model_tester_through_live_changes(qapp, qtmodeltester):
    state = populated_state()
    model = CaseTableModel(state, now)
    model.refresh()
    qtmodeltester.check(model, force_py=True)
    resets = []
    model.modelAboutToBeReset.connect(lambda: resets.append(1))
    for queue in ("accept", "register", "dispose", "overdue", "all"):
        model.set_queue(queue)
    model.set_search("井盖")
    assert 0 < model.rowCount() < len(state.cases)
    model.set_search("")
    model.sort(COLUMNS.index("id"), Qt.DescendingOrder)
    ids = [model.case_id(r) for r in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    # Cases move between queues and new ones arrive: incremental signals only.
    model.set_queue("accept")
    before = model.rowCount()
    changes = [
        {"seq": 2, "ts": TEST_START.isoformat(), "kind": "case",
         "case": case_doc(0, "accepted", "register", version=2)},
        {"seq": 3, "ts": TEST_START.isoformat(), "kind": "case",
         "case": case_doc(999, "reported", "accept")},
    ]  # fmt: skip
    model.on_diff(state.apply(changes))
    assert model.rowCount() == before  # one left 待受理, one arrived
    assert model.view_row(case_doc(0, "", None)["id"]) is None
    assert model.view_row(case_doc(999, "", None)["id"]) is not None
    assert resets == []
    qtmodeltester.check(model, force_py=True)


def test_a_selected_case_stays_selected_when_the_order_changes(qtbot):
    from PySide6.QtCore import QPersistentModelIndex

    state = populated_state()
    model = CaseTableModel(state, now)
    model.refresh()
    cid = model.case_id(5)
    keep = QPersistentModelIndex(model.index(5, 2))
    model.sort(COLUMNS.index("address"), Qt.DescendingOrder)
    assert keep.isValid() and model.case_id(keep.row()) == cid and keep.column() == 2


def test_alert_and_vehicle_models_pass_the_model_tester(qapp, qtmodeltester):
    state = populated_state()
    alerts = AlertModel(state, now)
    alerts.refresh()
    assert alerts.rowCount() == 6
    sev = [state.alerts[alerts.alert_id(r)]["severity"] for r in range(6)]
    assert sev == sorted(sev)  # critical before warning
    qtmodeltester.check(alerts, force_py=True)
    alerts.set_filter("critical")
    assert alerts.rowCount() == 3
    vehicles = VehicleModel(state, now)
    vehicles.refresh()
    assert vehicles.rowCount() == 12
    assert vehicles.index(0, 3).data() == "10 km/h"
    qtmodeltester.check(vehicles, force_py=True)


class Keys(IncrementalRows):
    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role != Qt.DisplayRole:
            return None
        return str(int(self._rows[index.row()]) * (index.column() + 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), unique=True, max_size=30), min_size=1, max_size=6))
def test_incremental_rows_reach_any_target_with_consistent_signals(qapp, targets):
    from PySide6.QtCore import QPersistentModelIndex
    from pytestqt.modeltest import ModelTester

    model = Keys()
    tester = ModelTester(None)
    tester.check(model, force_py=True)  # stays attached: checks every signal below
    for target in targets:
        persistent = [QPersistentModelIndex(model.index(r, 0)) for r in range(model.rowCount())]
        keys_before = [int(model.data(p)) for p in persistent]
        model.sync(np.array(target, dtype=np.int64))
        assert [int(model.data(model.index(r, 0))) for r in range(model.rowCount())] == target
        # every surviving row's persistent index still points at the same key
        for p, k in zip(persistent, keys_before, strict=True):
            if k in target:
                assert p.isValid() and int(model.data(p)) == k
            else:
                assert not p.isValid()


def test_every_translatable_string_has_an_english_translation():
    ts = ET.parse(ROOT / "resources" / "i18n" / "console_en.ts").getroot()

    def translated(t: ET.Element) -> bool:
        # A plural (``%n``) message holds its forms in <numerusform>s, each must be filled.
        forms = t.findall("numerusform")
        texts = [f.text for f in forms] if forms else [t.text]
        return all((x or "").strip() for x in texts)

    done = {
        m.find("source").text
        for m in ts.iter("message")
        if m.find("translation").get("type") not in ("unfinished", "obsolete")
        and translated(m.find("translation"))
    }
    used = set()
    for path in (ROOT / "widgets").rglob("*.py"):
        used |= set(re.findall(r'self\.tr\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    missing = sorted(s for s in (u.replace("\\n", "\n") for u in used) if s not in done)
    assert not missing, f"run pyside6-lupdate and translate: {missing}"
    assert len(used) > 100  # the scan really saw the widgets


def test_the_shipped_qm_is_the_released_ts(tmp_path):
    """The .qm the console loads is exactly what lrelease makes of the committed .ts (a file
    date would say nothing in a fresh clone, where checkout order sets them)."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    lrelease = beside if beside.exists() else shutil.which("pyside6-lrelease")
    assert lrelease, "PySide6's pyside6-lrelease is not installed"
    i18n = ROOT / "resources" / "i18n"
    out = tmp_path / "console_en.qm"
    subprocess.run([str(lrelease), str(i18n / "console_en.ts"), "-qm", str(out)], check=True)
    assert out.read_bytes() == (i18n / "console_en.qm").read_bytes(), "run pyside6-lrelease"


def test_every_icon_the_widgets_name_exists(qapp):
    import qtawesome as qta

    names = set()
    for path in (ROOT / "widgets").rglob("*.py"):
        names |= set(re.findall(r'"(mdi6?\.[a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert names
    for name in sorted(names):
        qta.icon(name)  # raises on an unknown name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_cover_every_state_and_queue(lang):
    from console.domain.queues import QUEUE_KEYS
    from console.domain.workflow import Action, State
    from console.labels import Labels

    lb = Labels(lang)
    for s in State:
        assert lb.name("state", s.value) != s.value
    for a in Action:
        assert lb.name("action", a.value) != a.value or lang == "en"
    for q in QUEUE_KEYS:
        assert lb.name("queue", q) != q


def test_no_display_is_said_plainly_and_a_screenshot_renders_offscreen(monkeypatch):
    from widgets.app.console_start import display_problem

    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    assert "no display" in display_problem(offscreen_ok=False)
    assert display_problem(offscreen_ok=True) is None
    import os

    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_alert_sound_repeats_until_acknowledged_and_a_mute_expires(qapp, monkeypatch):
    import time as _time

    from widgets.panels.alert_sound import AlertSound

    snd = AlertSound()
    monkeypatch.setattr(snd, "backend", "test")  # no device here: count plays, make no noise
    monkeypatch.setattr(snd, "_player", "/bin/true", raising=False)
    played = []
    snd.played.connect(played.append)
    snd.update(["warning", "critical"], ["critical"])
    assert played == ["critical"]  # a new alert sounds at once, the worst one
    assert snd._timer.isActive() and snd._timer.interval() == 10_000  # critical: every 10 s
    snd._repeat()
    assert played == ["critical", "critical"]
    snd.update(["warning"], [])  # the critical one was acknowledged
    assert snd._timer.interval() == 30_000
    snd.mute(5)
    snd._repeat()
    assert played == ["critical", "critical"]  # muted
    snd.muted_until = _time.time() - 1  # five minutes later
    snd._repeat()
    assert played[-1] == "warning" and snd.muted_until == 0.0  # the mute expired by itself
    snd.update([], [])
    assert not snd._timer.isActive()  # everything acknowledged: silence


def test_the_address_column_never_shows_the_description(qapp):
    """A case without an address is shown at its street and community (from the grid code),
    as the handover report does; its description stays in the tooltip."""
    s = CityState()
    s.set_reference(
        {
            "categories": [],
            "departments": [],
            "streets": [{"code": "330102001", "name": "湖滨"}],
            "communities": [{"code": "330102001002", "name": "东坡路社区"}],
        }
    )
    bare = case_doc(1, "reported", "accept") | {"address": "", "grid_code": "330102001002007"}
    given = case_doc(2, "reported", "accept")
    s.bootstrap({"seq": 1, "cases": [bare, given], "vehicles": [], "alerts": []})
    model = CaseTableModel(s, now)
    model.refresh()
    col = COLUMNS.index("address")
    shown = {
        model.data(model.index(r, COLUMNS.index("id")), Qt.ItemDataRole.DisplayRole): model.data(
            model.index(r, col), Qt.ItemDataRole.DisplayRole
        )
        for r in range(model.rowCount())
    }
    assert shown == {bare["id"]: "湖滨街道东坡路社区", given["id"]: given["address"]}
    tips = {model.data(model.index(r, col), Qt.ItemDataRole.ToolTipRole) for r in range(2)}
    assert tips == {bare["description"], given["description"]}


# ---- the queue at scale: integer sort keys and search texts kept from each Diff -------------

_REF = {
    "categories": [
        {"code": "01001", "name_zh": "供水井盖", "name_en": "Water-supply Manhole"},
        {"code": "06010", "name_zh": "暴露垃圾", "name_en": "Exposed Garbage"},
        {"code": "09011", "name_zh": "共享单车", "name_en": "Shared Bikes"},
    ],
    "departments": [
        {"id": "zz", "name": "区城管局"},  # display order is not the ids' order
        {"id": "aa", "name": "区住建局"},
        {"id": "mm", "name": "区城管局"},  # same name as zz: ties
    ],
    "streets": [{"code": "330102013", "name": "湖滨"}, {"code": "330102011", "name": "清波"}],
    "communities": [{"code": "330102013026", "name": "东坡路社区"}],
}


def varied_doc(i: int, version: int = 1, **kw) -> dict:
    """A case whose every text column varies, with ties, blanks and addresses from the grid."""
    doc = case_doc(i, *[("reported", "accept"), ("dispatched", "dispose")][i % 2], version)
    doc["category_code"] = ["01001", "06010", "09011", "99999"][i % 4]
    doc["department_id"] = [None, "zz", "aa", "mm", "gone"][i % 5]
    doc["source"] = ["supervisor", "public", "video"][i % 3]
    doc["grid_code"] = ["330102013026097", "330102011014014", "330102099000001"][i % 3]
    doc["address"] = "" if i % 4 == 1 else f"测试路{(i * 7) % 13}号"
    doc["description"] = ["井盖缺失", "Garbage 暴露", "无"][i % 3]
    doc["updated_at"] = doc["created_at"]
    return {**doc, **kw}


def naive_order(model: CaseTableModel, col: str, descending: bool) -> list[str]:
    """What the queue showed before issue 14: every row's display text, one stable argsort
    (the age column: the ISO creation time)."""
    state = model.state
    ids = state.case_ids()
    rows = np.array([state.case_row(cid) for cid in map(model.case_id, range(model.rowCount()))])
    rows.sort()
    docs = [state.cases[ids[r]] for r in rows]
    if col == "countdown" or col == "state":
        raise AssertionError("numeric columns are not text")
    texts = [
        d.get("created_at") or "" if col == "age" else str(model._display(d, int(r), col) or "")
        for d, r in zip(docs, rows, strict=True)
    ]
    order = np.argsort(np.array(texts), kind="stable")
    if descending:
        order = order[::-1]
    return [ids[r] for r in rows[order]]


def shown(model: CaseTableModel) -> list[str]:
    return [model.case_id(r) for r in range(model.rowCount())]


def naive_search(model: CaseTableModel, needle: str) -> set[str]:
    hits = set()
    for cid, d in model.state.cases.items():
        cat = next((c for c in _REF["categories"] if c["code"] == d.get("category_code")), {})
        text = " ".join(
            str(x or "")
            for x in (
                d["id"], d.get("category_code"), cat.get("name_zh"), cat.get("name_en"),
                d.get("address"), d.get("description"), d.get("grid_code"),
            )
        )  # fmt: skip
        if needle.strip().lower() in text.lower():
            hits.add(cid)
    return hits


def random_needles(model: CaseTableModel, rng: random.Random, n: int) -> list[str]:
    """Pieces of the cases' own texts (across fields too), upper-cased at random."""
    texts = [
        " ".join(str(d.get(k) or "") for k in ("id", "category_code", "address", "description"))
        for d in model.state.cases.values()
    ]
    out = []
    for _ in range(n):
        text = rng.choice(texts)
        a = rng.randrange(len(text))
        piece = text[a : a + rng.randint(1, 6)]
        out.append(piece.upper() if rng.random() < 0.3 else piece)
    return out


def test_queue_sorts_and_searches_as_the_naive_model_through_changes_and_evictions(qapp):
    rng = random.Random(14)
    s = CityState()
    s.set_reference(_REF)
    rows_not_in_id_order = [varied_doc(i * 17 % 40) for i in range(40)]
    s.bootstrap({"seq": 1, "cases": rows_not_in_id_order}, _REF)
    model = CaseTableModel(s, now)
    model.on_diff(Diff(reset=True))
    text_cols = [c for c in COLUMNS if c not in ("countdown", "state")]

    def check() -> None:
        for col in text_cols:
            for order in (Qt.AscendingOrder, Qt.DescendingOrder):
                model.sort(COLUMNS.index(col), order)
                assert shown(model) == naive_order(model, col, order == Qt.DescendingOrder), col
        model.sort(COLUMNS.index("category"))
        fixed = ["井盖", "GARBAGE", "zebra", "湖滨", "3301020130", "2026112300003", "无 3"]
        for needle in fixed + random_needles(model, rng, 12):
            model.set_search(needle)
            assert set(shown(model)) == naive_search(model, needle), needle
        model.set_search("")

    check()  # builds every index
    t = TEST_START.isoformat()
    changed = [
        varied_doc(3, 2, department_id="aa", description="斑马 Zebra", source="public"),
        varied_doc(5, 2, state="closed", stage=None),
        varied_doc(8, 2, state="closed", stage=None),
    ]
    model.on_diff(s.apply([{"seq": 2 + k, "ts": t, "kind": "case", "case": c}
                           for k, c in enumerate(changed)]))  # fmt: skip
    check()  # the changed rows' keys and texts updated from the Diff
    arrived = varied_doc(77, address="", grid_code="330102013026001")
    model.on_diff(s.apply([{"seq": 9, "ts": t, "kind": "case", "case": arrived}]))
    check()  # a new row
    d = Diff()
    gone = s.evict(TEST_START + timedelta(days=30), d)
    assert gone == {varied_doc(5)["id"], varied_doc(8)["id"]} and d.case_rows is not None
    model.on_diff(d)
    check()  # rows renumbered


@settings(max_examples=80, deadline=None)
@given(
    first=st.one_of(  # a first build of more than 64 texts goes through numpy (not with NULs)
        st.lists(st.sampled_from(["b", "a", "ab", "", "甲", "B", "a\x00", "ΑΣ"]), max_size=150),
        st.lists(st.sampled_from(["b", "a", "ab", "", "甲", "B", "İ"]), min_size=65, max_size=150),
    ),
    steps=st.lists(
        st.tuples(
            st.booleans(),  # True: set some rows, False: drop some rows (an eviction)
            st.lists(st.integers(0, 200), max_size=20),
            st.lists(st.text(alphabet="abB甲\x00ΣİA ", max_size=3), min_size=20, max_size=20),
        ),
        max_size=8,
    ),
    needles=st.lists(st.text(alphabet="abB甲\x00ΣσİA ", max_size=3), min_size=1, max_size=4),
)
def test_ranked_and_search_texts_follow_their_rows_through_sets_and_evictions(
    first, steps, needles
):
    """RankedTexts orders rows as their texts, SearchTexts finds what a scan of them finds,
    through first builds, single-row sets, growth, evictions and compactions."""
    from unittest import mock

    from console import text_columns
    from console.text_columns import RankedTexts, SearchTexts

    with mock.patch.object(text_columns, "COMPACT_FLOOR", 0):  # compact as soon as it may
        ranked, search, naive = RankedTexts(), SearchTexts(), list(first)
        ranked.set(np.arange(len(first)), first)
        search.set(np.arange(len(first)), first)
        for is_set, rows, texts in steps:
            if not naive:
                is_set, rows = True, [0]
            rows = sorted({r % (len(naive) + 3) for r in rows})
            if is_set:
                for r, t in zip(rows, texts, strict=False):
                    gap = list(range(len(naive), r))  # new rows (a Diff names every one)
                    ranked.set([*gap, r], [*[""] * len(gap), t])
                    search.set([*gap, r], [*[""] * len(gap), t])
                    naive.extend([""] * (r + 1 - len(naive)))
                    naive[r] = t
            else:
                keep = np.ones(len(naive), dtype=bool)
                keep[[r for r in rows if r < len(naive)]] = False
                ranked.remap(np.where(keep, np.cumsum(keep) - 1, -1))
                search.remap(np.where(keep, np.cumsum(keep) - 1, -1))
                naive = [t for t, k in zip(naive, keep, strict=True) if k]
            all_rows = np.arange(len(naive))
            keys = ranked.keys(all_rows)  # only their order matters: compare dense ranks
            ranks = {t: i for i, t in enumerate(sorted(set(naive)))}
            dense = np.unique(keys, return_inverse=True)[1].reshape(-1)
            assert dense.tolist() == [ranks[t] for t in naive]
            for some in (all_rows, all_rows[::2], all_rows[-1:], all_rows[:0]):
                for needle in ("a", "B", "", *needles):  # common, rare and absent needles
                    found = search.find(needle, some).tolist()
                    wanted = [r for r in some.tolist() if needle.lower() in naive[r].lower()]
                    assert found == wanted, needle


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(alphabet="aAΣσς İ甲.'\x00\u0307b", max_size=6), max_size=40))
def test_a_column_lowered_at_once_is_each_text_lowered(texts):
    """One ``lower`` over the joined column equals a ``lower`` per text: Greek final sigma,
    İ's two code points, case-ignorable neighbours and NULs inside texts included."""
    from console.text_columns import lowered

    assert lowered(list(texts)) == [t.lower() for t in texts]
