"""One JT/T 808 frame: flag bytes, escapes, the message header (2013 and 2019), checksum.

Layout (JT/T 808-2013 §4.4, JT/T 808-2019 §4.4)::

    0x7e | header | body | checksum | 0x7e          (§4.4.1 消息结构, §4.4.2 标识位)

- Between the flags 0x7e is sent as 0x7d 0x02 and 0x7d as 0x7d 0x01 (§4.4.2): escaped after
  the checksum is computed, unescaped before it is checked.
- The checksum is the XOR of every byte of header and body (§4.4.4 校验码).
- The header (§4.4.3 消息头): message id WORD, body properties WORD, then in -2013 the
  terminal phone number as BCD[6] (12 digits), in -2019 a protocol version BYTE and BCD[10]
  (20 digits); then the message serial number WORD; then, when the body is split into packets,
  packet count WORD and packet index WORD (from 1). WORDs and DWORDs are big-endian (§4.3
  传输规则); BCD[n] and the other types are §4.2 数据类型's.
- Body properties (消息体属性格式, §4.4.3): bits 0–9 body length, 10–12 encryption (0 none,
  bit 10 RSA), 13 sub-packaged, 14 version flag (-2019: 1 means the -2019 header), 15
  reserved. A -2013 terminal leaves bit 14 at 0, which is how the two headers are told apart.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import reduce
from operator import xor

FLAG = 0x7E
ESCAPE = 0x7D
#: Body properties, bits 0–9: a body is at most 1023 bytes (longer messages are split).
MAX_BODY = 0x3FF
ENCRYPTION_MASK = 0x1C00
SUBPACKAGED = 0x2000
VERSION_FLAG = 0x4000
#: Phone digits in the header: BCD[6] in -2013, BCD[10] in -2019.
PHONE_DIGITS_2013 = 12
PHONE_DIGITS_2019 = 20
#: The largest frame on the wire: a 2019 header with packet items (21), a full body, the
#: checksum, every byte escaped (x2), and the two flags.
MAX_WIRE_FRAME = 2 * (21 + MAX_BODY + 1) + 2


class FrameError(ValueError):
    """A frame that cannot be read: the reason is logged and the frame dropped (or answered
    with 0x8001 result 2 when its header could be read)."""


@dataclass(frozen=True)
class Header:
    """A message header. ``version`` is None for a -2013 header, else the -2019 protocol
    version byte (1 for the first -2019 revision). ``phone`` keeps the header's digits as sent
    (12 or 20, leading zeros included); ``packet`` is (count, index) when sub-packaged."""

    msg_id: int
    phone: str
    serial: int
    version: int | None = None
    encryption: int = 0
    packet: tuple[int, int] | None = None

    @property
    def phone_digits(self) -> int:
        return PHONE_DIGITS_2013 if self.version is None else PHONE_DIGITS_2019


@dataclass(frozen=True)
class Frame:
    header: Header
    body: bytes


def escape(data: bytes) -> bytes:
    """0x7d → 0x7d 0x01 first, then 0x7e → 0x7d 0x02 (§4.4.2)."""
    return data.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02")


def unescape(data: bytes) -> bytes:
    """The inverse of ``escape``; a 0x7d followed by anything but 0x01/0x02 is an error."""
    if b"\x7d" not in data:
        return data
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        j = data.find(b"\x7d", i)
        if j < 0:
            out += data[i:]
            break
        out += data[i:j]
        if j + 1 >= n or data[j + 1] not in (1, 2):
            raise FrameError("bad escape (0x7d not followed by 0x01 or 0x02)")
        out.append(ESCAPE if data[j + 1] == 1 else FLAG)
        i = j + 2
    return bytes(out)


def checksum(data: bytes) -> int:
    """XOR of every byte (§4.4.4)."""
    return reduce(xor, data, 0)


def bcd_encode(digits: str, size: int) -> bytes:
    """``digits`` as packed BCD of ``size`` bytes, left-padded with zeros (§4.2: BCD[n])."""
    if not digits.isdigit() or len(digits) > 2 * size:
        raise ValueError(f"{digits!r} is not at most {2 * size} decimal digits")
    return bytes.fromhex(digits.rjust(2 * size, "0"))


def bcd_decode(data: bytes) -> str:
    """Packed BCD as its digits; a nibble above 9 is an error (not a number)."""
    digits = data.hex()
    if not digits.isdigit():
        raise FrameError(f"BCD field {digits!r} has a nibble above 9")
    return digits


def encode_header(h: Header, body_length: int) -> bytes:
    if not 0 <= body_length <= MAX_BODY:
        raise ValueError(f"a body is at most {MAX_BODY} bytes (split it into packets)")
    props = body_length | (h.encryption << 10 & ENCRYPTION_MASK)
    if h.packet is not None:
        props |= SUBPACKAGED
    if h.version is None:
        out = struct.pack(">HH", h.msg_id, props) + bcd_encode(h.phone, 6)
    else:
        props |= VERSION_FLAG
        out = struct.pack(">HHB", h.msg_id, props, h.version) + bcd_encode(h.phone, 10)
    out += struct.pack(">H", h.serial & 0xFFFF)
    if h.packet is not None:
        out += struct.pack(">HH", *h.packet)
    return out


def encode_frame(h: Header, body: bytes = b"") -> bytes:
    """The frame on the wire, flags included."""
    raw = encode_header(h, len(body)) + body
    return b"\x7e" + escape(raw + bytes((checksum(raw),))) + b"\x7e"


def encode_packets(h: Header, body: bytes) -> list[bytes]:
    """A message of any length as frames on the wire: one when the body fits
    (``MAX_BODY``), else split into packets (body property bit 13, packet count and index
    from 1) with consecutive serial numbers from ``h.serial``, as §4.4.3 has a terminal send
    a long message."""
    if len(body) <= MAX_BODY:
        return [encode_frame(h, body)]
    parts = [body[i : i + MAX_BODY] for i in range(0, len(body), MAX_BODY)]
    return [
        encode_frame(
            Header(
                h.msg_id,
                h.phone,
                (h.serial + k) & 0xFFFF,
                h.version,
                h.encryption,
                (len(parts), k + 1),
            ),
            part,
        )  # fmt: skip
        for k, part in enumerate(parts)
    ]


def decode_frame(escaped: bytes) -> Frame:
    """A frame from the bytes between its two 0x7e flags (still escaped). Raises
    ``FrameError`` saying what is wrong: escape, checksum, header, or a length that does not
    match the body."""
    raw = unescape(escaped)
    if len(raw) < 13:  # the shortest: a 2013 header (12) and the checksum
        raise FrameError(f"frame of {len(raw)} bytes is shorter than a header")
    if checksum(raw[:-1]) != raw[-1]:
        raise FrameError(f"bad checksum (0x{raw[-1]:02x}, computed 0x{checksum(raw[:-1]):02x})")
    msg_id, props = struct.unpack_from(">HH", raw)
    if props & VERSION_FLAG:
        if len(raw) < 18:
            raise FrameError("frame shorter than a 2019 header")
        version: int | None = raw[4]
        phone = bcd_decode(raw[5:15])
        at = 15
    else:
        version = None
        phone = bcd_decode(raw[4:10])
        at = 10
    (serial,) = struct.unpack_from(">H", raw, at)
    at += 2
    packet = None
    if props & SUBPACKAGED:
        if len(raw) < at + 5:
            raise FrameError("frame shorter than its packet items")
        count, index = struct.unpack_from(">HH", raw, at)
        if not 1 <= index <= count:
            raise FrameError(f"packet {index} of {count}")
        packet = (count, index)
        at += 4
    body = raw[at:-1]
    if len(body) != props & MAX_BODY:
        raise FrameError(f"body of {len(body)} bytes, header says {props & MAX_BODY}")
    header = Header(msg_id, phone, serial, version, (props & ENCRYPTION_MASK) >> 10, packet)
    return Frame(header, body)
