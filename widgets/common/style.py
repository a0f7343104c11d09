"""Look and feel: the dark wall theme and a light desk theme, a CJK font, the light colours.

The wall is read from three metres in a dim room: dark background, large type, colours that
stay distinct for the common red-green deficiency (the lights also differ in shape and in the
table's text, never in colour alone).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW

LIGHT_COLORS = {GREEN: "#2ecc71", YELLOW: "#f5c518", RED: "#ff4d4f", NO_LIGHT: "#8a94a6"}
VEHICLE_COLORS = {  # by status code order of console.state.VEHICLE_STATUSES
    "unknown": "#8a94a6",
    "working": "#36cfc9",
    "moving": "#5b8ff9",
    "stopped": "#f6bd16",
    "offline": "#6b7280",
}
#: 考核 grades A–E (console.domain.kpi.grade): green to red, the board's and the report's; the
#: letter is always printed beside the colour, so no one reads a grade by colour alone.
GRADE_COLORS = {"A": "#2e9e44", "B": "#36a3d9", "C": "#d4a017", "D": "#e8742a", "E": "#d9363e"}
SEVERITY_COLORS = {"critical": "#ff4d4f", "warning": "#f5a623", "info": "#5b8ff9"}

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)

THEMES = {
    "dark": {
        "window": "#10161f",
        "base": "#151d29",
        "alt": "#1b2533",
        "text": "#e6edf5",
        "dim": "#8a94a6",
        "button": "#1f2a3a",
        "highlight": "#2f6fde",
        "border": "#2a3647",
        "map_bg": "#0b1119",
        "district_fill": "#16324f",
        "district_line": "#4fa3ff",
        "neighbour_line": "#3a4a60",
        "grid_line": "#2b4a6b",
        "trail": "#36cfc9",
    },
    "light": {
        "window": "#f4f6f9",
        "base": "#ffffff",
        "alt": "#eef2f7",
        "text": "#1d2533",
        "dim": "#5b6577",
        "button": "#e6ebf2",
        "highlight": "#2f6fde",
        "border": "#c9d2de",
        "map_bg": "#e9eef4",
        "district_fill": "#cfe3f7",
        "district_line": "#1f5fbf",
        "neighbour_line": "#9aa8ba",
        "grid_line": "#9db8d6",
        "trail": "#0f8f8a",
    },
}


def cjk_family() -> str | None:
    """The first installed CJK family, so that 汉字 never fall back to boxes or a mix."""
    families = set(QFontDatabase.families())
    return next((f for f in CJK_FAMILIES if f in families), None)


def apply_theme(app: QApplication, name: str = "dark", point_size: int = 11) -> dict:
    t = THEMES.get(name, THEMES["dark"])
    app.setStyle("Fusion")
    font = QFont(cjk_family() or app.font().family(), point_size)
    app.setFont(font)
    p = QPalette()
    c = QColor
    p.setColor(QPalette.ColorRole.Window, c(t["window"]))
    p.setColor(QPalette.ColorRole.WindowText, c(t["text"]))
    p.setColor(QPalette.ColorRole.Base, c(t["base"]))
    p.setColor(QPalette.ColorRole.AlternateBase, c(t["alt"]))
    p.setColor(QPalette.ColorRole.Text, c(t["text"]))
    p.setColor(QPalette.ColorRole.Button, c(t["button"]))
    p.setColor(QPalette.ColorRole.ButtonText, c(t["text"]))
    p.setColor(QPalette.ColorRole.Highlight, c(t["highlight"]))
    p.setColor(QPalette.ColorRole.HighlightedText, c("#ffffff"))
    p.setColor(QPalette.ColorRole.ToolTipBase, c(t["alt"]))
    p.setColor(QPalette.ColorRole.ToolTipText, c(t["text"]))
    p.setColor(QPalette.ColorRole.PlaceholderText, c(t["dim"]))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, c(t["dim"]))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, c(t["dim"]))
    app.setPalette(p)
    app.setStyleSheet(
        f"""
        QDockWidget::title {{ background: {t["alt"]}; padding: 4px 8px; font-weight: bold; }}
        QTabBar::tab {{ padding: 5px 12px; }}
        QTabBar::tab:selected {{ background: {t["highlight"]}; color: white; }}
        QHeaderView::section {{ background: {t["alt"]}; padding: 3px 6px;
                                border: 0; border-right: 1px solid {t["border"]}; }}
        QTableView {{ gridline-color: {t["border"]}; }}
        QStatusBar QLabel {{ padding: 0 8px; }}
        QLabel#banner {{ background: #7a1f1f; color: white; padding: 4px 10px; }}
        QLabel#banner[replay="true"] {{ background: #1f3f7a; font-weight: bold; }}
        QLabel#notice {{ background: {t["alt"]}; border: 1px solid {t["border"]};
                          padding: 6px 12px; border-radius: 4px; }}
        """
    )
    app.setProperty("zhcg_theme", name)
    return t


def theme() -> dict:
    app = QApplication.instance()
    name = app.property("zhcg_theme") if app is not None else None
    return THEMES.get(name or "dark", THEMES["dark"])
