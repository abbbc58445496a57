"""A store record's key, ``source:table:remote_id``, formats and parses back whole."""

from __future__ import annotations

import pytest

from sync.compute.links import deal_key, record_key
from sync.store.record_key import RecordKey


def test_a_key_reads_back_with_colons_in_its_remote_id() -> None:
    key = RecordKey("hubspot", "field_changes", "deals:42:dealstage:1700000000000")
    assert str(key) == "hubspot:field_changes:deals:42:dealstage:1700000000000"
    assert RecordKey.parse(str(key)) == key
    assert RecordKey.parse(str(key)).remote_id == "deals:42:dealstage:1700000000000"


def test_a_key_is_the_tuple_of_its_parts() -> None:
    key = RecordKey.parse("salesforce:leads:00Q5g000001")
    assert key == ("salesforce", "leads", "00Q5g000001")
    assert {("salesforce", "leads", "00Q5g000001"): "Ada"}[key] == "Ada"


def test_the_credit_keys_are_record_keys() -> None:
    assert record_key("zoho", "contacts", "4150868000000224005") == (
        "zoho:contacts:4150868000000224005"
    )
    assert RecordKey.parse(deal_key("salesforce", "006A")) == ("salesforce", "deals", "006A")


def test_text_with_fewer_than_three_parts_is_no_key() -> None:
    assert RecordKey.parse_or_none("salesforce:005A") is None
    with pytest.raises(ValueError, match="'P-12' is not a record key"):
        RecordKey.parse("P-12")


def test_the_entities_of_reconciliation_are_named_by_record_keys() -> None:
    from sync.reconcile.entities import build_entity

    entity = build_entity(
        "leads",
        {"source": "zoho", "remote_id": "415:7", "account_id": "88", "converted_contact_id": "9"},
    )
    assert RecordKey.parse(entity.key) == ("zoho", "leads", "415:7")
    assert (entity.org_ref, entity.must) == ("zoho:accounts:88", ("zoho:contacts:9",))
    assert RecordKey.text("zoho", "leads", "415:7") == str(RecordKey("zoho", "leads", "415:7"))
