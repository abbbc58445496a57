"""Golden records: per-field winning values with provenance, chosen by YAML rules.

The golden record is an overlay: source records are never changed, and recomputing after
an unlink gives each side its own golden values again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sync.config.reconcile import FieldRule, ReconcileConfig
from sync.reconcile.entities import DISPLAY_FIELDS, LIST_FIELDS, Entity
from sync.reconcile.normalize import fold

__all__ = [
    "PREFIX",
    "Survivorship",
    "golden_record",
    "identity_id",
    "provenance_read",
    "provenance_stored",
]

PREFIX = {"person": "P-", "organisation": "O-", "employee": "E-"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def identity_id(kind: str, members: Sequence[Entity]) -> str:
    """Stable id: kind prefix + hash of the earliest member's key (created time, then key)."""
    earliest = min(members, key=lambda e: (e.created_at or _EPOCH, e.key))
    return PREFIX[kind] + hashlib.sha1(earliest.key.encode()).hexdigest()[:12]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _recency(entity: Entity) -> tuple[datetime, str]:
    return (entity.updated_at or entity.created_at or _EPOCH, entity.key)


class Survivorship:
    """The golden records of one configuration: each field's rule looked up once, not per
    field of each of a million identities (``golden_record`` for one identity)."""

    def __init__(self, config: ReconcileConfig) -> None:
        self.config = config
        self._rules: dict[str, FieldRule] = {}
        # Per kind: the fields of a lone record in sorted order, each with its position in
        # ``Entity.display`` (or the name of its list) and its rule's name.
        self._layouts: dict[str, list[tuple[str, int | str, str]]] = {}

    def rule_for(self, name: str) -> FieldRule:
        found = self._rules.get(name)
        if found is None:
            found = self._rules[name] = self.config.rule_for(name)
        return found

    def stored(self, members: Sequence[Entity]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(golden values, provenance as the store keeps it: ``provenance_stored``) of an
        identity's members."""
        if len(members) == 1:
            return self._single(members[0])
        golden, provenance = _merged(members, self.config, self.rule_for)
        return golden, provenance_stored(provenance)

    def _layout(self, kind: str) -> list[tuple[str, int | str, str]]:
        found = self._layouts.get(kind)
        if found is None:
            places: dict[str, int | str] = {n: k for k, n in enumerate(DISPLAY_FIELDS[kind])}
            places.update({name: name for name in LIST_FIELDS[kind]})
            found = [(name, places[name], self.rule_for(name).rule) for name in sorted(places)]
            self._layouts[kind] = found
        return found

    def _single(self, member: Entity) -> tuple[dict[str, Any], dict[str, Any]]:
        # Most identities have one record: every rule picks its value (same result, faster),
        # and the provenance names that one record in every field.
        display = member.display
        if len(display) != len(DISPLAY_FIELDS[member.kind]):  # a partial record: its fields
            values, provenance = _single(member, self.rule_for)
            return values, provenance_stored(provenance)
        golden: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        for name, place, rule in self._layout(member.kind):
            value = display[place] if isinstance(place, int) else list(getattr(member, place))
            if value is None or value == "" or value == []:
                golden[name] = None
            else:
                golden[name] = value
                fields[name] = [rule, [0] if rule == "union" else 0]
        return golden, {"records": [member.key] if fields else [], "fields": fields}


def provenance_stored(provenance: dict[str, Any]) -> dict[str, Any]:
    """Provenance as the store keeps it: each record key once, fields naming records by
    position (``{"records": [key, ...], "fields": {field: [rule, n or [n, ...]]}}``).
    Written out per field, the keys were two thirds of the text: 470 MB at 1 M people."""
    records: dict[str, int] = {}
    fields: dict[str, list[Any]] = {}
    for name, source in provenance.items():
        if "records" in source:
            where: Any = [records.setdefault(k, len(records)) for k in source["records"]]
        else:
            where = records.setdefault(source["record"], len(records))
        fields[name] = [source["rule"], where]
    return {"records": list(records), "fields": fields}


def provenance_read(stored: dict[str, Any]) -> dict[str, Any]:
    """Provenance per field (``golden_record``'s form) from its stored form; a store's
    rows written before the stored form are read as they are."""
    fields, records = stored.get("fields"), stored.get("records")
    if not isinstance(fields, dict) or not isinstance(records, list):
        return stored  # per field already
    found: dict[str, Any] = {}
    for name, (rule, where) in fields.items():
        if isinstance(where, list):
            found[name] = {"rule": rule, "records": [records[n] for n in where]}
        else:
            found[name] = {"rule": rule, "record": records[where]}
    return found


def golden_record(
    members: Sequence[Entity], config: ReconcileConfig
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(golden values, provenance) of an identity's members."""
    if len(members) == 1:
        return _single(members[0], config.rule_for)
    return _merged(members, config, config.rule_for)


def _merged(
    members: Sequence[Entity], config: ReconcileConfig, rule_for: Callable[[str], FieldRule]
) -> tuple[dict[str, Any], dict[str, Any]]:
    shown = {m.key: m.values for m in members}  # built once per member
    fields = sorted({name for values in shown.values() for name in values})
    golden: dict[str, Any] = {}
    provenance: dict[str, Any] = {}
    # Each member's rank under a source order, made once per identity (most fields share
    # the configured order), not once per comparison.
    ranks: dict[int, dict[str, tuple[int, float, str]]] = {}

    def ranked(priority: Sequence[str]) -> dict[str, tuple[int, float, str]]:
        found = ranks.get(id(priority))
        if found is None:
            found = ranks[id(priority)] = {m.key: _priority(m, priority) for m in members}
        return found

    for name in fields:
        rule = rule_for(name)
        candidates = [m for m in members if not _empty(shown[m.key].get(name))]
        if not candidates:
            golden[name] = None
            continue
        rank = ranked(rule.sources or config.source_priority)
        if rule.rule == "union":
            values: list[Any] = []
            for member in sorted(candidates, key=lambda m: rank[m.key]):
                for item in shown[member.key][name]:
                    if item not in values:
                        values.append(item)
            golden[name] = values
            provenance[name] = {"rule": rule.rule, "records": sorted(m.key for m in candidates)}
            continue
        winner = _winner(rule.rule, name, candidates, shown, rank, config)
        golden[name] = shown[winner.key][name]
        provenance[name] = {"rule": rule.rule, "record": winner.key}
    return golden, provenance


def _single(
    member: Entity, rule_for: Callable[[str], FieldRule]
) -> tuple[dict[str, Any], dict[str, Any]]:
    golden: dict[str, Any] = {}
    provenance: dict[str, Any] = {}
    values = member.values
    for name in sorted(values):
        value = values[name]
        golden[name] = None if _empty(value) else value
        if not _empty(value):
            rule = rule_for(name).rule
            where = {"records": [member.key]} if rule == "union" else {"record": member.key}
            provenance[name] = {"rule": rule, **where}
    return golden, provenance


def _priority(member: Entity, priority: Sequence[str]) -> tuple[int, float, str]:
    rank = priority.index(member.source) if member.source in priority else len(priority)
    recency = _recency(member)[0].timestamp()
    return rank, -recency, member.key


def _winner(
    rule: str,
    name: str,
    candidates: Sequence[Entity],
    shown: dict[str, dict[str, Any]],
    rank: dict[str, tuple[int, float, str]],
    config: ReconcileConfig,
) -> Entity:
    if rule == "source_priority":
        return min(candidates, key=lambda m: rank[m.key])
    if rule == "most_complete":
        return min(candidates, key=lambda m: (-len(str(shown[m.key][name])), rank[m.key]))
    if rule == "furthest_in_funnel":
        order = [fold(stage).replace(" ", "") for stage in config.lifecycle_order]

        def stage(member: Entity) -> int:
            value = fold(str(shown[member.key][name])).replace(" ", "")
            return order.index(value) if value in order else -1

        ranked = [m for m in candidates if stage(m) >= 0]
        if ranked:
            return max(ranked, key=lambda m: (stage(m), _recency(m)))
    return max(candidates, key=_recency)
