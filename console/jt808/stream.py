"""A TCP stream's bytes into JT/T 808 frames: several frames per read, a frame split over
reads, garbage between frames, and a cap on what one connection may make the gateway hold.

TCP carries a byte stream, so a read may hold half a frame or three; frames are delimited by
0x7e (JT/T 808-2013/-2019 §4.4.2), which never occurs inside one (it is escaped). Whatever
is not a good frame comes out as a ``FrameError`` with its reason, for the gateway to log;
after a bad frame the splitter re-synchronises on the next flag, and a frame's closing flag
that opened a bad frame is tried again as the opening of the next (a terminal that lost half
a frame before a good one loses only the half).
"""

from __future__ import annotations

from .frame import MAX_WIRE_FRAME, Frame, FrameError, decode_frame


class FrameSplitter:
    """Feed it what the socket read; it returns the frames (and drop reasons) completed.

    It holds at most ``max_frame`` bytes between reads: a frame growing past that without its
    closing flag is dropped (the standard's largest frame, every byte escaped, is
    ``MAX_WIRE_FRAME``), and bytes that cannot start a frame (no 0x7e) are dropped at once."""

    def __init__(self, max_frame: int = MAX_WIRE_FRAME):
        self.max_frame = max_frame
        self._buf = bytearray()
        #: Past an oversized frame: its tail, up to the next flag, is not news.
        self._skipping = False

    @property
    def pending(self) -> int:
        """Bytes held for an unfinished frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        out: list[Frame | FrameError] = []
        buf = self._buf
        buf += data
        pos, n = 0, len(buf)
        while pos < n:
            start = buf.find(b"\x7e", pos)
            if start < 0:
                if not self._skipping:
                    out.append(FrameError(f"{n - pos} bytes without a 0x7e flag dropped"))
                pos = n
                break
            if start > pos and not self._skipping:
                out.append(FrameError(f"{start - pos} bytes before a 0x7e flag dropped"))
            self._skipping = False
            end = buf.find(b"\x7e", start + 1)
            if end < 0:
                if n - start > self.max_frame:
                    out.append(FrameError(f"frame over {self.max_frame} bytes dropped"))
                    self._skipping = True
                    pos = n
                else:
                    pos = start
                break
            if end == start + 1:  # two flags: the end of one frame and the start of the next
                pos = end
                continue
            if end - start - 1 > self.max_frame:
                out.append(FrameError(f"frame over {self.max_frame} bytes dropped"))
                pos = end
                continue
            try:
                out.append(decode_frame(bytes(buf[start + 1 : end])))
                pos = end + 1
            except FrameError as e:
                out.append(e)
                pos = end  # the closing flag may open the next frame
        del buf[:pos]
        return out
