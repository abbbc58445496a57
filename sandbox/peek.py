"""Read a sandbox through the official clients: a few sample records and record counts.

This is what the demo shows a newcomer, and a smoke test that the emulators speak the
real wire formats: simple-salesforce for Salesforce, hubspot-api-client for HubSpot and
plain requests (as Zoho's peers do) for Zoho.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests
from hubspot import HubSpot
from hubspot.crm.objects import PublicObjectSearchRequest
from simple_salesforce import Salesforce

from connectors.core.http import pinned_session
from sandbox.info import SandboxInfo
from sandbox.zoho.schema import MODULES as ZOHO_MODULE_NAMES

__all__ = [
    "ObjectCount",
    "Sample",
    "count_records",
    "expected_counts",
    "hubspot_client",
    "salesforce_client",
    "sample_records",
    "zoho_session",
]

SALESFORCE_OBJECTS = (
    "User",
    "Lead",
    "Contact",
    "Account",
    "Opportunity",
    "OpportunityContactRole",
    "Task",
    "Event",
    "Case",
    "Campaign",
    "CampaignMember",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
    "OpportunityLineItem",
    "OpportunitySplitType",
    "OpportunitySplit",
)
HUBSPOT_OBJECTS = (
    "contacts",
    "companies",
    "deals",
    "tickets",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
)
ZOHO_MODULES = ZOHO_MODULE_NAMES  # every module the Zoho emulator serves


@dataclass(frozen=True)
class ObjectCount:
    crm: str
    object: str
    count: int


@dataclass(frozen=True)
class Sample:
    crm: str
    object: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


@contextmanager
def salesforce_client(info: SandboxInfo) -> Iterator[Salesforce]:
    session = pinned_session(info.ca_bundle)
    try:
        yield Salesforce(
            instance_url=info.salesforce.instance_url,
            session_id=info.salesforce.access_token,
            session=session,
            version="59.0",
        )
    finally:
        session.close()


def hubspot_client(info: SandboxInfo) -> HubSpot:
    return HubSpot(
        access_token=info.hubspot.access_token,
        host=info.hubspot.base_url,
        ssl_ca_cert=str(info.ca_bundle),
    )


@contextmanager
def zoho_session(info: SandboxInfo) -> Iterator[requests.Session]:
    """A requests session authorised with a fresh Zoho access token."""
    session = pinned_session(info.ca_bundle)
    try:
        token = session.post(
            f"{info.zoho.accounts_url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": info.zoho.client_id,
                "client_secret": info.zoho.client_secret,
                "refresh_token": info.zoho.refresh_token,
            },
            timeout=30,
        ).json()
        if "access_token" not in token:
            raise RuntimeError(f"Zoho token refresh failed: {token}")
        session.headers["Authorization"] = f"Zoho-oauthtoken {token['access_token']}"
        yield session
    finally:
        session.close()


def count_records(info: SandboxInfo) -> list[ObjectCount]:
    """Live records per object, as each CRM's client reports them."""
    counts: list[ObjectCount] = []
    with salesforce_client(info) as sf:
        for name in SALESFORCE_OBJECTS:
            total = sf.query(f"SELECT COUNT() FROM {name}")["totalSize"]
            counts.append(ObjectCount("salesforce", name, int(total)))
    client = hubspot_client(info)
    for name in HUBSPOT_OBJECTS:
        api = client.crm.objects.search_api
        page = api.do_search(
            name,
            public_object_search_request=PublicObjectSearchRequest(
                limit=1, properties=["hs_object_id"]
            ),
        )
        counts.append(ObjectCount("hubspot", name, int(page.total)))
    with zoho_session(info) as zoho:
        for name in ZOHO_MODULES:
            response = zoho.get(f"{info.zoho.api_domain}/crm/v8/{name}/actions/count", timeout=30)
            response.raise_for_status()
            counts.append(ObjectCount("zoho", name, int(response.json()["count"])))
    return counts


def sample_records(info: SandboxInfo, limit: int = 5) -> list[Sample]:
    """The first few leads/contacts of each CRM, read through the official clients."""
    samples: list[Sample] = []
    with salesforce_client(info) as sf:
        cols = ("Id", "Name", "Company", "Email", "LeadSource", "Owner.Name")
        result = sf.query(f"SELECT {', '.join(cols)} FROM Lead ORDER BY CreatedDate LIMIT {limit}")
        rows = [tuple(_text(_path(r, c)) for c in cols) for r in result["records"]]
        samples.append(Sample("salesforce", "Lead", cols, rows))
    client = hubspot_client(info)
    props = ("firstname", "lastname", "email", "hs_analytics_source", "lifecyclestage")
    page = client.crm.contacts.basic_api.get_page(limit=limit, properties=list(props))
    rows = [(r.id, *(_text(r.properties.get(p)) for p in props)) for r in page.results]
    samples.append(Sample("hubspot", "contacts", ("id", *props), rows))
    with zoho_session(info) as zoho:
        fields = ("Full_Name", "Email", "Phone", "Lead_Source", "Owner")
        response = zoho.get(
            f"{info.zoho.api_domain}/crm/v8/Contacts",
            params={
                "fields": ",".join(fields),
                "per_page": str(limit),
                "sort_by": "id",
                "sort_order": "asc",
            },
            timeout=30,
        )
        response.raise_for_status()
        data = response.json()["data"] if response.status_code == 200 else []
        rows = [(r["id"], *(_text(_zoho_value(r.get(f))) for f in fields)) for r in data]
        samples.append(Sample("zoho", "Contacts", ("id", *fields), rows))
    return samples


def expected_counts(truth_dir: Path) -> dict[tuple[str, str], int]:
    """Live records per (crm, object) according to the ground truth's ``summary.json``."""
    summary = orjson.loads((truth_dir / "summary.json").read_bytes())
    return {
        (crm, name): int(figures["live"])
        for crm, objects in summary["counts"].items()
        for name, figures in objects.items()
    }


def _path(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _zoho_value(value: Any) -> Any:
    return value.get("name") if isinstance(value, dict) else value


def _text(value: Any) -> str:
    return "" if value is None else str(value)
