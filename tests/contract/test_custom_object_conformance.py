"""The conformance suite's discovery and custom-object checks pass for every built-in
connector on the sandbox's store visits and the consumers' orders, and for the JSON-lines
plugin on its files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from connectors.core.contract import ReadOptions
from connectors.core.custom import CustomObjectMapping
from connectors.core.records import Deal
from connectors.testing import ConformanceError, check_custom_stream, check_discovery
from sandbox import DEFAULT_ANCHOR, ManualClock, Sandbox, SandboxOptions
from sandbox.custom_mappings import CUSTOM_MAPPINGS
from sandbox.hubspot.schema_custom import STORE_VISITS
from sync.config import load_config
from sync.sources import build_connector
from sync.store import open_store
from sync.store.pages import write_page
from tests.integration.sync_support import write_config

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "crmsync-jsonl"
MAPPINGS = {
    "salesforce": {
        "object": "Store_Visit__c",
        "kind": "activity",
        "fields": {"occurred_at": "Visit_Date__c"},
        "links": {"person": "Contact__c"},
    },
    "hubspot": {
        "object": STORE_VISITS,
        "kind": "event",
        "fields": {"occurred_at": "visit_date"},
        "links": {"person": "associations.contacts"},
    },
    "zoho": {
        "object": "Store_Visits",
        "kind": "case",
        "fields": {"subject": "Name", "opened_at": "Visited_At"},
        "links": {"person": "Customer", "account": "Account"},
    },
    "dynamics": {
        "object": "new_storevisit",
        "kind": "event",
        "fields": {"occurred_at": "new_visitedon", "subject": "new_store"},
        "links": {"person": "new_customerid", "account": "new_accountid"},
    },
    "sugarcrm": {
        "object": "cstm_StoreVisits",
        "kind": "activity",
        "fields": {"occurred_at": "visit_date"},
        "channel": {"field": "store", "map": {"boston store": "store"}, "default": "meeting"},
        "links": {"person": "contact_id_c", "owner": "assigned_user_id"},
    },
    "oracle": {
        "object": "StoreVisit_c",
        "kind": "event",
        "fields": {"occurred_at": "VisitDate_c", "subject": "Store_c"},
        "links": {"person": "Contact_Id_c", "account": "Account_Id_c"},
    },
}
CRMS = ["salesforce", "hubspot", "zoho", "dynamics", "sugarcrm", "oracle"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(options.anchor)) as running:
        yield running


def _truth(sandbox: Sandbox, name: str, crm: str) -> list[dict[str, Any]]:
    """The truth's rows of ``crm`` (the DACH and Benelux parts keep files of their own)."""
    assert sandbox.world is not None
    files = sandbox.world.truth.files
    return [r for r in [*files[name], *files.get(f"{crm}_{name}", [])] if r["crm"] == crm]


def _users(sandbox: Sandbox, crm: str) -> dict[str, str]:
    """Employee id -> the employee's user in ``crm``."""
    assert sandbox.world is not None
    files = sandbox.world.truth.files
    if crm == "dynamics":
        return {e["employee_id"]: e["user_id"] for e in files["dynamics_employees"]}
    if crm == "sugarcrm":
        return {e["employee"]: e["user_id"] for e in files["sugarcrm_employees"]}
    if crm == "oracle":
        return {e["employee_id"]: e["user_id"] for e in files["oracle_employees"]}
    return {
        e["employee_id"]: a["user_id"]
        for e in files["employees"]
        for a in e["accounts"]
        if a["crm"] == crm
    }


@pytest.mark.parametrize("crm", CRMS)
def test_built_in_connector_discovers_and_reads_a_custom_object(
    crm: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", (crm,)))
    connector = build_connector(config.source(crm))
    mapping = CustomObjectMapping.model_validate(MAPPINGS[crm])
    truth = _truth(sandbox, "store_visits", crm)
    expected = {f"{mapping.object}/{v['id']}" for v in truth}
    try:
        assert check_custom_stream(connector, mapping, expected) == expected
    finally:
        connector.close()
    assert len(expected) >= 2


@pytest.mark.parametrize("crm", CRMS)
def test_built_in_connector_reads_the_orders_as_won_deals(
    crm: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """The demo's mapping of each CRM's orders object: every order of the ground truth is
    read, as a won deal with its amount, currency, channel, customer and owner."""
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", (crm,)))
    connector = build_connector(config.source(crm))
    (raw,) = [m for m in CUSTOM_MAPPINGS[crm] if m["stream"] == "orders"]
    mapping = CustomObjectMapping.model_validate(raw)
    truth = _truth(sandbox, "orders", crm)
    expected = {f"{mapping.object}/{o['id']}" for o in truth}
    try:
        assert check_custom_stream(connector, mapping, expected) == expected
        read = [r for page in connector.read("orders", None, ReadOptions()) for r in page.records]
    finally:
        connector.close()
    got = {
        r.remote_id: (r.is_won, r.is_closed, r.amount, r.currency, r.source_channel, r.contact_id)
        for r in read
        if isinstance(r, Deal)
    }
    assert got == {
        f"{mapping.object}/{o['id']}": (
            True,
            True,
            Decimal(o["amount"]),
            o["currency"],
            o["channel"],
            o["contact"],
        )
        for o in truth
    }
    users = {r.remote_id: r.owner_id for r in read if isinstance(r, Deal)}
    owners = _users(sandbox, crm)
    for order in truth:
        assert users[f"{mapping.object}/{order['id']}"] == owners[order["owner"]]
    # tiny seed 7: 8 consumers (2 each in HubSpot and Zoho), zero to two orders each; a
    # third of the DACH and Benelux contacts, one or two orders each; in Oracle, a third of
    # the division's contacts (at least three), one or two orders each
    counts = {"salesforce": 6, "hubspot": 3, "zoho": 3, "dynamics": 5, "sugarcrm": 7, "oracle": 6}
    assert len(expected) == counts[crm]


def test_keap_maps_its_appointments_in_place_of_their_standard_stream(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Keap has no custom objects: the demo's mapping reads the appointments (every live
    one) instead of the activities stream, and each store visit of the ground truth is an
    appointment on channel store, linked to the visitor and owned by their seller."""
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("keap",)))
    connector = build_connector(config.source("keap"))
    (raw,) = CUSTOM_MAPPINGS["keap"]
    mapping = CustomObjectMapping.model_validate(raw)
    assert sandbox.world is not None
    world = sandbox.world
    appointments = {r["id"]: r for r in world.keap["appointments"].live()}
    expected = {f"appointments/{rid}" for rid in appointments}
    visits = [v for v in world.truth.files["store_visits"] if v["crm"] == "keap"]
    try:
        assert check_custom_stream(connector, mapping, expected) == expected
        objects = {s.name: s.remote_objects for s in connector.streams()}
        pages = list(connector.read("appointments", None, ReadOptions()))
    finally:
        connector.close()
    assert (objects["activities"], objects["appointments"]) == (
        ("notes", "tasks"),
        ("appointments",),
    )
    got = {
        r.remote_id: (r.contact_id, r.owner_id, r.activity_type)
        for page in pages
        for r in page.records
        if r.channel == "store"
    }
    assert got == {
        f"appointments/{v['id']}": (
            v["contact"],
            appointments[v["id"]]["user_id"],
            "meeting",
        )
        for v in visits
    }
    # tiny seed 7: a quarter of the shop's contacts visit a store, beside 6 product demos
    assert (len(visits), len(expected)) == (10, 16)


def test_keap_maps_a_list_read_through_rest_v2(sandbox: Sandbox, tmp_path: Path) -> None:
    """Opportunities come through REST v2 (string ids, v2's time names): mapped as events,
    each keeps its contact and owner, and the deals stream keeps the orders alone."""
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("keap",)))
    connector = build_connector(config.source("keap"))
    mapping = CustomObjectMapping.model_validate(
        {
            "object": "opportunities",
            "kind": "event",
            "fields": {"occurred_at": "created_time", "subject": "opportunity_title"},
            "links": {"person": "contact", "owner": "user"},
        }
    )
    assert sandbox.world is not None
    rows = {r["id"]: r for r in sandbox.world.keap["opportunities"].live()}
    expected = {f"opportunities/{rid}" for rid in rows}
    try:
        assert check_custom_stream(connector, mapping, expected) == expected
        objects = {s.name: s.remote_objects for s in connector.streams()}
        pages = list(connector.read("opportunities", None, ReadOptions()))
    finally:
        connector.close()
    assert objects["deals"] == ("orders",)
    got = {r.remote_id: (r.contact_id, r.owner_id, r.subject) for p in pages for r in p.records}
    assert got == {
        f"opportunities/{rid}": (r["contact_id"], r["user_id"], r["opportunity_title"])
        for rid, r in rows.items()
    }


def test_discovery_lists_keap_lists_and_oracle_custom_objects(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Keap's record lists with their custom fields by label; Oracle's Application
    Composer objects as custom resources, with their ``_c`` attributes."""
    crms = ("keap", "oracle")
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", crms))
    found = {}
    for crm in crms:
        connector = build_connector(config.source(crm))
        try:
            found[crm] = check_discovery(connector)
        finally:
            connector.close()
    keap, oracle = found["keap"], found["oracle"]
    assert sorted(keap) == [
        "appointments",
        "companies",
        "contacts",
        "notes",
        "opportunities",
        "orders",
        "tasks",
        "users",
    ]
    assert not any(o.custom for o in keap.values())
    assert (keap["orders"].cursor_field, keap["notes"].cursor_field) == ("modification_date", None)
    assert keap["appointments"].field("location") is not None
    customs = sorted(o.name for o in oracle.values() if o.custom)
    assert customs == ["Order_c", "StoreVisit_c"]
    visit = oracle["StoreVisit_c"]
    assert (visit.cursor_field, visit.detects_deletes) == ("LastUpdateDate", False)
    assert [f.name for f in visit.fields if f.custom] == [
        "VisitDate_c",
        "Store_c",
        "VisitType_c",
        "AmountSpent_c",
        "Contact_Id_c",
        "Account_Id_c",
        "Owner_Id_c",
    ]
    assert not oracle["opportunities"].custom


def _plugin(directory: Path) -> Any:
    sys.path.insert(0, str(PLUGIN))
    try:
        from crmsync_jsonl import JsonlConnector, JsonlSettings
    finally:
        sys.path.remove(str(PLUGIN))
    files = {
        "contacts": [{"id": 1, "email": "ana@example.com", "last_name": "Ruiz"}],
        "visits": [
            {"id": 10, "contact": "1", "shop": "Lyon", "at": "2026-10-02T09:30:00+00:00"},
            {"id": 11, "contact": "1", "shop": "Online", "at": "2026-10-03T18:00:00+00:00"},
        ],
    }
    for name, lines in files.items():
        for line in lines:
            line["updated_at"] = "2026-10-04T10:00:00+00:00"
        text = "\n".join(orjson.dumps(x).decode() for x in lines)
        (directory / f"{name}.jsonl").write_text(text)
    return JsonlConnector("files", JsonlSettings(directory=directory))


def test_the_json_lines_plugin_maps_a_custom_object(tmp_path: Path) -> None:
    connector = _plugin(tmp_path)
    objects = check_discovery(connector)
    assert (objects["visits"].custom, objects["visits"].cursor_field) == (True, "updated_at")
    mapping = CustomObjectMapping.model_validate(
        {
            "object": "visits",
            "kind": "activity",
            "fields": {"occurred_at": "at", "subject": "shop"},
            "channel": {"field": "shop", "map": {"online": "web"}, "default": "store"},
            "links": {"person": "contact"},
        }
    )
    assert check_custom_stream(connector, mapping, {"visits/10", "visits/11"}) == {
        "visits/10",
        "visits/11",
    }
    (page,) = connector.read("visits", None, None)
    got = [(r.remote_id, r.channel, r.contact_id, r.subject) for r in page.records]
    assert got == [("visits/10", "store", "1", "Lyon"), ("visits/11", "web", "1", "Online")]


def test_order_lines_map_as_products_on_their_deals_into_the_store(tmp_path: Path) -> None:
    """Kind ``product``: an order's lines become products sold on their deal (the store's
    ``deal_products``); a line that names no order is quarantined, not dropped."""
    _plugin(tmp_path)  # the plugin's own files
    lines = [
        {"id": 20, "order": "D1", "sku": "PT-200", "name": "Pipette tips", "qty": 3, "price": 12.5},
        {"id": 21, "order": "D1", "sku": "GL-10", "name": "Gloves", "qty": 10, "price": 4.2},
        {"id": 22, "order": None, "sku": "GL-10", "name": "Gloves", "qty": 1, "price": 4.2},
    ]

    def write(count: int) -> None:
        stamped = [{**line, "updated_at": "2026-10-04T10:00:00+00:00"} for line in lines]
        text_lines = "\n".join(orjson.dumps(x).decode() for x in stamped[:count])
        (tmp_path / "order_lines.jsonl").write_text(text_lines)

    mapping = CustomObjectMapping.model_validate(
        {
            "object": "order_lines",
            "kind": "product",
            "fields": {
                "product_code": "sku",
                "product_name": "name",
                "quantity": "qty",
                "unit_price": "price",
            },
            "links": {"deal": "order"},
        }
    )
    write(2)
    connector = _plugin(tmp_path)  # discovers the new file
    expected = {"order_lines/20", "order_lines/21"}
    assert check_custom_stream(connector, mapping, expected) == expected
    (page,) = connector.read("order_lines", None, None)
    write(3)  # a line that names no order: quarantined with the reason, not dropped
    again = _plugin(tmp_path)
    again.add_custom_streams([mapping])
    (later,) = again.read("order_lines", None, None)
    assert [(q.remote_id, q.reason) for q in later.quarantined] == [
        ("order_lines/22", "order: empty, and a product line needs its deal")
    ]
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    now = datetime(2026, 10, 5, tzinfo=UTC)
    with engine.begin() as conn:
        counts = write_page(conn, "files", page, "deal_product", None, now)["deal_product"]
        rows = conn.execute(
            text(
                "select remote_id, deal_id, product_code, quantity, unit_price "
                "from deal_products order by remote_id"
            )
        ).all()
    engine.dispose()
    assert counts.inserted == 2
    assert [(r[0], r[1], r[2], str(r[3]), str(r[4])) for r in rows] == [
        ("order_lines/20", "D1", "PT-200", "3", "12.5"),
        ("order_lines/21", "D1", "GL-10", "10", "4.2"),
    ]


def test_the_suite_names_a_mapping_field_the_object_lacks(tmp_path: Path) -> None:
    connector = _plugin(tmp_path)
    mapping = CustomObjectMapping.model_validate(
        {"object": "visits", "kind": "event", "fields": {"occurred_at": "visited_on"}}
    )
    with pytest.raises(ConformanceError) as caught:
        check_custom_stream(connector, mapping)
    assert caught.value.problems == ["visits has no field visited_on (fields.occurred_at)"]
