"""The basemap under the map wall, against real things: a tile server on a loopback port
(``tile_server``: every tile a solid colour naming its address), MBTiles files built here, the
Tianditu-shaped capabilities fixture. The map is grabbed offscreen and its pixels read: the
right tile colour at the right pixel for a known lon/lat, GCJ-02 tiles on the WGS-84 map within
the stated tolerance, failing sources a notice and no crash, and no request from the GUI thread.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
import requests
from PySide6.QtCore import QPointF
from tile_server import KEY, OVERLAY, TileServer, colour, png

from console.geo.crs import gcj02_to_wgs84, lonlat_to_mercator, mercator_to_lonlat
from console.state import CityState
from console.tiles.config import SourceConfig, from_flag
from console.tiles.mbtiles import MBTilesWriter
from console.tiles.placement import corners, homography, tiles_in_view
from console.tiles.tilegrid import TILE_PX, tile_at, tile_bounds, tile_size_m

pytestmark = pytest.mark.ui

#: A point in the district (上城区, near 湖滨), WGS-84.
LON, LAT = 120.1690, 30.2560
#: Placement tolerance the tests hold the map to, in screen pixels: the projective GCJ-02
#: placement is within 0.2 px of exact at every zoom (``residual_m``; 1.4 m at z13, 0.4 m at
#: z14, under 0.1 m from z15 up), and Qt's smooth scaling blends a pixel at a tile's edge.
TOL_PX = 2


@pytest.fixture
def make_map(qtbot, ui, tmp_path, monkeypatch):
    """A map wall on an empty state (no vector layer draws), 640×480, with its basemap
    configured; notices collected."""
    from widgets.map.wall import MapWall

    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    maps = []

    def make(configs):
        m = MapWall(CityState(), lambda: 0.0)
        qtbot.addWidget(m)
        m.resize(640, 480)
        m.show()
        m.notices = []
        m.configure_basemap(configs, lambda text, level: m.notices.append((text, level)))
        maps.append(m)
        return m

    yield make
    for m in maps:
        m.basemap.close()


def look_at(qtbot, m, mx: float, my: float, z: int) -> None:
    """Centre the view on Mercator (mx, my) at 1.1 tile pixels of zoom z per screen pixel
    (so ``zoom_for`` picks z), and wait until the basemap has drawn."""
    w = m.plot.width() * tile_size_m(z) / TILE_PX * 1.1
    h = w * m.plot.height() / m.plot.width()
    m.view.setRange(xRange=(mx - w / 2, mx + w / 2), yRange=(my - h / 2, my + h / 2), padding=0)
    settle(qtbot, m)
    assert m.basemap.zoom == z


def settle(qtbot, m) -> None:
    qtbot.waitUntil(lambda: m.basemap.settled() and m.basemap.source is not None, timeout=15000)
    m.basemap.update_tiles()  # the last arrivals' items


def pixel(m, mx: float, my: float, dx: float = 0.0):
    """The grabbed map's colour at Mercator (mx, my), ``dx`` screen pixels to the right."""
    scene = m.view.mapViewToScene(QPointF(mx, my))
    p = m.plot.mapFromScene(scene)
    p = m.plot.viewport().mapTo(m.plot, p)
    image = m.plot.grab().toImage()
    c = image.pixelColor(round(p.x() + dx), round(p.y()))
    return c.red(), c.green(), c.blue()


def close_to(a, b, tol: int = 6) -> bool:
    return all(abs(int(u) - int(v)) <= tol for u, v in zip(a, b, strict=True))


def xyz(tile_http, **kw) -> SourceConfig:
    return SourceConfig(name="test", kind="xyz", url=tile_http.url + "/xyz/{z}/{x}/{y}.png", **kw)


# ---- the map shows the right tile at the right pixel ----------------------------------------


@pytest.mark.parametrize("z", [13, 17])
def test_xyz_tile_colour_at_a_known_point(qtbot, make_map, tile_http, z):
    m = make_map([xyz(tile_http, attribution="© 测试瓦片")])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, z)
    tx, ty = tile_at(mx, my, z)
    assert close_to(pixel(m, mx, my), colour(z, tx, ty))
    # the tile's west edge, a few pixels either side: the tile and its west neighbour
    w, s, e, n = tile_bounds(z, tx, ty)
    px = tile_size_m(z) / TILE_PX * 1.1
    assert close_to(pixel(m, w + 3 * px, my), colour(z, tx, ty))
    assert close_to(pixel(m, w - 3 * px, my), colour(z, tx - 1, ty))
    assert m.attribution.isVisible() and m.attribution.text() == "© 测试瓦片"
    assert m.notices == []


def test_mbtiles_built_here_renders_at_the_right_place(qtbot, make_map, tmp_path):
    mx, my = lonlat_to_mercator(LON, LAT)
    path = tmp_path / "district.mbtiles"
    meta = {
        "name": "测试底图",
        "format": "png",
        "minzoom": 12,
        "maxzoom": 15,
        "bounds": "120.0,30.1,120.3,30.4",
        "attribution": "© 本项目",
    }
    with MBTilesWriter(path, meta) as wr:
        for z in range(12, 16):
            cx, cy = tile_at(mx, my, z)
            for x in range(cx - 3, cx + 4):
                for y in range(cy - 3, cy + 4):
                    wr.put(z, x, y, png(colour(z, x, y)))
    m = make_map([SourceConfig(name="offline", kind="mbtiles", path=str(path))])
    look_at(qtbot, m, mx, my, 14)
    tx, ty = tile_at(mx, my, 14)
    assert close_to(pixel(m, mx, my), colour(14, tx, ty))
    assert m.basemap.source.max_zoom == 15 and m.attribution.text() == "© 本项目"
    assert m.basemap.source.bounds() == (120.0, 30.1, 120.3, 30.4)
    # past the file's deepest zoom its z15 tiles are drawn, scaled up
    w = m.plot.width() * tile_size_m(17) / TILE_PX
    m.view.setRange(xRange=(mx - w / 2, mx + w / 2), yRange=(my - w / 3, my + w / 3), padding=0)
    settle(qtbot, m)
    assert m.basemap.zoom == 15
    assert close_to(pixel(m, mx, my), colour(15, *tile_at(mx, my, 15)))


def test_an_overlay_is_drawn_over_its_source(qtbot, make_map, tile_http):
    over = SourceConfig(
        name="labels",
        kind="xyz",
        url=tile_http.url + "/overlay/{z}/{x}/{y}.png",
        attribution="© 注记",
    )
    m = make_map([xyz(tile_http, attribution="© 底图", overlays=(over,))])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 15)
    assert [layer.source.name for layer in m.basemap.layers] == ["test", "labels"]
    tx, ty = tile_at(mx, my, 15)
    w, s, e, n = tile_bounds(15, tx, ty)
    y = (s + n) / 2
    assert close_to(pixel(m, w + (e - w) * 0.25, y), colour(15, tx, ty))  # clear: the base
    assert close_to(pixel(m, w + (e - w) * 0.75, y), OVERLAY)
    assert m.attribution.text() == "© 底图 · © 注记"


def test_no_tile_is_asked_outside_the_sources_bounds(qtbot, make_map, tile_http):
    b = (LON - 0.02, LAT - 0.02, LON + 0.02, LAT + 0.02)
    m = make_map([xyz(tile_http, bounds=b)])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 13)  # a view ~13 km wide over bounds ~4 km wide
    x0, y0 = tile_at(*lonlat_to_mercator(b[0], b[3]), 13)
    x1, y1 = tile_at(*lonlat_to_mercator(b[2], b[1]), 13)
    asked = [tuple(int(v) for v in p.split(".")[0].split("/")[3:]) for p in tile_http.requests]
    assert asked and all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in asked)
    assert len(asked) < len(tiles_in_view("wgs84", *_view(m), 13))
    assert close_to(pixel(m, mx, my), colour(13, *tile_at(mx, my, 13)))


def _view(m) -> tuple[float, float, float, float]:
    (x0, x1), (y0, y1) = m.view.viewRange()
    return x0, y0, x1, y1


def write_pmtiles(path, tiles, tile_type=None, **meta) -> None:
    """A PMTiles v3 archive by the maintainers' writer: ``tiles`` {(z, x, y): bytes}."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with open(path, "wb") as f:
        w = Writer(f)
        for (z, x, y), data in sorted(tiles.items(), key=lambda t: zxy_to_tileid(*t[0])):
            w.write_tile(zxy_to_tileid(z, x, y), data)
        zooms = [z for z, _, _ in tiles]
        header = {
            "tile_type": tile_type or TileType.PNG,
            "tile_compression": Compression.NONE,
            "min_zoom": min(zooms),
            "max_zoom": max(zooms),
            "min_lon_e7": int(120.0e7),
            "min_lat_e7": int(30.1e7),
            "max_lon_e7": int(120.3e7),
            "max_lat_e7": int(30.4e7),
        }
        w.finalize(header, meta)


def test_pmtiles_archive_renders_and_bad_ones_are_a_notice(qtbot, make_map, tmp_path):
    from pmtiles.tile import TileType

    mx, my = lonlat_to_mercator(LON, LAT)
    tiles = {}
    for z in (13, 14):
        cx, cy = tile_at(mx, my, z)
        for x in range(cx - 3, cx + 4):
            for y in range(cy - 3, cy + 4):
                tiles[(z, x, y)] = png(colour(z, x, y))
    good = tmp_path / "district.pmtiles"
    write_pmtiles(good, tiles, attribution="© Protomaps 测试")
    vector = tmp_path / "vector.pmtiles"
    write_pmtiles(vector, {(13, 1, 1): b"\x1a\x00"}, tile_type=TileType.MVT)
    junk = tmp_path / "junk.pmtiles"
    junk.write_bytes(b"PMTiles\x03" + bytes(200))
    m = make_map([from_flag(str(good))])
    assert m.basemap.config().kind == "pmtiles"
    look_at(qtbot, m, mx, my, 14)
    assert close_to(pixel(m, mx, my), colour(14, *tile_at(mx, my, 14)))
    assert m.attribution.text() == "© Protomaps 测试"
    assert m.basemap.source.bounds() == pytest.approx((120.0, 30.1, 120.3, 30.4))
    for i, bad in enumerate((vector, junk), start=1):
        m.basemap.configs.append(SourceConfig(name=bad.stem, kind="pmtiles", path=str(bad)))
        m.basemap.choose(i)
        qtbot.waitUntil(lambda: m.basemap.settled())
        assert f"底图“{bad.stem}”不可用" in m.notices[-1][0] and m.basemap.source is None
    assert "not raster tiles" in m.notices[0][0]


def test_parent_tile_stands_in_while_a_child_loads(qtbot, make_map, tile_http):
    m = make_map([xyz(tile_http)])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 14)
    tile_http.gated = range(15, 16)  # z15 answers wait for the gate
    m.view.scaleBy((0.5, 0.5))
    qtbot.waitUntil(lambda: tile_http.count("/xyz/15/") > 0)
    m.basemap.update_tiles()
    assert m.basemap.zoom == 15 and not m.basemap.settled()
    assert close_to(pixel(m, mx, my), colour(14, *tile_at(mx, my, 14)))  # the parent, enlarged
    tile_http.gate.set()
    settle(qtbot, m)
    assert close_to(pixel(m, mx, my), colour(15, *tile_at(mx, my, 15)))


def test_zooming_out_keeps_the_finer_tiles_until_the_coarser_load(qtbot, make_map, tile_http):
    m = make_map([xyz(tile_http)])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 15)
    tile_http.gated = range(14, 15)
    m.view.scaleBy((2, 2))
    qtbot.waitUntil(lambda: tile_http.count("/xyz/14/") > 0)
    m.basemap.update_tiles()
    assert m.basemap.zoom == 14 and not m.basemap.settled()
    assert close_to(pixel(m, mx, my), colour(15, *tile_at(mx, my, 15)))
    tile_http.gate.set()
    settle(qtbot, m)
    assert close_to(pixel(m, mx, my), colour(14, *tile_at(mx, my, 14)))
    assert {k[0] for k in m.basemap.layers[0].items} == {14}  # the finer ones gone


def test_parent_tile_stands_in_where_a_child_is_missing(qtbot, make_map, tile_http):
    m = make_map([xyz(tile_http)])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 14)
    tile_http.zooms = range(0, 15)  # z15 and deeper: 404, so only stand-ins can be drawn
    m.view.scaleBy((0.5, 0.5))
    settle(qtbot, m)
    assert m.basemap.zoom == 15
    assert close_to(pixel(m, mx, my), colour(14, *tile_at(mx, my, 14)))


def test_items_stay_within_the_budget_while_panning(qtbot, make_map, tile_http):
    from widgets.map.tile_layer import ITEM_BUDGET

    m = make_map([xyz(tile_http)])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 16)
    step = m.plot.width() * tile_size_m(16) / TILE_PX
    for _ in range(12):
        m.view.translateBy(x=step)
        settle(qtbot, m)
        layer = m.basemap.layers[0]
        assert len(layer.items) <= ITEM_BUDGET
        assert len(layer.group.childItems()) == len(layer.items)  # dropped, not hidden
    # only tiles near the view are in the scene: none from where the pan started
    x0, _ = tile_at(mx, my, 16)
    assert all(k[1] > x0 + 3 for k in m.basemap.layers[0].items)


# ---- GCJ-02 -----------------------------------------------------------------------------------


def test_qt_quad_transform_is_the_placement_homography(qtbot):
    from PySide6.QtGui import QPolygonF, QTransform

    c = corners("gcj02", 13, 6830, 3364)
    sq = QPolygonF([QPointF(0, 0), QPointF(256, 0), QPointF(256, 256), QPointF(0, 256)])
    t = QTransform.quadToQuad(sq, QPolygonF([QPointF(float(x), float(y)) for x, y in c]))
    h = homography(c)
    for u, v in ((0, 0), (128, 77), (256, 256), (13, 240)):
        p = t.map(QPointF(u, v))
        q = h @ np.array([u, v, 1.0])
        assert math.hypot(p.x() - q[0] / q[2], p.y() - q[1] / q[2]) < 1e-3


@pytest.mark.parametrize("z", [13, 17])
def test_gcj02_tiles_line_up_with_the_wgs84_map(qtbot, make_map, tile_http, z):
    """A GCJ-02 tile's west edge, found on the WGS-84 map where the exact conversion puts it:
    TOL_PX+1 inside it the tile's colour, TOL_PX+1 outside its neighbour's. Unconverted, the
    tiles would sit ~500 m off (over 40 px at z13)."""
    m = make_map([xyz(tile_http, datum="gcj02")])
    gx, gy = lonlat_to_mercator(LON + 0.0046, LAT - 0.0024)  # roughly the point in GCJ-02
    tx, ty = tile_at(gx, gy, z)
    w, s, e, n = tile_bounds(z, tx, ty)
    edge = mercator_to_lonlat(w, (s + n) / 2)  # GCJ-02 lon/lat of the tile's west edge
    mx, my = lonlat_to_mercator(*gcj02_to_wgs84(*edge))
    assert abs(mx - w) > 400  # the offset the placement has to undo
    look_at(qtbot, m, mx, my, z)
    assert close_to(pixel(m, mx, my, TOL_PX + 1), colour(z, tx, ty))
    assert close_to(pixel(m, mx, my, -(TOL_PX + 1)), colour(z, tx - 1, ty))


# ---- failing sources: a notice, no crash ------------------------------------------------------


@pytest.mark.parametrize("path", ["garbage", "broken", "fail"])
def test_bad_tiles_give_a_notice_and_no_crash(qtbot, make_map, tile_http, path):
    m = make_map(
        [SourceConfig(name="bad", kind="xyz", url=tile_http.url + f"/{path}/{{z}}/{{x}}/{{y}}.png")]
    )
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 15)
    assert m.basemap.failures > 0 and m.basemap.layers[0].items == {}
    assert len(m.notices) == 1 and m.notices[0][1] == "warning"  # throttled: one, not one a tile
    assert "底图瓦片读取失败" in m.notices[0][0]
    m.plot.grab()  # still paints


def test_dead_server_and_missing_file_give_a_notice(qtbot, make_map, tmp_path):
    dead = TileServer()
    url = dead.url
    dead.stop()
    m = make_map([SourceConfig(name="dead", kind="xyz", url=url + "/xyz/{z}/{x}/{y}.png")])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 15)
    assert m.notices and m.basemap.source.errors > 0
    m.basemap.configs.append(
        SourceConfig(name="gone", kind="mbtiles", path=str(tmp_path / "no.mbtiles"))
    )
    m.basemap.choose(1)
    qtbot.waitUntil(lambda: m.basemap.settled())
    assert "底图“gone”不可用" in m.notices[-1][0] and m.basemap.source is None
    wmts = SourceConfig(name="wmts-dead", kind="wmts", url=url + "/wmts?REQUEST=GetCapabilities")
    m.basemap.configs.append(wmts)
    m.basemap.choose(2)
    qtbot.waitUntil(lambda: m.basemap.settled())
    assert "wmts-dead" in m.notices[-1][0]


def test_the_gui_thread_never_calls_requests(qtbot, make_map, tile_http, monkeypatch):
    callers = []
    real = requests.Session.request

    def spy(self, *a, **kw):
        callers.append(threading.current_thread() is threading.main_thread())
        return real(self, *a, **kw)

    monkeypatch.setattr(requests.Session, "request", spy)
    wmts = SourceConfig(
        name="天地图",
        kind="wmts",
        url=tile_http.url + "/wmts?REQUEST=GetCapabilities&SERVICE=WMTS",
        key=KEY,
        key_param="tk",
    )
    m = make_map([wmts, xyz(tile_http)])
    mx, my = lonlat_to_mercator(LON, LAT)
    look_at(qtbot, m, mx, my, 15)
    assert close_to(pixel(m, mx, my), colour(15, *tile_at(mx, my, 15)))
    m.basemap.choose(1)
    look_at(qtbot, m, mx, my, 16)
    assert len(callers) > 10 and not any(callers)


# ---- the console: flags and the 视图 menu ----------------------------------------------------


@pytest.mark.parametrize("command", [["console"], ["wall"], ["replay", "x.zhcg"]])
def test_an_unusable_tiles_flag_is_refused_before_anything_starts(capsys, tmp_path, command):
    import main

    missing = tmp_path / "none.mbtiles"
    assert main.main([*command, "--tiles", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"main.py {command[0]}: {missing}: no such MBTiles file\n"
    bad = tmp_path / "bad.json"
    bad.write_text('{"sources": [{"kind": "xyz", "url": "http://h/{z}", "datum": "bd09"}]}')
    assert main.main([*command, "--basemap-config", str(bad)]) == 2
    assert "datum must be one of wgs84, cgcs2000, gcj02" in capsys.readouterr().err


def test_view_menu_switches_source_and_opacity_and_a_rebuild_keeps_them(
    qtbot, ui, pages_log, tile_http, tmp_path, monkeypatch
):
    from widgets.app.console_app import ConsoleApp

    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "one.mbtiles"
    with MBTilesWriter(path, {"name": "one", "attribution": "© 文件"}) as wr:
        wr.put(12, 3413, 1686, png((10, 200, 10)))
    configs = [
        xyz(tile_http, attribution="© 服务"),
        SourceConfig(name="文件底图", kind="mbtiles", path=str(path)),
    ]
    console = ConsoleApp(None, replay_log=pages_log, sound=False, basemap=configs)
    try:
        window = console.show()
        qtbot.addWidget(window)
        assert [a.text() for a in window.basemap_actions] == ["无", "test", "文件底图"]
        assert window.map.basemap.current == 0 and window.basemap_actions[1].isChecked()
        window.basemap_actions[2].trigger()
        qtbot.waitUntil(lambda: window.map.basemap.source is not None)
        assert window.map.attribution.text() == "© 文件"
        window.opacity_actions[60].trigger()
        assert window.map.basemap.group.opacity() == pytest.approx(0.6)
        window = console.switch_theme("light")
        qtbot.addWidget(window)
        assert window.map.basemap.current == 1 and window.basemap_actions[2].isChecked()
        assert window.map.basemap.group.opacity() == pytest.approx(0.6)
        assert window.opacity_actions[60].isChecked()
        window.basemap_actions[0].trigger()
        assert window.map.basemap.source is None and not window.map.attribution.isVisible()
        assert window.map.basemap.layers == []
    finally:
        console.window.map.basemap.close()
        console.stop()


def test_with_no_source_configured_the_demo_basemap_shows_once_it_is_built(
    qtbot, ui, pages_log, tmp_path, monkeypatch
):
    """No --tiles, no basemap.json: the demo's own basemap of the console's theme, asked for
    again until its first (background) build is there; then on offer and shown, the other
    theme's too once built."""
    from console.tiles import demo_basemap as dbm
    from widgets.app.console_app import ConsoleApp

    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    started: list[str] = []
    monkeypatch.setenv("ZHCG_BASEMAP_BUILD", "1")
    monkeypatch.setattr(
        "console.tiles.defaults.start_demo_basemap_build", lambda theme: started.append(theme)
    )
    monkeypatch.setattr("console.tiles.defaults._builds_started", set())
    console = ConsoleApp(None, replay_log=pages_log, sound=False)
    try:
        window = console.show()
        qtbot.addWidget(window)
        assert started == ["dark"] and console._basemap_poll.isActive()
        assert [a.text() for a in window.basemap_actions] == ["无"]
        console._poll_basemap()  # nothing built yet: still waiting, the build not started again
        assert console._basemap_poll.isActive() and window.map.basemap.source is None
        assert started == ["dark"]
        start, end = console.replay.span()
        console.replay.seek(end)  # the log's reference on the map: the neighbours named
        qtbot.waitUntil(lambda: bool(window.map.neighbour_labels))
        assert all(label.isVisible() for label in window.map.neighbour_labels)
        for theme, colour in (("dark", (10, 20, 30)), ("light", (240, 240, 230))):
            with MBTilesWriter(dbm.demo_basemap_path(theme), {"name": theme}) as wr:
                wr.put(12, 3413, 1686, png(colour))
        console._poll_basemap()
        assert not console._basemap_poll.isActive()
        assert [a.text() for a in window.basemap_actions] == [
            "无",
            "示意底图（深色）",
            "示意底图（浅色）",
        ]
        assert window.basemap_actions[1].isChecked()
        qtbot.waitUntil(lambda: window.map.basemap.source is not None)
        assert "dark" in console.basemap[0].path
        # the basemap names the neighbours itself: the map's own names would stand twice
        assert not any(label.isVisible() for label in window.map.neighbour_labels)
        window = console.switch_theme("light")
        qtbot.addWidget(window)
        assert "light" in console.basemap[0].path and window.basemap_actions[1].isChecked()
    finally:
        console.window.map.basemap.close()
        console.stop()


def test_zoom_to_case_shows_it_in_the_middle_that_many_metres_across(qtbot, ui, pages_log):
    """``--screenshot-zoom`` and the docs' street view: the case selected, centred, the view
    ``width_m`` Web Mercator metres across."""
    from widgets.app.console_app import ConsoleApp

    console = ConsoleApp(None, replay_log=pages_log, sound=False)
    try:
        window = console.show()
        qtbot.addWidget(window)
        console.replay.seek(console.replay.span()[1])
        qtbot.waitUntil(lambda: bool(console.state.cases))
        cid, doc = next(iter(console.state.cases.items()))
        window.map.zoom_to_case(cid, 400.0)
        (x0, x1), (y0, y1) = window.map.view.viewRange()
        x, y = lonlat_to_mercator(doc["location"]["lon"], doc["location"]["lat"])
        assert x1 - x0 == pytest.approx(400.0, rel=0.05)
        assert (x0 + x1) / 2 == pytest.approx(x, abs=5) and (y0 + y1) / 2 == pytest.approx(y, abs=5)
        assert window.map._selected_case == cid
    finally:
        console.stop()


def test_a_wall_shows_the_demo_basemap_that_finishes_while_it_runs(
    qtbot, ui, pages_log, tmp_path, monkeypatch
):
    """A wall started before the demo basemap's first build is done: every scene's map takes
    it when the build lands, without a restart."""
    from console.tiles import demo_basemap as dbm
    from widgets.app.console_app import ConsoleApp
    from widgets.app.wall_app import Wall

    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("console.tiles.defaults._builds_started", set())
    console = ConsoleApp(None, replay_log=pages_log, sound=False)
    wall = Wall(console, None, [0], [(1280, 720)])
    qtbot.addWidget(wall.windows[0])
    try:
        assert wall.maps and all(m.basemap.source is None for m in wall.maps)
        with MBTilesWriter(dbm.demo_basemap_path("dark"), {"name": "dark"}) as wr:
            wr.put(12, 3413, 1686, png((10, 20, 30)))
        console._poll_basemap()
        qtbot.waitUntil(lambda: all(m.basemap.source is not None for m in wall.maps))
    finally:
        for m in wall.maps:
            m.basemap.close()
        wall.stop()
