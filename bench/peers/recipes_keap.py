"""Keap peer client: Keap's official Python SDK for REST v2 (keap-core-v2-sdk)."""

from __future__ import annotations

import json
from pathlib import Path

from context import ClientRun

__all__ = ["KEAP_V2_LISTS", "keap_sdk"]

_DRIVER = Path(__file__).resolve().parent / "drivers" / "keap_sdk_read.py"

# The REST v2 lists crmsync's connector reads (its incremental reads; the rest is REST v1,
# which the v2 SDK does not speak), as the ground truth (``summary.json``) names them.
KEAP_V2_LISTS = ("companies", "opportunities")


def keap_sdk(run: ClientRun) -> dict[str, int]:
    endpoint = run.info.keap
    config = run.write_json(
        "config.json",
        {
            "client_id": endpoint.client_id,
            "client_secret": endpoint.client_secret,
            "refresh_token": endpoint.refresh_token,
        },
    )
    out = run.run([str(run.env.python), str(_DRIVER), str(config)], "counts.json")
    text = out.read_text().strip()
    return json.loads(text.splitlines()[-1]) if text else {}
