"""People on the console (widgets/map/staff_layer.py, widgets/panels/duty.py): the map draws
people on their own layer, not as trucks, and a selected one's coverage; the fleet panel and
the wall's fleet figures count the sanitation fleet only; the duty panel lists the ones off
their grid first, with the totals of everyone."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from console import wall_figures as wf
from console.domain import duty
from console.geo.grid import UnitGrid
from console.state import CityState

NOW = 1795568400.0  # 2026-11-23 09:00 CST


def fix(lon: float, lat: float) -> dict:
    return {"t": NOW - 30, "lon": lon, "lat": lat, "speed_kmh": 4.0, "heading": 90.0, "flags": 0}


def record(pid: str, kind: str, state: str, area: list[str], visited: str, cells: int, **kw):
    return {
        "type": "duty",
        "id": pid,
        "person_type": kind,
        "name": kw.get("name", pid),
        "street": area[0][:9],
        "area": area,
        "state": state,
        "on_duty_s": kw.get("on", 3000.0),
        "scheduled_s": kw.get("sched", 3600.0),
        "rate": kw.get("on", 3000.0) / kw.get("sched", 3600.0),
        "coverage": kw.get("coverage", 0.1),
        "cells": cells,
        "visited": visited,
        "live": True,
    }


@pytest.fixture
def people_state() -> CityState:
    grid = UnitGrid.load()
    comm = grid.communities[0]
    cells = grid.community_cells(comm.code)
    street = grid.streets[1]
    lon, lat = float(grid.lon[cells[0]]), float(grid.lat[cells[0]])
    visited = np.zeros(len(cells), dtype=bool)
    visited[:5] = True
    vehicles = [
        {
            "id": "V001",
            "plate": "浙A·D00001",
            "type": "sweeper",
            "status": "working",
            "last_fix": fix(lon, lat),
        },
        {
            "id": "P-sup",
            "plate": "监督员 甲",
            "type": "supervisor",
            "status": "moving",
            "last_fix": fix(lon + 0.001, lat),
        },
        {
            "id": "E-1",
            "plate": "执法队员 乙",
            "type": "officer",
            "status": "stopped",
            "last_fix": fix(lon, lat + 0.001),
        },
    ]
    records = [
        record(
            "P-sup",
            "supervisor",
            duty.ON_DUTY,
            [comm.code],
            duty.visited_hex(visited),
            len(cells),
            name="监督员 甲",
        ),
        record(
            "E-1",
            "officer",
            duty.OFF_GRID,
            [street.code],
            "",
            len(grid.street_cells(street.code)),
            name="执法队员 乙",
            on=1800.0,
        ),
    ]
    s = CityState()
    s.bootstrap(
        {
            "feed_id": "f",
            "seq": 1,
            "server_time": "2026-11-23T01:00:00+00:00",
            "speed": 1.0,
            "cases": [],
            "vehicles": vehicles,
            "alerts": [],
            "records": records,
        },
        {"vehicles": [{k: v[k] for k in ("id", "plate", "type")} for v in vehicles]},
    )
    return s


def test_people_are_drawn_apart_from_the_fleet_with_the_selected_ones_coverage(
    ui, qtbot, people_state
):
    from widgets.map.staff_layer import style_code
    from widgets.map.wall import MapWall

    w = MapWall(people_state, lambda: NOW)
    qtbot.addWidget(w)
    w.resize(900, 700)
    w.show()
    qtbot.waitExposed(w)
    w.update_all()
    QApplication.processEvents()
    assert len(w.vehicles.data) == 1  # the sweeper only: no person drawn as a truck
    assert len(w.staff.people.data) == 2
    rows = [people_state.vehicle_ids()[r] for r in w.staff.rows]
    styles = dict(zip(rows, w.staff.people._style.tolist(), strict=True))
    assert styles == {
        "P-sup": style_code("supervisor", duty.ON_DUTY),
        "E-1": style_code("officer", duty.OFF_GRID),
    }
    assert len(set(styles.values())) == 2
    w.select_vehicle("P-sup")
    grid = UnitGrid.load()
    n = len(grid.community_cells(grid.communities[0].code))
    brushes = w.staff.coverage.data["brush"]
    assert len(w.staff.coverage.data) == n
    assert sum(b is brushes[0] for b in brushes) == 5  # the five visited cells share a fill
    w.select_vehicle("V001")  # a vehicle: no coverage
    assert len(w.staff.coverage.data) == 0
    # A click on a person selects him like a vehicle (the duty panel follows the signal);
    # people show (and are picked) only zoomed in: in the district view they hid the cases.
    x, y = w.staff.xy[0][0], w.staff.xy[1][0]
    w.fit_district()
    assert not w.staff.people.isVisible() and w.hit(float(x), float(y)) != ("vehicle", rows[0])
    w.centre_on(float(x), float(y), 2000.0)
    assert w.staff.people.isVisible()
    assert w.hit(float(x), float(y)) == ("vehicle", rows[0])


def test_the_fleet_panel_and_the_walls_fleet_count_the_sanitation_fleet_only(
    ui, qtbot, people_state
):
    from widgets.panels.fleet import VehiclePanel

    p = VehiclePanel(people_state, lambda: NOW, None, None)
    qtbot.addWidget(p)
    p.model.refresh()
    assert p.model.rowCount() == 1 and p.model.vehicle_id(0) == "V001"
    f = wf.fleet(people_state, NOW)
    assert sum(f.by_status.values()) == 1 and f.by_status["working"] == 1
    assert people_state.counts()["vehicles"] == 1


def test_the_duty_panel_lists_off_grid_first_with_totals(ui, qtbot, people_state):
    from widgets.panels.duty import DutyPanel

    p = DutyPanel(people_state)
    qtbot.addWidget(p)
    p._refresh_if_dirty()
    m = p.model
    assert [m.person_id(r) for r in range(m.rowCount())] == ["E-1", "P-sup"]
    assert m.index(0, 1).data() == "离岗"
    assert m.index(1, 2).data() == "83%"
    assert "在岗 1/2" in p.summary.text() and "离岗 1" in p.summary.text()
    assert "67%" in p.summary.text()  # (3000 + 1800) / 7200
    with qtbot.waitSignal(p.person_selected) as sig:
        p.select_person("P-sup")
    assert sig.args == ["P-sup"]
