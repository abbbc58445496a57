"""Stored results back into the engine's dataclasses (the inverse of ``canonical_json``).

Closed periods are stored as canonical JSON; a run needs them as
:class:`~compensation.calculation.PeriodResult` again (clawbacks, draw balances, prior-period
changes). Decoding then re-encoding gives the same bytes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from compensation.calculation import EmployeeResult, PayLine, PeriodResult, WithheldLine

__all__ = ["decode_employee", "decode_period"]


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _decimals(values: dict[str, Any]) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in values.items()}


def _line(data: dict[str, Any]) -> PayLine:
    return PayLine(
        key=data["key"],
        kind=data["kind"],
        component=data["component"],
        amount=Decimal(data["amount"]),
        currency=data["currency"],
        rule=data["rule"],
        deal=data.get("deal"),
        pool=data.get("pool"),
        slot=data.get("slot"),
        share=_dec(data.get("share")),
        acts=tuple(data.get("acts") or ()),
        original_amount=_dec(data.get("original_amount")),
        original_currency=data.get("original_currency"),
        fx_rate=_dec(data.get("fx_rate")),
        fx_date=_day(data.get("fx_date")),
        fx_source=data.get("fx_source"),
        converted_amount=_dec(data.get("converted_amount")),
        detail=dict(data.get("detail") or {}),
    )


def _withheld(data: dict[str, Any]) -> WithheldLine:
    return WithheldLine(
        key=data["key"],
        component=data["component"],
        deal=data["deal"],
        pool=data["pool"],
        slot=data["slot"],
        share=Decimal(data["share"]),
        acts=tuple(data.get("acts") or ()),
        original_amount=Decimal(data["original_amount"]),
        original_currency=data["original_currency"],
        gate=data["gate"],
        reason=data["reason"],
        advice=data["advice"],
    )


def decode_employee(data: dict[str, Any] | bytes) -> EmployeeResult:
    """One :class:`EmployeeResult` from its canonical JSON (bytes or parsed)."""
    if isinstance(data, (bytes, str)):
        data = orjson.loads(data)
    assert isinstance(data, dict)
    return EmployeeResult(
        employee=data["employee"],
        name=data["name"],
        plan=data["plan"],
        plan_version=int(data["plan_version"]),
        currency=data["currency"],
        lines=tuple(_line(x) for x in data["lines"]),
        withheld=tuple(_withheld(x) for x in data["withheld"]),
        total=Decimal(data["total"]),
        totals=_decimals(data["totals"]),
        attainment=_decimals(data["attainment"]),
        credited=_decimals(data["credited"]),
        quota=_dec(data.get("quota")),
        quota_currency=data.get("quota_currency"),
        usage_score=_dec(data.get("usage_score")),
        draw_balance_start=Decimal(data["draw_balance_start"]),
        draw_balance_end=Decimal(data["draw_balance_end"]),
        draw_written_off=Decimal(data.get("draw_written_off") or 0),
        draw_on_leaving=data.get("draw_on_leaving"),
        notes=tuple(data.get("notes") or ()),
    )


def decode_period(data: bytes | dict[str, Any]) -> PeriodResult:
    """A :class:`PeriodResult` from its canonical JSON."""
    if isinstance(data, (bytes, str)):
        data = orjson.loads(data)
    assert isinstance(data, dict)
    return PeriodResult(
        period=data["period"],
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        as_of=_day(data.get("as_of")),
        input_hash=data["input_hash"],
        employees=tuple(decode_employee(e) for e in data["employees"]),
        unplaced=tuple(data.get("unplaced") or ()),
        warnings=tuple(data.get("warnings") or ()),
    )
