"""The layering rule import-linter cannot express: console/ never imports Qt widgets."""

from __future__ import annotations

import ast
from pathlib import Path

CONSOLE = Path(__file__).resolve().parents[1] / "console"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_console_imports_no_qt_widgets():
    offenders = {
        str(p.relative_to(CONSOLE.parent)): sorted(
            m
            for m in imported_modules(p)
            if m.startswith(("PySide6.QtWidgets", "pyqtgraph", "widgets"))
        )
        for p in CONSOLE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 20  # the scan really saw the package


def test_only_the_bridge_touches_qt():
    """CityState and the sync, store and replay layers are pure Python: the recorder and the
    tests run them with no Qt; ``console/qt_bridge.py`` alone brings QtCore in."""
    users = sorted(
        str(p.relative_to(CONSOLE.parent))
        for p in CONSOLE.rglob("*.py")
        if any(m.startswith("PySide6") for m in imported_modules(p))
    )
    assert users == ["console/qt_bridge.py"]
