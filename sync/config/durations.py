"""Durations as written in the YAML (``10m``, ``2h``...), read by every section that has one.

Its own module so that the section models (``schedule``, ``mail``, ``workers``) and the
whole-file model import it without importing each other.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

__all__ = ["parse_duration"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """``"10m"``, ``"600s"``, ``"2h"``, ``"1d"`` or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration: write e.g. 30s, 10m, 2h or 1d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
