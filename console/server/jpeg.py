"""A baseline JPEG encoder in numpy (ITU-T T.81 / ISO/IEC 10918-1, JFIF 1.02): the backend
draws the demo cameras' stills and has no imaging library (Pillow is not a dependency, and
the backend never loads Qt). Baseline sequential DCT, YCbCr with 4:2:0 chroma, the example
quantisation tables of T.81 Annex K.1 scaled by quality as the IJG library does, and the
typical Huffman tables of Annex K.3. Any JPEG decoder reads the result (the console's Qt one,
a browser).
"""

from __future__ import annotations

import numpy as np

# T.81 Annex K.1, tables K.1 (luminance) and K.2 (chrominance), in natural order.
_QY = np.array(
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
     14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
     18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
     49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
    dtype=np.int32,
)  # fmt: skip
_QC = np.array(
    [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
     24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99]
    + [99] * 32,
    dtype=np.int32,
)  # fmt: skip
#: The zig-zag order (T.81 Figure A.6): natural index of the k-th coefficient.
_ZZ = np.array(
    [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34,
     27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37,
     44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63],
    dtype=np.int64,
)  # fmt: skip

# T.81 Annex K.3: the typical Huffman tables (BITS counts per length 1..16, then HUFFVAL).
_DC_Y = ([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], list(range(12)))
_DC_C = ([0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], list(range(12)))
_AC_Y = (
    [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D],
    bytes.fromhex(
        "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a16"
        "1718191a25262728292a3435363738393a434445464748494a535455565758595a63646566676869"
        "6a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
        "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
        "f9fa"
    ),
)
_AC_C = (
    [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
    bytes.fromhex(
        "000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434"
        "e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768"
        "696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4"
        "b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8"
        "f9fa"
    ),
)


def _codes(bits: list[int], vals) -> dict[int, tuple[int, int]]:
    """Symbol → (code, length), generated as T.81 Annex C does."""
    out: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            out[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return out


_TABLES = {
    "dc_y": _codes(*_DC_Y),
    "dc_c": _codes(*_DC_C),
    "ac_y": _codes(*_AC_Y),
    "ac_c": _codes(*_AC_C),
}
# The DCT-II basis as a matrix: block @ C.T applies the 1-D DCT along rows.
_U = np.arange(8)
_C = np.sqrt(2 / 8) * np.cos((2 * _U[None, :] + 1) * _U[:, None] * np.pi / 16)
_C[0, :] = np.sqrt(1 / 8)


def _scaled(q: np.ndarray, quality: int) -> np.ndarray:
    """The IJG quality scaling of a base table (quality 1..100, 50 = the table itself)."""
    quality = min(100, max(1, quality))
    s = 5000 // quality if quality < 50 else 200 - 2 * quality
    return np.clip((q * s + 50) // 100, 1, 255).astype(np.int32)


def _blocks(plane: np.ndarray) -> np.ndarray:
    """(H, W) with H, W multiples of 8 → (H/8 * W/8, 8, 8) in raster order."""
    h, w = plane.shape
    return plane.reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2).reshape(-1, 8, 8)


def _quantised(plane: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Level-shift, DCT and quantise every block: (n, 64) int in zig-zag order."""
    b = _blocks(plane.astype(np.float64) - 128.0)
    d = _C @ b @ _C.T
    z = np.rint(d.reshape(-1, 64) / q[None, :]).astype(np.int32)
    return z[:, _ZZ]


class _Bits:
    """The entropy-coded segment: bits appended MSB first, 0xFF bytes stuffed with 0x00."""

    def __init__(self) -> None:
        self.acc = 0
        self.n = 0
        self.out = bytearray()

    def put(self, code: int, length: int) -> None:
        self.acc = (self.acc << length) | code
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with 1-bits (T.81 F.1.2.3)
        return bytes(self.out)


def _magnitude(v: int) -> tuple[int, int]:
    """A coefficient's size category and its additional bits (T.81 F.1.2.1)."""
    size = abs(v).bit_length()
    return size, (v if v >= 0 else v + (1 << size) - 1)


def _encode_block(bits: _Bits, z: np.ndarray, prev_dc: int, dc: dict, ac: dict) -> int:
    diff = int(z[0]) - prev_dc
    size, extra = _magnitude(diff)
    bits.put(*dc[size])
    if size:
        bits.put(extra, size)
    nz = np.flatnonzero(z[1:]) + 1
    last = 0
    for k in nz.tolist():
        run = k - last - 1
        while run > 15:
            bits.put(*ac[0xF0])  # ZRL: sixteen zeros
            run -= 16
        size, extra = _magnitude(int(z[k]))
        bits.put(*ac[(run << 4) | size])
        bits.put(extra, size)
        last = k
    if last != 63:
        bits.put(*ac[0x00])  # EOB
    return int(z[0])


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def _dht(cls_id: int, bits: list[int], vals) -> bytes:
    return bytes([cls_id]) + bytes(bits) + bytes(vals)


def encode(rgb: np.ndarray, quality: int = 75) -> bytes:
    """A JFIF baseline JPEG of an (H, W, 3) uint8 RGB image (H and W multiples of 16)."""
    h, w, _ = rgb.shape
    if h % 16 or w % 16:
        raise ValueError("height and width must be multiples of 16")
    f = rgb.astype(np.float64)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    # JFIF 1.02 colour conversion (full-range BT.601).
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b

    def half(p: np.ndarray) -> np.ndarray:
        return p.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    qy, qc = _scaled(_QY, quality), _scaled(_QC, quality)
    zy = _quantised(y, qy)
    zcb, zcr = _quantised(half(cb), qc), _quantised(half(cr), qc)
    # MCU of 4:2:0: four Y blocks (2x2) then one Cb and one Cr block.
    bw = w // 8
    mcus_x = w // 16
    bits = _Bits()
    dy = dcb = dcr = 0
    t = _TABLES
    for m in range(len(zcb)):
        my, mx = divmod(m, mcus_x)
        for sy in range(2):
            for sx in range(2):
                dy = _encode_block(
                    bits, zy[(2 * my + sy) * bw + 2 * mx + sx], dy, t["dc_y"], t["ac_y"]
                )
        dcb = _encode_block(bits, zcb[m], dcb, t["dc_c"], t["ac_c"])
        dcr = _encode_block(bits, zcr[m], dcr, t["dc_c"], t["ac_c"])
    scan = bits.flush()
    out = bytearray(b"\xff\xd8")
    out += _segment(0xE0, b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00")
    out += _segment(0xDB, b"\x00" + bytes(qy[_ZZ].tolist()) + b"\x01" + bytes(qc[_ZZ].tolist()))
    sof = bytes([8]) + h.to_bytes(2, "big") + w.to_bytes(2, "big") + bytes([3])
    sof += bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
    out += _segment(0xC0, sof)
    out += _segment(
        0xC4,
        _dht(0x00, *_DC_Y) + _dht(0x10, *_AC_Y) + _dht(0x01, *_DC_C) + _dht(0x11, *_AC_C),
    )
    out += _segment(0xDA, bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]))
    out += scan
    out += b"\xff\xd9"
    return bytes(out)
