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

from dataclasses import replace

from .frame import MAX_WIRE_FRAME, Frame, FrameError, decode_frame

#: Packets of one sub-packaged message the gateway joins (~32 kB of body): a location batch
#: of a few hundred items; more is refused rather than held.
MAX_PACKETS = 32


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


class PacketJoiner:
    """Sub-packaged messages (body property bit 13, JT/T 808-2013/-2019 §4.4.3) joined into one:
    the packets of a message carry its packet count, their index from 1 and consecutive serial
    numbers. One message is joined at a time per connection; what cannot be joined (a packet
    out of order or of another message, a count over ``MAX_PACKETS``) comes out as a
    ``FrameError``, and the partial message with it."""

    def __init__(self) -> None:
        self._parts: list[Frame] = []
        #: Whether the last packet added was taken (kept, or completed its message).
        self.took_last = False

    def add(self, frame: Frame) -> list[Frame | FrameError]:
        """The whole message once ``frame`` completes it (its header: the last packet's,
        without packet items), and the reason for anything dropped on the way."""
        h = frame.header
        assert h.packet is not None
        count, index = h.packet
        out: list[Frame | FrameError] = []
        last = self._parts[-1].header if self._parts else None
        follows = (
            last is not None
            and last.packet == (count, index - 1)
            and (last.msg_id, last.phone) == (h.msg_id, h.phone)
            and (last.serial + 1) & 0xFFFF == h.serial
        )
        if self._parts and not follows:
            gone = self._parts[-1].header.msg_id
            out.append(FrameError(f"0x{gone:04x}: message dropped, packets missing"))
            self._parts = []
        if count > MAX_PACKETS:
            out.append(FrameError(f"message in {count} packets, at most {MAX_PACKETS} joined"))
        elif index == 1 or follows:
            self._parts.append(frame)
        else:
            out.append(
                FrameError(f"0x{h.msg_id:04x}: packet {index} of {count} without the ones before")
            )
        self.took_last = bool(self._parts) and self._parts[-1] is frame
        if self.took_last and index == count:
            out.append(Frame(replace(h, packet=None), b"".join(p.body for p in self._parts)))
            self._parts = []
        return out
