"""Where the shipped reference data lives (``resources/`` at the project root)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_path(name: str) -> Path:
    return RESOURCES / name
