"""Dynamics 365 peer client: Microsoft's Dataverse SDK for Python
(PowerPlatform-Dataverse-Client) with azure-identity client credentials."""

from __future__ import annotations

import json
from pathlib import Path

from context import ClientRun

__all__ = ["DATAVERSE_TABLES", "dataverse_client"]

_DRIVER = Path(__file__).resolve().parent / "drivers" / "dataverse_client_read.py"

# The tables crmsync's connector reads, by their primary key (ground truth ``summary.json``).
DATAVERSE_TABLES = {
    "systemuser": "systemuserid",
    "lead": "leadid",
    "contact": "contactid",
    "account": "accountid",
    "opportunity": "opportunityid",
    "connection": "connectionid",
    "opportunityproduct": "opportunityproductid",
    "phonecall": "activityid",
    "email": "activityid",
    "appointment": "activityid",
    "task": "activityid",
    "incident": "incidentid",
    "campaignresponse": "activityid",
}


def dataverse_client(run: ClientRun) -> dict[str, int]:
    endpoint = run.info.dynamics
    config = run.write_json(
        "config.json",
        {
            "environment_url": run.base_url,
            "authority_host": endpoint.authority_host,
            "tenant_id": endpoint.tenant_id,
            "client_id": endpoint.client_id,
            "client_secret": endpoint.client_secret,
            "tables": DATAVERSE_TABLES,
        },
    )
    out = run.run([str(run.env.python), str(_DRIVER), str(config)], "counts.json")
    text = out.read_text().strip()
    return json.loads(text.splitlines()[-1]) if text else {}
