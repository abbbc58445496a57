"""The figures behind ``crmsync report``: channels, pipeline, service and usage.

Each function returns ``{"title", "columns", "rows", ...}``: rows are lists of plain values
in column order (sorted, deterministic). Money is never summed across currencies: amounts
are reported per currency as Decimal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from sync.audit.audits import AuditResult
from sync.audit.checks import case_hours
from sync.audit.snapshot import Snapshot

__all__ = ["channel_report", "pipeline_report", "service_report", "usage_report"]

Report = dict[str, Any]
_CENT = Decimal("0.01")


def _days(a: datetime | None, b: Any) -> float | None:
    if a is None or b is None:
        return None
    end = b if isinstance(b, datetime) else datetime.combine(b, a.timetz())
    return max(0.0, (end - a).total_seconds() / 86400)


def _mid(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def channel_report(
    snapshot: Snapshot, lead_tables: Mapping[str, list[str]], non_lead_stages: list[str]
) -> Report:
    """Logged touches, leads, won deals, conversion rate, won revenue and sales cycle per
    channel and CRM. Touches are the activities logged on each channel, mapped custom
    objects included (a store visit mapped as an activity with channel ``store`` counts
    on ``store``); an inbound one is the customer's own act and counts too."""
    skip = {stage.casefold() for stage in non_lead_stages}
    cells: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "touches": 0,
            "leads": 0,
            "deals": 0,
            "won": 0,
            "revenue": defaultdict(Decimal),
            "cycle": [],
        }
    )
    for activity in snapshot.rows("activities"):
        cells[(activity.get("channel") or "unknown", activity["source"])]["touches"] += 1
    for table in ("leads", "contacts"):
        for row in snapshot.rows(table):
            stage = (row.get("lifecycle_stage") or "").casefold()
            if table in lead_tables.get(snapshot.kind(row["source"]), []) and stage not in skip:
                cells[(row.get("source_channel") or "unknown", row["source"])]["leads"] += 1
    for deal in snapshot.rows("deals"):
        cell = cells[(deal.get("source_channel") or "unknown", deal["source"])]
        cell["deals"] += 1
        if deal.get("is_won"):
            cell["won"] += 1
            if deal.get("amount") is not None:
                cell["revenue"][deal.get("currency") or "?"] += deal["amount"]
            cycle = _days(deal.get("remote_created_at"), deal.get("close_date"))
            if cycle is not None:
                cell["cycle"].append(cycle)
    rows = []
    for (channel, source), c in sorted(cells.items()):
        rate = round(c["won"] / c["leads"], 3) if c["leads"] else None
        revenue = "; ".join(
            f"{cur} {amount.quantize(_CENT)}" for cur, amount in sorted(c["revenue"].items())
        )
        rows.append(
            [
                channel,
                source,
                c["touches"],
                c["leads"],
                c["deals"],
                c["won"],
                rate,
                revenue,
                _mid(c["cycle"]),
            ]
        )
    return {
        "title": "Channel effectiveness",
        "columns": [
            "channel",
            "crm",
            "touches",
            "leads",
            "deals",
            "won",
            "won_per_lead",
            "won_revenue",
            "median_cycle_days",
        ],
        "rows": rows,
        "chart": [(f"{r[0]}/{r[1]}", r[5]) for r in rows],
    }


def pipeline_report(snapshot: Snapshot, as_of: datetime, churn_days: int = 180) -> Report:
    """Weighted pipeline per customer, totals, age, deal size, time to close and churn."""
    names = {(a["source"], a["remote_id"]): a.get("name") for a in snapshot.rows("accounts")}
    weighted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    totals: dict[str, list[Any]] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, []])
    won: dict[str, list[Any]] = defaultdict(lambda: [Decimal(0), 0, []])
    wins: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    active_now: set[tuple[str, str]] = set()
    for deal in snapshot.rows("deals"):
        amount, currency = deal.get("amount"), deal.get("currency") or "?"
        account = (deal["source"], deal.get("account_id") or "")
        created = deal.get("remote_created_at")
        if not deal.get("is_closed") and amount is not None:
            probability = Decimal(deal.get("probability") or 0) / 100
            weighted[(names.get(account) or account[1] or "(no account)", currency)] += (
                amount * probability
            )
            total = totals[currency]
            total[0] += amount
            total[1] += amount * probability
            total[2] += 1
            if created:
                total[3].append((as_of - created).days)
            active_now.add(account)
        if deal.get("is_won") and amount is not None:
            entry = won[currency]
            entry[0] += amount
            entry[1] += 1
            cycle = _days(created, deal.get("close_date"))
            if cycle is not None:
                entry[2].append(cycle)
            close = deal.get("close_date")
            if close is not None:
                wins[account].append(datetime.combine(close, as_of.timetz()))
    # A customer of the earlier window is one who won a deal in it, whatever it won since:
    # counting only those whose last win fell there left out every customer who kept
    # buying, so the rate was churned over churned (1.0).
    cutoff = as_of - timedelta(days=churn_days)
    start = cutoff - timedelta(days=churn_days)
    before = {a for a, days in wins.items() if any(start <= at < cutoff for at in days)}
    recent = {a for a, days in wins.items() if any(at >= cutoff for at in days)} | active_now
    churned = before - recent
    rows = [
        [customer, currency, str(value.quantize(_CENT))]
        for (customer, currency), value in sorted(weighted.items(), key=lambda i: (-i[1], i[0]))
    ]
    main = _main_currency(rows)
    summary = [
        {
            "currency": cur,
            "open_pipeline": str(t[0].quantize(_CENT)),
            "weighted_pipeline": str(t[1].quantize(_CENT)),
            "open_deals": t[2],
            "median_age_days": _mid([float(d) for d in t[3]]),
            "avg_won_deal": str((won[cur][0] / won[cur][1]).quantize(_CENT))
            if won[cur][1]
            else None,
            "median_days_to_close": _mid(won[cur][2]),
        }
        for cur, t in ((c, totals[c]) for c in sorted(set(totals) | set(won)))
    ]
    return {
        "title": "Weighted pipeline per customer",
        "columns": ["customer", "currency", "weighted_amount"],
        "rows": rows,
        "summary": summary,
        "churn": {
            "window_days": churn_days,
            "customers_before": len(before),
            "churned": len(churned),
            "rate": round(len(churned) / len(before), 3) if before else None,
        },
        # Bars compare amounts, so only one currency: the one with the most customers.
        "chart": [(r[0], float(r[2])) for r in rows if r[1] == main][:15],
    }


def _main_currency(rows: list[list[Any]]) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row[1]] += 1
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def service_report(snapshot: Snapshot, as_of: datetime, sla_hours: float) -> Report:
    """Case resolution times per CRM and origin channel; call durations per CRM."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0, []])
    for case in snapshot.rows("cases"):
        cell = groups[(case["source"], case.get("origin_channel") or "unknown")]
        cell[0] += 1
        if case.get("is_closed"):
            cell[1] += 1
            hours = case_hours(case, as_of)
            if hours is not None:
                cell[2].append(hours)
    rows = []
    for (source, channel), (count, closed, hours) in sorted(groups.items()):
        within = sum(1 for h in hours if h <= sla_hours)
        rows.append(
            [
                source,
                channel,
                count,
                closed,
                _mid(hours),
                round(within / len(hours), 3) if hours else None,
            ]
        )
    calls: dict[str, list[int]] = defaultdict(list)
    for activity in snapshot.rows("activities"):
        if activity.get("activity_type") == "call" and activity.get("duration_seconds"):
            calls[activity["source"]].append(activity["duration_seconds"])
    return {
        "title": "Case resolution",
        "columns": ["crm", "origin", "cases", "closed", "median_hours", "within_sla"],
        "rows": rows,
        "calls": [
            {"crm": s, "calls": len(d), "median_minutes": round(median(d) / 60, 1)}
            for s, d in sorted(calls.items())
        ],
        "chart": [(f"{r[0]}/{r[1]}", r[4] or 0) for r in rows],
    }


def usage_report(result: AuditResult, trend: dict[str, list[Decimal | None]]) -> Report:
    """Usage leaderboard (active employees, best first) with team scores and trend."""
    scored = [s for s in result.scores if s.active and s.score is not None]
    scored.sort(key=lambda s: (-(s.score or 0), s.subject))
    rows = [
        [
            i + 1,
            s.subject,
            s.name,
            s.team,
            s.score,
            _band(s.score),
            s.records,
            " ".join(f"{(x if x is not None else '-')}" for x in trend.get(s.subject, [])),
        ]
        for i, s in enumerate(scored)
    ]
    return {
        "title": f"Usage score leaderboard as of {result.as_of.date().isoformat()}",
        "columns": ["rank", "employee", "name", "team", "score", "band", "records", "trend"],
        "rows": rows,
        "teams": [{"team": t.name, "score": t.score, "records": t.records} for t in result.teams],
        "chart": [(r[2], r[4]) for r in rows],
    }


def _band(score: Decimal | None) -> str:
    if score is None:
        return "-"
    return "healthy" if score >= 80 else "coaching" if score >= 60 else "at risk"
