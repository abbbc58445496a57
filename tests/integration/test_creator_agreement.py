"""The audit, the compute evidence and the duplicate reports name the same creator for a
record: all three read it through its connector profile (``CrmProfile.creator_of``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from sync.audit import AuditConfig
from sync.audit.creators import assign_creators
from sync.audit.snapshot import load_snapshot
from sync.compute.creators import Creators
from sync.compute.snapshot import load_store_snapshot
from sync.reconcile.reports import RecordCreators
from sync.store import open_store
from sync.store.records import ContactRow, LeadRow, UserRow

AT = datetime(2026, 10, 1, tzinfo=UTC)
# Source names that are not kinds: the kind comes from the configuration.
KINDS = {"sf-emea": "salesforce", "hs": "hubspot", "zo": "zoho"}


def _base(source: str, remote_id: str) -> dict[str, Any]:
    return {
        "source": source,
        "remote_id": remote_id,
        "remote_created_at": AT,
        "content_hash": remote_id,
        "first_seen_at": AT,
        "synced_at": AT,
    }


def _store(tmp_path: Path) -> Any:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    users = [
        ("sf-emea", "U1", {}),
        ("sf-emea", "U2", {}),
        ("zo", "Z1", {}),
        ("zo", "Z2", {}),
        ("hs", "501", {"userId": 9001}),
        ("hs", "502", {"userId": 9002}),
    ]
    with Session(engine) as session:
        for source, rid, raw in users:
            session.add(UserRow(**_base(source, rid), name=rid, raw=raw))
        session.add(LeadRow(**_base("sf-emea", "L1"), owner_id="U1", raw={"CreatedById": "U2"}))
        session.add(
            ContactRow(
                **_base("zo", "ZC1"), owner_id="Z1", raw={"Created_By": {"id": "Z2", "name": "B"}}
            )
        )
        session.add(
            ContactRow(
                **_base("hs", "HC1"),
                owner_id="501",
                raw={"properties": {"hs_created_by_user_id": "9002"}},
            )
        )
        # created by an app with no user behind it: the owner stands in
        session.add(ContactRow(**_base("hs", "HC2"), owner_id="501", raw={"properties": {}}))
        session.commit()
    return engine


EXPECTED = {
    ("sf-emea", "leads", "L1"): "U2",
    ("zo", "contacts", "ZC1"): "Z2",
    ("hs", "contacts", "HC1"): "502",
    ("hs", "contacts", "HC2"): "501",
}


def test_audit_evidence_and_duplicate_reports_name_the_same_creator(tmp_path: Path) -> None:
    engine = _store(tmp_path)

    snapshot = load_snapshot(engine, KINDS)
    assign_creators(snapshot, AuditConfig(detect_integration_users=False))
    audit = {
        (row["source"], table, row["remote_id"]): row["_creator"]
        for table in ("leads", "contacts")
        for row in snapshot.rows(table)
    }

    # Evidence asks for the creators of deal contact roles and campaign members; its
    # accessor is given the same records' payloads here.
    creators = Creators(load_store_snapshot(engine), KINDS)
    evidence = {}
    with Session(engine) as session:
        for table, model in (("leads", LeadRow), ("contacts", ContactRow)):
            for record in session.exec(select(model)):
                row = {"source": record.source, "raw": record.raw}
                key = (record.source, table, record.remote_id)
                evidence[key] = creators(row) or record.owner_id

    with engine.connect() as connection:
        reports = RecordCreators(connection, KINDS)
        duplicates = {member: reports.creator(member) for member in EXPECTED}

    assert audit == EXPECTED
    assert evidence == EXPECTED
    assert duplicates == EXPECTED
