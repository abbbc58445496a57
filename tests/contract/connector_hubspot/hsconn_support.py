"""Helpers shared by the HubSpot connector tests."""

from __future__ import annotations

from typing import Any

import requests

from connectors.core.contract import Page, ReadOptions
from connectors.core.records import CommonRecord
from connectors.hubspot import HubSpotConnector
from sandbox import Sandbox

OBJECTS = {
    "contacts": ("contacts",),
    "accounts": ("companies",),
    "deals": ("deals",),
    "activities": ("calls", "emails", "meetings", "notes", "tasks"),
    "cases": ("tickets",),
}


def read_all(
    connector: HubSpotConnector, stream: str, state: dict[str, Any] | None, **options: Any
) -> tuple[list[Page], dict[str, Any] | None]:
    pages = list(connector.read(stream, state, ReadOptions(**options)))
    return pages, (pages[-1].state if pages else state)


def records(pages: list[Page], kind: str | None = None) -> list[CommonRecord]:
    return [r for p in pages for r in p.records if kind is None or r.kind == kind]


def live_ids(sb: Sandbox, stream: str) -> set[str]:
    with sb.world.lock:
        return {r["id"] for o in OBJECTS[stream] for r in sb.world.hubspot[o].live()}


def archived_ids(sb: Sandbox, stream: str) -> set[str]:
    with sb.world.lock:
        return {r["id"] for o in OBJECTS[stream] for r in sb.world.hubspot[o].deleted()}


def stats(admin: requests.Session, sb: Sandbox) -> dict[str, int]:
    with admin.get(f"{sb.info.hubspot.base_url}/_sandbox/stats") as response:
        return response.json()["endpoints"]


def reset_stats(admin: requests.Session, sb: Sandbox) -> None:
    admin.delete(f"{sb.info.hubspot.base_url}/_sandbox/stats").close()
