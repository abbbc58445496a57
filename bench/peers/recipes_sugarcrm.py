"""SugarCRM peer client: Zucker (iWelt AG's Python client for Sugar's REST v11)."""

from __future__ import annotations

import json
from pathlib import Path

from context import ClientRun

__all__ = ["SUGAR_MODULES", "zucker"]

_DRIVER = Path(__file__).resolve().parent / "drivers" / "zucker_read.py"

# Every module of the sandbox's instance, as the ground truth (``summary.json``) names
# them (``opportunities_contacts`` is a relationship, read only through a link).
SUGAR_MODULES = (
    "Users",
    "Accounts",
    "Contacts",
    "Leads",
    "Opportunities",
    "Calls",
    "Meetings",
    "Tasks",
    "Cases",
    "cstm_StoreVisits",
    "cstm_Orders",
)


def zucker(run: ClientRun) -> dict[str, int]:
    endpoint = run.info.sugarcrm
    config = run.write_json(
        "config.json",
        {
            "site_url": run.base_url,
            "username": endpoint.username,
            "password": endpoint.password,
            "platform": endpoint.platform,
            "modules": SUGAR_MODULES,
        },
    )
    out = run.run([str(run.env.python), str(_DRIVER), str(config)], "counts.json")
    text = out.read_text().strip()
    return json.loads(text.splitlines()[-1]) if text else {}
