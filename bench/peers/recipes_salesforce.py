"""Salesforce peer clients: Singer tap-salesforce (REST) and Airbyte source-salesforce."""

from __future__ import annotations

import json

from airbyte_catalog import read_airbyte_source
from context import ClientRun
from messages import count_messages
from singer_catalog import select_streams

# The sandbox's Salesforce objects (ground truth ``summary.json``); streams carry these names.
from sandbox.peek import SALESFORCE_OBJECTS

__all__ = ["SALESFORCE_OBJECTS", "airbyte_source_salesforce", "tap_salesforce"]

START_DATE = "2000-01-01T00:00:00Z"


def tap_salesforce(run: ClientRun) -> dict[str, int]:
    creds = run.credentials
    config = run.write_json(
        "config.json",
        {
            "client_id": creds.salesforce_client_id,
            "client_secret": creds.salesforce_client_secret,
            "refresh_token": creds.salesforce_refresh_token,
            "start_date": START_DATE,
            "api_type": "REST",
            "select_fields_by_default": True,
        },
    )
    tap = str(run.env.bin / "tap-salesforce")
    discovered = run.run([tap, "--config", str(config), "--discover"], "discover.json")
    catalog = json.loads(discovered.read_text() or "{}")
    run.notes.append(f"discovered {len(catalog.get('streams', []))} streams")
    select_streams(catalog, SALESFORCE_OBJECTS)
    path = run.write_json("catalog.json", catalog)
    # tap-salesforce reads the catalog from --properties (the older Singer flag).
    out = run.run([tap, "--config", str(config), "--properties", str(path)], "records.jsonl")
    return count_messages(out, "singer")


def airbyte_source_salesforce(run: ClientRun) -> dict[str, int]:
    creds = run.credentials
    config = {
        "client_id": creds.salesforce_client_id,
        "client_secret": creds.salesforce_client_secret,
        "refresh_token": creds.salesforce_refresh_token,
        "start_date": START_DATE,
        "is_sandbox": False,
        "force_use_bulk_api": True,
        "streams_criteria": [],
    }
    return read_airbyte_source(run, "source-salesforce", config, SALESFORCE_OBJECTS)
