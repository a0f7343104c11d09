"""The basemap's tile sources without Qt, against real things: a tile server on a loopback
port (``tile_server``), SQLite cache files, the Tianditu-shaped capabilities fixture, JSON
configuration files; and the GCJ-02 placement's residual, the tolerance the map is held to."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from tile_server import CAPABILITIES, colour, png

from console.geo.crs import lonlat_to_mercator
from console.tiles.cache import TileCache
from console.tiles.config import BasemapConfigError, from_flag, load_config
from console.tiles.defaults import default_sources
from console.tiles.mbtiles import MBTiles
from console.tiles.placement import residual_m
from console.tiles.sources import TileError, XyzSource
from console.tiles.tilegrid import TILE_PX, tile_at, tile_size_m
from console.tiles.wmts import WmtsError, parse_capabilities


def test_gcj02_placement_residual_over_the_district():
    """The stated tolerance: the projective placement vs the per-pixel conversion, for every
    tile of the district's box at each zoom the console uses."""
    west, south = lonlat_to_mercator(120.14, 30.22)
    east, north = lonlat_to_mercator(120.22, 30.33)
    bound_m = {11: 15.0, 12: 7.0, 13: 1.5, 14: 0.5, 15: 0.1, 16: 0.03, 17: 0.01, 18: 0.003}
    for z, limit in bound_m.items():
        x0, y0 = tile_at(west, north, z)
        x1, y1 = tile_at(east, south, z)
        xs = np.unique(np.linspace(x0, x1, 4).astype(int))
        ys = np.unique(np.linspace(y0, y1, 4).astype(int))
        worst = max(residual_m("gcj02", z, x, y) for x in xs for y in ys)
        pixel_m = tile_size_m(z) / TILE_PX * math.cos(math.radians(30.27))
        assert worst < limit and worst / pixel_m < 0.25, (z, worst)
    assert residual_m("wgs84", 15, 27333, 13460) < 1e-6  # a WGS-84 tile is its own square


def test_wmts_capabilities_of_tianditu_shape():
    layer = parse_capabilities(CAPABILITIES.read_bytes(), "http://t0.tianditu.gov.cn/vec_w/wmts")
    assert (layer.layer, layer.style, layer.matrix_set) == ("vec", "default", "w")
    assert layer.zoom_range == (1, 18) and layer.zoom_ids[15] == "15"
    assert layer.template.startswith(
        "http://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
    )
    assert "LAYER=vec" in layer.template and "TILEMATRIXSET=w" in layer.template
    src = XyzSource("t", layer.template, key="K", key_param="tk", zoom_ids=layer.zoom_ids)
    url = src.url(15, 27333, 13460)
    assert "TILEMATRIX=15&TILEROW=13460&TILECOL=27333&tk=K" in url
    with pytest.raises(WmtsError, match="no layer"):
        parse_capabilities(CAPABILITIES.read_bytes(), layer="img")
    with pytest.raises(WmtsError, match="not XML"):
        parse_capabilities(b"<html")


def test_wmts_resource_url_template():
    doc = CAPABILITIES.read_text(encoding="utf-8").replace(
        "<Format>tiles</Format>",
        '<Format>image/png</Format><ResourceURL format="image/png" resourceType="tile" '
        'template="https://maps.example/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"/>',
    )
    layer = parse_capabilities(doc.encode())
    assert layer.template == "https://maps.example/default/w/{z}/{y}/{x}.png"


def test_xyz_url_template():
    s = XyzSource(
        "s", "https://t{s}.example/{z}/{x}/{-y}.png", subdomains=["0", "1"], key="k", key_param="tk"
    )
    assert s.url(3, 1, 2) == "https://t1.example/3/1/5.png?tk=k"
    assert (
        XyzSource("s", "https://h/{z}/{x}/{y}?key={key}", key="abc").url(1, 0, 1)
        == "https://h/1/0/1?key=abc"
    )


def test_cache_honours_its_size_limit_lru(tmp_path):
    cache = TileCache(tmp_path / "c.mbtiles", max_bytes=100_000)
    blob = bytes(10_000)
    for i in range(8):
        cache.put(15, i, 0, blob)
    assert cache.get(15, 0, 0) is not None  # used: the newest in LRU order
    for i in range(8, 12):
        cache.put(15, i, 0, blob)
        assert cache.size_bytes() <= 100_000
    assert cache.get(15, 0, 0) is not None  # kept (used more recently than 1..7)
    assert cache.get(15, 1, 0) is None and cache.get(15, 2, 0) is None  # the least recent
    assert cache.get(15, 11, 0) is not None
    for i in range(12, 40):
        cache.put(15, i, 0, blob)
        assert cache.size_bytes() <= 100_000
    cache.close()
    again = TileCache(tmp_path / "c.mbtiles", max_bytes=100_000)  # the count survives reopening
    assert again.size_bytes() == 10_000 * len(again) <= 100_000
    again.close()


def test_cache_expiry_refetches_and_serves_stale_when_the_server_is_down(tmp_path, tile_http):
    now = [1_000_000.0]
    cache = TileCache(tmp_path / "c.mbtiles", max_age=3600, clock=lambda: now[0])
    src = XyzSource("t", tile_http.url + "/xyz/{z}/{x}/{y}.png", cache=cache)
    assert src.get(15, 1, 2) == png(colour(15, 1, 2))
    assert src.get(15, 1, 2) == png(colour(15, 1, 2))
    assert tile_http.count("/xyz/15/1/2") == 1  # the second from the cache
    now[0] += 3601
    assert src.get(15, 1, 2) is not None
    assert tile_http.count("/xyz/15/1/2") == 2  # expired: fetched again
    now[0] += 3601
    src.template = tile_http.url + "/fail/{z}/{x}/{y}.png"
    assert src.get(15, 1, 2) == png(colour(15, 1, 2))  # stale beats nothing
    assert src.errors == 1
    with pytest.raises(TileError, match="HTTP 500"):
        src.get(15, 9, 9)
    src.close()
    assert MBTiles(tmp_path / "c.mbtiles").get(15, 1, 2) == png(colour(15, 1, 2))  # QGIS-readable


def test_404_is_no_tile_remembered_briefly(tile_http):
    tile_http.zooms = range(0, 10)
    src = XyzSource("t", tile_http.url + "/xyz/{z}/{x}/{y}.png")
    assert src.get(12, 1, 1) is None and src.get(12, 1, 1) is None
    assert tile_http.count("/xyz/12/1/1") == 1 and src.errors == 0


def test_config_file_and_flag(tmp_path):
    (tmp_path / "t.mbtiles").write_bytes(b"")
    good = {
        "sources": [
            {
                "name": "高德",
                "kind": "xyz",
                "url": "https://wprd0{s}.is.autonavi.com/{z}/{x}/{y}",
                "datum": "gcj02",
                "subdomains": ["1", "2"],
                "opacity": 0.7,
            },
            {"name": "离线", "kind": "mbtiles", "path": "t.mbtiles"},
        ]
    }
    f = tmp_path / "basemap.json"
    f.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    a, b = load_config(f)
    assert a.datum == "gcj02" and a.subdomains == ("1", "2") and a.opacity == 0.7
    assert b.path == str(tmp_path / "t.mbtiles")
    for bad, message in (
        ({"sources": [{"kind": "tms", "url": "http://x/{z}"}]}, "kind must be"),
        ({"sources": [{"kind": "xyz", "url": "http://x/{z}", "datum": "bd09"}]}, "datum"),
        ({"sources": [{"kind": "xyz", "url": "ftp://x"}]}, "http"),
        ({"sources": [{"kind": "xyz", "url": "http://x", "opacity": 3}]}, "opacity"),
        ({"sources": [{"kind": "xyz", "url": "http://x", "colour": 3}]}, "unknown field"),
        ({"layers": []}, "sources"),
        ({"sources": [{"kind": "xyz", "url": "http://x", "bounds": [121, 30, 120, 31]}]}, "bounds"),
        (
            {"sources": [{"kind": "xyz", "url": "http://x", "overlays": [{"kind": "xyz"}]}]},
            "overlay: basemap source #1: a xyz source needs",
        ),
    ):
        f.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(BasemapConfigError, match=message):
            load_config(f)
    f.write_text("{not json", encoding="utf-8")
    with pytest.raises(BasemapConfigError, match="not JSON"):
        load_config(f)
    assert from_flag("https://tile.example/{z}/{x}/{y}.png").kind == "xyz"
    assert from_flag("https://t0.tianditu.gov.cn/vec_w/wmts?request=GetCapabilities").kind == "wmts"
    assert from_flag(str(tmp_path / "t.mbtiles")).kind == "mbtiles"
    with pytest.raises(BasemapConfigError, match="no such"):
        from_flag(str(tmp_path / "none.mbtiles"))


def test_default_sources_order(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path))
    assert default_sources() == []
    (tmp_path / "basemap.json").write_text("{broken", encoding="utf-8")
    assert default_sources() == []  # a broken file in the data folder: logged, skipped
    (tmp_path / "basemap.json").write_text(
        json.dumps({"sources": [{"name": "own", "kind": "xyz", "url": "http://h/{z}/{x}/{y}"}]}),
        encoding="utf-8",
    )
    assert [c.name for c in default_sources()] == ["own"]
    assert default_sources(tiles="http://other/{z}/{x}/{y}")[0].url == "http://other/{z}/{x}/{y}"
    with pytest.raises(BasemapConfigError):
        default_sources(config=tmp_path / "missing.json")
