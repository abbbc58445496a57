"""Every generated record fits its CRM's schema and every reference resolves."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sandbox.hubspot.schema import DEAL_PIPELINES, TICKET_PIPELINES
from sandbox.salesforce.schema import FIELD_HISTORY_OBJECTS, KEY_PREFIXES
from sandbox.schema import Field
from sandbox.world import World

_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "int": (int,),
    "double": (float,),
    "currency": (float,),
    "percent": (float,),
}
_PREFIX_TO_OBJECT = {prefix: name for name, prefix in KEY_PREFIXES.items()}


def _type_ok(f: Field, value: object) -> bool:
    if f.type == "datetime":
        return (
            isinstance(value, datetime)
            and value.tzinfo is not None
            and value.utcoffset() == UTC.utcoffset(None)
        )
    if f.type == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if f.type in _TYPES:
        return isinstance(value, _TYPES[f.type]) and (
            f.type != "int" or not isinstance(value, bool)
        )
    return isinstance(value, str)


def test_every_field_present_typed_and_required_filled(world: World) -> None:
    checked = 0
    for crm in ("salesforce", "hubspot", "zoho"):
        for table in getattr(world, crm).values():
            for record in table.rows.values():
                for f in table.schema.fields:
                    assert f.name in record, (crm, table.name, f.name)
                    value = record[f.name]
                    if f.required:
                        assert value not in (None, ""), (crm, table.name, f.name)
                    if value is not None:
                        assert _type_ok(f, value), (crm, table.name, f.name, value)
                        checked += 1
    assert checked > 1000


def test_money_has_two_decimals(world: World) -> None:
    for name, fld in (("Opportunity", "Amount"),):
        for r in world.salesforce[name].rows.values():
            assert round(r[fld], 2) == r[fld]
    for r in world.hubspot["deals"].rows.values():
        assert round(r["amount"], 2) == r["amount"]
    for r in world.zoho["Deals"].rows.values():
        assert round(r["Amount"], 2) == r["Amount"]


def test_salesforce_system_fields_and_names(world: World) -> None:
    users = world.salesforce["User"].rows
    for table in world.salesforce.values():
        if table.name in FIELD_HISTORY_OBJECTS:
            # history rows share the entity-history prefix and are never modified
            for rid, r in table.rows.items():
                assert rid == r["Id"] and len(rid) == 18 and rid.startswith("017")
                assert r["IsDeleted"] is False and r["CreatedById"] in users
            continue
        for rid, r in table.rows.items():
            assert rid == r["Id"] and len(rid) == 18
            assert _PREFIX_TO_OBJECT[rid[:3]] == table.name
            if table.name != "User":
                assert r["IsDeleted"] is False
            assert r["CreatedById"] in users and r["LastModifiedById"] in users
            assert r["SystemModstamp"] == r["LastModifiedDate"]
            if table.name in ("Lead", "Contact", "User"):
                expected = " ".join(p for p in (r["FirstName"], r["LastName"]) if p)
                assert r["Name"] == expected


def test_salesforce_references_resolve(world: World) -> None:
    for table in world.salesforce.values():
        refs = [f for f in table.schema.fields if f.type == "reference"]
        for r in table.rows.values():
            for f in refs:
                value = r[f.name]
                if value is None:
                    continue
                target = _PREFIX_TO_OBJECT[value[:3]]
                assert target in f.ref, (table.name, f.name, value)
                assert value in world.salesforce[target].rows, (table.name, f.name, value)


def test_converted_leads_point_to_their_conversion(world: World) -> None:
    converted = [r for r in world.salesforce["Lead"].rows.values() if r["IsConverted"]]
    assert converted
    for lead in converted:
        assert lead["Status"] == "Closed - Converted"
        assert lead["ConvertedDate"] is not None
        opp = world.salesforce["Opportunity"].rows[lead["ConvertedOpportunityId"]]
        assert opp["AccountId"] == lead["ConvertedAccountId"]
        contact = world.salesforce["Contact"].rows[lead["ConvertedContactId"]]
        assert contact["AccountId"] == lead["ConvertedAccountId"]


def test_opportunity_flags_follow_stage(world: World) -> None:
    for r in world.salesforce["Opportunity"].rows.values():
        assert r["IsWon"] == (r["StageName"] == "Closed Won")
        assert r["IsClosed"] == r["StageName"].startswith("Closed")
        assert r["CurrencyIsoCode"] in ("USD", "EUR", "GBP", "CHF")


def test_hubspot_records_owners_and_associations(world: World) -> None:
    owners = {o["id"]: o for o in world.hubspot_owners}
    assert all(isinstance(o["userId"], int) and o["type"] == "PERSON" for o in owners.values())
    for table in world.hubspot.values():
        for rid, r in table.rows.items():
            assert r["hs_object_id"] == int(rid) and r["id"] == rid
            assert r["hubspot_owner_id"] is None or r["hubspot_owner_id"] in owners
    for (a, b), by_id in world.hubspot_associations.links.items():
        for a_id, targets in by_id.items():
            assert a_id in world.hubspot[a].rows
            for b_id in targets:
                assert b_id in world.hubspot[b].rows
                assert a_id in world.hubspot_associations.get(b, b_id, a)
    for rid, r in world.hubspot["contacts"].rows.items():
        linked = world.hubspot_associations.get("contacts", rid, "companies")
        if r["associatedcompanyid"] is None:  # a copy typed with no company
            assert not linked
            continue
        assert 1 in linked[str(r["associatedcompanyid"])]
    stages = {s[0] for s in DEAL_PIPELINES[0][2]}
    for r in world.hubspot["deals"].rows.values():
        assert r["pipeline"] == "default" and r["dealstage"] in stages
        assert r["hs_is_closed_won"] == (r["dealstage"] == "closedwon")
        assert world.hubspot_associations.get("deals", r["id"], "contacts")
    ticket_stages = {s[0] for s in TICKET_PIPELINES[0][2]}
    for r in world.hubspot["tickets"].rows.values():
        assert r["hs_pipeline"] == "0" and r["hs_pipeline_stage"] in ticket_stages


def test_zoho_lookups_resolve(world: World) -> None:
    for table in world.zoho.values():
        refs = [f for f in table.schema.fields if f.type == "reference"]
        for r in table.rows.values():
            for f in refs:
                value = r[f.name]
                if value is None:
                    continue
                if f.name == "What_Id":
                    assert r["$se_module"] in f.ref
                    assert value in world.zoho[r["$se_module"]].rows
                else:
                    assert any(value in world.zoho[m].rows for m in f.ref), (table.name, f.name)
            if table.name in ("Leads", "Contacts"):
                parts = (r["First_Name"], r["Last_Name"])
                assert r["Full_Name"] == " ".join(p for p in parts if p)


def test_deals_won_or_lost_closed_by_the_anchor(world: World) -> None:
    # A closed deal's close date is when it closed: never after the sandbox's today (a won
    # deal dated next month would be credited in a period not yet begun).
    today = world.anchor.date()
    closed = [r for r in world.salesforce["Opportunity"].rows.values() if r["IsClosed"]]
    assert closed and all(_as_date(r["CloseDate"]) <= today for r in closed)
    dynamics = [r for r in world.dynamics["opportunity"].rows.values() if r["statecode"]]
    assert dynamics and all(_as_date(r["actualclosedate"]) <= today for r in dynamics)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
