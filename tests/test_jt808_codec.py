"""JT/T 808 codec: recorded frames decode to what their authors say they hold, every message
round-trips, and no byte sequence makes the stream splitter or a body decoder raise anything
but a ``FrameError`` (the gateway's whole defence against a broken or hostile peer).

The recorded frames are the public examples of SmallChi/JT808 (MIT licence), the .NET
library's own unit tests, each checked there against the library's decoder; cited per frame
as ``src/JT808.Protocol.Test/MessageBody/<file>`` at the commit named. Their hex is copied
as data; nothing of the library's code is.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.china_time import CST
from console.jt808 import messages as m
from console.jt808.frame import (
    MAX_BODY,
    MAX_WIRE_FRAME,
    Frame,
    FrameError,
    Header,
    checksum,
    decode_frame,
    encode_frame,
    encode_packets,
    escape,
    unescape,
)
from console.jt808.stream import MAX_PACKETS, FrameSplitter, PacketJoiner


def wire(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def one(data: bytes) -> Frame:
    """The one frame of ``data`` (flags included), through the stream splitter."""
    got = FrameSplitter().feed(data)
    assert len(got) == 1 and isinstance(got[0], Frame), got
    return got[0]


def cst(*args: int) -> float:
    return datetime(*args, tzinfo=CST).timestamp()


# JT808_0x0200Test.cs Demo1/Demo2 (commit 0eaf9c50bab6f4d6df25935f97ac321e724a7818): a
# location report whose serial 126 (0x007e) and checksum-area 0x7d bytes are escaped.
LOCATION_ESCAPED = wire(
    "7E 02 00 00 26 12 34 56 78 90 12 00 7D 02 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C"
    " 00 28 00 3C 00 00 18 10 15 10 10 10 01 04 00 00 00 64 02 02 00 7D 01 13 7E"
)
# Same file, Test6: a frame recorded from a terminal (Shenzhen, with six additional items).
LOCATION_RECORDED = wire(
    "7E 02 00 00 3C 04 00 21 68 20 87 1D 0C 00 00 00 00 00 0C 00 C2 01 5B 6C 6E 06 C8 56 98"
    " 00 1E 00 00 00 E0 18 09 16 10 35 37 01 04 00 05 4C 7D 01 02 02 00 00 03 02 00 00 25 04"
    " 00 00 00 00 2B 04 00 00 00 00 30 01 1D 31 01 0D 97 7E"
)
# JT808_0x0704Test.cs Test1/Test2 (commit 1924e87f7c30c560eba6e472ef01478e8f7ced00).
BATCH = wire(
    "7E 07 04 00 53 11 22 33 44 55 66 22 B8 00 02 00 00 26 00 00 00 01 00 00 00 02 00 BA 7F 0E"
    " 07 E4 F1 1C 00 28 00 3C 00 00 18 07 15 10 10 10 01 04 00 00 00 64 02 02 00 37 00 26 00 00"
    " 00 02 00 00 00 01 00 CB 73 55 07 E6 A3 23 00 29 00 36 00 78 18 07 15 10 10 30 01 04 00 00"
    " 00 60 02 02 00 42 D4 7E"
)
# JT808_0x0100Test.cs (commit 104eb9b31ac9d3b852b3456873693df3eaea6cc0): Test1_1 (2013
# header) and Test2019_4_2 (2019 header: version flag, protocol version 1, BCD[10] phone).
REGISTER_2013 = wire(
    "7E 01 00 00 2D 00 01 23 45 67 89 00 0A 00 28 00 32 31 32 33 34 30 73 6D 61 6C 6C 63 68 69"
    " 31 32 33 30 30 30 30 30 30 30 30 30 43 48 49 31 32 33 30 01 D4 C1 41 31 32 33 34 35 BA 7E"
)
REGISTER_2019 = wire(
    "7e0100405401000000000222222222220001000000003030304b6f696b65303032303030303030303030303030"
    "303030303030303030304b6f696b65303032303030303030303030303030303030303030303030304b6f696b65"
    "30303202d4c1413132333436107e"
)
# JT808_0x0102Test.cs Test4 (commit 1924e87f7c30c560eba6e472ef01478e8f7ced00).
AUTH_2013 = wire("7E 01 02 00 09 01 23 45 67 89 00 30 39 34 35 36 31 32 31 31 31 31 BE 7E")
# JT808_0x8100Test.cs Test1 and Test3, JT808_0x8001Test.cs Test1 (commit
# 06a09c098ff6224379b8786549c064475bbbaca1): the platform's answers.
REGISTER_OK = wire("7E81000009012345678900000A006400313233343536687E")
REGISTER_NO_TERMINAL = wire("7E81000003012345678900000A006404617E")
PLATFORM_OK = wire("7E80010005012345678900000A0064020000617E")


def test_a_recorded_location_with_escapes_decodes_and_encodes_back_byte_for_byte():
    f = one(LOCATION_ESCAPED)
    assert f.header == Header(m.LOCATION, "123456789012", 126)
    loc = m.Location.decode(f.body)
    assert (loc.alarm, loc.status, loc.altitude, loc.heading) == (1, 2, 40, 0)
    assert (loc.lat, loc.lon, loc.speed_kmh) == (12.222222, 132.444444, 6.0)
    assert loc.t == cst(2018, 10, 15, 10, 10, 10)
    assert loc.extras == {0x01: wire("00000064"), 0x02: wire("007D")}  # mileage, fuel
    assert encode_frame(f.header, loc.encode()) == LOCATION_ESCAPED


def test_a_frame_recorded_from_a_terminal_decodes_with_its_additional_items():
    f = one(LOCATION_RECORDED)
    assert (f.header.phone, f.header.serial, f.header.version) == ("040021682087", 0x1D0C, None)
    loc = m.Location.decode(f.body)
    assert (loc.lat, loc.lon) == (22.76875, 113.792664)  # Shenzhen, WGS-84
    assert (loc.heading, loc.altitude, loc.speed_kmh) == (224, 30, 0.0)
    assert loc.fixed and loc.t == cst(2018, 9, 16, 10, 35, 37)
    assert sorted(loc.extras) == [0x01, 0x02, 0x03, 0x25, 0x2B, 0x30, 0x31]
    assert loc.extras[0x01] == wire("00054C7D")  # the escaped 0x7d, unescaped


def test_a_recorded_batch_holds_its_two_locations():
    f = one(BATCH)
    assert (f.header.msg_id, f.header.phone, f.header.serial) == (m.BATCH, "112233445566", 8888)
    batch = m.Batch.decode(f.body)
    assert batch.kind == m.BATCH_NORMAL and len(batch.items) == 2
    first, second = batch.items
    assert (first.lat, first.lon, first.t) == (12.222222, 132.444444, cst(2018, 7, 15, 10, 10, 10))
    assert (second.lat, second.lon, second.heading, second.speed_kmh) == (
        13.333333,
        132.555555,
        120,
        5.4,
    )
    assert second.t == cst(2018, 7, 15, 10, 10, 30) and second.alarm == 2
    assert encode_frame(f.header, batch.encode()) == BATCH


def test_recorded_registrations_in_both_header_versions():
    old = one(REGISTER_2013)
    assert (old.header.version, old.header.phone, old.header.serial) == (None, "000123456789", 10)
    reg = m.Register.decode(old.body, v2019=False)
    assert (reg.province, reg.city, reg.plate_colour, reg.plate) == (40, 50, 1, "粤A12345")
    assert (reg.maker, reg.terminal_id) == ("12340", "CHI1230")  # the library pads with '0'

    new = one(REGISTER_2019)
    assert new.header.version == 1 and new.header.phone == "00000000022222222222"
    reg = m.Register.decode(new.body, v2019=True)
    assert (reg.plate, reg.plate_colour) == ("粤A12346", 2)
    assert reg.maker.endswith("Koike002") and reg.model.endswith("Koike002")
    assert encode_frame(new.header, reg.encode(v2019=True)) == REGISTER_2019


def test_a_recorded_auth_and_the_platforms_answers():
    f = one(AUTH_2013)
    assert (f.header.phone, f.header.serial) == ("012345678900", 12345)
    assert m.Auth.decode(f.body, v2019=False).code == "456121111"
    to = Header(m.REGISTER_ANSWER, "012345678900", 10)
    assert encode_frame(to, m.RegisterAnswer(100, m.REGISTERED, "123456").encode()) == REGISTER_OK
    # "no such terminal" is result 4 (数据库中无该终端); the answer carries no auth code.
    assert encode_frame(to, m.RegisterAnswer(100, m.NO_TERMINAL, "x").encode()) == (
        REGISTER_NO_TERMINAL
    )
    answer = m.GeneralAnswer(100, m.LOCATION, m.OK).encode()
    assert encode_frame(Header(m.PLATFORM_ANSWER, "012345678900", 10), answer) == PLATFORM_OK


def test_escapes_and_checksum_errors_are_named():
    # The standard's own example (JT/T 808 §4.4.2 标识位): 0x30 0x7e 0x08 0x7d 0x55 is sent as
    # 0x7e 0x30 0x7d 0x02 0x08 0x7d 0x01 0x55 0x7e.
    assert escape(wire("30 7e 08 7d 55")) == wire("30 7d 02 08 7d 01 55")
    assert unescape(wire("30 7d 02 08 7d 01 55")) == wire("30 7e 08 7d 55")
    assert escape(b"\x7e\x7d\x01") == b"\x7d\x02\x7d\x01\x01"
    assert unescape(b"\x7d\x02\x7d\x01\x01") == b"\x7e\x7d\x01"
    with pytest.raises(FrameError, match="escape"):
        unescape(b"\x01\x7d\x03")
    bad = bytearray(AUTH_2013)
    bad[-2] ^= 0xFF
    with pytest.raises(FrameError, match="checksum"):
        decode_frame(bytes(bad[1:-1]))
    with pytest.raises(FrameError, match="header says"):
        raw = wire("0102000a0123456789003039") + b"456121111"  # length 10, body 9
        decode_frame(raw + bytes((checksum(raw),)))


def test_south_and_west_are_status_bits():
    loc = m.Location(lat=-33.856784, lon=-70.648467, t=cst(2026, 11, 30, 9, 0, 0))
    body = loc.encode()
    status = int.from_bytes(body[4:8], "big")
    assert status & m.STATUS_SOUTH and status & m.STATUS_WEST
    assert int.from_bytes(body[8:12], "big") == 33856784  # unsigned, the sign in the status
    back = m.Location.decode(body)
    assert (back.lat, back.lon) == (-33.856784, -70.648467)


# ---- round trips -------------------------------------------------------------------------
headers = st.builds(
    lambda msg_id, v2019, version, digits, serial, packet: Header(
        msg_id,
        digits.rjust(20 if v2019 else 12, "0")[-(20 if v2019 else 12) :],
        serial,
        version if v2019 else None,
        0,
        packet,
    ),
    st.integers(0, 0xFFFF),
    st.booleans(),
    st.integers(0, 255),
    st.text("0123456789", min_size=1, max_size=20),
    st.integers(0, 0xFFFF),
    st.none() | st.integers(1, 0xFFFF).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
)


@given(headers, st.binary(max_size=MAX_BODY))
def test_any_frame_round_trips(h, body):
    data = encode_frame(h, body)
    assert data.count(b"\x7e") == 2 and len(data) <= MAX_WIRE_FRAME
    assert decode_frame(data[1:-1]) == Frame(h, body)


locations = st.builds(
    m.Location,
    lat=st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6),
    lon=st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6),
    t=st.integers(int(cst(2000, 1, 1)), int(cst(2099, 12, 31, 23, 59, 59))).map(float),
    speed_kmh=st.integers(0, 0xFFFF).map(lambda v: v / 10),
    heading=st.integers(0, 359),
    altitude=st.integers(0, 0xFFFF),
    alarm=st.integers(0, 2**32 - 1),
    status=st.integers(0, 2**32 - 1).map(lambda s: s & ~(m.STATUS_SOUTH | m.STATUS_WEST)),
    extras=st.dictionaries(st.integers(0, 255), st.binary(max_size=20), max_size=4),
)


def _same_place(a: m.Location, b: m.Location) -> bool:
    """Equal but for the sign of a zero coordinate (no hemisphere bit for 0°)."""
    return abs(a.lat) == abs(b.lat) and abs(a.lon) == abs(b.lon)


@given(locations)
def test_a_location_round_trips(loc):
    back = m.Location.decode(loc.encode())
    assert _same_place(back, loc)
    assert (back.t, back.speed_kmh, back.heading, back.altitude, back.alarm, back.extras) == (
        loc.t,
        loc.speed_kmh,
        loc.heading,
        loc.altitude,
        loc.alarm,
        loc.extras,
    )


@given(st.sampled_from([m.BATCH_NORMAL, m.BATCH_BLIND]), st.lists(locations, max_size=5))
def test_a_batch_round_trips(kind, items):
    back = m.Batch.decode(m.Batch(kind, items).encode())
    assert back.kind == kind and [x.t for x in back.items] == [x.t for x in items]
    assert all(_same_place(a, b) for a, b in zip(back.items, items, strict=True))


text = st.text(st.characters(codec="gbk", exclude_characters="\x00"), max_size=6)


@given(st.booleans(), text, text)
def test_auth_and_register_round_trip(v2019, code, plate):
    auth = m.Auth(code, "860000000000001" if v2019 else "", "1.0" if v2019 else "")
    assert m.Auth.decode(auth.encode(v2019), v2019) == auth
    reg = m.Register(33, 100, "ZHCG", "SIM-808", "T1", 2, plate)
    assert m.Register.decode(reg.encode(v2019), v2019) == reg


@given(st.lists(st.tuples(headers, st.binary(max_size=64)), min_size=1, max_size=6), st.data())
def test_frames_come_out_whole_however_the_stream_is_cut(frames, data):
    stream = b"".join(encode_frame(h, b) for h, b in frames)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    splitter, got = FrameSplitter(), []
    for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += splitter.feed(stream[a:b])
    assert got == [Frame(h, b) for h, b in frames] and splitter.pending == 0


# ---- fuzz: nothing but FrameError, memory bounded, re-synchronised -----------------------
GOOD = AUTH_2013


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=3000), max_size=6))
def test_random_bytes_only_ever_give_frame_errors_and_the_next_good_frame(chunks):
    splitter = FrameSplitter()
    for c in chunks:
        for item in splitter.feed(c):
            assert isinstance(item, Frame | FrameError)
        assert splitter.pending <= MAX_WIRE_FRAME
    # Whatever came before, a good frame after a flag is read (at most the bytes up to its
    # first flag are lost to the garbage's own unfinished frame).
    got = splitter.feed(b"\x7e" + GOOD + GOOD)
    assert got.count(one(GOOD)) >= 1


@given(st.integers(1, len(GOOD) - 2), st.integers(1, len(GOOD) - 2), st.integers(1, 255))
def test_truncated_and_corrupted_frames_are_dropped_and_the_next_one_read(cut, at, flip):
    broken = bytearray(GOOD)
    broken[at] ^= flip
    got = FrameSplitter().feed(GOOD[:cut] + GOOD + bytes(broken) + GOOD)
    frames = [g for g in got if isinstance(g, Frame)]
    # The truncated head and the corrupted copy are dropped (a flipped byte that turns into
    # a flag splits it into two drops); both good frames come through.
    assert frames.count(one(GOOD)) >= 2
    assert any(isinstance(g, FrameError) for g in got)


def test_a_frame_past_the_cap_is_dropped_and_what_follows_is_read():
    splitter = FrameSplitter()
    got = splitter.feed(b"\x7e" + b"\x01" * (MAX_WIRE_FRAME + 10))
    assert [str(e) for e in got] == [f"frame over {MAX_WIRE_FRAME} bytes dropped"]
    assert splitter.pending == 0
    assert splitter.feed(b"\x02" * 5000) == []  # the rest of the oversized frame, quietly
    assert splitter.feed(b"\x7e" + GOOD) == [one(GOOD)]
    assert [str(e) for e in FrameSplitter().feed(b"garbage")] == [
        "7 bytes without a 0x7e flag dropped"
    ]


@given(st.binary(max_size=200), st.booleans())
def test_a_body_decoder_raises_only_frame_errors(body, v2019):
    for decode in (
        m.Location.decode,
        m.Batch.decode,
        m.GeneralAnswer.decode,
        m.RegisterAnswer.decode,
        lambda b: m.Auth.decode(b, v2019),
        lambda b: m.Register.decode(b, v2019),
    ):
        with contextlib.suppress(FrameError):
            decode(body)


# ---- sub-packaged messages ---------------------------------------------------------------
def _joined(frames: list[bytes]) -> list[Frame | FrameError]:
    splitter, joiner, out = FrameSplitter(), PacketJoiner(), []
    for f in splitter.feed(b"".join(frames)):
        assert isinstance(f, Frame)
        out += joiner.add(f) if f.header.packet is not None else [f]
    return out


@given(headers, st.binary(min_size=MAX_BODY + 1, max_size=6 * MAX_BODY))
def test_a_long_message_goes_in_packets_and_is_joined_again(h, body):
    h = Header(h.msg_id, h.phone, h.serial, h.version)
    frames = encode_packets(h, body)
    assert len(frames) == -(-len(body) // MAX_BODY)
    heads = [decode_frame(f[1:-1]).header for f in frames]
    assert [x.packet for x in heads] == [(len(frames), k + 1) for k in range(len(frames))]
    assert [x.serial for x in heads] == [(h.serial + k) & 0xFFFF for k in range(len(frames))]
    (whole,) = _joined(frames)
    assert isinstance(whole, Frame) and whole.body == body and whole.header.packet is None


def test_a_packet_missing_or_out_of_order_drops_the_message_and_is_named():
    h = Header(m.BATCH, "014400000001", 7)
    frames = encode_packets(h, bytes(3 * MAX_BODY))
    got = _joined([frames[0], frames[2]])  # the middle one lost
    assert [str(e) for e in got] == [
        "0x0704: message dropped, packets missing",
        "0x0704: packet 3 of 3 without the ones before",
    ]
    assert [type(x) for x in _joined([frames[0], *frames])] == [FrameError, Frame]  # resent whole
    joiner = PacketJoiner()
    huge = decode_frame(encode_frame(replace(h, packet=(MAX_PACKETS + 1, 1)), b"x")[1:-1])
    assert [str(e) for e in joiner.add(huge)] == [
        f"message in {MAX_PACKETS + 1} packets, at most {MAX_PACKETS} joined"
    ]
    assert not joiner.took_last
