"""A custom object's rows to common records, by the admin's mapping.

Connectors hand over flat rows (field name -> value: a lookup as the referenced id, times
as the CRM sends them) with the record's id and times; the mapping picks the values. A
value that cannot be read as its common field's type makes the row ``Quarantined``.
Fields the mapping does not use are kept in ``custom_fields`` (an "event" thus keeps all).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.contract import Quarantined
from connectors.core.custom import COMMON_FIELDS, CustomObjectMapping
from connectors.core.records import (
    Account,
    Activity,
    Case,
    CommonRecord,
    Contact,
    Deal,
    DealProduct,
)

__all__ = ["CustomRecordMapper", "RowMeta", "parse_time"]

Raw = dict[str, Any]

_CHANNEL_FIELD = {"activity": "channel", "event": "channel", "case": "origin_channel"}
_CHANNEL_FIELD |= {"deal": "source_channel", "person": "source_channel"}
_DETAIL_FIELD = {"case": "origin_detail", "deal": "source_detail", "person": "source_detail"}
_LINK_FIELDS = {
    "activity": {"person": "contact_id", "lead": "lead_id", "account": "account_id"},
    "case": {"person": "contact_id", "account": "account_id", "deal": "deal_id"},
    "deal": {"person": "contact_id", "account": "account_id"},
    "person": {"account": "account_id"},
    "organisation": {},
    "product": {"deal": "deal_id"},
}
_LINK_FIELDS["activity"] |= {"deal": "deal_id"}
_LINK_FIELDS["event"] = _LINK_FIELDS["activity"]
_CLASSES: dict[str, type[CommonRecord]] = {
    "activity": Activity,
    "event": Activity,
    "case": Case,
    "deal": Deal,
    "person": Contact,
    "organisation": Account,
    "product": DealProduct,
}


@dataclass(frozen=True)
class RowMeta:
    """What the connector knows of a row besides its fields."""

    remote_id: str
    created: datetime | None
    updated: datetime | None
    deleted: bool = False


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (``Z``, ``+0000`` or ``+00:00``), a date alone (midnight UTC) or epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _value(kind: str, raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    if kind == "datetime":
        return parse_time(raw)
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
    if kind == "decimal":
        try:
            return Decimal(str(raw))
        except InvalidOperation as exc:
            raise ValueError(f"{raw!r} is not a number") from exc
    if kind == "int":
        return int(Decimal(str(raw)))
    if kind == "bool":
        return raw if isinstance(raw, bool) else str(raw).casefold() in ("true", "1", "yes")
    return str(raw)


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


class CustomRecordMapper:
    """Maps rows of one custom object to records of its mapped kind."""

    def __init__(self, source: str, mapping: CustomObjectMapping) -> None:
        self.source = source
        self.mapping = mapping
        rule = mapping.channel
        self._channels = {_key(k): v for k, v in rule.map.items()} if rule else {}
        self._used = {name for _, name in mapping.remote_fields()}

    def channel(self, row: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """(channel, the raw value it came from)."""
        rule = self.mapping.channel
        if rule is None:
            return None, None
        if rule.value is not None:
            return rule.value, None
        raw = row.get(rule.field or "")
        if raw is None or not str(raw).strip():
            return None, None
        return self._channels.get(_key(str(raw)), rule.default), str(raw)

    def map_rows(
        self,
        obj: str,
        raws: Iterable[Raw],
        remote_id: Callable[[Raw], str],
        read: Callable[[Raw, str], tuple[Mapping[str, Any], RowMeta]],
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        """Records of a page of ``obj``'s payloads: ``read`` gives a payload's flat row and
        meta (it may raise like ``map``); a payload that does not fit is quarantined whole,
        with the reason, under its remote id."""
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        for raw in raws:
            rid = remote_id(raw)
            try:
                row, meta = read(raw, rid)
                records.append(self.map(row, meta))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                reason = f"{obj}: cannot map ({type(exc).__name__}: {exc})"
                bad.append(Quarantined(rid, reason, dict(raw)))
        return records, bad

    def map(self, row: Mapping[str, Any], meta: RowMeta) -> CommonRecord:
        """The row as a record; ValueError (and the like) when a value does not fit."""
        mapping = self.mapping
        kind = mapping.kind
        values: dict[str, Any] = {}
        types = COMMON_FIELDS[kind]
        for common, name in mapping.fields.items():
            try:
                values[common] = _value(types[common], row.get(name))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{name}: {exc}") from exc
        for link, common in _LINK_FIELDS[kind].items():
            name = getattr(mapping.links, link)
            if name is not None and row.get(name) not in (None, ""):
                values[common] = str(row[name])
        owner = row.get(mapping.links.owner) if mapping.links.owner else None
        if owner not in (None, ""):
            values["owner_id"] = str(owner)
        channel, detail = self.channel(row)
        if kind in _CHANNEL_FIELD and mapping.channel is not None:
            values[_CHANNEL_FIELD[kind]] = channel
            if kind in _DETAIL_FIELD:
                values[_DETAIL_FIELD[kind]] = detail
        if kind in ("activity", "event"):
            values["activity_type"] = mapping.activity_type or "event"
            if mapping.direction is not None:
                values["direction"] = mapping.direction
            values.setdefault("occurred_at", None)
            values["occurred_at"] = values["occurred_at"] or meta.created
        if kind == "case":
            values["opened_at"] = values.get("opened_at") or meta.created
        if kind == "product" and "deal_id" not in values:
            raise ValueError(f"{mapping.links.deal}: empty, and a product line needs its deal")
        custom = {k: v for k, v in row.items() if k not in self._used}
        return _CLASSES[kind](
            source=self.source,
            remote_id=meta.remote_id,
            remote_created_at=meta.created,
            remote_updated_at=meta.updated,
            deleted=meta.deleted,
            deleted_at=meta.updated if meta.deleted else None,
            custom_fields=custom,
            raw=dict(row),
            **values,
        )
