"""What the connector learns about the portal: property names and pipeline stages.

Fetched at most once per connector, and kept in each stream's state (``catalog`` key) so
incremental runs spend no calls on them: a saved entry is used while it is younger than
``CATALOG_TTL_MS`` on the server's clock (the signpost); full reads always fetch afresh.
Saved form (JSON)::

    {"properties": {type: {"at": ms, "names": [...], "custom": [...]}},
     "stages": {"at": ms, "types": {type: {stage id: [label, closed, won, probability]}}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.mapping import Stage

__all__ = ["CATALOG_TTL_MS", "Catalog"]

CATALOG_TTL_MS = 24 * 3600 * 1000
_PIPELINE_TYPES = ("deals", "tickets")


def _probability(raw: Any) -> Decimal | None:
    try:
        return Decimal(str(raw)) if raw not in (None, "") else None
    except InvalidOperation:
        return None


def _stage(object_type: str, raw: dict[str, Any]) -> Stage:
    meta = raw.get("metadata") or {}
    probability = _probability(meta.get("probability"))
    closed = str(meta.get("isClosed", "")).lower() == "true" or meta.get("ticketState") == "CLOSED"
    # HubSpot marks "closed won" only through a closed stage's probability of 1.0.
    won = object_type == "deals" and closed and probability is not None and probability >= 1
    return Stage(str(raw.get("label") or raw.get("id")), closed, won, probability)


class Catalog:
    """Property names (all, and custom) per object type, and pipeline stages.

    ``now_ms`` (the run's signpost) stamps what is fetched; ``restore`` takes what a
    stream's state saved, ``snapshot`` gives what to save.
    """

    def __init__(self, http: HubSpotHttp, apis: Apis) -> None:
        self.http = http
        self.apis = apis
        self.now_ms = 0
        self._properties: dict[str, list[str]] = {}
        self._custom: dict[str, frozenset[str]] = {}
        self._fetched: dict[str, int] = {}
        self._stages: dict[str, dict[str, Stage]] | None = None
        self._stages_at = 0
        self._trust_saved = True

    def properties(self, object_type: str) -> list[str]:
        if object_type not in self._properties:
            body = self.http.call(self.apis.properties.get_all, object_type).body or {}
            results = body.get("results") or []
            self._properties[object_type] = sorted(str(p["name"]) for p in results)
            self._custom[object_type] = frozenset(
                str(p["name"]) for p in results if not p.get("hubspotDefined", True)
            )
            self._fetched[object_type] = self.now_ms
        return self._properties[object_type]

    def custom(self) -> dict[str, frozenset[str]]:
        return self._custom

    def forget(self) -> None:
        """Re-read properties next time (after custom properties were created)."""
        self._properties.clear()
        self._custom.clear()
        self._fetched.clear()
        self._trust_saved = False  # saved lists predate the new properties

    def stages(self) -> dict[str, dict[str, Stage]]:
        if self._stages is None:
            stages: dict[str, dict[str, Stage]] = {}
            for object_type in _PIPELINE_TYPES:
                body = self.http.call(self.apis.pipelines.get_all, object_type).body or {}
                by_id = stages.setdefault(object_type, {})
                for pipeline in body.get("results") or ():
                    for stage in pipeline.get("stages") or ():
                        by_id[str(stage["id"])] = _stage(object_type, stage)
            self._stages, self._stages_at = stages, self.now_ms
        return self._stages

    def restore(self, saved: Mapping[str, Any] | None) -> None:
        """Take entries of a stream's saved catalog younger than the TTL (not yet known)."""
        if not saved or not self._trust_saved:
            return
        for object_type, entry in (saved.get("properties") or {}).items():
            at = int(entry.get("at") or 0)
            if object_type in self._properties or self.now_ms - at >= CATALOG_TTL_MS:
                continue
            self._properties[object_type] = list(entry["names"])
            self._custom[object_type] = frozenset(entry.get("custom") or ())
            self._fetched[object_type] = at
        stages = saved.get("stages")
        at = int((stages or {}).get("at") or 0)
        if stages and self._stages is None and self.now_ms - at < CATALOG_TTL_MS:
            self._stages = {
                t: {sid: _load_stage(v) for sid, v in by_id.items()}
                for t, by_id in stages["types"].items()
            }
            self._stages_at = at

    def snapshot(self, object_types: tuple[str, ...], stages: bool) -> dict[str, Any]:
        """What a stream reading ``object_types`` saves (only entries already known)."""
        out: dict[str, Any] = {"properties": {}}
        for object_type in object_types:
            if object_type in self._properties:
                out["properties"][object_type] = {
                    "at": self._fetched.get(object_type, self.now_ms),
                    "names": self._properties[object_type],
                    "custom": sorted(self._custom.get(object_type, ())),
                }
        if stages and self._stages is not None:
            out["stages"] = {
                "at": self._stages_at,
                "types": {
                    t: {sid: _dump_stage(s) for sid, s in by_id.items()}
                    for t, by_id in self._stages.items()
                },
            }
        return out


def _dump_stage(stage: Stage) -> list[Any]:
    probability = str(stage.probability) if stage.probability is not None else None
    return [stage.label, stage.is_closed, stage.is_won, probability]


def _load_stage(raw: list[Any]) -> Stage:
    label, closed, won, probability = raw
    return Stage(str(label), bool(closed), bool(won), _probability(probability))
