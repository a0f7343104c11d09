"""HTTP MJPEG (``multipart/x-mixed-replace``, RFC 2046 §5.1 with the boundary-separated
parts browsers and IP cameras use): the frames of a camera's stream as JPEG bytes.

Many IP cameras and encoders serve their picture this way (``/mjpeg``, ``/video.cgi``), and
QtMultimedia is not always installed (PySide6-Essentials has none); a stream read here plays
with no media framework: the viewer decodes each JPEG with Qt's image reader. Parts are cut
by their ``Content-Length`` when given and by the boundary otherwise; a part that is no JPEG
is skipped (some cameras interleave a text status part).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import requests

#: A frame larger than this is refused (a 4K JPEG at high quality is ~2 MB): a broken stream
#: with no boundary must not grow the buffer without end.
MAX_FRAME = 8 * 1024 * 1024
CHUNK = 64 * 1024


class MjpegError(Exception):
    """The answer is no MJPEG stream, or broke the framing."""


def boundary_of(content_type: str) -> bytes:
    """The boundary of a ``multipart/x-mixed-replace`` content type (quotes and a leading
    ``--`` that some cameras put in are dropped)."""
    if not content_type.lower().startswith("multipart/"):
        raise MjpegError(f"not a multipart stream: {content_type[:80]!r}")
    m = re.search(r'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    if m is None:
        raise MjpegError("multipart stream without a boundary")
    b = m.group(1).strip()
    return (b[2:] if b.startswith("--") else b).encode("latin-1")


class Splitter:
    """Bytes of the stream in, whole JPEG frames out."""

    def __init__(self, boundary: bytes):
        self.delim = b"--" + boundary
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self.buf += data
        out: list[bytes] = []
        while True:
            start = self.buf.find(self.delim)
            if start < 0:
                if len(self.buf) > MAX_FRAME:
                    raise MjpegError("no boundary within the largest frame size")
                return out
            head_end = self.buf.find(b"\r\n\r\n", start)
            if head_end < 0:
                return out
            headers = bytes(self.buf[start + len(self.delim) : head_end]).decode("latin-1")
            body = head_end + 4
            m = re.search(r"content-length:\s*(\d+)", headers, re.IGNORECASE)
            if m is not None:
                n = int(m.group(1))
                if n > MAX_FRAME:
                    raise MjpegError(f"frame of {n} bytes")
                if len(self.buf) < body + n:
                    return out
                part = bytes(self.buf[body : body + n])
                del self.buf[: body + n]
            else:
                nxt = self.buf.find(self.delim, body)
                if nxt < 0:
                    if len(self.buf) - body > MAX_FRAME:
                        raise MjpegError("part longer than the largest frame size")
                    return out
                part = bytes(self.buf[body:nxt]).rstrip(b"\r\n")
                del self.buf[:nxt]
            if part.startswith(b"\xff\xd8"):
                out.append(part)


def frames(
    url: str, stop: threading.Event, timeout: float = 10.0, session: requests.Session | None = None
) -> Iterator[bytes]:
    """The JPEG frames of an HTTP MJPEG stream until ``stop`` is set or the stream ends."""
    http = session or requests.Session()
    with http.get(url, stream=True, timeout=timeout) as r:
        if r.status_code != 200:
            raise MjpegError(f"HTTP {r.status_code}")
        split = Splitter(boundary_of(r.headers.get("Content-Type", "")))
        for chunk in r.iter_content(CHUNK):
            if stop.is_set():
                return
            yield from split.feed(chunk)
