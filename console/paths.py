"""Where the console keeps its files: ``CONSOLE_DATA_DIR`` when set, else the user's data
directory (XDG on Linux). Shift logs, the demo database and saved layouts live here, never in
the source tree, so an installed console works from any directory."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    env = os.environ.get("CONSOLE_DATA_DIR")
    if env:
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".local" / "share") / "zhcg-console"
    base.mkdir(parents=True, exist_ok=True)
    return base
