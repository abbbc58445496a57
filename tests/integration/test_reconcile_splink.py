"""The Splink engine for people, through a real store: it links a hand-written set into the
expected identities, an incremental run ends where a full run does, a record with no usable
field stays alone, and ``explain`` shows each comparison's weight from Splink's output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("splink", reason="the Splink engine needs crmsync[linkage]")

from sqlalchemy import Engine

from connectors.core.contract import Page
from connectors.core.records import Contact, Lead
from sync.config.reconcile import Learning, ReconcileConfig
from sync.reconcile.model_store import latest_model
from sync.reconcile.persist import crosswalk
from sync.reconcile.reconciling import reconcile
from sync.reconcile.reports import explain_record
from sync.reconcile.splink_engine import SplinkModel
from sync.store import open_store
from sync.store.pages import write_page

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONFIG = ReconcileConfig(engine="splink", learning=Learning(min_records=50))
FIRST = (
    "anna", "ben", "carla", "dev", "emil", "fay", "gus", "hana", "ivo", "jana",
    "kofi", "lena", "milo", "nora", "otto", "pia", "quin", "rosa", "saul", "tova",
)  # fmt: skip
LAST = (
    "lindqvist", "mosby", "novak", "ortega", "parkin", "quayle", "reyes", "satoh",
    "tanaka", "urbanek", "vasquez", "whitlow", "xiong", "yilmaz", "zorić",
)  # fmt: skip
STREETS = ("oak st", "elm rd", "pine ave", "ash ct", "bay pde", "cove ln", "dale st", "fern rd")
PEOPLE = 300  # distinct people; the first DUPLICATED of them are also a HubSpot contact
DUPLICATED = 100


def _fields(n: int) -> dict[str, str]:
    return {
        "first_name": FIRST[n % 20].title(),
        "last_name": LAST[n // 20].title(),
        "street": f"{n % 90 + 1} {STREETS[n % 8].title()}",
        "postal_code": f"{2000 + n}",
        "city": f"Town {n % 13}",
        "state": "NSW",
    }


def _copy(n: int) -> dict[str, str]:
    """Person ``n`` as another CRM typed them: a surname typo every second time."""
    found = _fields(n)
    if n % 2:
        last = found["last_name"]
        found["last_name"] = last[:-2] + last[-1] + last[-2]  # two letters swapped
    return found


def _write(engine: Engine, source: str, records: list[Lead | Contact], now: datetime) -> None:
    stream = "leads" if source == "salesforce" else "contacts"
    kind = "lead" if source == "salesforce" else "contact"
    with engine.begin() as connection:
        page = Page(stream=stream, records=records, state={"after": records[-1].remote_id})
        write_page(connection, source, page, kind, None, now)


def _store(tmp_path: Path) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    leads = [Lead(source="salesforce", remote_id=f"L{n:03d}", **_fields(n)) for n in range(PEOPLE)]
    # A web form's lead: every field a placeholder.
    leads.append(
        Lead(
            source="salesforce",
            remote_id="L999",
            first_name="[not provided]",
            last_name="n/a",
            company="[not provided]",
            street="-",
            city="unknown",
        )
    )
    contacts = [
        Contact(source="hubspot", remote_id=f"C{n:03d}", **_copy(n)) for n in range(DUPLICATED)
    ]
    _write(engine, "salesforce", leads, T0)
    _write(engine, "hubspot", contacts, T0)
    return engine


def _identities(engine: Engine) -> list[list[str]]:
    with engine.connect() as connection:
        found: dict[str, list[str]] = {}
        for key, identity in crosswalk(connection, "person").items():
            found.setdefault(identity, []).append(key)
    return sorted(sorted(members) for members in found.values())


def _expected(people: int, duplicated: int, later: range = range(0)) -> list[list[str]]:
    groups = [[f"salesforce:leads:L{n:03d}"] for n in range(people)]
    for n in range(duplicated):
        groups[n].insert(0, f"hubspot:contacts:C{n:03d}")
    for n in later:
        groups[n].insert(0, f"hubspot:contacts:C{n:03d}")
    groups.append(["salesforce:leads:L999"])
    return sorted(sorted(g) for g in groups)


def test_the_splink_engine_links_the_hand_written_people(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    report = reconcile(engine, CONFIG, T0 + timedelta(hours=1), "full")
    person = report.kinds["person"]
    assert person["engine"] == "splink"
    assert person["model"].startswith("splink-")
    assert _identities(engine) == _expected(PEOPLE, DUPLICATED)
    with engine.connect() as connection:
        model = latest_model(connection, "person")
    assert isinstance(model, SplinkModel)
    # The stored version keeps Splink's settings JSON, trained.
    names = [c["output_column_name"] for c in model.settings["comparisons"]]
    # No e-mail, phone or company in these records: those are left out of the model.
    assert names == ["first_name", "last_name", "house", "street", "city", "postcode", "state"]
    assert model.settings["link_type"] == "dedupe_only"


def test_a_record_with_no_usable_field_stays_its_own_identity(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    reconcile(engine, CONFIG, T0 + timedelta(hours=1), "full")
    alone = [g for g in _identities(engine) if "salesforce:leads:L999" in g]
    assert alone == [["salesforce:leads:L999"]]


def test_an_incremental_run_ends_where_a_full_run_does(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    reconcile(engine, CONFIG, T0 + timedelta(hours=1), "full")
    later = range(DUPLICATED, DUPLICATED + 20)
    contacts = [Contact(source="hubspot", remote_id=f"C{n:03d}", **_copy(n)) for n in later]
    _write(engine, "hubspot", contacts, T0 + timedelta(hours=2))
    report = reconcile(engine, CONFIG, T0 + timedelta(hours=3), "incremental")
    assert report.mode == "incremental"
    assert report.kinds["person"]["changed"] == 20
    incremental = _identities(engine)
    assert incremental == _expected(PEOPLE, DUPLICATED, later)
    reconcile(engine, CONFIG, T0 + timedelta(hours=4), "full")  # the same stored model
    assert _identities(engine) == incremental


def test_explain_shows_each_comparison_weight_from_splink(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    reconcile(engine, CONFIG, T0 + timedelta(hours=1), "full")
    with engine.connect() as connection:
        found = explain_record(connection, "hubspot:contacts:C001")
    assert found["members"] == ["hubspot:contacts:C001", "salesforce:leads:L001"]
    pair = next(p for p in found["pairs"] if p["other"] == "salesforce:leads:L001")
    assert pair["status"] == "match"
    assert pair["model"].startswith("splink-")
    levels = {c["field"]: (c["level"], c["this"], c["other"]) for c in pair["comparisons"]}
    assert levels == {
        "first_name": ("exact", "ben", "ben"),
        "last_name": ("typo", "lindqvits", "lindqvist"),
        "house": ("exact", "2", "2"),
        "street": ("exact", "elm rd", "elm rd"),
        "city": ("exact", "town 1", "town 1"),
        "postcode": ("exact", "2001", "2001"),
        "state": ("exact", "nsw", "nsw"),
    }
    weights = {c["field"]: c["weight"] for c in pair["comparisons"]}
    assert all(w > 0 for f, w in weights.items() if f != "state")  # every record: NSW
    assert weights["state"] == 0.0
    weights = list(weights.values())
    assert abs(sum(weights) - pair["score"]) <= 0.01 * len(weights)
