"""The demo cameras' stills: a street scene drawn per camera and per moment, with a CCTV
on-screen display (date and time of the district clock, the camera's id, a "DEMO" mark), as
a JPEG (``jpeg.encode``; the backend has no imaging library and never loads Qt).

Deterministic: the scene's buildings, colours and road are seeded by the camera id, the
traffic by the time bucket (``console.domain.cameras.STILL_PERIOD_S``), so the same camera at
the same moment is the same bytes in every process, and a cache keyed by (camera, bucket)
serves every viewer of that moment with one drawing. The sky follows the hour (day, dusk,
night with lit windows). The camera's name is Chinese and drawn by the console's viewer over
the picture: this module has only a bitmap font for the OSD's digits and capitals, as many
cameras' own OSD chips do.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime

import numpy as np

from console.domain.china_time import CST

from . import jpeg

W, H = 512, 288
#: Stills kept (camera, bucket) → JPEG: a few viewers' cameras over a few buckets each.
CACHE_SIZE = 64

# 5x7 bitmap glyphs of the OSD's characters, row by row ("#" = lit).
_FONT = {
    "0": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "-": (".....", ".....", ".....", ".###.", ".....", ".....", "....."),
    ":": (".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."),
    " ": (".....",) * 7,
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
}


_CARS = ((200, 200, 205), (30, 30, 35), (160, 30, 30), (40, 70, 150), (220, 220, 200))
_CLOTHES = ((180, 60, 40), (40, 40, 40), (60, 90, 160), (200, 180, 60))


def _glyph(ch: str) -> np.ndarray:
    rows = _FONT.get(ch, _FONT[" "])
    return np.array([[c == "#" for c in row] for row in rows], dtype=bool)


def _text(img: np.ndarray, x: int, y: int, text: str, scale: int, rgb, shadow: bool = True):
    """Draw ``text`` with its top-left at (x, y), each glyph pixel a ``scale`` square."""
    for i, ch in enumerate(text):
        g = np.kron(_glyph(ch), np.ones((scale, scale), dtype=bool))
        gx = x + i * 6 * scale
        h, w = g.shape
        if gx + w + 1 >= img.shape[1] or y + h + 1 >= img.shape[0]:
            return
        if shadow:
            img[y + 1 : y + h + 1, gx + 1 : gx + w + 1][g] = (0, 0, 0)
        img[y : y + h, gx : gx + w][g] = rgb


def _rng(*parts: object) -> np.random.Generator:
    seed = hashlib.blake2s("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(seed, "big"))


def render(camera: dict, at: datetime) -> np.ndarray:
    """The scene of ``camera`` at district time ``at`` as an (H, W, 3) uint8 RGB image."""
    cid = str(camera["id"])
    local = at.astimezone(CST)
    hour = local.hour + local.minute / 60
    night = hour < 6 or hour >= 18.5
    dusk = 17 <= hour < 18.5 or 6 <= hour < 7
    rs = _rng(cid)  # the place: fixed per camera
    img = np.zeros((H, W, 3), dtype=np.float64)
    horizon = int(rs.integers(95, 130))
    yy = np.arange(horizon)[:, None] / max(horizon, 1)
    top, low = (
        ((10, 14, 30), (30, 34, 60))
        if night
        else ((70, 90, 140), (200, 150, 110))
        if dusk
        else ((110, 160, 215), (190, 215, 235))
    )
    img[:horizon] = (np.array(top) * (1 - yy) + np.array(low) * yy)[:, None, :]
    # Buildings along the horizon, windows lit at night.
    x = 0
    while x < W:
        bw = int(rs.integers(40, 110))
        bh = int(rs.integers(40, horizon - 10))
        shade = rs.integers(70, 150)
        tint = np.array([shade, shade - 5, shade - 12]) * (0.45 if night else 1.0)
        img[horizon - bh : horizon, x : x + bw] = tint
        lit = rs.random((bh // 10, bw // 10)) < (0.45 if night else 0.15)
        for r, c in zip(*np.nonzero(lit), strict=True):
            wy, wx = horizon - bh + 4 + 10 * r, x + 3 + 10 * c
            img[wy : wy + 5, wx : wx + 5] = (240, 210, 120) if night else (60, 80, 100)
        x += bw + int(rs.integers(0, 8))
    # The ground: pavement, and a road running from the bottom to a vanishing point.
    img[horizon:] = (45, 45, 48) if night else (120, 118, 112)
    vx = int(rs.integers(W // 3, 2 * W // 3))
    ys = np.arange(horizon, H)
    t = (ys - horizon) / (H - horizon)
    half = 8 + t * int(rs.integers(180, 260))
    xs = np.arange(W)[None, :]
    road = np.abs(xs - vx - (t[:, None] * int(rs.integers(-80, 80)))) < half[:, None]
    ground = img[horizon:]
    ground[road] = (30, 30, 33) if night else (72, 72, 76)
    centre = vx + t * int(rs.integers(-80, 80))
    for i, row in enumerate(ys.tolist()):
        if int(row * 0.35) % 4 < 2:  # dashed centre line, longer near the camera
            c = int(centre[i])
            w = max(1, int(1 + 3 * t[i]))
            ground[i, max(0, c - w) : c + w] = (210, 200, 150)
    # Traffic of the moment: cars on the road, people on the pavement.
    rt = _rng(cid, int(at.timestamp()) // 5)
    for _ in range(int(rt.integers(2, 9))):
        tt = float(rt.uniform(0.1, 0.95))
        y = int(horizon + tt * (H - horizon))
        i = y - horizon
        cw = int(10 + 70 * tt)
        ch = int(cw * 0.55)
        cx = int(
            centre[min(i, len(centre) - 1)] + rt.uniform(-0.8, 0.8) * half[min(i, len(half) - 1)]
        )
        colour = _CARS[int(rt.integers(len(_CARS)))]
        y0, x0 = max(horizon, y - ch), max(0, cx - cw // 2)
        img[y0:y, x0 : x0 + cw] = colour
        img[y0 : y0 + max(2, ch // 3), x0 + cw // 6 : x0 + cw - cw // 6] = (90, 110, 130)
        if night:
            img[y - max(2, ch // 4) : y - 1, x0 : x0 + 3] = (255, 240, 200)
            img[y - max(2, ch // 4) : y - 1, x0 + cw - 3 : x0 + cw] = (255, 240, 200)
    for _ in range(int(rt.integers(0, 6))):
        tt = float(rt.uniform(0.05, 0.9))
        y = int(horizon + tt * (H - horizon))
        ph = int(8 + 40 * tt)
        side = -1 if rt.random() < 0.5 else 1
        px = int(vx + side * (half[min(y - horizon, len(half) - 1)] + 6 + int(rt.integers(30))))
        if 0 <= px < W - 6:
            img[max(0, y - ph) : y, px : px + max(2, ph // 4)] = _CLOTHES[
                int(rt.integers(len(_CLOTHES)))
            ]
    # Sensor noise, as a CCTV picture has.
    img += _rng(cid, "noise", int(at.timestamp()) // 5).normal(0, 4.0, img.shape)
    out = np.clip(img, 0, 255).astype(np.uint8)
    # OSD: time top-left, camera id top-right, channel and DEMO bottom.
    _text(out, 10, 10, local.strftime("%Y-%m-%d %H:%M:%S"), 2, (255, 255, 255))
    _text(out, W - 10 - len(cid) * 12, 10, cid, 2, (255, 255, 255))
    _text(out, W - 10 - 4 * 18, H - 10 - 21, "DEMO", 3, (255, 200, 40))
    return out


class StillCache:
    """JPEG stills by (camera id, time bucket), the newest ``CACHE_SIZE`` kept; thread-safe
    (the routes run in FastAPI's thread pool). Drawing happens outside the lock: two viewers
    asking for one uncached still may both draw it, which is cheaper than serialising all."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self.drawn = 0

    def get(self, camera: dict, at: datetime, period_s: int) -> tuple[bytes, int]:
        """The JPEG of ``camera`` at ``at``'s bucket, and the bucket (seconds // period)."""
        bucket = int(at.timestamp()) // period_s
        key = (str(camera["id"]), bucket)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit, bucket
        moment = datetime.fromtimestamp(bucket * period_s, tz=at.tzinfo or CST)
        data = jpeg.encode(render(camera, moment), quality=70)
        with self._lock:
            self.drawn += 1
            self._items[key] = data
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data, bucket
