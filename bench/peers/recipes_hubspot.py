"""HubSpot peer clients: dlt's verified source, Singer tap-hubspot, Airbyte source-hubspot."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from airbyte_catalog import read_airbyte_source
from context import ClientRun
from messages import count_messages
from singer_catalog import select_streams

__all__ = [
    "AIRBYTE_HUBSPOT_STREAMS",
    "DLT_STREAMS",
    "TAP_HUBSPOT_STREAMS",
    "airbyte_source_hubspot",
    "dlt_hubspot",
    "tap_hubspot",
]

_DRIVERS = Path(__file__).resolve().parent / "drivers"
_PATCHES = Path(__file__).resolve().parent / "patches"
VERIFIED_SOURCES_GIT = "https://github.com/dlt-hub/verified-sources.git"

# dlt's tables -> the sandbox's HubSpot objects (quotes: the portal has none).
DLT_STREAMS: dict[str, tuple[str, ...]] = {
    "contacts": ("contacts",),
    "companies": ("companies",),
    "deals": ("deals",),
    "tickets": ("tickets",),
    "products": ("products",),
    "quotes": (),
    "owners": ("owners",),
}

# tap-hubspot's streams that the sandbox's portal has data for -> its HubSpot objects.
TAP_HUBSPOT_STREAMS: dict[str, tuple[str, ...] | int] = {
    "contacts": ("contacts",),
    "companies": ("companies",),
    "deals": ("deals",),
    "tickets": ("tickets",),
    "engagements": ("calls", "emails", "meetings", "notes", "tasks"),
    "owners": ("owners",),
    "deal_pipelines": 1,  # the portal's one deal pipeline (not an object in the truth)
}
START_DATE = "2000-01-01T00:00:00Z"

# Airbyte source-hubspot's streams -> the sandbox's HubSpot objects (5.7.0 has no quotes
# stream: its discovery lists none, against HubSpot as against the sandbox).
AIRBYTE_HUBSPOT_STREAMS: dict[str, tuple[str, ...]] = {
    "contacts": ("contacts",),
    "companies": ("companies",),
    "deals": ("deals",),
    "tickets": ("tickets",),
    "engagements_calls": ("calls",),
    "engagements_emails": ("emails",),
    "engagements_meetings": ("meetings",),
    "engagements_notes": ("notes",),
    "engagements_tasks": ("tasks",),
    "owners": ("owners",),
    "products": ("products",),
    "line_items": ("line_items",),
}


def airbyte_source_hubspot(run: ClientRun) -> dict[str, int]:
    config = {
        "credentials": {
            "credentials_title": "Private App Credentials",
            "access_token": run.info.hubspot.access_token,
        },
        "start_date": START_DATE,
        # read by the patched manifest's url_base (the only change to the source)
        "peer_base_url": run.base_url,
    }
    return read_airbyte_source(run, "source-hubspot", config, AIRBYTE_HUBSPOT_STREAMS)


def tap_hubspot(run: ClientRun) -> dict[str, int]:
    """One tap run per stream: the tap stops at its first failing stream, so one legacy
    endpoint the sandbox lacks would otherwise hide how every later stream fares."""
    config = run.write_json(
        "config.json",
        {
            "api_key": run.info.hubspot.access_token,
            "start_date": START_DATE,
            "select_fields_by_default": True,
        },
    )
    tap = str(run.env.bin / "tap-hubspot")
    discovered = run.run([tap, "--config", str(config), "--discover"], "discover.json")
    catalog = json.loads(discovered.read_text() or "{}")
    run.notes.append(f"discovered {len(catalog.get('streams', []))} streams")
    counts: dict[str, int] = {}
    failed = False
    for stream in TAP_HUBSPOT_STREAMS:
        if not select_streams(catalog, [stream]):
            continue
        path = run.write_json(f"catalog-{stream}.json", catalog)
        run.failed = False
        out = run.run(
            [tap, "--config", str(config), "--properties", str(path)], f"records-{stream}.jsonl"
        )
        failed = failed or run.failed
        read = count_messages(out, "singer")
        counts.update(read)
        if run.failed and stream not in read:
            counts[stream] = None  # type: ignore[assignment]  # failed before any record
    run.failed = failed
    return {k: v for k, v in counts.items() if v is not None}


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
