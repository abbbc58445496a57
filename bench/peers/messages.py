"""Count the records a Singer tap or an Airbyte source wrote to its standard output."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

__all__ = ["count_messages"]


def count_messages(path: Path, kind: str) -> dict[str, int]:
    """RECORD messages per stream in a Singer (``singer``) or Airbyte (``airbyte``) output."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if not line.startswith("{"):
                continue
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("type") != "RECORD":
                continue
            if kind == "airbyte":
                counts[message["record"]["stream"]] += 1
            else:
                counts[message["stream"]] += 1
    return dict(counts)
