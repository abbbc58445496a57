"""HubSpot peer clients: dlt's verified source, Singer tap-hubspot, Airbyte source-hubspot."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from context import ClientRun

__all__ = ["DLT_STREAMS", "dlt_hubspot"]

_DRIVERS = Path(__file__).resolve().parent / "drivers"
_PATCHES = Path(__file__).resolve().parent / "patches"
VERIFIED_SOURCES_GIT = "https://github.com/dlt-hub/verified-sources.git"

# dlt's tables -> the sandbox's HubSpot objects (products and quotes: the portal has none).
DLT_STREAMS: dict[str, tuple[str, ...]] = {
    "contacts": ("contacts",),
    "companies": ("companies",),
    "deals": ("deals",),
    "tickets": ("tickets",),
    "products": (),
    "quotes": (),
    "owners": ("owners",),
}


def dlt_hubspot(run: ClientRun) -> dict[str, int]:
    checkout = _verified_sources(run)
    src = run.workdir / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(checkout / "sources" / "hubspot", src / "hubspot")
    subprocess.run(
        ["patch", "-p1", "-s", "-f", "-i", str(_PATCHES / "dlt-hubspot-source.patch")],
        cwd=src,
        check=True,
    )
    config = run.write_json(
        "config.json",
        {"access_token": run.info.hubspot.access_token, "workdir": str(run.workdir)},
    )
    out = run.run(
        [str(run.env.python), str(_DRIVERS / "dlt_hubspot_read.py"), str(config)],
        "counts.json",
        extra_env={"PYTHONPATH": str(src)},
    )
    text = out.read_text().strip()
    return json.loads(text.splitlines()[-1]) if text else {}


def _verified_sources(run: ClientRun) -> Path:
    given = run.options.get("verified_sources")
    if given:
        return Path(given)
    clone = run.workdir / "verified-sources"
    if not clone.exists():
        subprocess.run(
            ["git", "clone", "--depth", "1", VERIFIED_SOURCES_GIT, str(clone)],
            check=True,
            capture_output=True,
            timeout=run.timeout_s,
        )
    return clone
