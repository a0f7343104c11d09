"""The basemap sources a console starts with: ``--tiles``, else ``--basemap-config FILE``, else
``basemap.json`` in the console's data folder, else none (the map's plain background)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from console.paths import data_dir

from .config import BasemapConfigError, SourceConfig, from_flag, load_config
from .demo_basemap import THEMES, demo_basemap, start_demo_basemap_build

log = logging.getLogger(__name__)
CONFIG_NAME = "basemap.json"
#: Set to 0 to never start the demo basemap's background build (the tests do: each test's
#: fresh data folder would start a build of its own).
BUILD_ENV = "ZHCG_BASEMAP_BUILD"
#: The themes whose demo basemap build this process started (``demo_sources``).
_builds_started: set[str] = set()
#: The demo basemap's name in the 底图 menu, per theme.
DEMO_NAMES = {"dark": "示意底图（深色）", "light": "示意底图（浅色）"}


def default_sources(
    tiles: str | None = None, config: str | Path | None = None, datum: str = "wgs84"
) -> list[SourceConfig]:
    """The configured sources, in menu order; the first is shown at start.

    What the operator named on the command line must be right (BasemapConfigError, said at
    the command line); a broken file in the data folder is logged and skipped, so the console
    still starts."""
    if tiles:
        return [from_flag(tiles, datum)]
    if config:
        return load_config(config)
    own = data_dir() / CONFIG_NAME
    if own.is_file():
        try:
            return load_config(own)
        except BasemapConfigError as e:
            log.warning("basemap configuration ignored: %s", e)
    return []


def cache_dir() -> Path:
    """Where network sources keep their tiles (one MBTiles-shaped file each)."""
    return data_dir() / "tile-cache"


def demo_sources(theme: str) -> list[SourceConfig]:
    """The demo's own basemap (``console.tiles.demo_basemap``), for a console that has no
    source configured: each theme's file that is built, ``theme``'s first. When ``theme``'s is
    not built yet its background build is started (unless ``ZHCG_BASEMAP_BUILD=0``); the
    console asks again until it is there."""
    built = {t: demo_basemap(t) for t in THEMES}
    found = [
        SourceConfig(name=DEMO_NAMES[t], kind="mbtiles", path=str(path), datum="wgs84")
        for t in sorted(THEMES, key=lambda t: t != theme)
        if (path := built[t]) is not None
    ]
    if (
        built[theme] is None
        and os.environ.get(BUILD_ENV, "1") != "0"
        and theme not in _builds_started
    ):
        _builds_started.add(theme)  # once a process: a build that fails is not retried every poll
        start_demo_basemap_build(theme)
    return found
