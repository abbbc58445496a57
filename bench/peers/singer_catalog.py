"""Select streams in a Singer catalog, as a user does before a sync."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["select_streams"]


def select_streams(catalog: dict[str, Any], wanted: Iterable[str]) -> list[str]:
    """Mark the ``wanted`` streams (and all their fields) selected; return those found."""
    names = set(wanted)
    found = []
    for stream in catalog.get("streams", []):
        name = stream.get("tap_stream_id") or stream.get("stream")
        selected = name in names
        if selected:
            found.append(name)
        stream["selected"] = selected
        stream.get("schema", {})["selected"] = selected
        for entry in stream.get("metadata", []):
            meta = entry.setdefault("metadata", {})
            if entry.get("breadcrumb") == []:
                meta["selected"] = selected
            elif selected and meta.get("inclusion") != "unsupported":
                meta["selected"] = True
    return sorted(found)
