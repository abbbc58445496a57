"""Keap peer clients: Keap's official Python SDK for REST v2 (keap-core-v2-sdk) and
keap-python (TheAPIGuys' SDK for REST v1)."""

from __future__ import annotations

import json
from pathlib import Path

from context import ClientRun

__all__ = ["KEAP_V1_LISTS", "KEAP_V2_LISTS", "keap_python", "keap_sdk"]

_DRIVERS = Path(__file__).resolve().parent / "drivers"

# The REST v2 lists crmsync's connector reads (its incremental reads; the rest is REST v1,
# which the v2 SDK does not speak), as the ground truth (``summary.json``) names them.
KEAP_V2_LISTS = ("companies", "opportunities")
# Every REST v1 list the sandbox's account has (the ground truth's objects).
KEAP_V1_LISTS = (
    "users",
    "companies",
    "contacts",
    "opportunities",
    "notes",
    "tasks",
    "appointments",
    "orders",
)

# the refresh token the last Keap client of this process left (one sandbox per process)
_ROTATED: dict[str, str] = {}


def keap_sdk(run: ClientRun) -> dict[str, int]:
    return _read(run, "keap_sdk_read.py")


def keap_python(run: ClientRun) -> dict[str, int]:
    return _read(run, "keap_python_read.py")


def _read(run: ClientRun, driver: str) -> dict[str, int]:
    """Run ``driver`` with the account's current refresh token. Keap rotates refresh tokens
    on every use: each driver leaves the new one in its token file, and the next Keap client
    of this sandbox starts from it."""
    endpoint = run.info.keap
    token_file = run.workdir / "keap-tokens.json"
    token_file.unlink(missing_ok=True)
    config = run.write_json(
        "config.json",
        {
            "client_id": endpoint.client_id,
            "client_secret": endpoint.client_secret,
            "refresh_token": _ROTATED.get(endpoint.client_id, endpoint.refresh_token),
            "token_file": str(token_file),
        },
    )
    out = run.run([str(run.env.python), str(_DRIVERS / driver), str(config)], "counts.json")
    if token_file.exists():
        tokens = json.loads(token_file.read_text() or "{}")
        rotated = next((t.get("refresh_token") for t in tokens.values() if t), None)
        if rotated:
            _ROTATED[endpoint.client_id] = rotated
    text = out.read_text().strip()
    return json.loads(text.splitlines()[-1]) if text else {}
