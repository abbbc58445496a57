"""Helpers shared by the Salesforce connector tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.core.contract import Page, ReadOptions
from connectors.core.records import CommonRecord
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.reader import STREAMS
from sandbox import Sandbox


def read_all(
    connector: SalesforceConnector,
    stream: str,
    state: Mapping[str, Any] | None = None,
    options: ReadOptions | None = None,
) -> list[Page]:
    opts = options or ReadOptions(signpost=connector.server_time())
    return list(connector.read(stream, state, opts))


def records(pages: list[Page]) -> list[CommonRecord]:
    return [r for p in pages for r in p.records]


def world_ids(sb: Sandbox, stream: str, deleted: bool = False) -> set[str]:
    """Live (or soft-deleted) ids of a stream's objects in the sandbox's world."""
    found: set[str] = set()
    for obj in STREAMS[stream][1]:
        table = sb.world.salesforce[obj]
        rows = table.deleted() if deleted else table.live()
        found |= {r["Id"] for r in rows}
    return found
