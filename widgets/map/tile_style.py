"""The demo basemap's two styles and its zoom rules: which features show at which zoom, how wide
roads are, how large labels are.

Dark is the wall's theme (widgets.common.style.THEMES["dark"]: the same background and district
line), light the desk's. Both are read from three metres: labels are 15–24 px with a 3 px halo,
arterials are a warm colour distinct from the grey of other roads, water is the one blue.
"""

from __future__ import annotations

from dataclasses import dataclass

from widgets.common.style import THEMES


@dataclass(frozen=True)
class TileStyle:
    background: str  # outside every district (beyond the neighbours' data)
    neighbour: str  # the neighbouring districts' land
    district: str  # the district's land
    water: str
    water_line: str  # the outline of river and lake, the canals' edge
    district_line: str
    neighbour_line: str
    street_line: str  # 街道 boundaries
    road: tuple[str, str, str]  # fill per rank: arterial, other real road, planning road
    road_low: tuple[str, str, str]  # the same below CASING_FROM, where roads have no edge
    casing: tuple[str, str, str]
    text: str
    text_dim: str  # neighbours' names, planning roads
    water_text: str
    halo: str
    landmark: str  # the disc behind a landmark's icon


STYLES = {
    "dark": TileStyle(
        background=THEMES["dark"]["map_bg"],
        neighbour="#121a25",
        district="#19263a",
        water="#0f3d63",
        water_line="#2b6a9c",
        district_line=THEMES["dark"]["district_line"],
        neighbour_line="#3a4a60",
        street_line="#5d7fa8",
        road=("#d8a94f", "#8796ab", "#5a6a80"),
        road_low=("#d8a94f", "#8796ab", "#5a6a80"),
        casing=("#0b1119", "#0b1119", "#0b1119"),
        text="#eef3fa",
        text_dim="#a4b0c2",
        water_text="#8fc4f0",
        halo="#0b1119",
        landmark="#2f6fde",
    ),
    "light": TileStyle(
        background=THEMES["light"]["map_bg"],
        neighbour="#e6e3dc",
        district="#f7f5f0",
        water="#a8cdee",
        water_line="#7aa9d6",
        district_line=THEMES["light"]["district_line"],
        neighbour_line="#9aa8ba",
        street_line="#8c9bb0",
        road=("#f6c25a", "#ffffff", "#ffffff"),
        road_low=("#e0a93a", "#aab3bf", "#c3c9d1"),  # white hairlines vanish on the land
        casing=("#c9952f", "#b7bec9", "#cfd4db"),
        text="#1d2533",
        text_dim="#5b6577",
        water_text="#23639e",
        halo="#ffffff",
        landmark="#2f6fde",
    ),
}

#: Road width in px per zoom (index z - 11) and rank. At z18 a pixel is ~0.5 m on the ground,
#: so an arterial of ~40 m would be 80 px: capped at 26, enough for its name inside.
ROAD_PX = (
    (0.8, 1.0, 1.5, 2.5, 4.0, 8.0, 14.0, 26.0),  # arterial
    (0.0, 0.0, 0.8, 1.5, 3.0, 6.0, 11.0, 20.0),  # other real road
    (0.0, 0.0, 0.0, 1.0, 2.0, 4.5, 9.0, 16.0),  # planning road
)
#: Roads get a dark (or darker) edge from this zoom: below it they are hairlines.
CASING_FROM = 15
#: Label sizes in px and the zooms each kind of label shows at.
DISTRICT_LABEL = (26, range(11, 13))
NEIGHBOUR_LABEL = (20, range(11, 15))
STREET_LABEL = (24, range(13, 16))
WATER_LABEL = (20, range(12, 19))
CANAL_LABEL = (16, range(15, 19))
ROAD_LABEL = (18, range(16, 19))
MAJOR_ROAD_LABEL_FROM = 15  # arterials are named one zoom earlier
LANDMARK_LABEL = (17, range(15, 19))
STREET_LINES_FROM = 13
#: Icons per landmark kind (qtawesome mdi6), kinds as in resources/gazetteer.json.
LANDMARK_ICONS = {
    "metro": "mdi6.subway-variant",
    "transport": "mdi6.train",
    "hospital": "mdi6.hospital-box",
    "market": "mdi6.shopping",
    "school": "mdi6.school",
    "park": "mdi6.tree",
    "public": "mdi6.bank",
}
HALO_PX = 3.5


def road_px(z: int, rank: int) -> float:
    """A road's width in px at zoom ``z`` (0: not drawn)."""
    return ROAD_PX[rank][min(max(z, 11), 18) - 11]
