"""Discover an Airbyte source's streams and configure a full-refresh catalog, as a user does."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from context import ClientRun
from messages import count_messages

__all__ = ["read_airbyte_source"]


def read_airbyte_source(
    run: ClientRun, command: str, config: dict[str, Any], wanted: Iterable[str]
) -> dict[str, int]:
    """``discover``, select the ``wanted`` streams (full refresh), ``read``; records per stream."""
    config_path = str(run.write_json("config.json", config))
    source = str(run.env.bin / command)
    discovered = run.run([source, "discover", "--config", config_path], "discover.jsonl")
    streams = _streams(discovered)
    run.notes.append(f"discovered {len(streams)} streams")
    names = set(wanted)
    catalog = {
        "streams": [
            {"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
            for s in streams
            if s["name"] in names
        ]
    }
    missing = sorted(names - {s["name"] for s in streams})
    if missing:
        run.notes.append(f"not discovered: {', '.join(missing)}")
    catalog_path = str(run.write_json("catalog.json", catalog))
    out = run.run(
        [source, "read", "--config", config_path, "--catalog", catalog_path], "records.jsonl"
    )
    _note_errors(run, out)
    return count_messages(out, "airbyte")


def _streams(path: Path) -> list[dict[str, Any]]:
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"CATALOG"' in line:
            return json.loads(line)["catalog"]["streams"]
    return []


def _note_errors(run: ClientRun, path: Path) -> None:
    """Airbyte reports a failed stream in a TRACE message, and exits 0 or 1."""
    for line in path.read_text(errors="replace").splitlines():
        if '"TRACE"' not in line or '"ERROR"' not in line:
            continue
        try:
            error = json.loads(line)["trace"]["error"]
        except (ValueError, KeyError):
            continue
        stream = (error.get("stream_descriptor") or {}).get("name", "-")
        run.notes.append(f"error in {stream}: {error.get('message', '')[:200]}")
