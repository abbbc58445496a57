"""What the connector learns about the portal once per run: properties and pipelines."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.mapping import Stage

__all__ = ["Catalog"]

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
    """Property names (all, and custom) per object type, and pipeline stages."""

    def __init__(self, http: HubSpotHttp, apis: Apis) -> None:
        self.http = http
        self.apis = apis
        self._properties: dict[str, list[str]] = {}
        self._custom: dict[str, frozenset[str]] = {}
        self._stages: dict[str, dict[str, Stage]] | None = None

    def properties(self, object_type: str) -> list[str]:
        if object_type not in self._properties:
            body = self.http.call(self.apis.properties.get_all, object_type).body or {}
            results = body.get("results") or []
            self._properties[object_type] = sorted(str(p["name"]) for p in results)
            self._custom[object_type] = frozenset(
                str(p["name"]) for p in results if not p.get("hubspotDefined", True)
            )
        return self._properties[object_type]

    def custom(self) -> dict[str, frozenset[str]]:
        return self._custom

    def forget(self) -> None:
        """Re-read properties next time (after custom properties were created)."""
        self._properties.clear()
        self._custom.clear()

    def stages(self) -> dict[str, dict[str, Stage]]:
        if self._stages is None:
            stages: dict[str, dict[str, Stage]] = {}
            for object_type in _PIPELINE_TYPES:
                body = self.http.call(self.apis.pipelines.get_all, object_type).body or {}
                by_id = stages.setdefault(object_type, {})
                for pipeline in body.get("results") or ():
                    for stage in pipeline.get("stages") or ():
                        by_id[str(stage["id"])] = _stage(object_type, stage)
            self._stages = stages
        return self._stages
