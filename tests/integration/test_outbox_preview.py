"""A rendered statement opened in headless Chromium looks right: the screenshot shows the
header band, the total in the statement's blue and the attainment bar from its PNG."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from compensation.statements.chart import COLORS
from compensation.statements.samples import sample_statement
from sync.config import CrmsyncConfig
from sync.mail.service import write_previews

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HEADER_BLUE = (31, 78, 121)  # #1f4e79, the header band


def _browser() -> str:
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    pytest.skip(
        f"no headless browser on PATH (looked for {', '.join(BROWSERS)}); "
        "install Debian's chromium package to run this test"
    )


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (all five filter types) into rows of RGB bytes."""
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and color in (2, 6)
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3))
        prev = line
    return width, height, rows


def test_a_statement_in_headless_chromium_looks_right(tmp_path: Path) -> None:
    browser = _browser()
    statement = sample_statement(1, locale="en")
    write_previews([statement], CrmsyncConfig(), tmp_path)
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            "--window-size=800,1400",
            (tmp_path / "E000001.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), result.stderr
    width, height, rows = _pixels(shot.read_bytes())
    assert (width, height) == (800, 1400)
    colours: dict[tuple[int, ...], int] = {}
    for row in rows[::2]:
        for x in range(0, len(row), 6):
            key = tuple(row[x : x + 3])
            colours[key] = colours.get(key, 0) + 1
    assert colours.get(HEADER_BLUE, 0) > 2000  # the header band is there
    assert colours.get(COLORS["mid"], 0) > 200  # the chart image loaded (79.8 %: amber)
    assert colours.get(COLORS["track"], 0) > 50
    assert len(colours) > 50  # text was drawn, not a blank page
