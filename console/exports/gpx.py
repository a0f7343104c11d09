"""A track as GPX 1.1 (https://www.topografix.com/GPX/1/1/): one ``trk`` per vehicle, one
``trkseg`` per stretch without a long silence (``track.SEGMENT_GAP_S``), a ``trkpt`` per fix
with its ``time`` in UTC.

Speed and course: GPX 1.1 dropped GPX 1.0's ``<speed>``/``<course>`` from ``wpt`` (gpxpy reads
them only from a version="1.0" file), so they go where GPX 1.1 readers look for them, Garmin's
TrackPointExtension v2 (https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd):
``gpxtpx:speed`` in metres per second, ``gpxtpx:course`` in degrees (0 <= x < 360); gpxpy,
Garmin BaseCamp and GPSBabel read them. The file is written fix by fix, never held whole.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from .track import Track, utc_text

GPX_NS = "http://www.topografix.com/GPX/1/1"
TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
CREATOR = "zhcg-console"
KMH_PER_MS = 3.6


def _point(track: Track, i: int) -> str:
    lat, lon = track.lat[i], track.lon[i]
    ext = []
    speed, heading = track.speed_kmh[i], track.heading[i]
    if speed is not None:
        ext.append(f"<gpxtpx:speed>{speed / KMH_PER_MS:.3f}</gpxtpx:speed>")
    if heading is not None:
        ext.append(f"<gpxtpx:course>{heading % 360.0:.1f}</gpxtpx:course>")
    extensions = (
        "<extensions><gpxtpx:TrackPointExtension>"
        + "".join(ext)
        + "</gpxtpx:TrackPointExtension></extensions>"
        if ext
        else ""
    )
    return (
        f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><time>{utc_text(track.t[i])}</time>'
        f"{extensions}</trkpt>\n"
    )


def write_gpx(track: Track, out: str | Path, name: str = "", desc: str = "") -> int:
    """Write ``track`` to ``out``; the number of points written. An empty track is a valid
    file with an empty ``trk`` (its name and period say what was asked)."""
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<gpx version="1.1" creator="{CREATOR}" xmlns="{GPX_NS}" '
            f'xmlns:gpxtpx="{TPX_NS}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
            f"<metadata><name>{escape(name or track.vehicle_id)}</name>"
            f"<time>{utc_text(track.start.timestamp())}</time></metadata>\n"
            f"<trk><name>{escape(name or track.vehicle_id)}</name>"
        )
        if desc:
            f.write(f"<desc>{escape(desc)}</desc>")
        f.write(f"<src>{CREATOR}</src><type>vehicle</type>\n")
        for seg in track.segments():
            f.write("<trkseg>\n")
            f.writelines(_point(track, i) for i in seg)
            f.write("</trkseg>\n")
        f.write("</trk>\n</gpx>\n")
    return len(track)
