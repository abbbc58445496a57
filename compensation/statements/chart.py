"""The attainment chart: a small PNG bar written by hand (zlib + struct, no imaging library).

The bar runs from 0 to at least 150 % of quota: a grey track, the attainment filled in
(red under 50 %, amber under 100 %, green from 100 %), a dark mark at 100 % and light
marks at the plan's tier thresholds. Same inputs, same bytes.
"""

from __future__ import annotations

import struct
import zlib
from decimal import Decimal

__all__ = ["CHART_HEIGHT", "CHART_WIDTH", "COLORS", "attainment_png"]

CHART_WIDTH = 600
CHART_HEIGHT = 60
_PAD = 6
COLORS = {
    "background": (255, 255, 255),
    "track": (226, 230, 236),
    "low": (200, 60, 50),
    "mid": (232, 160, 32),
    "high": (34, 139, 84),
    "quota": (31, 41, 55),
    "tier": (120, 130, 145),
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def _png(width: int, rows: list[bytes]) -> bytes:
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) on every line
    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )


def _x(ratio: Decimal, scale: Decimal, inner: int) -> int:
    return _PAD + int(min(ratio, scale) / scale * inner)


def attainment_png(ratio: Decimal, thresholds: tuple[Decimal, ...] = ()) -> bytes:
    """The chart for an attainment ``ratio`` (1 = quota) with tier ``thresholds``."""
    ratio = max(ratio, Decimal(0))
    scale = max(Decimal("1.5"), ratio * Decimal("1.1"))
    width, height = CHART_WIDTH, CHART_HEIGHT
    inner = width - 2 * _PAD
    fill = (
        COLORS["high"]
        if ratio >= 1
        else COLORS["mid"]
        if ratio >= Decimal("0.5")
        else COLORS["low"]
    )
    bar_end = _x(ratio, scale, inner)
    quota_x = _x(Decimal(1), scale, inner)
    tiers = sorted({_x(t, scale, inner) for t in thresholds if 0 < t <= scale} - {quota_x})
    bg, track, quota, tier = (bytes(COLORS[k]) for k in ("background", "track", "quota", "tier"))

    def line(bar_top: bool) -> bytes:
        pixels = bytearray(bg * width)
        if bar_top:
            pixels[_PAD * 3 : (width - _PAD) * 3] = track * inner
            pixels[_PAD * 3 : bar_end * 3] = bytes(fill) * (bar_end - _PAD)
        for x in tiers:
            pixels[x * 3 : x * 3 + 3] = tier
        for x in (quota_x - 1, quota_x, quota_x + 1):
            pixels[x * 3 : x * 3 + 3] = quota
        return bytes(pixels)

    marks, bar, blank = line(False), line(True), bg * width
    top, bottom = 18, height - 18  # the bar; the quota and tier marks stand 6 px out of it
    rows = [
        bar if top <= y < bottom else marks if top - 6 <= y < bottom + 6 else blank
        for y in range(height)
    ]
    return _png(width, rows)
