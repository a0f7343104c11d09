"""``console.derived_cache``: derived data is read back instead of rebuilt, and a damaged,
foreign or unwritable cache never fails a start (it is rebuilt)."""

from __future__ import annotations

import pickle

import numpy as np

from console import derived_cache
from console.geo.district import District
from console.geo.grid import UnitGrid


def counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_the_second_start_reads_what_the_first_built(tmp_path):
    build, calls = counting({"cells": [1, 2, 3]})
    assert derived_cache.cached("x", build, tmp_path) == {"cells": [1, 2, 3]}
    assert derived_cache.cached("x", build, tmp_path) == {"cells": [1, 2, 3]}
    assert len(calls) == 1
    assert [p.name for p in tmp_path.iterdir()] == [f"x-{derived_cache.inputs_key()}.pickle"]


def test_a_damaged_file_is_rebuilt_and_replaced(tmp_path):
    build, calls = counting([42])
    derived_cache.cached("x", build, tmp_path)
    (path,) = tmp_path.iterdir()
    path.write_bytes(path.read_bytes()[:5])  # a crash mid-write, say
    assert derived_cache.cached("x", build, tmp_path) == [42] and len(calls) == 2
    assert pickle.loads(path.read_bytes()) == [42]


def test_other_inputs_rebuild_and_leave_one_file(tmp_path, monkeypatch):
    build, calls = counting("v")
    derived_cache.cached("x", build, tmp_path)
    monkeypatch.setattr(derived_cache, "inputs_key", lambda: "an-edited-source")
    derived_cache.cached("x", build, tmp_path)
    assert len(calls) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["x-an-edited-source.pickle"]


def test_an_unwritable_folder_still_starts(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    build, calls = counting(7)
    assert derived_cache.cached("x", build, blocker / "cache") == 7
    assert derived_cache.cached("x", build, blocker / "cache") == 7 and len(calls) == 2


def test_the_grid_read_back_is_the_grid_built(tmp_path):
    built = derived_cache.cached("unit-grid", lambda: UnitGrid(District.load()), tmp_path)
    read = derived_cache.cached("unit-grid", lambda: None, tmp_path)
    assert read is not built and read is not None
    for name in ("x0", "y0", "ncols", "nrows", "cell_m"):
        assert getattr(read, name) == getattr(built, name)
    assert [c.code for c in read.streets] == [c.code for c in built.streets]
    assert [c.code for c in read.communities] == [c.code for c in built.communities]
    assert list(read.codes) == list(built.codes)
    # Points across the district and its border (a random spread over its bounds).
    min_lon, min_lat, max_lon, max_lat = built.district.bounds
    rng = np.random.default_rng(1)
    lon = rng.uniform(min_lon, max_lon, 5000)
    lat = rng.uniform(min_lat, max_lat, 5000)
    assert np.array_equal(read.lookup(lon, lat), built.lookup(lon, lat))
