"""A real tile server for the basemap tests: http.server on a free loopback port, in a thread.

Every tile is a solid PNG whose colour says its address (``colour``), so a pixel grabbed from
the map tells which tile, of which zoom, is drawn there. Paths:

    /xyz/{z}/{x}/{y}.png     the tile (404 outside ``zooms``)
    /garbage/{z}/{x}/{y}.png 200 with bytes that are no image
    /broken/{z}/{x}/{y}.png  200 with a PNG signature and nothing after it
    /fail/{z}/{x}/{y}.png    500
    /overlay/{z}/{x}/{y}.png RGBA: the west half transparent, the east half OVERLAY
    /wmts?REQUEST=GetCapabilities  the Tianditu-shaped fixture, its GetTile href pointing here
    /wmts?REQUEST=GetTile&TILEMATRIX=z&TILEROW=y&TILECOL=x&tk=KEY   the tile (403 without tk)
"""

from __future__ import annotations

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

CAPABILITIES = Path(__file__).parent / "fixtures" / "wmts" / "tianditu_vec_w.xml"
KEY = "test-tk"
OVERLAY = (250, 250, 250)  # the overlay tiles' colour (their east half)


def colour(z: int, x: int, y: int) -> tuple[int, int, int]:
    """A colour per tile address: neighbours differ in every channel."""
    return ((x * 97 + z * 31) % 200 + 40, (y * 89 + z * 17) % 200 + 40, 60 + (x + y) % 2 * 140)


def png(rgb: tuple[int, int, int], size: int = 256, half_clear: bool = False) -> bytes:
    """A solid RGB PNG, written by hand (zlib + CRC), so the server needs no imaging library;
    ``half_clear``: RGBA, its west half transparent (an overlay's labels over a base)."""
    if half_clear:
        half = size // 2
        raw = (b"\x00" + bytes(4) * half + bytes((*rgb, 255)) * (size - half)) * size
    else:
        raw = (b"\x00" + bytes(rgb) * size) * size

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 6 if half_clear else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class TileServer:
    def __init__(self, zooms: range = range(0, 20)):
        self.zooms = zooms
        # Tiles of these zooms wait for ``gate`` (a tile "still loading", without a timing).
        self.gated: range = range(0)
        self.gate = threading.Event()
        self.requests: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                with server.lock:
                    server.requests.append(self.path)
                status, body = server.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="tile-server")
        self.thread.start()

    def tile(self, z: int, x: int, y: int) -> tuple[int, bytes]:
        if z in self.gated:
            self.gate.wait(10)
        if z not in self.zooms:
            return 404, b"no tile"
        return 200, png(colour(z, x, y))

    def answer(self, path: str) -> tuple[int, bytes]:
        url = urlparse(path)
        if url.path == "/wmts":
            q = {k.upper(): v[0] for k, v in parse_qs(url.query).items()}
            if q.get("REQUEST", "").upper() == "GETCAPABILITIES":
                doc = CAPABILITIES.read_text(encoding="utf-8")
                return 200, doc.replace(
                    "http://t0.tianditu.gov.cn/vec_w/wmts?", f"{self.url}/wmts?"
                ).encode()
            if q.get("TK") != KEY:
                return 403, b"key needed"
            return self.tile(int(q["TILEMATRIX"]), int(q["TILECOL"]), int(q["TILEROW"]))
        parts = url.path.strip("/").split("/")
        if len(parts) != 4:
            return 404, b""
        kind, z, x, y = parts[0], int(parts[1]), int(parts[2]), int(parts[3].split(".")[0])
        if kind == "garbage":
            return 200, b"<html>quota exceeded</html>"
        if kind == "broken":
            return 200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
        if kind == "fail":
            return 500, b"internal error"
        if kind == "overlay":
            return 200, png(OVERLAY, half_clear=True)
        return self.tile(z, x, y)

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(p.startswith(prefix) for p in self.requests)

    def stop(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
