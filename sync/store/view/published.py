"""The publishing API: computing steps hand the values they want in the CRMs to push.

::

    from sync.store.view.published import DesiredValue, publish

    with engine.begin() as conn:
        publish(conn, "compute", [DesiredValue("salesforce", "deals", "006...", "incentive_total",
                                                Decimal("1234.50"))])

Publishing replaces everything the step published before, so a value that disappears is
seen by the next push (and the field is emptied when its target says so). Values are
stored as canonical text: ``Decimal`` as its plain form, strings as they are, ``None`` as
NULL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from sync.store.pushback import PublishedValueRow
from sync.store.table_model import table_of

__all__ = ["DesiredValue", "canonical", "load_published", "publish"]

_TABLE = table_of(PublishedValueRow)
_CHUNK = 2000


@dataclass(frozen=True)
class DesiredValue:
    """A value a step wants on one CRM record (``object`` is the store table)."""

    source: str
    object: str
    remote_id: str
    key: str
    value: Decimal | str | None


def _text(value: Decimal | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return format(value, "f")
    if isinstance(value, bool | int | float):
        raise TypeError("publish Decimal for numbers (money is never float)")
    return str(value)


def publish(conn: Connection, step: str, rows: Iterable[DesiredValue]) -> int:
    """Replace ``step``'s published values with ``rows``; returns how many were published.

    Raises ``ValueError`` when a record's key is given twice, or was published by another
    step (one owner per value).
    """
    records: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in rows:
        spot = (row.source, row.object, row.remote_id, row.key)
        if spot in records:
            raise ValueError(
                f"{step} publishes {row.key} for {row.source} {row.object} {row.remote_id} twice"
            )
        records[spot] = {
            "step": step,
            "source": row.source,
            "object": row.object,
            "remote_id": row.remote_id,
            "key": row.key,
            "value": _text(row.value),
        }
    keys = sorted({spot[3] for spot in records})
    if keys:
        other = conn.execute(
            select(_TABLE.c.step, _TABLE.c.key)
            .where(_TABLE.c.step != step, _TABLE.c.key.in_(keys))
            .distinct()
            .order_by(_TABLE.c.step, _TABLE.c.key)
        ).first()
        if other is not None:
            raise ValueError(
                f"key {other.key!r} is already published by step {other.step!r}; "
                "each key has one publishing step"
            )
    conn.execute(delete(_TABLE).where(_TABLE.c.step == step))
    ordered = [records[spot] for spot in sorted(records)]
    for start in range(0, len(ordered), _CHUNK):
        conn.execute(insert(_TABLE), ordered[start : start + _CHUNK])
    return len(ordered)


def load_published(
    conn: Connection, sources: Iterable[str] | None = None
) -> dict[tuple[str, str, str, str], str | None]:
    """Every published value: (source, object, remote_id, key) -> canonical text."""
    query = select(
        _TABLE.c.source, _TABLE.c.object, _TABLE.c.remote_id, _TABLE.c.key, _TABLE.c.value
    )
    if sources is not None:
        query = query.where(_TABLE.c.source.in_(sorted(sources)))
    return {(r[0], r[1], r[2], r[3]): r[4] for r in conn.execute(query)}


def canonical(value: Any, kind: str, decimals: int = 2) -> str | None:
    """The comparable text of a value of field type ``kind``; ``None`` for empty.

    Numbers are rounded half-up to ``decimals`` places, so ``1234.5`` from a CRM, ``"1234.50"``
    from HubSpot and ``Decimal("1234.499")`` published all compare equal. A value that is not
    a number for a number field stays as text (the CRM will reject it per record).
    """
    if value is None or value == "":
        return None
    if kind in ("number", "currency", "percent"):
        try:
            number = Decimal(str(value)) if not isinstance(value, Decimal) else value
            step = Decimal(1).scaleb(-decimals)
            return format(number.quantize(step, rounding=ROUND_HALF_UP), "f")
        except (InvalidOperation, ValueError):
            return str(value)
    if kind == "date" and isinstance(value, date | datetime):
        return value.isoformat()[:10]
    if kind == "datetime" and isinstance(value, datetime):
        return value.isoformat()
    return str(value)
