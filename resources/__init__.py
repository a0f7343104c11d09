"""The console's shipped data as a package: district boundaries, categories, time limits, the
work calendar, translations and alert sounds (provenance in ``PROVENANCE.md`` beside this file).

Being a package is what makes ``pip install .`` carry the files (package data) and lets every
reader find them the same way, in a clone and in site-packages alike, instead of counting
``parents[N]`` up from its own file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(name: str) -> Path:
    """The filesystem path of the shipped file ``name`` (``"i18n/console_en.qm"``); it need not
    exist. The package is installed as files (never zipped), so the path is a real one that Qt,
    SQLite and shapely can open."""
    return Path(str(files(__name__).joinpath(*name.split("/"))))
