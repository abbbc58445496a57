"""Zoho peer client: Zoho's official Python SDK (zohocrmsdk8-0)."""

from __future__ import annotations

import json
from pathlib import Path

from context import ClientRun

# The sandbox's Zoho modules (ground truth ``summary.json``), the same list as its peek.
from sandbox.peek import ZOHO_MODULES

__all__ = ["ZOHO_MODULES", "zoho_sdk"]

_DRIVER = Path(__file__).resolve().parent / "drivers" / "zoho_sdk_read.py"


def zoho_sdk(run: ClientRun) -> dict[str, int]:
    creds = run.credentials
    config = run.write_json(
        "config.json",
        {
            "client_id": creds.zoho_client_id,
            "client_secret": creds.zoho_client_secret,
            "refresh_token": creds.zoho_refresh_token,
            "modules": list(ZOHO_MODULES),
            "workdir": str(run.workdir),
        },
    )
    out = run.run([str(run.env.python), str(_DRIVER), str(config)], "counts.json")
    text = out.read_text().strip()
    return json.loads(text.splitlines()[-1]) if text else {}
