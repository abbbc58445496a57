"""The what-if simulator of My pay: what the viewer would earn this period if one of their
open deals closed (at its amount or another), or if a new deal of some amount closed.

It runs :func:`sync.compute.periods.what_if`, the code behind ``crmsync plan simulate``,
for the signed-in employee only: a deal that is not one of their open deals is answered
404. The answer is cached per question and store state.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from sync.web.http import require, state, template
from sync.web.view import record_names

__all__ = ["simulate"]


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation as exc:
        raise HTTPException(400, f"{text!r} is no amount: write it as 12500.00") from exc
    if not value.is_finite() or value <= 0 or value > Decimal("1e12"):
        raise HTTPException(400, "The amount must be a positive number.")
    return value


def simulate(request: Request) -> Response:
    viewer = require(request)
    web = state(request)
    view = web.view
    periods = view.periods()
    own = view.statements(periods[0]).get(viewer.employee or "") if periods else None
    if own is None or own.period.closed:
        raise HTTPException(404)
    deals = {d.deal_key: d for d in (own.what_if.deals if own.what_if else ())}
    deal = request.query_params.get("deal", "")
    if deal and deal not in deals:
        raise HTTPException(404)
    amount = _amount(request.query_params.get("amount", ""))
    if not deal and amount is None:
        raise HTTPException(400, "Choose one of your open deals, or give an amount.")
    currency = request.query_params.get("currency", "").strip().upper()[:3] or own.currency
    key = f"simulate:{viewer.employee}:{deal}:{amount}:{currency}"
    sim, earned = view.cached(
        key, lambda: _run(request, viewer.employee or "", deal, amount, currency)
    )
    names = record_names(view)
    lines = [
        {
            "what": _line_name(line, names),
            "amount": line.amount,
            "rule": line.rule,
        }
        for line in sim.changed
    ]
    return template(
        request,
        "simulate.html.j2",
        viewer,
        lines=lines,
        s=own,
        sim=sim,
        earned=earned,
        deal=deals.get(deal),
        amount=amount,
        currency=currency,
    )


def _line_name(line: Any, names: dict[tuple[str, str, str], str]) -> str:
    """``commission|...|salesforce:deals:006...|revenue|qualification`` in words:
    "Commission: Kestrel Labs - Spectrophotometer (qualification)"."""
    what = line.kind.replace("_", " ").capitalize()
    if line.deal:
        source, _, remote_id = line.deal.partition(":deals:")
        what += ": " + names.get((source, "deals", remote_id), "simulated deal")
    if line.slot:
        what += f" ({line.slot.replace('_', ' ')})"
    return what


def _run(
    request: Request, employee: str, deal: str, amount: Decimal | None, currency: str
) -> tuple[Any, Decimal | None]:
    """The simulation, and what it adds to the stored run's earnings (draws left out)."""
    from compensation.plans import Period
    from sync.compute.history import latest_run
    from sync.compute.periods import what_if
    from sync.compute.statement_pay import added_earnings
    from sync.errors import UsageError

    web = state(request)
    period = Period.parse(web.view.periods()[0])
    try:
        sim = what_if(
            web.view.engine,
            web.config.compensation,
            employee,
            period=period,
            now=web.now(),
            deal=deal or None,
            amount=amount,
            currency=currency if amount is not None else None,
            identities=web.view.identities(),
            kinds=web.config.source_kinds(),
        )
    except UsageError as exc:
        raise HTTPException(400, exc.user_message) from exc
    stored = latest_run(web.view.engine, period.key)
    before = (
        next((e for e in stored.result.employees if e.employee == employee), None)
        if stored
        else None
    )
    return sim, added_earnings(sim, before) if before is not None else None
