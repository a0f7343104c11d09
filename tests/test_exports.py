"""Exports opened in their real readers, over the real backend on loopback: a track as GPX
read back by gpxpy, GeoJSON validated against the GeoJSON project's JSON Schema and RFC 7946's
own rules, XLSX read back by openpyxl, CSV by csv; an empty period is a valid empty file; bad
input is a clear refusal of the command (exit 2), never a traceback."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy
import jsonschema
import openpyxl
import pytest
from conftest import ROOT, fleet_of

import main
from console.domain.china_time import CST
from console.exports import cases as cases_module
from console.exports import track as track_module
from console.server import telemetry

SCHEMA = json.loads((ROOT / "tests/fixtures/geojson_schema/GeoJSON.json").read_text("utf-8"))
TPX = "{http://www.garmin.com/xmlschemas/TrackPointExtension/v2}"


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def server_now(api) -> datetime:
    return datetime.fromisoformat(ok(api.get("/api/v1/clock"))["server_time"])


def check_geojson(doc: dict) -> None:
    """The GeoJSON JSON Schema, and what RFC 7946 says beyond it: no ``crs`` member (§4),
    positions ``[lon, lat]`` (§3.1.1; here the district: lon ~120, lat ~30) with at most 6
    decimals."""
    jsonschema.validate(doc, SCHEMA)
    assert doc["type"] == "FeatureCollection"
    text = json.dumps(doc)
    assert '"crs"' not in text

    def positions(c):
        if c and isinstance(c[0], (int, float)):
            yield c
        else:
            for x in c:
                yield from positions(x)

    for f in doc["features"]:
        if f["geometry"] is None:
            continue
        for lon, lat in positions(f["geometry"]["coordinates"]):
            assert telemetry.LON_RANGE[0] <= lon <= telemetry.LON_RANGE[1]
            assert telemetry.LAT_RANGE[0] <= lat <= telemetry.LAT_RANGE[1]
            assert round(lon, 6) == lon and round(lat, 6) == lat


@pytest.fixture(scope="module")
def fleet(backend, login):
    """A vehicle with 20 fixes in two stretches (a 10-minute silence between) and one lone
    fix after another silence, posted by the gateway a little before the backend's now."""
    gw, lead = login("demo-gateway"), login("demo-lead")
    vehicle = fleet_of(ok(lead.get("/api/v1/reference")))[0]
    now = server_now(lead).timestamp()
    t0 = float(int(now) - 3600)
    times = [t0 + 10 * i for i in range(10)]
    times += [t0 + 900 + 10 * i + 0.25 for i in range(10)]
    times += [t0 + 2000]
    lon, lat = vehicle["route"]["lon"][0], vehicle["route"]["lat"][0]
    fixes = [
        {
            "vehicle_id": vehicle["id"],
            "t": t,
            "lon": lon + i * 1.5e-5 + 3.7e-8,  # more decimals than an export keeps
            "lat": lat + i * 1e-5,
            "speed_kmh": 18.0 + i,
            "heading": (i * 40.0) % 360,
            "flags": 1,
        }
        for i, t in enumerate(times)
    ]
    ok(gw.post("/api/v1/telemetry", json={"fixes": fixes}))
    start = datetime.fromtimestamp(t0 - 60, UTC)
    return vehicle, fixes, start, datetime.fromtimestamp(t0 + 2100, UTC)


def cli(*args) -> int:
    return main.main([str(a) for a in args])


def export_track(url, vehicle_id, start, end, out) -> int:
    return cli("export-track", "--backend", url, "--vehicle", vehicle_id, "--from",
               start.isoformat(), "--to", end.isoformat(), "--out", out)  # fmt: skip


def export_cases(url, start, end, out, *more) -> int:
    return cli("export-cases", "--backend", url, "--from", start.isoformat(),
               "--to", end.isoformat(), "--out", out, *more)  # fmt: skip


def test_a_track_as_gpx_reads_back_in_gpxpy_with_its_points_and_times(backend, fleet, tmp_path):
    vehicle, fixes, start, end = fleet
    out = tmp_path / "track.gpx"
    rc = export_track(backend.url, vehicle["id"], start, end, out)
    assert rc == 0
    gpx = gpxpy.parse(out.read_text("utf-8"))
    assert gpx.version == "1.1"
    (trk,) = gpx.tracks
    assert vehicle["id"] in trk.name
    assert [len(s.points) for s in trk.segments] == [10, 10, 1]  # split at the silences
    points = [p for s in trk.segments for p in s.points]
    assert len(points) == len(fixes)
    for p, f in zip(points, fixes, strict=True):
        assert p.time == datetime.fromtimestamp(f["t"], UTC)  # to the microsecond, in UTC
        assert p.longitude == pytest.approx(f["lon"], abs=1e-6)
        assert p.latitude == pytest.approx(f["lat"], abs=1e-6)
        ext = {e.tag: float(e.text) for x in p.extensions for e in x}
        assert ext[f"{TPX}speed"] == pytest.approx(f["speed_kmh"] / 3.6, abs=1e-3)  # m/s
        assert ext[f"{TPX}course"] == pytest.approx(f["heading"], abs=0.05)


def test_a_track_as_geojson_is_valid_rfc7946_with_per_point_times(backend, fleet, tmp_path):
    vehicle, fixes, start, end = fleet
    out = tmp_path / "track.geojson"
    assert export_track(backend.url, vehicle["id"], start, end, out) == 0
    doc = json.loads(out.read_text("utf-8"))
    check_geojson(doc)
    lines, lone = doc["features"]
    assert lines["geometry"]["type"] == "MultiLineString"
    assert lone["geometry"]["type"] == "MultiPoint"
    coords = [c for line in lines["geometry"]["coordinates"] for c in line]
    coords += lone["geometry"]["coordinates"]
    times = [t for line in lines["properties"]["coordTimes"] for t in line]
    times += lone["properties"]["coordTimes"]
    assert coords == [[round(f["lon"], 6), round(f["lat"], 6)] for f in fixes]  # lon first
    assert [datetime.fromisoformat(t).timestamp() for t in times] == [f["t"] for f in fixes]
    assert all(t.endswith("Z") for t in times)
    assert lines["properties"]["vehicle_id"] == vehicle["id"]


def test_a_long_track_is_read_page_by_page(backend, fleet, tmp_path, monkeypatch):
    """More fixes than the backend answers at once: every one arrives, once, in order."""
    vehicle, fixes, start, end = fleet
    monkeypatch.setattr(telemetry.track, "__defaults__", (3,))  # the backend's page limit
    monkeypatch.setattr(track_module, "BACKEND_TRACK_LIMIT", 3)
    out = tmp_path / "paged.gpx"
    assert export_track(backend.url, vehicle["id"], start, end, out) == 0
    gpx = gpxpy.parse(out.read_text("utf-8"))
    times = [p.time.timestamp() for s in gpx.tracks[0].segments for p in s.points]
    assert times == [f["t"] for f in fixes]


def test_an_empty_period_gives_valid_empty_files(backend, fleet, login, tmp_path):
    vehicle, _fixes, start, _end = fleet
    a, b = start - timedelta(hours=3), start - timedelta(hours=2)
    gpx_out, geo_out = tmp_path / "empty.gpx", tmp_path / "empty.geojson"
    for out in (gpx_out, geo_out):
        assert export_track(backend.url, vehicle["id"], a, b, out) == 0
    gpx = gpxpy.parse(gpx_out.read_text("utf-8"))
    assert len(gpx.tracks) == 1 and gpx.tracks[0].segments == []
    doc = json.loads(geo_out.read_text("utf-8"))
    check_geojson(doc)
    assert doc["features"] == []
    for suffix in ("geojson", "csv", "xlsx"):
        out = tmp_path / f"cases.{suffix}"
        assert export_cases(backend.url, a, b, out) == 0
    check_geojson(json.loads((tmp_path / "cases.geojson").read_text("utf-8")))
    rows = list(csv.reader((tmp_path / "cases.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 1 and rows[0][0] == "编号"
    ws = openpyxl.load_workbook(tmp_path / "cases.xlsx").active
    assert ws.max_row == 1 and ws["A1"].value == "编号"


@pytest.fixture(scope="module")
def period_cases(backend, login):
    """Three cases reported now, one with a Chinese address, and the period around them."""
    sup = login("demo-supervisor")
    before = server_now(sup)
    made = [
        sup.report(
            lon=120.17 + i * 0.002,
            lat=30.25,
            address=f"解放路{i + 1}号（测试）",
            description=f"导出测试 {uuid.uuid4().hex[:6]}",
        )
        for i in range(3)
    ]
    after = server_now(sup) + timedelta(seconds=1)
    return made, before - timedelta(seconds=1), after


def test_cases_as_geojson_points(backend, period_cases, tmp_path):
    made, start, end = period_cases
    out = tmp_path / "cases.geojson"
    assert export_cases(backend.url, start, end, out) == 0
    doc = json.loads(out.read_text("utf-8"))
    check_geojson(doc)
    by_id = {f["id"]: f for f in doc["features"]}
    assert set(by_id) == {c["id"] for c in made}
    for c in made:
        f = by_id[c["id"]]
        assert f["geometry"] == {
            "type": "Point",
            "coordinates": [round(c["location"]["lon"], 6), round(c["location"]["lat"], 6)],
        }
        p = f["properties"]
        assert p["category_code"] == c["category_code"] and p["category_name"]
        assert p["address"] == c["address"] and p["state"] == c["state"]
        assert p["created_at"] == c["created_at"] and "stage" in p and "light" in p


def test_cases_as_xlsx_and_csv_read_back(backend, period_cases, tmp_path):
    made, start, end = period_cases
    xlsx, csv_out = tmp_path / "cases.xlsx", tmp_path / "cases.csv"
    for out in (xlsx, csv_out):
        assert export_cases(backend.url, start, end, out) == 0
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    assert ws.title == "案件" and ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:4] == ["编号", "类别", "状态", "时限灯"] and all(c.font.b for c in ws[1])
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {c["id"] for c in made}
    reported = header.index("上报时间（北京时间）")
    for c in made:
        row = rows[c["id"]]
        assert row[header.index("地址")] == c["address"]
        created = datetime.fromisoformat(c["created_at"]).astimezone(CST).replace(tzinfo=None)
        assert isinstance(row[reported], datetime)  # a real date, not text
        assert abs((row[reported] - created).total_seconds()) < 1e-3
    assert ws.column_dimensions["E"].width > ws.column_dimensions["A"].width / 2
    raw = csv_out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert table[0] == header
    assert {r[0]: r[4] for r in table[1:]} == {c["id"]: c["address"] for c in made}


def test_many_pages_of_cases_come_each_once(backend, period_cases, tmp_path, monkeypatch):
    """Pages of two over the real backend: ``to`` moves back page by page, nothing lost."""
    made, start, end = period_cases
    monkeypatch.setattr(cases_module, "PAGE_SIZE", 2)
    out = tmp_path / "paged.geojson"
    assert export_cases(backend.url, start, end, out) == 0
    ids = [f["id"] for f in json.loads(out.read_text("utf-8"))["features"]]
    assert sorted(ids) == sorted(c["id"] for c in made)


def test_a_page_of_one_instant_reads_on_by_page_number(monkeypatch):
    """Cases reported in one microsecond fill a page: ``to`` cannot move past them, so the
    next page of the same ``to`` is asked for (the backend's filter and order, as
    ``console.server.cases.list_cases`` applies them, over a list)."""
    monkeypatch.setattr(cases_module, "PAGE_SIZE", 2)
    t0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    at = [t0, t0, t0, t0, t0, t0 - timedelta(seconds=1), t0 - timedelta(seconds=2)]
    rows = [{"id": f"c{i}", "created_at": t.isoformat()} for i, t in enumerate(at)]
    asked = []

    def get(path, params):
        lo, hi = (datetime.fromisoformat(params[k]) for k in ("from", "to"))
        page, size = int(params["page"]), int(params["page_size"])
        asked.append((hi, page))
        assert len(asked) < 10, "the pages never end"
        hit = [r for r in rows if lo <= datetime.fromisoformat(r["created_at"]) < hi]
        hit.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        return {"cases": hit[(page - 1) * size : page * size]}

    got = [
        d["id"]
        for d in cases_module.backend_cases(get, t0 - timedelta(hours=1), t0 + timedelta(hours=1))
    ]
    assert sorted(got) == sorted(r["id"] for r in rows) and len(got) == len(set(got))


def test_english_headers(backend, period_cases, tmp_path):
    _made, start, end = period_cases
    out = tmp_path / "cases.csv"
    assert export_cases(backend.url, start, end, out, "--lang", "en") == 0
    header = next(csv.reader(out.open(encoding="utf-8-sig")))
    assert header[:3] == ["ID", "Category", "State"]


@pytest.mark.parametrize(
    "args, said",
    [
        (["--out", "x.kml"], "use .gpx or .geojson"),
        (["--from", "2026-11-23 10:00", "--to", "2026-11-23 09:00"], "later than --from"),
        (["--from", "yesterday"], "unreadable time"),
        (["--vehicle", "no-such-vehicle"], "404"),
    ],
)
def test_bad_input_is_refused_with_a_message(backend, fleet, tmp_path, capsys, args, said):
    vehicle, _fixes, start, end = fleet
    base = {
        "--vehicle": vehicle["id"],
        "--from": start.isoformat(),
        "--to": end.isoformat(),
        "--out": str(tmp_path / "t.gpx"),
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["export-track", "--backend", backend.url, *[x for kv in base.items() for x in kv]]
    assert cli(*argv) == 2
    assert said in capsys.readouterr().err
    assert not Path(base["--out"]).exists()
