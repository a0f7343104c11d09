"""Cameras of the district (智能管控 / 视频巡查): what a camera is, how it is named, when the
map shows it and how often a viewer refreshes a still.

A camera point is a junction or landmark with a fixed view. Its name follows how the centres'
video platforms list them (GB/T 28181-2016 §4 calls them 前端设备; platforms name a device by
its place and corner, e.g. "解放路-建国路口 东北角"), its kind is 球机 (PTZ dome, at junctions,
turned by the operator) or 枪机 (fixed bullet, along a frontage), and its owner is the body
that runs it: the centre's own 城管 cameras, or 公安 雪亮工程 and 交警 cameras shared with the
centre (docs/rules/cameras.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

#: ``kind`` → zh name. 球机: PTZ dome; 枪机: fixed bullet camera.
CAMERA_KINDS: Final[dict[str, str]] = {"dome": "球机", "bullet": "枪机"}
#: ``owner`` → zh name: who runs the camera (the centre watches all three: 视频共享).
CAMERA_OWNERS: Final[dict[str, str]] = {
    "chengguan": "区城管局",
    "xueliang": "公安雪亮工程",
    "traffic": "交警",
}
#: The eight corners a junction camera stands on, by the bearing it looks towards (degrees
#: clockwise from north): a camera on the north-east corner looks south-west into the junction.
CORNERS: Final[tuple[str, ...]] = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")
#: The stream schemes the console plays (RTSP and HLS through QtMultimedia, HTTP MJPEG by its
#: own reader); anything else is refused at intake.
STREAM_SCHEMES: Final[tuple[str, ...]] = ("rtsp://", "rtsps://", "http://", "https://")
#: The map shows cameras when its view is narrower than this (metres): at district scale a few
#: hundred glyphs would only hide the cases under them.
SHOW_BELOW_M: Final[float] = 5000.0
#: A viewer fetches a new still this often (seconds): a demo still changes every
#: ``STILL_PERIOD_S`` of district time, and a patrol operator looks for seconds, not frames.
REFRESH_S: Final[float] = 3.0
#: A still is rendered once per camera per this many seconds of district time (cached).
STILL_PERIOD_S: Final[int] = 5
#: 视频巡查 playlist: show each camera of a grid this long before moving on (seconds).
PATROL_DWELL_S: Final[float] = 8.0
#: How far a point may be from a camera for the camera to be "the nearest" one that sees it
#: (metres; a junction camera's useful view is about a block).
SEES_WITHIN_M: Final[float] = 300.0


def corner_of(bearing_deg: float) -> str:
    """The corner a camera looking at ``bearing_deg`` stands on: the opposite direction, in
    eight sectors (a camera looking south-west stands on the north-east corner)."""
    back = (bearing_deg + 180.0) % 360.0
    return CORNERS[int((back + 22.5) // 45.0) % 8]


def junction_name(road_a: str, road_b: str, bearing_deg: float) -> str:
    """A junction camera's name as the platforms write it: "解放路-建国路口 东北角"."""
    return f"{road_a}-{road_b}口 {corner_of(bearing_deg)}角"


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance in metres (exact enough within a district)."""
    k = math.cos(math.radians((lat1 + lat2) / 2.0))
    dx = (lon2 - lon1) * 111_320.0 * k
    dy = (lat2 - lat1) * 110_574.0
    return math.hypot(dx, dy)


def nearest(
    cameras: Sequence[Mapping[str, Any]], lon: float, lat: float, within_m: float = SEES_WITHIN_M
) -> Mapping[str, Any] | None:
    """The camera nearest to a point within ``within_m``, or None (a point no camera sees)."""
    best: tuple[float, Mapping[str, Any]] | None = None
    for c in cameras:
        d = distance_m(float(c["lon"]), float(c["lat"]), lon, lat)
        if d <= within_m and (best is None or d < best[0]):
            best = (d, c)
    return None if best is None else best[1]


def patrol_order(cameras: Sequence[Mapping[str, Any]], grid_prefix: str = "") -> list[str]:
    """The ids of the cameras a 视频巡查 playlist cycles through: those whose grid code
    starts with ``grid_prefix`` (a street, community or cell code; "" = all), by id."""
    return sorted(
        str(c["id"]) for c in cameras if str(c.get("grid_code", "")).startswith(grid_prefix)
    )


def video_note(camera_id: str) -> str:
    """The intake note of a case filed from a camera: it names the camera, as a sensor's case
    names its sensor ("物联感知 S-…"), so the case says where it was seen."""
    return f"视频巡查 {camera_id}"
