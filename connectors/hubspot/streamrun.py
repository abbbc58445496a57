"""The state of one read of a HubSpot stream, saved with each of its pages."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

__all__ = ["StreamRun"]


@dataclass
class StreamRun:
    """One read of a stream: per-object states and the merge state, saved with each page."""

    stream: str
    objects: dict[str, Any]
    merges: dict[str, Any]
    signpost_ms: int

    hidden: dict[str, list[str]] = field(default_factory=dict)  # see ``relinks``

    def state(self, catalog: dict[str, Any]) -> dict[str, Any]:
        out = {
            "objects": copy.deepcopy(self.objects),
            "merges": copy.deepcopy(self.merges),
            "catalog": catalog,
        }
        if self.hidden:
            out["hidden"] = copy.deepcopy(self.hidden)
        return out

    def forget_hidden(self, settled: dict[str, set[str]]) -> None:
        """Drops the hidden ids that were re-linked or purged."""
        for target, ids in settled.items():
            self.hidden[target] = [i for i in self.hidden.get(target, ()) if i not in ids]
            if not self.hidden[target]:
                del self.hidden[target]
