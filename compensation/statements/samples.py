"""Made-up statements with every section filled: for previews, tests and benchmarks.

Deterministic: the same ``index`` always gives the same statement. Names, amounts and the
locale vary with ``index`` so a batch looks like a real team.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

from compensation.statements.model import (
    Adjustment,
    Attainment,
    Clawback,
    DrawBalance,
    OtherLine,
    PastPeriod,
    PayableLine,
    Period,
    PipelineDeal,
    PlanRef,
    Recipient,
    Statement,
    UsageComponent,
    UsageScore,
    WhatIf,
    WithheldLine,
)

__all__ = ["sample_period", "sample_statement"]

_FIRST = ("Ana", "Bruno", "Chloé", "Diego", "Emma", "Farid", "Greta", "Hugo", "Inés", "Jules")
_LAST = ("Martin", "García", "Dubois", "López", "Bernard", "Moreau", "Sánchez", "Petit")
_ACCOUNTS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
# Slot ids as plans name them; the statement shows them as roles in words.
_SLOTS = ("close", "qualification", "lead_source", "field_work", "customer_care")
_LOCALES = ("en", "fr", "es")


def sample_period(key: str = "2026-10") -> Period:
    year, month = (int(part) for part in key.split("-"))
    end = date(year + month // 12, month % 12 + 1, 1).fromordinal(
        date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
    )
    return Period(key=key, start=date(year, month, 1), end=end)


def sample_statement(
    index: int,
    period: Period | None = None,
    locale: str | None = None,
    domain: str = "example.com",
    version: int = 1,
) -> Statement:
    """Employee number ``index``'s statement for ``period`` (default 2026-10)."""
    period = period or sample_period()
    first, last = _FIRST[index % len(_FIRST)], _LAST[(index // 3) % len(_LAST)]
    employee = f"E{index:06d}"
    recipient = Recipient(
        employee_id=employee,
        name=f"{first} {last}",
        email=f"{employee.lower()}@{domain}",
        locale=locale or _LOCALES[index % len(_LOCALES)],
        team="Field sales",
    )
    lines = []
    for n in range(3 + index % 4):
        account = _ACCOUNTS[(index + n) % len(_ACCOUNTS)]
        share = Decimal(("0.5", "0.25", "1", "0.2")[(index + n) % 4])
        deal_amount = Decimal(10_000 + 1_250 * ((index * 7 + n * 3) % 17))
        credited = deal_amount * share
        fx = Decimal("1.0832") if n % 3 == 2 else None
        converted = (credited * fx).quantize(Decimal("0.01")) if fx else credited
        rate = Decimal(("0.04", "0.05", "0.06")[n % 3])
        lines.append(
            PayableLine(
                deal_key=f"salesforce:deals:{employee}-{n}",
                deal_name=f"{account} renewal {2026 + n % 2}",
                # the first deal's split was set by an administrator
                slot="override" if n == 0 else _SLOTS[(index + n) % len(_SLOTS)],
                share=share,
                credited_amount=credited,
                currency="USD" if fx else "EUR",
                converted_amount=converted,
                rate=rate,
                amount=(converted * rate).quantize(Decimal("0.01")),
                rule=f"base rate tier {1 + n % 3}",
                acts=()
                if n == 0
                else (f"call on {period.start.isoformat()}", "meeting at the customer's site"),
                fx_rate=fx,
                close_date=period.start.replace(day=1 + (n * 7) % 28),
                split=(
                    "split set by Ana García effective 2026-10-03: agreed at the pipeline "
                    f"review: {(share * 100).normalize():f}%"
                    if n == 0
                    else ""
                ),
            )
        )
    payable = tuple(lines)
    credited_total = sum((line.converted_amount for line in payable), Decimal(0))
    adjustments = (Adjustment("Q3 split correction", Decimal("125.00"), "Late split", "2026-09"),)
    clawbacks = (
        (Clawback(f"hubspot:deals:{employee}-x", "Globex pilot", Decimal("-80.00"), "Cancelled"),)
        if index % 2
        else ()
    )
    draws = (
        DrawBalance(
            "Ramp draw", Decimal("1000.00"), Decimal(0), Decimal("200.00"), Decimal("800.00")
        ),
    )
    commissions = sum((line.amount for line in payable), Decimal(0))
    other = (OtherLine("kpi_bonus", "Customer satisfaction bonus", Decimal("150.00"), "kpi csat"),)
    total = (
        commissions
        + Decimal("150.00")
        + Decimal("125.00")
        + sum((c.amount for c in clawbacks), Decimal(0))
    )
    return Statement(
        statement_id=f"{period.key}:{employee}",
        version=version,
        period=period,
        recipient=recipient,
        plan=PlanRef("field-2026", "Field sales 2026", "3"),
        currency="EUR",
        as_of=datetime(period.end.year, period.end.month, period.end.day, 18, 0, tzinfo=UTC),
        total_payable=total - Decimal("200.00"),
        payable=payable,
        other=other,
        withheld=(
            WithheldLine(
                f"zoho:deals:{employee}-w",
                "Initech expansion",
                "documentation",
                "this deal was created in the CRM on its close date: record opportunities "
                "as soon as they open",
                "Enter each opportunity in the CRM at least 3 days before it closes.",
                Decimal("310.00"),
                "field_work",
            ),
        ),
        adjustments=adjustments,
        clawbacks=clawbacks,
        draws=draws,
        attainment=Attainment(
            credited_total, Decimal(60_000), (Decimal("0.5"), Decimal("1"), Decimal("1.2"))
        ),
        usage=UsageScore(
            Decimal(62 + index % 30),
            (
                UsageComponent(
                    "completeness",
                    "Complete records",
                    Decimal(80),
                    Decimal("0.4"),
                    "Fill in the amount and close date on every open deal.",
                ),
                UsageComponent(
                    "freshness",
                    "Up-to-date pipeline",
                    Decimal(45),
                    Decimal("0.6"),
                    "Log an activity on open deals regularly.",
                ),
            ),
            Decimal(60),
            bands=((Decimal(85), Decimal("1.1")), (Decimal(60), Decimal(1))),
        ),
        what_if=WhatIf(
            (
                PipelineDeal(
                    f"salesforce:deals:{employee}-p1",
                    "Hooli expansion",
                    Decimal("420.00"),
                    "Negotiation",
                    period.end,
                ),
                PipelineDeal(
                    f"salesforce:deals:{employee}-p2",
                    "Stark services",
                    Decimal("180.50"),
                    "Proposal",
                    None,
                ),
                PipelineDeal(
                    f"salesforce:deals:{employee}-p3",
                    "Wayne pilot",
                    Decimal(0),
                    "Prospecting",
                    None,
                    "this deal was created in the CRM on its close date: record "
                    "opportunities as soon as they open",
                    "documentation",
                ),
            ),
            Decimal("600.50"),
            Decimal("1.04"),
        ),
        history=tuple(
            PastPeriod(dataclasses.replace(sample_period(key), closed=True), Decimal(amount))
            for key, amount in (("2026-08", "1210.40"), ("2026-09", "980.15"))
            if key < period.key and key[:4] == period.key[:4]
        ),
        payout_date=date(period.end.year + period.end.month // 12, period.end.month % 12 + 1, 25),
    )
