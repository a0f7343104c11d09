"""The basemap sources a console starts with: ``--tiles``, else ``--basemap-config FILE``, else
``basemap.json`` in the console's data folder, else none (the map's plain background)."""

from __future__ import annotations

import logging
from pathlib import Path

from console.paths import data_dir

from .config import BasemapConfigError, SourceConfig, from_flag, load_config

log = logging.getLogger(__name__)
CONFIG_NAME = "basemap.json"


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
