"""The JT/T 808 message bodies the gateway serves, clause by clause (JT/T 808-2013 §8 and
JT/T 808-2019 §8, 消息说明; field tables cited per message). Each body has a ``encode`` for
the side that sends it and a ``decode`` that raises ``MessageError`` on a body it cannot
read, so a broken message is answered (0x8001 result 2) instead of crashing anything.

Strings are GBK (§4.2: STRING, GBK 编码); fixed-size byte fields are padded with 0x00
(-2013 and -2019 both say 位数不足时后补 0x00; some terminals pad with ASCII '0' or spaces,
which is read as text and kept).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime

from console.domain.china_time import CST

from .frame import FrameError, bcd_decode, bcd_encode

# Message ids (§8, and the message-id table of each edition's annex).
TERMINAL_ANSWER = 0x0001  # 终端通用应答
HEARTBEAT = 0x0002  # 终端心跳 (empty body)
LOGOUT = 0x0003  # 终端注销 (empty body)
REGISTER = 0x0100  # 终端注册
AUTH = 0x0102  # 终端鉴权
LOCATION = 0x0200  # 位置信息汇报
BATCH = 0x0704  # 定位数据批量上传
PLATFORM_ANSWER = 0x8001  # 平台通用应答
REGISTER_ANSWER = 0x8100  # 终端注册应答

# 0x8001 / 0x0001 result (平台通用应答: 0 成功/确认, 1 失败, 2 消息有误, 3 不支持, 4 报警处理确认).
OK, FAIL, BAD_MESSAGE, UNSUPPORTED, ALARM_CONFIRM = 0, 1, 2, 3, 4

# 0x8100 result (终端注册应答: 0 成功, 1 车辆已被注册, 2 数据库中无该车辆, 3 终端已被注册,
# 4 数据库中无该终端). Note: "no such terminal" is 4; 3 is "terminal already registered".
REGISTERED, VEHICLE_TAKEN, NO_VEHICLE, TERMINAL_TAKEN, NO_TERMINAL = 0, 1, 2, 3, 4

# 0x0200 status bits (位置基本信息 状态位定义): 0 ACC on, 1 positioned, 2 south, 3 west.
STATUS_ACC = 1 << 0
STATUS_FIXED = 1 << 1
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3
#: Additional item of this project (the standard leaves 0xE1–0xFF to the platform, 附加信息
#: 自定义区域): one byte, bit 0 set while the sanitation vehicle's work equipment runs
#: (brushes, water); the backend's fix flag WORKING. Other items are kept and not interpreted.
ITEM_WORK = 0xE1
#: 0x0704 data type (位置数据类型): 0 normal batch, 1 blind-area re-send (盲区补报).
BATCH_NORMAL, BATCH_BLIND = 0, 1


class MessageError(FrameError):
    """A body that does not match its message's layout."""


def _gbk(data: bytes) -> str:
    return data.rstrip(b"\x00").decode("gbk", errors="replace")


def _fixed(text: str, size: int) -> bytes:
    return text.encode("gbk")[:size].ljust(size, b"\x00")


@dataclass(frozen=True)
class GeneralAnswer:
    """0x8001 平台通用应答 and 0x0001 终端通用应答: answer serial WORD, answer id WORD,
    result BYTE (-2013/-2019 §8.1, §8.2)."""

    serial: int
    msg_id: int
    result: int

    def encode(self) -> bytes:
        return struct.pack(">HHB", self.serial & 0xFFFF, self.msg_id, self.result)

    @classmethod
    def decode(cls, body: bytes) -> GeneralAnswer:
        if len(body) != 5:
            raise MessageError(f"general answer of {len(body)} bytes, not 5")
        return cls(*struct.unpack(">HHB", body))


@dataclass(frozen=True)
class Register:
    """0x0100 终端注册: province WORD, city WORD, maker BYTE[5] (-2019: [11]), model BYTE[20]
    ([30]), terminal id BYTE[7] ([30]), plate colour BYTE, plate STRING (GBK)."""

    province: int = 0
    city: int = 0
    maker: str = ""
    model: str = ""
    terminal_id: str = ""
    plate_colour: int = 0
    plate: str = ""

    @staticmethod
    def _sizes(v2019: bool) -> tuple[int, int, int]:
        return (11, 30, 30) if v2019 else (5, 20, 7)

    def encode(self, v2019: bool) -> bytes:
        m, mo, t = self._sizes(v2019)
        return (
            struct.pack(">HH", self.province, self.city)
            + _fixed(self.maker, m)
            + _fixed(self.model, mo)
            + _fixed(self.terminal_id, t)
            + bytes((self.plate_colour,))
            + self.plate.encode("gbk")
        )

    @classmethod
    def decode(cls, body: bytes, v2019: bool) -> Register:
        m, mo, t = cls._sizes(v2019)
        fixed = 4 + m + mo + t + 1
        if len(body) < fixed:
            raise MessageError(f"register body of {len(body)} bytes, at least {fixed} expected")
        province, city = struct.unpack_from(">HH", body)
        at = 4
        maker, at = _gbk(body[at : at + m]), at + m
        model, at = _gbk(body[at : at + mo]), at + mo
        terminal, at = _gbk(body[at : at + t]), at + t
        return cls(province, city, maker, model, terminal, body[at], _gbk(body[at + 1 :]))


@dataclass(frozen=True)
class RegisterAnswer:
    """0x8100 终端注册应答: answer serial WORD, result BYTE, auth code STRING (on success only)."""

    serial: int
    result: int
    auth_code: str = ""

    def encode(self) -> bytes:
        code = self.auth_code.encode("gbk") if self.result == REGISTERED else b""
        return struct.pack(">HB", self.serial & 0xFFFF, self.result) + code

    @classmethod
    def decode(cls, body: bytes) -> RegisterAnswer:
        if len(body) < 3:
            raise MessageError("register answer shorter than 3 bytes")
        serial, result = struct.unpack_from(">HB", body)
        return cls(serial, result, _gbk(body[3:]))


@dataclass(frozen=True)
class Auth:
    """0x0102 终端鉴权. -2013: the auth code STRING is the whole body. -2019: code length
    BYTE, code STRING, IMEI BYTE[15], software version BYTE[20]."""

    code: str
    imei: str = ""
    software: str = ""

    def encode(self, v2019: bool) -> bytes:
        code = self.code.encode("gbk")
        if not v2019:
            return code
        return bytes((len(code),)) + code + _fixed(self.imei, 15) + _fixed(self.software, 20)

    @classmethod
    def decode(cls, body: bytes, v2019: bool) -> Auth:
        if not v2019:
            return cls(_gbk(body))
        if not body or len(body) < 1 + body[0] + 35:
            raise MessageError("2019 auth body shorter than its code, IMEI and version")
        n = body[0]
        return cls(_gbk(body[1 : 1 + n]), _gbk(body[1 + n : 16 + n]), _gbk(body[16 + n : 36 + n]))


@dataclass(frozen=True)
class Location:
    """0x0200 位置信息汇报 (位置基本信息 + 位置附加信息项): alarm DWORD, status DWORD, latitude
    and longitude DWORD in 10⁻⁶ degrees (unsigned: the hemisphere is status bits 2 and 3),
    altitude WORD (m), speed WORD (1/10 km/h), direction WORD (0–359, 0 north, clockwise),
    time BCD[6] YYMMDDhhmmss in GMT+8; then additional items (id BYTE, length BYTE, data).
    The datum is WGS-84 (the standard's 纬度/经度 are WGS-84 coordinates).

    Here ``lat``/``lon`` carry their sign (south and west negative) and ``t`` is epoch
    seconds; ``extras`` keeps every additional item as sent (id → bytes)."""

    lat: float
    lon: float
    t: float
    speed_kmh: float = 0.0
    heading: int = 0
    altitude: int = 0
    alarm: int = 0
    status: int = STATUS_FIXED
    extras: dict[int, bytes] = field(default_factory=dict)

    BASE = 28  # bytes of 位置基本信息

    def encode(self) -> bytes:
        status = self.status & ~(STATUS_SOUTH | STATUS_WEST)
        status |= STATUS_SOUTH if self.lat < 0 else 0
        status |= STATUS_WEST if self.lon < 0 else 0
        when = datetime.fromtimestamp(self.t, CST).strftime("%y%m%d%H%M%S")
        out = struct.pack(
            ">IIIIHHH",
            self.alarm,
            status,
            round(abs(self.lat) * 1e6),
            round(abs(self.lon) * 1e6),
            self.altitude & 0xFFFF,
            round(self.speed_kmh * 10),
            self.heading % 360,
        ) + bcd_encode(when, 6)
        for item, data in self.extras.items():
            out += bytes((item, len(data))) + data
        return out

    @classmethod
    def decode(cls, body: bytes) -> Location:
        if len(body) < cls.BASE:
            raise MessageError(f"location body of {len(body)} bytes, at least 28 expected")
        alarm, status, lat, lon, alt, speed, heading = struct.unpack_from(">IIIIHHH", body)
        t = _bcd_time(body[22:28])
        extras: dict[int, bytes] = {}
        at = cls.BASE
        while at + 2 <= len(body):
            item, n = body[at], body[at + 1]
            if at + 2 + n > len(body):
                break  # a truncated last item: the base fix stands, the item is dropped
            extras[item] = body[at + 2 : at + 2 + n]
            at += 2 + n
        return cls(
            lat=-lat / 1e6 if status & STATUS_SOUTH else lat / 1e6,
            lon=-lon / 1e6 if status & STATUS_WEST else lon / 1e6,
            t=t,
            speed_kmh=speed / 10.0,
            heading=heading,
            altitude=alt,
            alarm=alarm,
            status=status,
            extras=extras,
        )

    @property
    def fixed(self) -> bool:
        """Whether the receiver had a position (status bit 1, 定位)."""
        return bool(self.status & STATUS_FIXED)

    @property
    def working(self) -> bool:
        return bool(self.extras.get(ITEM_WORK, b"\x00")[:1] != b"\x00")


def _bcd_time(data: bytes) -> float:
    """YYMMDDhhmmss in GMT+8, YY the years of 2000–2099 (not ``strptime``'s %y, which reads
    69–99 as 1969–1999)."""
    digits = bcd_decode(data)
    yy, mo, dd, hh, mi, ss = (int(digits[i : i + 2]) for i in range(0, 12, 2))
    try:
        when = datetime(2000 + yy, mo, dd, hh, mi, ss, tzinfo=CST)
    except ValueError as e:
        raise MessageError(f"time {digits} is not a date") from e
    return when.timestamp()


@dataclass(frozen=True)
class Batch:
    """0x0704 定位数据批量上传: item count WORD, data type BYTE (0 normal,
    1 blind-area re-send), then per item its length WORD and a 0x0200 body."""

    kind: int
    items: list[Location]

    def encode(self) -> bytes:
        out = struct.pack(">HB", len(self.items), self.kind)
        for loc in self.items:
            body = loc.encode()
            out += struct.pack(">H", len(body)) + body
        return out

    @classmethod
    def decode(cls, body: bytes) -> Batch:
        if len(body) < 3:
            raise MessageError("batch body shorter than 3 bytes")
        count, kind = struct.unpack_from(">HB", body)
        items: list[Location] = []
        at = 3
        for _ in range(count):
            if at + 2 > len(body):
                raise MessageError(f"batch says {count} items, holds {len(items)}")
            (n,) = struct.unpack_from(">H", body, at)
            if at + 2 + n > len(body):
                raise MessageError(f"batch item {len(items)} overruns the body")
            items.append(Location.decode(body[at + 2 : at + 2 + n]))
            at += 2 + n
        return cls(kind, items)
