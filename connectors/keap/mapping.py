"""Keap records -> crmsync's common records.

Keap sends ids as integers, timestamps as ISO 8601 in UTC (``2026-11-03T09:12:44.000Z``),
money as numbers, and nests what a record points at (``contact``, ``company``, ``stage``,
``user``) or names it by id (``contact_id``, ``user_id``, ``owner_id``). Orders name their
dates ``creation_date`` and ``modification_date``. Custom fields come as
``[{"id": 7, "content": ...}]``: the mapper keys them by the field's label (crmsync names
its own fields by their label), from the object's model.

Three objects feed activities and two feed deals, each numbered on its own, so their
remote ids carry the object's prefix (``note-12``, ``order-7``); contacts, companies,
opportunities and users keep Keap's number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.channels import ChannelMap
from connectors.core.contract import Quarantined
from connectors.core.records import Account, Activity, CommonRecord, Contact, Deal, User
from connectors.core.values import domain_of

__all__ = ["PREFIXES", "KeapMapper", "Row", "remote_id", "updated_at"]

Row = dict[str, Any]
PREFIXES = {"notes": "note-", "tasks": "task-", "appointments": "appt-", "orders": "order-"}
_WON, _LOST = {"won", "closed won"}, {"lost", "closed lost"}


def remote_id(obj: str, row: Row) -> str:
    return f"{PREFIXES.get(obj, '')}{row['id']}"


def _time(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def updated_at(row: Row) -> datetime | None:
    stamp = row.get("last_updated") or row.get("update_time") or row.get("last_updated_time")
    return _time(stamp or row.get("modification_date"))


def _date(raw: Any) -> date | None:
    when = _time(raw)
    return when.date() if when else None


def _money(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        raw = raw.get("id")
    return None if raw in (None, "", 0) else str(raw)


def _first(items: Any, key: str) -> str | None:
    for item in items or []:
        if isinstance(item, dict) and item.get(key):
            return str(item[key])
    return None


class KeapMapper:
    def __init__(self, source: str, channels: ChannelMap, currency: str) -> None:
        self.source = source
        self.channels = channels
        self.currency = currency

    def map_rows(
        self, stream: str, obj: str, rows: list[Row], labels: Mapping[int, str]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        build: Callable[[Row, dict[str, Any]], CommonRecord] = getattr(self, f"_{obj}")
        for row in rows:
            try:
                records.append(build(row, self._base(obj, row, labels)))
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                rid = row.get("id")
                bad.append(
                    Quarantined(
                        None if rid is None else str(rid),
                        f"cannot map Keap {obj} record: {exc!r}",
                        row,
                    )
                )
        return records, bad

    def _base(self, obj: str, row: Row, labels: Mapping[int, str]) -> dict[str, Any]:
        customs = {
            labels.get(int(c["id"]), str(c["id"])): c.get("content")
            for c in row.get("custom_fields") or []
            if isinstance(c, dict) and "id" in c
        }
        return {
            "source": self.source,
            "remote_id": remote_id(obj, row),
            "remote_created_at": _time(
                row.get("date_created")
                or row.get("create_time")
                or row.get("created_time")
                or row.get("creation_date")
            ),
            "remote_updated_at": updated_at(row),
            "custom_fields": customs,
            "raw": row,
        }

    def _users(self, row: Row, base: dict[str, Any]) -> User:
        first, last = row.get("given_name"), row.get("family_name")
        return User(
            **base,
            email=row.get("email_address"),
            first_name=first,
            last_name=last,
            name=" ".join(p for p in (first, last) if p) or None,
            is_active=str(row.get("status") or "").lower() == "active",
            role="admin" if row.get("admin") else None,
        )

    def _contacts(self, row: Row, base: dict[str, Any]) -> Contact:
        address = next(iter(row.get("addresses") or []), None) or {}
        source = row.get("source_type")
        return Contact(
            **base,
            first_name=row.get("given_name"),
            last_name=row.get("family_name"),
            title=row.get("job_title"),
            email=_first(row.get("email_addresses"), "email"),
            phone=_first(row.get("phone_numbers"), "number"),
            street=address.get("line1"),
            city=address.get("locality"),
            state=address.get("region"),
            postal_code=address.get("postal_code"),
            country=address.get("country_code"),
            account_id=_id(row.get("company")),
            owner_id=_id(row.get("owner_id")),
            source_channel=self.channels.lead_source(source),
            source_detail=source,
        )

    def _companies(self, row: Row, base: dict[str, Any]) -> Account:
        website = row.get("website")
        domain = domain_of(website)
        address = row.get("address") or {}
        return Account(
            **base,
            name=row.get("company_name"),
            website=website,
            domain=domain,
            phone=(row.get("phone_number") or {}).get("number"),
            street=address.get("line1"),
            city=address.get("locality"),
            state=address.get("region"),
            postal_code=address.get("postal_code"),
            country=address.get("country_code"),
        )

    def _opportunities(self, row: Row, base: dict[str, Any]) -> Deal:
        stage = row.get("stage") or {}
        name = stage.get("name")
        probability = (stage.get("details") or {}).get("probability")
        lowered = str(name or "").lower()
        return Deal(
            **base,
            name=row.get("opportunity_title"),
            contact_id=_id(row.get("contact")),
            stage=name,
            is_closed=lowered in _WON | _LOST,
            is_won=lowered in _WON,
            amount=_money(row.get("projected_revenue_high")),
            currency=self.currency,
            close_date=_date(row.get("estimated_close_time") or row.get("estimated_close_date")),
            probability=None if probability is None else Decimal(str(probability)),
            owner_id=_id(row.get("user")),
        )

    def _orders(self, row: Row, base: dict[str, Any]) -> Deal:
        status = row.get("status")
        paid = str(status or "").upper() == "PAID"
        return Deal(
            **base,
            name=row.get("title"),
            contact_id=_id(row.get("contact")),
            stage=status,
            pipeline="orders",
            is_closed=paid,
            is_won=paid,
            amount=_money(row.get("total")),
            currency=self.currency,
            close_date=_date(row.get("order_date")),
            source_channel=self.channels.lead_source(row.get("source_type")),
            source_detail=row.get("source_type"),
            deal_type="order",
        )

    def _activity(self, row: Row, base: dict[str, Any], kind: str, raw_type: str) -> Activity:
        return Activity(
            **base,
            activity_type=kind,
            channel=self.channels.activity(raw_type),
            contact_id=_id(row.get("contact_id") or row.get("contact")),
            owner_id=_id(row.get("user_id") or row.get("user")),
            subject=row.get("title"),
        )

    def _notes(self, row: Row, base: dict[str, Any]) -> Activity:
        note = self._activity(row, base, "note", str(row.get("type") or "Other"))
        note.occurred_at = _time(row.get("date_created"))
        return note

    def _tasks(self, row: Row, base: dict[str, Any]) -> Activity:
        task = self._activity(row, base, "task", str(row.get("type") or "Other"))
        task.occurred_at = _time(row.get("completion_date") or row.get("due_date"))
        task.status = "Completed" if row.get("completed") else "Open"
        return task

    def _appointments(self, row: Row, base: dict[str, Any]) -> Activity:
        meeting = self._activity(row, base, "meeting", "Appointment")
        start, end = _time(row.get("start_date")), _time(row.get("end_date"))
        meeting.occurred_at = start
        if start and end:
            meeting.duration_seconds = int((end - start).total_seconds())
        return meeting
