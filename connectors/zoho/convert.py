"""Zoho wire values -> python values: times, dates, lookups, money, activity links."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.errors import SkippableRecordError
from connectors.core.records import ActivityLinkName, ActivityLinks

__all__ = ["date_value", "links", "money", "parse_time", "ref"]

Row = dict[str, Any]


def parse_time(raw: Any) -> datetime | None:
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(f"datetime without offset: {raw!r}")
    return value.astimezone(UTC)


def date_value(raw: Any) -> date | None:
    return date.fromisoformat(raw) if raw else None


def ref(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, dict):
        rid = raw.get("id")
        return str(rid) if rid is not None else None
    return str(raw)


def money(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError(f"not an amount: {raw!r}")
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {raw!r}") from exc


_WHAT_TARGETS: Mapping[str, ActivityLinkName] = {
    "Accounts": "account_id",
    "Deals": "deal_id",
    "Cases": "case_id",
    "Leads": "lead_id",
    "Contacts": "contact_id",
}


def links(row: Row) -> ActivityLinks:
    """What_Id + $se_module -> the matching link; Who_Id -> the contact."""
    links: ActivityLinks = {}
    who = ref(row.get("Who_Id"))
    if who is not None:
        links["contact_id"] = who
    what = ref(row.get("What_Id"))
    if what is not None:
        target = _WHAT_TARGETS.get(row.get("$se_module") or "")
        if target is None:
            raise SkippableRecordError(f"What_Id points to unknown module {row.get('$se_module')}")
        links.setdefault(target, what)
    return links
