"""The Splink engine's table and keys: Soundex codes, nickname-canonical first names, and
stored keys that find every pair a blocking rule compares (swapped names too)."""

from __future__ import annotations

from sync.reconcile.entities import Entity
from sync.reconcile.splink_frame import frame_rows, link_groups, record_keys, row_of, soundex


def _person(key: str, first: str, last: str, postcode: str = "", **more: object) -> Entity:
    source, table, remote_id = key.split(":")
    return Entity(
        key=key,
        kind="person",
        source=source,
        table=table,
        remote_id=remote_id,
        first=first,
        last=last,
        postcode=postcode,
        **more,  # type: ignore[arg-type]
    )


def test_soundex_codes() -> None:
    assert [soundex(n) for n in ("robert", "rupert", "ashcraft", "tymczak", "lee")] == [
        "r163",
        "r163",
        "a261",
        "t522",
        "l000",
    ]
    assert soundex("") is None


def test_a_row_holds_the_normalised_values_and_blanks_as_null() -> None:
    row = row_of(_person("hubspot:contacts:1", "bob", "smith", emails=("bob@x.com",)))
    assert row["first_canon"] == "robert"
    assert (row["email"], row["email_local"]) == ("bob@x.com", "bob")
    assert row["street"] is None and row["postcode"] is None and row["phone"] is None


def test_swapped_names_in_one_postal_code_share_a_stored_key() -> None:
    a = _person("salesforce:leads:1", "ann", "moss", "2000")
    b = _person("hubspot:contacts:2", "moss", "ann", "2000")
    c = _person("hubspot:contacts:3", "ann", "moss", "2999")
    assert set(record_keys(a)) & set(record_keys(b))
    assert not {k for k in set(record_keys(a)) & set(record_keys(c)) if "2999" in k}


def test_evidence_groups_records_and_a_common_email_is_not_a_block() -> None:
    lead = _person("salesforce:leads:1", "ann", "moss", must=("salesforce:contacts:2",))
    contact = _person("salesforce:contacts:2", "ann", "moss")
    other = _person("hubspot:contacts:3", "ben", "lee")
    groups = link_groups([lead, contact, other])
    assert groups == ["salesforce:leads:1", "salesforce:leads:1", None]
    shared = [_person(f"hubspot:contacts:{n}", "x", "y", emails=("info@x.com",)) for n in range(3)]
    rows = frame_rows(shared, [None] * 3, max_key_records=2)
    assert [r["email_b"] for r in rows] == [None, None, None]
    assert [r["email"] for r in rows] == ["info@x.com"] * 3


def test_a_postal_code_typed_with_two_digits_swapped_still_shares_a_stored_key() -> None:
    a = _person("salesforce:leads:1", "jackson", "eglinron", "2803")
    b = _person("hubspot:contacts:2", "jackson", "eglinton", "2830")
    c = _person("hubspot:contacts:3", "jackson", "moss", "2804")
    assert "sfirst_name+postcode_s:jackson|0238" in set(record_keys(a)) & set(record_keys(b))
    assert not set(record_keys(a)) & set(record_keys(c))
    assert row_of(a)["postcode"] == "2803"  # compared as typed; sorted for blocking only
