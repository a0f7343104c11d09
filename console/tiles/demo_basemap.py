"""The demo's default basemap: an MBTiles file built once into the console's data folder and
reused by every later start, rebuilt when anything it is drawn from changes.

``demo_basemap(theme)`` says where it is (None until it is built); ``start_demo_basemap_build``
starts ``main.py tiles build`` as a background process at low priority, with one render
thread, so the first ``python main.py`` shows its window at once and gets the basemap a few
minutes later (measured in docs/basemap.md). The build keeps running if the console closes
first, so the next start has it.

The file's name carries a hash of its inputs, as the derived cache does
(``console.derived_cache``): the shipped geodata, the code that gathers and draws it, and the
versions of Qt, shapely and numpy. A build writes ``<name>.<pid>.part`` and renames it at
the end, so the real name only ever holds a whole file; a ``.part`` of a dead process is
removed by the next trigger.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from console.paths import data_dir

log = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[2]
THEMES = ("dark", "light")
#: What the basemap is drawn from, relative to the project: a change in any rebuilds it.
_INPUTS = (
    "resources/*.geojson",
    "resources/gazetteer.json",
    "console/geo/*.py",
    "console/tiles/basemap_features.py",
    "console/tiles/mbtiles.py",
    "console/tiles/tilegrid.py",
    "widgets/map/tile_build.py",
    "widgets/map/tile_render.py",
    "widgets/map/tile_style.py",
    "widgets/common/style.py",
)
_PACKAGES = ("PySide6", "shapely", "numpy")


@functools.cache
def basemap_key(root: Path = _ROOT) -> str:
    """The hash of the basemap's inputs (once per process: ~0.5 MB read)."""
    h = hashlib.sha256()
    for name in _PACKAGES:
        with contextlib.suppress(PackageNotFoundError):
            h.update(f"{name}={version(name)}|".encode())
    for pattern in _INPUTS:
        for path in sorted(root.glob(pattern)):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _folder(folder: Path | None) -> Path:
    return data_dir() / "basemap" if folder is None else folder


def demo_basemap_path(theme: str, folder: Path | None = None) -> Path:
    """Where the basemap of ``theme`` for today's inputs is (or will be) built."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; use {' or '.join(THEMES)}")
    return _folder(folder) / f"demo-{theme}-{basemap_key()}.mbtiles"


def demo_basemap(theme: str, folder: Path | None = None) -> Path | None:
    """The built basemap of ``theme``, or None while it is not (yet) built."""
    path = demo_basemap_path(theme, folder)
    return path if path.is_file() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, another user's
        return True
    return True


def _part_pid(part: Path) -> int | None:
    """The builder's pid in ``<name>.<pid>.part`` (None for a name not of that form)."""
    stem = part.name.removesuffix(".part")
    pid = stem.rsplit(".", 1)[-1]
    return int(pid) if pid.isdigit() else None


def _tidy(folder: Path, theme: str, keep: Path) -> bool:
    """Remove the theme's basemaps of other inputs and the ``.part`` files of dead builds;
    True when a live build of ``keep`` is running."""
    running = False
    for old in folder.glob(f"demo-{theme}-*.mbtiles"):
        if old != keep:
            log.info("basemap %s is for other inputs: removed", old.name)
            old.unlink(missing_ok=True)
    for part in folder.glob(f"demo-{theme}-*.mbtiles.*.part"):
        pid = _part_pid(part)
        if pid is not None and _alive(pid):
            running = running or part.name.startswith(keep.name + ".")
        else:
            part.unlink(missing_ok=True)
    return running


def _lower_priority() -> None:
    """In the child, before exec: below the console and the demo backend."""
    with contextlib.suppress(OSError):
        os.nice(10)


def start_demo_basemap_build(
    theme: str, folder: Path | None = None, max_zoom: int = 18
) -> subprocess.Popen | None:
    """Start building the basemap of ``theme`` in the background unless it is built or a
    build of it is running; returns the child (None when none was started). Never raises
    for a build that cannot start: the console works without a basemap (logged)."""
    path = demo_basemap_path(theme, folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() or _tidy(path.parent, theme, path):
            return None
        logfile = path.parent / f"build-{theme}.log"
        with logfile.open("ab") as out:
            cmd = [sys.executable, str(_ROOT / "main.py"), "tiles", "build", "--out", str(path)]
            cmd += ["--theme", theme, "--workers", "1", "--max-zoom", str(max_zoom)]
            proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # outlives the console: the next start gets the file
                preexec_fn=_lower_priority if os.name == "posix" else None,
            )
        # the child writes this file; claimed now, a second trigger sees the build at once
        # (before the child has loaded what it draws)
        path.with_name(f"{path.name}.{proc.pid}.part").touch()
    except OSError as e:
        log.warning("basemap build for %s not started: %s", theme, e)
        return None
    log.info("building the %s basemap in the background (pid %d, log %s)", theme, proc.pid, logfile)
    return proc
