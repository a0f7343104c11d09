"""OGC WMTS 1.0.0 (OGC 07-057r7): read a GetCapabilities document into a tile URL template.

Only tile matrix sets on the XYZ grid are taken: Web Mercator (EPSG:3857/900913), 256 px tiles,
the top-left corner at the world's corner and ``MatrixWidth`` = 2^z (GoogleMapsCompatible,
Tianditu's ``w`` set, GeoServer's ``EPSG:900913``). The zoom is read from the matrix width, not
from the scale denominator: Tianditu publishes 96-dpi scales (2.958293554545656E8 at z=1),
not the standard's 0.28 mm ones (2.795411320143589E8), for the same grid. Tiles come from the
layer's ``ResourceURL`` template (REST) or, without one, from the GetTile KVP request of the
``OperationsMetadata``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .tilegrid import HALF_WORLD

NS = {
    "wmts": "http://www.opengis.net/wmts/1.0",
    "ows": "http://www.opengis.net/ows/1.1",
    "xlink": "http://www.w3.org/1999/xlink",
}
_MERCATOR_CRS = ("3857", "900913", "3785", "102100")


class WmtsError(ValueError):
    """The capabilities document is unreadable or offers no usable layer/matrix set."""


@dataclass(frozen=True)
class WmtsLayer:
    """What a tile request needs: the URL template ({z} is the matrix identifier, mapped from
    the zoom by ``zoom_ids``) and the zooms the matrix set has."""

    layer: str
    style: str
    matrix_set: str
    template: str
    zoom_ids: dict[int, str] = field(default_factory=dict)
    title: str = ""

    @property
    def zoom_range(self) -> tuple[int, int]:
        return min(self.zoom_ids), max(self.zoom_ids)


def _text(el: ET.Element | None, path: str) -> str:
    found = el.find(path, NS) if el is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _xyz_zooms(tms: ET.Element) -> dict[int, str]:
    """zoom → TileMatrix identifier of a matrix set on the XYZ grid, or {} if it is not one."""
    crs = _text(tms, "ows:SupportedCRS")
    if not any(code in crs for code in _MERCATOR_CRS):
        return {}
    out: dict[int, str] = {}
    for tm in tms.findall("wmts:TileMatrix", NS):
        try:
            width = int(_text(tm, "wmts:MatrixWidth"))
            size = int(_text(tm, "wmts:TileWidth"))
            corner = [abs(float(v)) for v in _text(tm, "wmts:TopLeftCorner").split()]
        except ValueError:
            continue
        z = round(math.log2(width)) if width > 0 else -1
        if (
            z >= 0
            and 1 << z == width
            and size == 256
            and len(corner) == 2
            and all(abs(c - HALF_WORLD) < 1.0 for c in corner)
        ):
            out[z] = _text(tm, "ows:Identifier")
    return out


def _get_tile_href(root: ET.Element, fallback: str) -> str:
    for op in root.findall(".//ows:Operation", NS):
        if op.get("name") == "GetTile":
            get = op.find(".//ows:Get", NS)
            if get is not None and get.get(f"{{{NS['xlink']}}}href"):
                return str(get.get(f"{{{NS['xlink']}}}href"))
    return fallback


def parse_capabilities(
    document: bytes,
    url: str = "",
    layer: str | None = None,
    style: str | None = None,
    matrix_set: str | None = None,
) -> WmtsLayer:
    """The named ``layer`` (default: the first) on the named (or first XYZ-shaped) matrix set."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as e:
        raise WmtsError(f"capabilities are not XML: {e}") from e
    sets = {
        _text(tms, "ows:Identifier"): _xyz_zooms(tms)
        for tms in root.findall("wmts:Contents/wmts:TileMatrixSet", NS)
    }
    layers = root.findall("wmts:Contents/wmts:Layer", NS)
    chosen = next((el for el in layers if layer in (None, _text(el, "ows:Identifier"))), None)
    if chosen is None:
        names = ", ".join(_text(el, "ows:Identifier") for el in layers) or "none"
        raise WmtsError(f"no layer {layer!r} in the capabilities (layers: {names})")
    name = _text(chosen, "ows:Identifier")
    links = [
        _text(link, "wmts:TileMatrixSet") for link in chosen.findall("wmts:TileMatrixSetLink", NS)
    ]
    usable = [s for s in links if sets.get(s) and matrix_set in (None, s)]
    if not usable:
        raise WmtsError(
            f"layer {name} has no Web Mercator (XYZ) tile matrix set"
            + (f" named {matrix_set}" if matrix_set else "")
            + f" (it links: {', '.join(links) or 'none'})"
        )
    tms_id = usable[0]
    styles = chosen.findall("wmts:Style", NS)
    default = next(
        (s for s in styles if s.get("isDefault") == "true"), styles[0] if styles else None
    )
    style_id = style or _text(default, "ows:Identifier") or "default"
    fmt = _text(chosen, "wmts:Format") or "image/png"
    resource = next(
        (r for r in chosen.findall("wmts:ResourceURL", NS) if r.get("resourceType") == "tile"),
        None,
    )
    if resource is not None and resource.get("template"):
        template = (
            str(resource.get("template"))
            .replace("{TileMatrixSet}", tms_id)
            .replace("{Style}", style_id)
            .replace("{TileMatrix}", "{z}")
            .replace("{TileRow}", "{y}")
            .replace("{TileCol}", "{x}")
        )
    else:
        base = _get_tile_href(root, url.split("?")[0] + "?")
        query = urlencode(
            {
                "SERVICE": "WMTS",
                "REQUEST": "GetTile",
                "VERSION": "1.0.0",
                "LAYER": name,
                "STYLE": style_id,
                "TILEMATRIXSET": tms_id,
                "FORMAT": fmt,
            }
        )
        sep = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
        template = f"{base}{sep}{query}&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}"
    return WmtsLayer(name, style_id, tms_id, template, sets[tms_id], _text(chosen, "ows:Title"))
