"""The consumer line: person accounts in Salesforce, contacts without a company in HubSpot
and Zoho, added without changing any other record of the world."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.generator.b2c import B2C_BUYERS
from sandbox.persist import load_world, save_world
from sandbox.salesforce.schema_person import person_accounts_enabled
from sandbox.world import World


def _b2c() -> World:
    return generate(1, "tiny", DEFAULT_ANCHOR, b2c=True)


def test_every_other_record_is_the_same_as_without_the_line() -> None:
    plain, world = generate(1, "tiny", DEFAULT_ANCHOR), _b2c()
    new = {(r["crm"], r["object"], r["id"]) for r in world.truth.files["b2c"]}
    for crm in ("salesforce", "hubspot", "zoho"):
        before, after = getattr(plain, crm), getattr(world, crm)
        for name, table in before.items():
            for rid, row in table.rows.items():
                extra = {k: v for k, v in after[name].rows[rid].items() if k not in row}
                # an org with person accounts reports its business records as such, their
                # person fields empty
                assert set(extra.values()) <= {False, None}, (crm, name, rid)
                assert extra.get("IsPersonAccount", False) is False
                assert {k: after[name].rows[rid][k] for k in row} == row, (crm, name, rid)
            added = set(after[name].rows) - set(table.rows)
            assert all((crm, name, rid) in new or name in _ACTS[crm] for rid in added)
    assert not person_accounts_enabled(plain.salesforce)
    assert world.history.entries == plain.history.entries  # the CRMs' history too
    deals = plain.truth.files["deals"]
    assert world.truth.files["deals"][: len(deals)] == deals
    assert (
        plain.truth.files["identities"]
        == world.truth.files["identities"][: len(plain.truth.files["identities"])]
    )


_ACTS = {
    "salesforce": {"Opportunity", "Task"},
    "hubspot": {"deals", "calls"},
    "zoho": {"Deals", "Calls"},
}


def test_half_the_buyers_are_person_accounts_with_their_own_contact() -> None:
    world = _b2c()
    rows = world.truth.files["b2c"]
    buyers = Counter(r["crm"] for r in rows if r["object"] in ("Contact", "contacts", "Contacts"))
    # 8 buyers: 4 in Salesforce, 2 in HubSpot, 2 in Zoho; a third of the Salesforce ones
    # (buyers 0 and 1, here) first became a HubSpot contact on the web shop
    assert B2C_BUYERS["tiny"] == 8
    assert buyers == {"salesforce": 4, "hubspot": 4, "zoho": 2}
    accounts = world.salesforce["Account"]
    contacts = world.salesforce["Contact"]
    for row in rows:
        if row["object"] != "Account":
            continue
        account = accounts.rows[row["id"]]
        person = contacts.rows[account["PersonContactId"]]
        assert account["IsPersonAccount"] is True and person["IsPersonAccount"] is True
        assert person["AccountId"] == account["Id"]
        assert (person["Email"], person["Name"]) == (account["PersonEmail"], account["Name"])
        opportunities = [
            o
            for o in world.salesforce["Opportunity"].rows.values()
            if o["AccountId"] == account["Id"]
        ]
        assert len(opportunities) == 1
    zoho = [r for r in rows if r["crm"] == "zoho"]
    assert all(world.zoho["Contacts"].rows[r["id"]]["Account_Name"] is None for r in zoho)
    hubspot = [r["id"] for r in rows if r["crm"] == "hubspot"]
    links = world.hubspot_associations
    assert all(not links.get("contacts", rid, "companies") for rid in hubspot)


def test_the_line_is_the_same_every_time_and_survives_a_save(tmp_path: Path) -> None:
    first, second = _b2c(), _b2c()
    assert first.truth.files["b2c"] == second.truth.files["b2c"]
    assert first.truth.files["deals"] == second.truth.files["deals"]
    save_world(first, tmp_path / "world")
    loaded = load_world(tmp_path / "world")
    assert person_accounts_enabled(loaded.salesforce)
    assert loaded.salesforce["Account"].rows == first.salesforce["Account"].rows
