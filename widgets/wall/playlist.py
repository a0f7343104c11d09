"""A wall screen's playlist: which scenes it rotates through and for how long, or the one
scene it is pinned to, read from ``wall_playlist.json`` (the data directory's, else the
shipped default in resources/). A bad file is refused with its reason, never half-used."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from console import CommandError
from console.paths import data_dir
from resources import resource_path

FILE_NAME = "wall_playlist.json"
MIN_SECONDS = 3  # shorter than this nobody can read a scene
MAX_SECONDS = 3600


@dataclass(frozen=True)
class Entry:
    scene: str
    seconds: float


@dataclass(frozen=True)
class Playlist:
    entries: tuple[Entry, ...]
    focus_seconds: float = 60.0

    @property
    def pinned(self) -> bool:
        return len(self.entries) == 1


def playlist_path() -> Path:
    own = data_dir() / FILE_NAME
    return own if own.exists() else resource_path(FILE_NAME)


def load_playlist(screen: int, scenes: set[str], path: Path | None = None) -> Playlist:
    """Screen ``screen``'s playlist; CommandError naming the file and the problem."""
    path = path or playlist_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        screens = doc["screens"]
        spec = screens.get(str(screen)) or screens["*"]
        focus = float(doc.get("focus_seconds", 60))
        if "pinned" in spec:
            entries: tuple[Entry, ...] = (Entry(str(spec["pinned"]), MAX_SECONDS),)
        else:
            entries = tuple(Entry(str(e["scene"]), float(e["seconds"])) for e in spec["scenes"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CommandError(f"{path}: not a wall playlist ({type(e).__name__}: {e})") from e
    if not entries:
        raise CommandError(f"{path}: screen {screen} has no scenes")
    for entry in entries:
        if entry.scene not in scenes:
            raise CommandError(
                f"{path}: unknown scene {entry.scene!r} (known: {', '.join(sorted(scenes))})"
            )
        if not MIN_SECONDS <= entry.seconds <= MAX_SECONDS:
            raise CommandError(
                f"{path}: {entry.scene} lasts {entry.seconds} s (allowed {MIN_SECONDS}–{MAX_SECONDS})"
            )
    return Playlist(entries, focus)
