"""Form submissions (Forms API v1) and marketing e-mail events (Email Events API v1).

- ``GET /form-integrations/v1/submissions/forms/{formGuid}``: a form's submissions, newest
  first, ``limit`` 1-50 (default 20), paged with ``after``; each one a ``conversionId``,
  ``submittedAt`` (ms), ``values`` ``[{name, value}]`` and ``pageUrl``. HubSpot keeps the
  visitor's ``hutk`` cookie with a submission but does not return it here.
- ``GET /email/public/v1/events``: ``{"events", "hasMore", "offset"}``, filtered by
  ``startTimestamp`` / ``endTimestamp`` (ms, inclusive), ``eventType``, ``recipient`` and
  ``campaignId``, ``limit`` up to 1000 (default 100), paged with ``offset``. Served newest
  first; the order of HubSpot's answer was not checked against a real portal, and a reader
  should not depend on it. Scope ``content``.

The data is ``sandbox.hubspot.marketing_data``'s, drawn from the portal's contacts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error, validation_error
from sandbox.hubspot.marketing_data import FORMS, marketing_data

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]

_EVENT_TYPES = {"SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "DEFERRED", "DROPPED"}
_EVENT_TYPES |= {"PROCESSED", "SPAMREPORT", "STATUSCHANGE", "PRINT", "FORWARD"}


def _number(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise validation_error(f"{name} must be between {low} and {high}, got {raw}")
    return int(raw)


def form_submissions(app: HubSpotEmulator, request: Request, guid: str) -> Response:
    if guid not in {form.guid for form in FORMS}:
        raise hs_error(404, f"Form {guid} does not exist", "OBJECT_NOT_FOUND")
    limit = _number(request, "limit", 20, 1, 50)
    after = request.args.get("after") or "0"
    if not after.isdigit():
        raise validation_error(f"after is not a paging token: {after}")
    rows = marketing_data(app.world).submissions[guid]
    start = int(after)
    body: dict[str, object] = {"results": rows[start : start + limit]}
    if start + limit < len(rows):
        nxt = str(start + limit)
        link = f"{request.host_url.rstrip('/')}{request.path}?after={nxt}&limit={limit}"
        body["paging"] = {"next": {"after": nxt, "link": link}}
    return json_response(body)


def email_events(app: HubSpotEmulator, request: Request) -> Response:
    args = request.args
    limit = _number(request, "limit", 100, 1, 1000)
    bounds = []
    for name in ("startTimestamp", "endTimestamp"):
        raw = args.get(name)
        if raw is not None and not raw.isdigit():
            raise validation_error(f"{name} must be a time in milliseconds, got {raw}")
        bounds.append(int(raw) if raw is not None else None)
    low, high = bounds
    kind = args.get("eventType")
    if kind is not None and kind.upper() not in _EVENT_TYPES:
        raise validation_error(f"Unknown eventType: {kind}")
    recipient, campaign = args.get("recipient"), args.get("campaignId")
    offset = args.get("offset") or "0"
    if not offset.isdigit():
        raise validation_error(f"offset is not a paging token: {offset}")
    events = [
        e
        for e in reversed(marketing_data(app.world).email_events)
        if (low is None or e["created"] >= low)
        and (high is None or e["created"] <= high)
        and (kind is None or e["type"] == kind.upper())
        and (recipient is None or e["recipient"].casefold() == recipient.casefold())
        and (campaign is None or str(e["emailCampaignId"]) == campaign)
    ]
    start = int(offset)
    more = start + limit < len(events)
    page = events[start : start + limit]
    return json_response({"events": page, "hasMore": more, "offset": str(start + len(page))})


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/form-integrations/v1/submissions/forms/<guid>",
        lambda request, guid: form_submissions(app, request, guid),
        ["GET"],
        endpoint="GET /form-integrations/v1/submissions/forms/<guid>",
    )
    app.add_route(
        "/email/public/v1/events",
        lambda request: email_events(app, request),
        ["GET"],
        endpoint="GET /email/public/v1/events",
    )
