"""Which fields to read from an object, from its ``describe``, cached in the stream state.

Describes are fetched together, one Composite Batch for every object that needs one, and
kept with the server time of the run that fetched them. A run re-describes an object only
on a full sync (``refresh``) or when its describe is older than ``describe_ttl`` on the
server's clock, so an incremental run spends no call on describes. The catalog rides in
every page's state (``to_state`` / ``load``), so a new connector instance starts warm.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connectors.salesforce.batch import CompositeBatch

if TYPE_CHECKING:
    from connectors.salesforce.http import SalesforceHttp

__all__ = ["RELATIONSHIP_FIELDS", "FieldCatalog", "ObjectFields"]

# compound and binary fields cannot be selected by Bulk queries; their parts can
_SKIPPED_TYPES = {"address", "location", "base64"}
# parent fields read alongside an object's own
RELATIONSHIP_FIELDS: dict[str, tuple[str, ...]] = {
    "CampaignMember": ("Campaign.Name",),
    "OpportunityLineItem": ("Product2.Name",),
    "OpportunitySplit": ("SplitType.DeveloperName",),
}


@dataclass(frozen=True)
class ObjectFields:
    """The SELECT list of an object, its custom fields and each field's describe type."""

    object_name: str
    select: tuple[str, ...]
    custom: tuple[str, ...]
    types: dict[str, str]

    @classmethod
    def from_describe(cls, object_name: str, body: dict[str, Any]) -> ObjectFields:
        fields = [
            (f["name"], str(f.get("type", "string")), bool(f.get("custom")))
            for f in body.get("fields", [])
            if f.get("type") not in _SKIPPED_TYPES
        ]
        return cls.from_fields(object_name, fields)

    @classmethod
    def from_fields(cls, object_name: str, fields: Iterable[tuple[str, str, bool]]) -> ObjectFields:
        """From ``(name, type, custom)`` triples, as describe lists them."""
        fields = list(fields)
        select = [name for name, _, _ in fields] + list(RELATIONSHIP_FIELDS.get(object_name, ()))
        return cls(
            object_name,
            tuple(select),
            tuple(name for name, _, custom in fields if custom),
            {name: kind for name, kind, _ in fields},
        )

    def to_fields(self) -> list[list[Any]]:
        custom = set(self.custom)
        return [[name, kind, name in custom] for name, kind in self.types.items()]

    def has(self, name: str) -> bool:
        return name in self.types


@dataclass(frozen=True)
class _Entry:
    fields: ObjectFields
    at: datetime  # server time of the run that described the object


class FieldCatalog:
    """Describe results per object, batched, with their age on the server's clock."""

    def __init__(self, http: SalesforceHttp) -> None:
        self._http = http
        self._batch = CompositeBatch(http)
        self._cache: dict[str, _Entry] = {}
        self.describes = 0  # objects described by this instance (for tests and logs)

    def load(self, saved: Mapping[str, Any] | None) -> None:
        """Take the describes a stream state carries, where newer than what is known."""
        for name, item in (saved or {}).items():
            try:
                at = datetime.fromisoformat(item["at"])
                fields = ObjectFields.from_fields(name, (tuple(f) for f in item["fields"]))
            except (KeyError, TypeError, ValueError):
                continue  # a state from an older layout: describe again
            known = self._cache.get(name)
            if known is None or known.at < at:
                self._cache[name] = _Entry(fields, at)

    def to_state(self) -> dict[str, Any]:
        return {
            name: {"at": entry.at.isoformat(), "fields": entry.fields.to_fields()}
            for name, entry in sorted(self._cache.items())
        }

    def fresh(self, name: str, now: datetime, refresh: bool) -> bool:
        entry = self._cache.get(name)
        if entry is None:
            return False
        if refresh:  # a full sync describes once per run (stamped with the run's time)
            return entry.at >= now
        return now - entry.at < self._http.settings.describe_ttl

    def ensure(
        self, needed: Iterable[str], now: datetime, refresh: bool, also: Iterable[str] = ()
    ) -> None:
        """Describe every stale object of ``needed`` (and of ``also``) in one batch call.

        A failure on a ``needed`` object raises; ``also`` objects are described on the
        same call while it is made anyway, and their failures are left for later.
        """
        needed = [n for n in dict.fromkeys(needed) if not self.fresh(n, now, refresh)]
        if not needed:
            return
        extra = [n for n in dict.fromkeys(also) if n not in needed]
        extra = [n for n in extra if not self.fresh(n, now, refresh)]
        names = needed + extra
        answers = self._batch.get("describe", [f"sobjects/{n}/describe" for n in names])
        for name, answer in zip(names, answers, strict=True):
            if answer.ok:
                self._cache[name] = _Entry(ObjectFields.from_describe(name, answer.body), now)
                self.describes += 1
            elif name in needed:
                raise answer.error(self._http.source, f"describe {name}")

    def known(self, name: str) -> ObjectFields | None:
        entry = self._cache.get(name)
        return None if entry is None else entry.fields

    def get(self, name: str) -> ObjectFields:
        """An object's fields, described now (alone) if never described before."""
        entry = self._cache.get(name)
        if entry is None:
            body = self._http.call(f"describe {name}", lambda sf: getattr(sf, name).describe())
            fields = ObjectFields.from_describe(name, body or {})
            # an unknown age: the next run's TTL check describes it again
            self._cache[name] = _Entry(fields, datetime.min.replace(tzinfo=UTC))
            self.describes += 1
            return fields
        return entry.fields

    def forget(self, object_name: str) -> None:
        self._cache.pop(object_name, None)
