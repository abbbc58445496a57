"""My pay: the viewer's current and past statements, the year to date and what each open
deal would add (the statements ``crmsync statements`` renders, with their what-if); a
manager also reaches the statements of the people who reported to them in that period.

A statement URL names a period and an employee; anyone who may not see that employee's
pay (someone else's, or a manager's for a period the employee was not in their team) is
answered 404, as for a statement that does not exist.
"""

from __future__ import annotations

import base64
from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from compensation.plans import Period
from sync.web.access import Viewer, team_on
from sync.web.http import require, state, template

__all__ = ["my_pay", "statement"]

_TEAM_LIMIT = 100


def _period_end(period: str) -> date:
    try:
        return Period.parse(period).end
    except ValueError as exc:
        raise HTTPException(404) from exc


def _team_then(request: Request, viewer: Viewer, period: str) -> set[str]:
    """Who reported to the viewer on the period's last day."""
    if viewer.employee is None:
        return set()
    view = state(request).view
    return team_on(viewer.employee, _period_end(period), view.spans(), view.people())


def _may_see(request: Request, viewer: Viewer, employee: str, period: str) -> bool:
    """Own pay; a manager's reports of today or of the period's last day."""
    return viewer.sees(employee) or employee in _team_then(request, viewer, period)


def my_pay(request: Request) -> Response:
    viewer = require(request)
    view = state(request).view
    periods = view.periods()
    # Only the latest period's statements are built here; an earlier one is built when
    # opened. Its total comes from the current statement's year so far.
    current = view.statements(periods[0]).get(viewer.employee or "") if periods else None
    totals = {p.period.key: p.total for p in (current.history or ())} if current else {}
    past = [{"period": p, "total": totals.get(p)} for p in periods[1:]] if current else []
    team, matching = [], 0
    wanted = request.query_params.get("q", "").strip().casefold()
    if viewer.is_manager and periods:
        latest = view.statements(periods[0])
        people = view.people()
        then = _team_then(request, viewer, periods[0])
        visible = [
            {"person": people[e], "statement": s}
            for e, s in sorted(latest.items(), key=lambda i: i[1].recipient.name)
            if e != viewer.employee and e in people and (viewer.sees(e) or e in then)
        ]
        chosen = [t for t in visible if wanted in t["person"].name.casefold()]
        matching, team = len(chosen), chosen[:_TEAM_LIMIT]
    return template(
        request,
        "pay.html.j2",
        viewer,
        current=current,
        past=past,
        team=team,
        matching=matching,
        limit=_TEAM_LIMIT,
        q=request.query_params.get("q", ""),
        period=periods[0] if periods else None,
        statement_html=_rendered(request, current) if current is not None else None,
    )


def statement(request: Request) -> Response:
    viewer = require(request)
    period, employee = request.path_params["period"], request.path_params["employee"]
    view = state(request).view
    if period not in view.periods() or not _may_see(request, viewer, employee, period):
        raise HTTPException(404)
    found = view.statements(period).get(employee)
    if found is None:
        raise HTTPException(404)
    return template(
        request,
        "statement.html.j2",
        viewer,
        s=found,
        statement_html=_rendered(request, found),
        own=employee == viewer.employee,
    )


def _rendered(request: Request, found: object) -> str:
    """The statement as the e-mail shows it, its chart inline."""
    from sync.mail.service import make_renderer

    web = state(request)
    renderer = web.view.cached("renderer", lambda: make_renderer(web.config))
    key = f"html:{found.statement_id}:{found.version}"  # type: ignore[attr-defined]

    def render() -> str:
        done = renderer.render(found)  # type: ignore[arg-type]
        if not done.images:
            return done.html
        image = done.images[0]
        data = base64.b64encode(image.data).decode()
        return done.html.replace(f"cid:{image.content_id}", f"data:{image.mime_type};base64,{data}")

    return web.view.cached(key, render)
