"""Usage (scores by team and employee, drill-down to each finding with a link to the
record in its CRM) and Customer journey (one identity's timeline across CRMs).

Usage reads the latest audit run; an employee sees their own score, a manager their
team's, an admin everyone's. A journey is shown to a manager only when someone of their
team touched that customer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from sync.web import charts
from sync.web.access import Viewer
from sync.web.http import WebState, require, state, template
from sync.web.view import identity_names, record_names

__all__ = ["journey", "usage", "usage_person", "warm"]


def _scores(web: WebState) -> dict[str, Any]:
    from sync.audit.audits import latest_usage_scores

    return web.view.cached("scores", lambda: latest_usage_scores(web.view.engine))


def _findings(web: WebState) -> dict[str | None, list[Any]]:
    from sync.audit.audits import latest_findings

    def load() -> dict[str | None, list[Any]]:
        grouped: dict[str | None, list[Any]] = defaultdict(list)
        for finding in latest_findings(web.view.engine):
            grouped[finding.employee].append(finding)
        return dict(grouped)

    return web.view.cached("findings", load)


def warm(web: WebState) -> None:
    """Load what these pages share (the latest audit's scores and findings) before anyone
    asks."""
    _scores(web)
    _findings(web)


def usage(request: Request) -> Response:
    viewer = require(request)
    web = state(request)
    page = web.view.cached(f"usage:{viewer.principal}", lambda: _usage(web, viewer))
    return template(request, "usage.html.j2", viewer, **page)


def _usage(web: WebState, viewer: Viewer) -> dict[str, Any]:
    scores = _scores(web)
    people = [
        s for s in scores.values() if s.kind == "employee" and s.active and viewer.sees(s.subject)
    ]
    people.sort(key=lambda s: (-(s.score or 0), s.name))
    teams_seen = {s.team for s in people}
    teams = [
        s
        for s in scores.values()
        if s.kind == "team" and (viewer.is_admin or (viewer.is_manager and s.team in teams_seen))
    ]
    teams.sort(key=lambda s: (-(s.score or 0), s.name))
    findings = _findings(web)
    # One bar per person: namesakes (the company has several) get their team beside them,
    # and their key when they share the team too.
    scored = [s for s in people if s.score is not None]
    labels = _unique([s.name for s in scored], [s.team or "" for s in scored])
    labels = _unique(labels, [s.subject for s in scored])
    rows = [{"name": label, "score": s.score} for label, s in zip(labels, scored, strict=True)]
    return {
        "people": people,
        "teams": teams,
        "counts": {s.subject: len(findings.get(s.subject, [])) for s in people},
        "chart": charts.bars(rows[:40], "name", "score", "Usage score", exact=True)
        if rows
        else None,
    }


def _unique(labels: list[str], hints: list[str]) -> list[str]:
    """``labels`` with the hint added to each that is not unique."""
    twice = {label for label, count in Counter(labels).items() if count > 1}
    return [f"{a} ({h})" if a in twice and h else a for a, h in zip(labels, hints, strict=True)]


def usage_person(request: Request) -> Response:
    viewer = require(request)
    employee = request.path_params["employee"]
    if not viewer.sees(employee):
        raise HTTPException(404)
    web = state(request)
    score = _scores(web).get(employee)
    if score is None:
        raise HTTPException(404)
    from sync.audit.findings import table_of

    names, kinds = record_names(web.view), web.config.source_kinds()
    findings = [
        {
            "rule": f.rule,
            "message": f.message,
            "crm": f.source,
            "object": f.object,
            "record": names.get(
                (f.source, table_of(kinds.get(f.source, f.source), f.object), f.remote_id)
            )
            or f.remote_id,
            "link": f.link if f.link.startswith(("http://", "https://")) else None,
        }
        for f in _findings(web).get(employee, [])
    ]
    return template(request, "usage_person.html.j2", viewer, score=score, findings=findings)


def journey(request: Request) -> Response:
    viewer = require(request, "manager")
    web = state(request)
    names = identity_names(web.view)
    wanted = request.query_params.get("identity", "")
    query = request.query_params.get("q", "").strip().casefold()
    matches = []
    if query:
        matches = sorted(
            ((i, n) for i, n in names.items() if query in n.casefold()), key=lambda m: m[1]
        )[:50]
    touches: list[Any] = []
    if wanted:
        if wanted not in names:
            raise HTTPException(404)
        touches = web.view.cached(f"journey:{wanted}", lambda: _timeline(web, wanted))
        people = web.view.people()
        # A touch names its employee's identity (reconcile's), the directory's key too.
        touched_by = {t.employee_id for t in touches if t.employee_id}
        if not viewer.is_admin and not any(viewer.sees(e) for e in touched_by if e):
            raise HTTPException(404)
        touches = [
            {
                "at": t.at,
                "crm": t.source,
                "kind": t.kind,
                "channel": t.channel,
                "what": t.summary,
                "who": _who(people, t.employee_id, t.employee),
            }
            for t in touches
        ]
    return template(
        request,
        "journey.html.j2",
        viewer,
        q=request.query_params.get("q", ""),
        matches=matches,
        identity=wanted,
        identity_name=names.get(wanted),
        touches=touches,
    )


def _who(people: dict[str, Any], key: str | None, fallback: str | None) -> str:
    if key and key in people:
        return str(people[key].name)
    return fallback or "–"


def _timeline(web: WebState, identity: str) -> list[Any]:
    from sync.reconcile.journey import journey as timeline

    return timeline(web.view.engine, web.view.identities(), identity)
