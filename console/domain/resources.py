"""Where the shipped reference data lives.

``console.domain`` must work without the backend or the console installed around it (the
simulator, the server and tests all import it), so it finds ``resources/`` at the project root
relative to its own file rather than through configuration.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_path(name: str) -> Path:
    """The path of the shipped resource file ``name`` (it need not exist)."""
    return RESOURCES / name
