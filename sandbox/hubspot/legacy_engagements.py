"""``GET /engagements/v1/engagements/modified/after``: the legacy engagements list.

Singer's tap-hubspot reads calls, e-mails, meetings, notes and tasks through it. ``after`` is
an epoch-millisecond instant (engagements modified after it) or the cursor a previous page
returned; ``limit`` up to 1,000 (default 100). The answer is ``{"results", "hasMore",
"after"}``, oldest modification first. Each engagement is the v1 shape: ``engagement``
(``id``, ``portalId``, ``type`` CALL/EMAIL/MEETING/NOTE/TASK, ``ownerId``, ``timestamp``,
``createdAt`` and ``lastUpdated`` in epoch ms), ``associations`` (``contactIds``,
``companyIds``, ``dealIds``, ``ticketIds``...), ``attachments`` and the type's ``metadata``.
Archived engagements are not listed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.legacy_objects import PORTAL_ID
from sandbox.hubspot.params import limit_param
from sandbox.hubspot.schema import ENGAGEMENTS
from sandbox.store import Record

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]

_TYPES = {
    "calls": "CALL",
    "emails": "EMAIL",
    "meetings": "MEETING",
    "notes": "NOTE",
    "tasks": "TASK",
}
# v1 metadata key <- v3 property, per engagement type.
_METADATA = {
    "calls": {
        "title": "hs_call_title",
        "body": "hs_call_body",
        "durationMilliseconds": "hs_call_duration",
        "status": "hs_call_status",
    },
    "emails": {"subject": "hs_email_subject", "text": "hs_email_text", "status": "hs_email_status"},
    "meetings": {
        "title": "hs_meeting_title",
        "body": "hs_meeting_body",
        "startTime": "hs_meeting_start_time",
        "endTime": "hs_meeting_end_time",
    },
    "notes": {"body": "hs_note_body"},
    "tasks": {"subject": "hs_task_subject", "body": "hs_task_body", "status": "hs_task_status"},
}
_CURSOR = "cursor-"


def _ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)


def _engagement(app: HubSpotEmulator, kind: str, record: Record) -> dict[str, Any]:
    links = app.world.hubspot_associations
    rid = record["id"]

    def ids(to_type: str) -> list[int]:
        table = app.world.hubspot[to_type]
        return sorted(int(i) for i in links.get(kind, rid, to_type) if table.get(i) is not None)

    metadata = {}
    for key, prop in _METADATA[kind].items():
        value = record.get(prop)
        if value is not None:
            metadata[key] = _ms(value) if isinstance(value, datetime) else value
    owner = record.get("hubspot_owner_id")
    return {
        "engagement": {
            "id": int(rid),
            "portalId": PORTAL_ID,
            "active": True,
            "createdAt": _ms(record.get("hs_createdate")),
            "lastUpdated": _ms(record.get("hs_lastmodifieddate")),
            "ownerId": int(owner) if owner is not None else None,
            "type": _TYPES[kind],
            "timestamp": _ms(record.get("hs_timestamp")),
        },
        "associations": {
            "contactIds": ids("contacts"),
            "companyIds": ids("companies"),
            "dealIds": ids("deals"),
            "ownerIds": [],
            "workflowIds": [],
            "ticketIds": ids("tickets"),
        },
        "attachments": [],
        "metadata": metadata,
    }


def _ordered(app: HubSpotEmulator) -> list[tuple[int, str, Record]]:
    rows = []
    for kind in ENGAGEMENTS:
        table = app.world.hubspot[kind]
        for rid, record in table.rows.items():
            if not table.is_deleted(rid):
                stamp = _ms(record.get("hs_lastmodifieddate")) or 0
                rows.append((stamp, kind, record))
    rows.sort(key=lambda row: (row[0], int(row[2]["id"])))
    return rows


def modified_after(app: HubSpotEmulator, request: Request) -> Response:
    limit = limit_param(request, 100, 1000)
    raw = request.args.get("after") or "0"
    rows = _ordered(app)
    try:
        if raw.startswith(_CURSOR):
            start = int(raw.removeprefix(_CURSOR))
        else:
            after_ms = int(raw)
            start = next((i for i, row in enumerate(rows) if row[0] > after_ms), len(rows))
    except ValueError:
        raise validation_error(f"Invalid after: {raw}") from None
    page = rows[start : start + limit]
    end = start + len(page)
    return json_response(
        {
            "results": [_engagement(app, kind, record) for _, kind, record in page],
            "hasMore": end < len(rows),
            "after": f"{_CURSOR}{end}",
        }
    )


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/engagements/v1/engagements/modified/after",
        lambda request: modified_after(app, request),
        ["GET"],
        endpoint="GET /engagements/v1/engagements/modified/after",
    )
