"""The demo's offline basemap: built into real MBTiles files, read back and decoded; pixels at
known water, road and neighbour points; the default-basemap path keyed by its inputs; a
killed build leaves nothing that is used."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from PySide6.QtGui import QColor, QImage

import main
from console.geo.crs import gcj02_to_wgs84, lonlat_to_mercator, mercator_to_lonlat
from console.tiles import demo_basemap as dbm
from console.tiles.basemap_features import MAJOR, BasemapFeatures
from console.tiles.mbtiles import MBTiles
from console.tiles.tilegrid import TILE_PX, tile_at, tile_bounds
from widgets.map.tile_build import ATTRIBUTION, build_basemap, covered_tiles
from widgets.map.tile_render import BasemapRenderer
from widgets.map.tile_style import STYLES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def features() -> BasemapFeatures:
    return BasemapFeatures.load()


def _points(f: BasemapFeatures) -> dict[str, tuple[float, float]]:
    """Mercator points whose colour is known: mid-river (900 m out from the district's bank,
    off every label), on an arterial (15 % along one of its segments, off junctions and
    names), inside 拱墅 (a neighbour, away from the canals and the district)."""
    river = next(a for a in f.water if a.name == "钱塘江")
    bank = lonlat_to_mercator(*gcj02_to_wgs84(120.2133, 30.2305))  # a bank vertex by 钱江新城
    water = shapely.Point(bank[0] + 700, bank[1] - 700)
    road = next(r for r in f.roads if r.rank == MAJOR and len(r.xy) > 2)
    seg = np.hypot(*np.diff(road.xy, axis=0).T).argmax()
    on_road = road.xy[seg] + 0.15 * (road.xy[seg + 1] - road.xy[seg])
    gongshu = next(a for a in f.neighbours if a.name == "拱墅区")
    land = shapely.Point(*lonlat_to_mercator(120.165, 30.315))
    assert river.geom.contains(water)
    assert gongshu.geom.contains(land) and f.district.geom.distance(land) > 1500
    assert min(shapely.LineString(w.xy).distance(land) for w in f.water_lines) > 800
    return {"water": (water.x, water.y), "road": tuple(on_road), "neighbour": (land.x, land.y)}


def _pixel(db: MBTiles, z: int, mx: float, my: float) -> QColor:
    x, y = tile_at(mx, my, z)
    west, _, east, north = tile_bounds(z, x, y)
    data = db.get(z, x, y)
    assert data is not None, f"no tile z{z}/{x}/{y}"
    img = QImage.fromData(data, "PNG")
    px = int((mx - west) / (east - west) * TILE_PX)
    py = int((north - my) / (east - west) * TILE_PX)
    return img.pixelColor(px, py)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_small_build_is_a_valid_mbtiles_with_the_right_colours(qapp, tmp_path, features, theme):
    pts = _points(features)
    area = shapely.union_all([shapely.Point(p).buffer(150) for p in pts.values()])
    out = tmp_path / "small.mbtiles"
    stats = build_basemap(out, theme, 16, 17, area=area)
    db = MBTiles(out)
    md = db.metadata
    assert md["format"] == "png" and md["minzoom"] == "16" and md["maxzoom"] == "17"
    assert md["attribution"] == ATTRIBUTION and "Approximate" in md["attribution"]
    w, s, e, n = (float(v) for v in md["bounds"].split(","))
    (lon0, lon1), (lat0, lat1) = mercator_to_lonlat(
        [area.bounds[0], area.bounds[2]], [area.bounds[1], area.bounds[3]]
    )
    assert (w, s, e, n) == pytest.approx((lon0, lat0, lon1, lat1), abs=1e-5)
    clon, clat, cz = md["center"].split(",")
    assert w <= float(clon) <= e and s <= float(clat) <= n and 16 <= int(cz) <= 17
    expected = {z: set(covered_tiles(area, z)) for z in (16, 17)}
    rows = db._db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
    got: dict[int, set] = {16: set(), 17: set()}
    for z, x, tms, data in rows:
        got[z].add((x, (1 << z) - 1 - tms))
        img = QImage.fromData(bytes(data), "PNG")
        assert not img.isNull() and img.width() == img.height() == TILE_PX
    assert got == expected
    for z, tiles in got.items():  # independently: the points' own tiles, nothing off the area
        assert all(tile_at(*pt, z) in tiles for pt in pts.values())
        assert all(area.intersects(shapely.box(*tile_bounds(z, x, y))) for x, y in tiles)
    assert stats.tiles == sum(len(t) for t in expected.values()) > 3
    style = STYLES[theme]
    for z in (16, 17):
        assert _pixel(db, z, *pts["water"]).name() == style.water
        assert _pixel(db, z, *pts["road"]).name() == style.road[MAJOR]
        assert _pixel(db, z, *pts["neighbour"]).name() == style.neighbour
    db.close()


def test_the_command_builds_the_district_and_says_how_much(tmp_path, capsys, features):
    out = tmp_path / "demo.mbtiles"
    code = main.main(["tiles", "build", "--out", str(out), "--max-zoom", "12", "--theme", "light"])
    printed = capsys.readouterr().out
    assert code == 0
    count = sum(len(covered_tiles(features.extent, z)) for z in (11, 12))
    assert f"{count} tiles in" in printed and "tiles/s" in printed and "MB" in printed
    db = MBTiles(out)
    assert db.zoom_range() == (11, 12) and "light" in db.metadata["name"]
    assert db.get(12, *tile_at(*lonlat_to_mercator(120.2, 30.27), 12)) is not None
    db.close()
    assert list(tmp_path.iterdir()) == [out]  # no .part left beside it


@pytest.mark.parametrize(
    "argv, message",
    [(["--min-zoom", "15", "--max-zoom", "12"], "zooms 15..12"), (["--theme", "sepia"], "sepia")],
)
def test_bad_arguments_are_refused_with_a_message(tmp_path, capsys, argv, message):
    out = tmp_path / "x.mbtiles"
    code = main.main(["tiles", "build", "--out", str(out), *argv])
    assert code == 2 and message in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_output_is_refused_with_its_reason(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main.main(["tiles", "build", "--out", str(blocker / "x.mbtiles"), "--max-zoom", "11"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write" in err and "x.mbtiles" in err
    assert blocker.read_text() == "not a folder"


def _input_tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    for pattern in dbm._INPUTS:
        for path in ROOT.glob(pattern):
            dest = root / path.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest)
    return root


def test_the_key_changes_when_an_input_changes(tmp_path):
    root = _input_tree(tmp_path)
    before = dbm.basemap_key(root)
    assert before == dbm.basemap_key(root) == dbm.basemap_key(ROOT)  # same bytes, same key
    water = root / "resources" / "basemap_water.geojson"
    water.write_text(water.read_text(encoding="utf-8").replace("贴沙河", "贴沙港"), "utf-8")
    dbm.basemap_key.cache_clear()
    changed = dbm.basemap_key(root)
    (root / "widgets" / "map" / "tile_style.py").write_text("# another style\n")
    dbm.basemap_key.cache_clear()
    assert len({before, changed, dbm.basemap_key(root)}) == 3


def test_a_built_or_building_basemap_is_not_built_again(tmp_path):
    path = dbm.demo_basemap_path("dark", tmp_path)
    assert path.name.startswith("demo-dark-") and dbm.basemap_key() in path.name
    assert dbm.demo_basemap("dark", tmp_path) is None
    running = path.with_name(f"{path.name}.{os.getpid()}.part")  # a live process's build
    running.write_bytes(b"")
    assert dbm.start_demo_basemap_build("dark", tmp_path) is None
    assert running.exists()
    running.unlink()
    stale = tmp_path / "demo-dark-0123456789abcdef.mbtiles"  # another version's inputs
    stale.write_bytes(b"")
    path.write_bytes(b"")
    assert dbm.start_demo_basemap_build("dark", tmp_path) is None
    assert dbm.demo_basemap("dark", tmp_path) == path
    with pytest.raises(ValueError, match="sepia"):
        dbm.demo_basemap("sepia", tmp_path)


def _wait_for(predicate, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.1)


def test_the_background_build_makes_the_default_basemap(tmp_path):
    proc = dbm.start_demo_basemap_build("light", tmp_path, max_zoom=11)
    assert proc is not None
    assert dbm.start_demo_basemap_build("light", tmp_path, max_zoom=11) is None  # one build
    assert proc.wait(timeout=180) == 0, (tmp_path / "build-light.log").read_text()
    built = dbm.demo_basemap("light", tmp_path)
    assert built is not None
    db = MBTiles(built)
    assert db.zoom_range() == (11, 11)
    db.close()


def test_a_killed_build_leaves_no_file_that_is_used(tmp_path):
    out = dbm.demo_basemap_path("dark", tmp_path)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "tiles", "build", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    part = out.with_name(f"{out.name}.{proc.pid}.part")
    try:
        _wait_for(lambda: part.exists() and part.stat().st_size > 0, "the build's .part file")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert part.exists() and not out.exists()
    assert dbm.demo_basemap("dark", tmp_path) is None
    assert dbm._tidy(tmp_path, "dark", out) is False  # a dead builder: not running …
    assert not part.exists()  # … and its half file is gone


def test_a_label_across_a_metatile_edge_is_drawn_whole_on_both_sides(qapp, features):
    """Two 8×8 metatiles side by side give the same pixels as one 16×8 image over both, for a
    pair whose shared edge cuts through a placed label (a per-tile placement would cut it)."""
    renderer = BasemapRenderer(features, "dark")
    z, span = 17, 8 * TILE_PX
    label = next(
        lab
        for lab in renderer.plan(z)
        if int(lab.bounds.left() // span) != int(lab.bounds.right() // span)
    )
    x0 = int(label.bounds.right() // span) * 8 - 8
    y0 = int(label.gy // span) * 8
    whole = _rgb(renderer.render(z, x0, y0, 16))[: 8 * TILE_PX]
    left, right = (_rgb(renderer.render(z, x, y0, 8)) for x in (x0, x0 + 8))
    joined = np.concatenate([left, right], axis=1)
    edge = joined[:, span - 40 : span + 40]  # the label's surroundings on both sides
    assert (edge != edge[0, 0]).any()  # something is drawn there
    # antialiasing rounds a few edge pixels differently at another offset (measured: ≤ 5 of
    # 255 on 0.04 % of pixels); a label cut at the edge would differ by ~200 over its glyphs
    assert np.abs(joined.astype(int) - whole.astype(int)).max() <= 8


def _rgb(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    h, w = img.height(), img.width()
    rows = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * h).reshape(h, -1)
    return rows[:, : w * 3].reshape(h, w, 3).copy()  # a copy: the image's memory goes with it


def test_water_keeps_off_the_roads_and_its_bank_is_the_boundary(features):
    """The river and the lake hold no road and none of the district, the river's bank runs
    along the boundary, and the old city's canals run beside roads, not through blocks."""
    f = features
    roads = shapely.union_all([shapely.LineString(r.xy) for r in f.roads])
    stretch = 1 / np.cos(np.radians(30.27))  # Mercator metres per ground metre in Shangcheng
    for area in f.water:
        assert roads.intersection(area.geom).length == 0, area.name
        assert area.geom.intersection(f.district.geom).area < 1.0, area.name
    river = next(a for a in f.water if a.name == "钱塘江")
    bank = river.geom.buffer(1.0).intersection(f.district.geom.boundary).length / stretch
    assert bank > 15_000  # ~19 km: the district's whole river side
    beside = roads.buffer(60 * stretch)
    for canal in ("中河", "东河", "贴沙河"):
        line = next(shapely.LineString(w.xy) for w in f.water_lines if w.name == canal)
        inside = line.intersection(f.district.geom)
        assert inside.intersection(beside).length / inside.length > 0.8, canal
