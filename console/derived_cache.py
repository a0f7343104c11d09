"""What every start derives the same way from the shipped files, kept on disk between starts.

The unit grid (~0.4 s: clipping the lattice to the district, balancing communities) and the
部件 inventory (~0.3 s: 93,000 components laid along the roads) come out the same at every
start for the same inputs, and the demo's backend built them before it could answer: a
third of its start. Here each is pickled under ``data_dir()/cache`` the first time and read
back (~10 ms) after that.

The key is a hash of everything the result is derived from: the shipped resource files, the
source of the modules that derive it (``console/geo``, ``console/domain``) and the versions of
Python, numpy and shapely, so an upgrade or an edit rebuilds rather than reading a stale
result. A file that cannot be read (truncated by a crash, another version's) is rebuilt and
replaced, never trusted: nothing here fails a start. Writes are atomic (a temporary file, then
a rename). The files are this user's own (the data folder), as trusted as the code beside
them; pickle is therefore acceptable here and nowhere on the network.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
_ROOT = Path(__file__).resolve().parents[1]
#: What the derived data depends on, relative to the project: a change in any rebuilds it.
_INPUTS = (
    "resources/*.geojson",
    "resources/*.json",
    "resources/*.tsv",
    "console/geo/*.py",
    "console/domain/*.py",
)


@functools.cache
def inputs_key() -> str:
    """The hash of the inputs (computed once per process: ~2 MB read, a few ms)."""
    import numpy
    import shapely

    h = hashlib.sha256(f"{sys.version}|{numpy.__version__}|{shapely.__version__}".encode())
    for pattern in _INPUTS:
        for path in sorted(_ROOT.glob(pattern)):
            h.update(str(path.relative_to(_ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:20]


def cached(name: str, build: Callable[[], T], folder: Path | None = None) -> T:
    """``build()``'s result, from ``folder`` (default ``data_dir()/cache``) when an earlier
    start left it there for the same inputs; else built and left there for the next."""
    if folder is None:
        from console.paths import data_dir

        folder = data_dir() / "cache"
    path = folder / f"{name}-{inputs_key()}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        pass
    except Exception as e:  # a damaged or foreign file: rebuild it
        log.warning("derived cache %s unreadable (%s); rebuilding", path.name, e)
    value = build()
    _store(folder, name, path, value)
    return value


def _store(folder: Path, name: str, path: Path, value: object) -> None:
    tmp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)  # another version's inputs
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as f:
            tmp = Path(f.name)
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception as e:  # a read-only or full disk: the next start builds it again
        log.warning("derived cache %s not written: %s", path.name, e)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
