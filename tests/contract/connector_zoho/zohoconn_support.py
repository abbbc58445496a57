"""Helpers shared by the Zoho connector tests."""

from __future__ import annotations

from typing import Any

import requests

from connectors.core.contract import Page, ReadOptions
from connectors.zoho import ZohoConnector
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR


def start_sandbox(scale: str = "tiny") -> Sandbox:
    """A started sandbox of the company at ``scale``, seed 7, on a manual clock."""
    options = SandboxOptions(seed=7, scale=scale, anchor=DEFAULT_ANCHOR)
    sandbox = Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR))
    sandbox.start()
    return sandbox


MODULES = {
    "leads": ("Leads",),
    "contacts": ("Contacts",),
    "accounts": ("Accounts",),
    "deals": ("Deals",),
    "activities": ("Tasks", "Calls", "Events"),
    "cases": ("Cases",),
}


def read_all(
    connector: ZohoConnector, stream: str, state: dict[str, Any] | None, **options: Any
) -> tuple[list[Page], dict[str, Any] | None]:
    pages = list(connector.read(stream, state, ReadOptions(**options)))
    return pages, (pages[-1].state if pages else state)


def live_ids(sb: Sandbox, stream: str) -> set[str]:
    ids: set[str] = set()
    for module in MODULES[stream]:
        ids |= {r["id"] for r in sb.world.zoho[module].live()}
    return ids


def stats(admin: requests.Session, sb: Sandbox) -> dict[str, int]:
    response = admin.get(f"{sb.info.zoho.api_domain}/_sandbox/stats")
    return response.json()["endpoints"]


def reset_stats(admin: requests.Session, sb: Sandbox) -> None:
    admin.delete(f"{sb.info.zoho.api_domain}/_sandbox/stats").close()
