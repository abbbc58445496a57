"""The figures of the Channels and Pipeline pages, from the audit's snapshot of the store.

Channels: leads, conversions and won revenue by origin channel and by the employee who
brought each lead (its owner in the CRM), the conversion rate per channel and month as
a p-chart, and the list of leads. Pipeline: the weighted open pipeline per reconciled
client (the organisation identity, not one CRM's display name) by stage and age, with the
totals of :func:`sync.reports.pipeline_report` beside it. Money stays per currency and is
converted to one currency at the rate in force on each deal's date, both shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from math import sqrt
from typing import Any

from compensation.rates import MissingRateError, RateTable

__all__ = [
    "Converter",
    "Lead",
    "channel_figures",
    "lead_rows",
    "p_chart_points",
    "pipeline_figures",
]

Row = dict[str, Any]
_CONVERTED_STAGES = {"customer", "opportunity", "salesqualifiedlead", "evangelist"}
_AGE_BANDS = ((30, "0-30 days"), (90, "31-90 days"), (180, "91-180 days"))


class Converter:
    """Amounts to one currency at dated rates; what has no rate is counted apart."""

    def __init__(self, rates: RateTable, currency: str) -> None:
        self.rates, self.currency = rates, currency
        self.missing: set[str] = set()

    def __call__(self, amount: Decimal, currency: str, on: date) -> Decimal | None:
        try:
            return self.rates.rate(currency, self.currency, on).convert(amount)
        except MissingRateError:
            self.missing.add(currency)
            return None


@dataclass(frozen=True)
class Lead:
    """One lead as the list shows it."""

    source: str
    remote_id: str
    name: str
    channel: str
    employee: str | None
    created: datetime | None
    converted: bool


@dataclass
class _Cell:
    leads: int = 0
    converted: int = 0
    won: int = 0
    revenue: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    base: Decimal = Decimal(0)


def _lead_tables(snapshot: Any, lead_tables: Mapping[str, list[str]]) -> Iterable[tuple[str, Row]]:
    for table in ("leads", "contacts"):
        for row in snapshot.rows(table):
            if table in lead_tables.get(snapshot.kind(row["source"]), []):
                yield table, row


def lead_rows(
    snapshot: Any,
    lead_tables: Mapping[str, list[str]],
    non_lead_stages: list[str],
    employee_of: Callable[[str, str | None], str | None],
) -> list[Lead]:
    """Every lead (the CRMs' lead objects, less the stages that are no leads)."""
    skip = {stage.casefold() for stage in non_lead_stages}
    leads = []
    for table, row in _lead_tables(snapshot, lead_tables):
        stage = (row.get("lifecycle_stage") or "").casefold()
        if stage in skip:
            continue
        name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
        converted = bool(row.get("converted")) if table == "leads" else stage in _CONVERTED_STAGES
        leads.append(
            Lead(
                row["source"],
                row["remote_id"],
                name or row.get("email") or row["remote_id"],
                row.get("source_channel") or "unknown",
                employee_of(row["source"], row.get("owner_id")),
                row.get("remote_created_at"),
                converted,
            )
        )
    # Newest first; leads with no creation time last.
    leads.sort(key=lambda x: (x.created is None, -(x.created.timestamp() if x.created else 0)))
    return leads


def channel_figures(
    leads: list[Lead],
    deals: Iterable[Row],
    employee_of: Callable[[str, str | None], str | None],
    convert: Converter,
) -> dict[str, list[dict[str, Any]]]:
    """Leads, conversions and won revenue per channel and per employee."""
    by_channel: dict[str, _Cell] = defaultdict(_Cell)
    by_employee: dict[str | None, _Cell] = defaultdict(_Cell)
    for lead in leads:
        for cell in (by_channel[lead.channel], by_employee[lead.employee]):
            cell.leads += 1
            cell.converted += lead.converted
    for deal in deals:
        if not deal.get("is_won") or deal.get("amount") is None:
            continue
        currency = deal.get("currency") or convert.currency
        on = deal.get("close_date") or convert_day(deal.get("remote_created_at"))
        base = convert(deal["amount"], currency, on) if on else None
        owner = employee_of(deal["source"], deal.get("owner_id"))
        for cell in (by_channel[deal.get("source_channel") or "unknown"], by_employee[owner]):
            cell.won += 1
            cell.revenue[currency] += deal["amount"]
            cell.base += base or 0
    return {"channels": _rows(by_channel), "employees": _rows(by_employee)}


def convert_day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


def _rows(cells: Mapping[Any, _Cell]) -> list[dict[str, Any]]:
    rows = [
        {
            "key": key,
            "leads": c.leads,
            "converted": c.converted,
            "rate": c.converted / c.leads if c.leads else None,
            "won": c.won,
            "revenue": dict(sorted(c.revenue.items())),
            "base": c.base,
        }
        for key, c in cells.items()
    ]
    rows.sort(key=lambda r: (-r["base"], -r["leads"], str(r["key"])))
    return rows


def p_chart_points(leads: Iterable[Lead], months: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Per channel, each month's conversion rate of the leads created in it, with the
    p-chart's centre line (all months' conversions over all months' leads) and 3-sigma
    limits for that month's number of leads, clipped to [0, 1]; ``out`` flags a month
    outside its limits. Months without leads are left out."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    wanted = set(months)
    for lead in leads:
        if lead.created is None:
            continue
        month = f"{lead.created:%Y-%m}"
        if month in wanted:
            cell = counts[lead.channel][month]
            cell[0] += 1
            cell[1] += lead.converted
    charts: dict[str, list[dict[str, Any]]] = {}
    for channel, per_month in sorted(counts.items()):
        total = sum(n for n, _ in per_month.values())
        centre = sum(x for _, x in per_month.values()) / total
        points = []
        for month in months:
            if month not in per_month:
                continue
            n, x = per_month[month]
            sigma = sqrt(centre * (1 - centre) / n)
            ucl, lcl = min(1.0, centre + 3 * sigma), max(0.0, centre - 3 * sigma)
            rate = x / n
            points.append(
                {
                    "period": month,
                    "n": n,
                    "x": x,
                    "rate": rate,
                    "centre": centre,
                    "ucl": ucl,
                    "lcl": lcl,
                    "out": rate > ucl or rate < lcl,
                }
            )
        charts[channel] = points
    return charts


def _age_band(days: int) -> str:
    return next((label for limit, label in _AGE_BANDS if days <= limit), "over 180 days")


def pipeline_figures(
    deals: Iterable[Row],
    client_of: Callable[[str, str | None], str],
    owners: Callable[[Row], bool],
    convert: Converter,
    as_of: datetime,
) -> dict[str, Any]:
    """Open deals' weighted amounts per client, by stage and by age, in the one currency
    (per-currency beside), and the open totals per currency."""
    clients: dict[str, dict[str, Any]] = {}
    stages: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    ages: dict[str, Decimal] = defaultdict(Decimal)
    per_currency: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    total = Decimal(0)
    for deal in deals:
        if deal.get("is_closed") or deal.get("amount") is None or not owners(deal):
            continue
        currency = deal.get("currency") or convert.currency
        weighted = deal["amount"] * Decimal(deal.get("probability") or 0) / 100
        base = convert(weighted, currency, as_of.date())
        client = client_of(deal["source"], deal.get("account_id"))
        entry = clients.setdefault(
            client, {"client": client, "base": Decimal(0), "amounts": defaultdict(Decimal)}
        )
        entry["amounts"][currency] += weighted
        per_currency[currency][0] += deal["amount"]
        per_currency[currency][1] += weighted
        if base is None:
            continue
        entry["base"] += base
        total += base
        stage = deal.get("stage") or "unknown"
        stages[(client, stage)] += base
        created = deal.get("remote_created_at")
        ages[_age_band((as_of - created).days) if created else "unknown"] += base
    ranked = sorted(clients.values(), key=lambda c: (-c["base"], c["client"]))
    top = {c["client"] for c in ranked[:15]}
    return {
        "clients": [dict(c, amounts=dict(sorted(c["amounts"].items()))) for c in ranked],
        "stages": [
            {"client": client, "stage": stage, "weighted": value}
            for (client, stage), value in sorted(stages.items())
            if client in top
        ],
        "ages": [{"age": label, "weighted": ages[label]} for label in _age_order(ages)],
        "total": total,
        "per_currency": {
            cur: {"open": v[0], "weighted": v[1]} for cur, v in sorted(per_currency.items())
        },
    }


def _age_order(ages: Mapping[str, Decimal]) -> list[str]:
    labels = [label for _, label in _AGE_BANDS] + ["over 180 days", "unknown"]
    return [label for label in labels if label in ages]
