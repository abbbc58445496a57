"""The managers' pages: Channels and Pipeline & KPIs (managers and admins).

A manager sees the leads and deals owned by themselves and the people who report to them
today; an admin sees the whole company. Figures come from :mod:`sync.web.figures` and,
for the KPIs, from the same :func:`sync.reports.pipeline_report` and
:func:`sync.reports.service_report` ``crmsync report`` prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sync.web import charts
from sync.web.access import Viewer
from sync.web.figures import (
    Converter,
    channel_figures,
    lead_rows,
    p_chart_points,
    pipeline_figures,
)
from sync.web.http import WebState, require, state, template
from sync.web.view import identity_names

__all__ = ["channels", "pipeline"]

_LIST_LIMIT = 200
_EMPLOYEE_ROWS = 50  # the top of the by-employee table; the lead list filters by anyone


def _scope(viewer: Viewer) -> Callable[[str | None], bool]:
    if viewer.is_admin:
        return lambda employee: True
    mine = set(viewer.reports) | {viewer.employee}
    return lambda employee: employee in mine


def _employee_of(web: WebState) -> Callable[[str, str | None], str | None]:
    keys = web.view.employee_keys()
    return lambda source, user: keys.get((source, user)) if user else None


def _converter(web: WebState) -> Converter:
    from compensation.rates import RateTable
    from sync.compute.prepare import load_book
    from sync.errors import UsageError

    def load() -> RateTable:
        try:
            return load_book(web.config.compensation)[1]
        except UsageError:
            return RateTable()  # plans not readable: amounts stay per currency

    rates = web.view.cached("rates", load)
    return Converter(rates, web.config.compensation.default_currency)


def _months(now: datetime, count: int = 12) -> list[str]:
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def channels(request: Request) -> Response:
    viewer = require(request, "manager")
    web = state(request)
    figures = web.view.cached(f"channels:{viewer.principal}", lambda: _channels(web, viewer))
    wanted = {k: request.query_params.get(k, "") for k in ("channel", "employee", "crm")}
    chosen = [
        lead
        for lead in figures["leads"]
        if (not wanted["channel"] or lead.channel == wanted["channel"])
        and (not wanted["employee"] or lead.employee == wanted["employee"])
        and (not wanted["crm"] or lead.source == wanted["crm"])
    ]
    return template(
        request,
        "channels.html.j2",
        viewer,
        f=figures,
        employees=figures["employees"][:_EMPLOYEE_ROWS],
        people=web.view.people(),
        wanted=wanted,
        leads=chosen[:_LIST_LIMIT],
        matching=len(chosen),
        limit=_LIST_LIMIT,
    )


def _channels(web: WebState, viewer: Viewer) -> dict[str, Any]:
    view, cfg = web.view, web.config
    snapshot = view.snapshot()
    employee_of, visible = _employee_of(web), _scope(viewer)
    leads = [
        lead
        for lead in lead_rows(
            snapshot, cfg.audit.lead_objects, cfg.audit.non_lead_stages, employee_of
        )
        if visible(lead.employee)
    ]
    deals = [
        d for d in snapshot.rows("deals") if visible(employee_of(d["source"], d.get("owner_id")))
    ]
    convert = _converter(web)
    found = channel_figures(leads, deals, employee_of, convert)
    people = view.people()
    for row in found["employees"]:
        row["name"] = people[row["key"]].name if row["key"] in people else "(no owner)"
    controls = p_chart_points(leads, _months(web.now()))
    return {
        "leads": leads,
        "channels": found["channels"],
        "employees": found["employees"],
        "currency": convert.currency,
        "missing_rates": sorted(convert.missing),
        "channel_names": sorted({lead.channel for lead in leads}),
        "crms": sorted({lead.source for lead in leads}),
        "chart": charts.bars(
            [{"channel": r["key"], "won_revenue": r["base"]} for r in found["channels"]],
            "channel",
            "won_revenue",
            f"Won revenue by channel ({convert.currency})",
        ),
        "controls": [
            {
                "channel": channel,
                "points": points,
                "out": [p for p in points if p["out"]],
                "svg": charts.p_chart(points, f"{channel}: conversion rate by month"),
            }
            for channel, points in controls.items()
        ],
    }


def _shared_names(names: dict[str, str]) -> set[str]:
    """Names that more than one identity has."""
    return {name for name, count in Counter(names.values()).items() if count > 1}


def pipeline(request: Request) -> Response:
    viewer = require(request, "manager")
    web = state(request)
    figures = web.view.cached(f"pipeline:{viewer.principal}", lambda: _pipeline(web, viewer))
    return template(request, "pipeline.html.j2", viewer, f=figures)


def _pipeline(web: WebState, viewer: Viewer) -> dict[str, Any]:
    from sync.audit.snapshot import Snapshot
    from sync.reports import pipeline_report, service_report

    view, now = web.view, web.now()
    snapshot = view.snapshot()
    employee_of, visible = _employee_of(web), _scope(viewer)
    identities, names = view.identities(), identity_names(view)
    accounts = {(a["source"], a["remote_id"]): a.get("name") for a in snapshot.rows("accounts")}

    shared = _shared_names(names)

    def client_of(source: str, account: str | None) -> str:
        """The client's golden name; with its identity id when two clients share it (two
        companies are never summed as one)."""
        if not account:
            return "(no account)"
        identity = identities.identity_of(source, "accounts", account)
        if identity in names:
            name = names[identity]
            return f"{name} · {identity}" if name in shared else name
        return f"{accounts.get((source, account)) or account} · {source}:{account}"

    def owned(row: dict[str, Any]) -> bool:
        return visible(employee_of(row["source"], row.get("owner_id")))

    deals = [d for d in snapshot.rows("deals") if owned(d)]
    convert = _converter(web)
    found = pipeline_figures(deals, client_of, owned, convert, now)
    scoped = Snapshot.from_rows(
        {
            "deals": deals,
            "accounts": snapshot.rows("accounts"),
            "cases": [c for c in snapshot.rows("cases") if owned(c)],
        },
        snapshot.kinds,
    )
    kpis = pipeline_report(scoped, now)
    service = service_report(scoped, now, web.config.audit.case_sla_hours)
    top = found["clients"][:15]
    return {
        **found,
        "currency": convert.currency,
        "missing_rates": sorted(convert.missing),
        "summary": kpis["summary"],
        "churn": kpis["churn"],
        "service": service["rows"],
        "stage_chart": charts.stacked_bars(
            found["stages"],
            "client",
            "stage",
            "weighted",
            f"Weighted pipeline by stage ({convert.currency})",
        )
        if found["stages"]
        else None,
        "age_chart": charts.bars(
            found["ages"], "age", "weighted", f"Weighted pipeline by age ({convert.currency})"
        )
        if found["ages"]
        else None,
        "top": top,
    }
