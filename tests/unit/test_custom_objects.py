"""Custom-object mappings: validation as written (file:line), the row mapper, and the
comparison with what discovery found."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.core.custom import CustomObjectMapping
from connectors.core.custom_records import CustomRecordMapper, RowMeta, parse_time
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import Activity, Case, Deal, DealProduct
from sync.config import ConfigError, load_config
from sync.config.discovered import check_mappings, mapping_problems

CREATED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
UPDATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
META = RowMeta("Visit/1", CREATED, UPDATED)


def _mapping(**values: object) -> CustomObjectMapping:
    return CustomObjectMapping.model_validate({"object": "Visit", "kind": "activity", **values})


def test_an_activity_takes_its_fields_links_and_fixed_channel() -> None:
    mapping = _mapping(
        activity_type="meeting",
        fields={"occurred_at": "When", "subject": "Name", "duration_seconds": "Secs"},
        channel={"value": "store"},
        links={"person": "Who", "account": "Org", "owner": "Owner"},
    )
    row = {
        "When": "2026-03-01T10:30:00.000+0000",
        "Name": "SV-1",
        "Secs": "90.0",
        "Who": "003A",
        "Org": "001A",
        "Owner": "005A",
        "Shop": "Lyon",
    }
    record = CustomRecordMapper("sf", mapping).map(row, META)
    assert isinstance(record, Activity)
    assert (record.activity_type, record.channel, record.subject) == ("meeting", "store", "SV-1")
    assert record.occurred_at == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert (record.contact_id, record.account_id, record.owner_id) == ("003A", "001A", "005A")
    assert record.duration_seconds == 90
    assert record.direction is None  # not said: neither inbound nor outbound
    assert record.custom_fields == {"Shop": "Lyon"}  # what the mapping does not use
    assert (record.source, record.remote_id, record.remote_updated_at) == ("sf", "Visit/1", UPDATED)


def test_a_fixed_direction_marks_every_visit_inbound() -> None:
    # the customer came to the store: a touch, not the reply a new lead waits for
    mapping = _mapping(direction="inbound", fields={"occurred_at": "When"})
    record = CustomRecordMapper("sf", mapping).map({"When": None}, META)
    assert isinstance(record, Activity)
    assert (record.direction, record.occurred_at) == ("inbound", CREATED)


def test_a_channel_read_from_a_field_through_its_map() -> None:
    mapping = _mapping(channel={"field": "Kind", "map": {"Walk in": "store"}, "default": "web"})
    mapper = CustomRecordMapper("sf", mapping)
    got = [mapper.map({"Kind": kind}, META).channel for kind in ("walk  IN", "Online", None)]
    assert got == ["store", "web", None]
    # an activity with no time of its own happened when it was created
    assert mapper.map({}, META).occurred_at == CREATED  # type: ignore[attr-defined]


def test_a_deal_and_a_case_read_typed_values() -> None:
    deal = CustomRecordMapper(
        "z",
        CustomObjectMapping(
            object="Orders",
            kind="deal",
            fields={"amount": "Total", "close_date": "Day", "is_won": "Won", "name": "Name"},
            channel={"value": "web"},
        ),
    ).map({"Total": "1234.50", "Day": "2026-03-05", "Won": "true", "Name": "O-1"}, META)
    assert isinstance(deal, Deal)
    assert (deal.amount, deal.close_date, deal.is_won) == (
        Decimal("1234.50"),
        date(2026, 3, 5),
        True,
    )
    assert (deal.source_channel, deal.source_detail) == ("web", None)
    case = CustomRecordMapper(
        "z", CustomObjectMapping(object="Returns", kind="case", fields={"subject": "S"})
    ).map({"S": "broken"}, META)
    assert isinstance(case, Case)
    assert (case.subject, case.opened_at) == ("broken", CREATED)


def test_a_product_line_takes_its_deal_and_typed_amounts() -> None:
    # an order's line in a custom object: a product sold on its deal (the order)
    mapping = CustomObjectMapping.model_validate(
        {
            "object": "Order_Line__c",
            "kind": "product",
            "fields": {
                "product_name": "Product__c",
                "quantity": "Qty__c",
                "unit_price": "Price__c",
                "amount": "Total__c",
                "currency": "CurrencyIsoCode",
            },
            "links": {"deal": "Order__c"},
        }
    )
    assert mapping.record_type == "deal_product"
    row = {"Product__c": "Pipette tips", "Qty__c": 3, "Price__c": "12.5", "Total__c": 37.5}
    record = CustomRecordMapper("sf", mapping).map(
        {**row, "Order__c": "a0W1", "CurrencyIsoCode": "EUR", "Colour__c": "blue"}, META
    )
    assert isinstance(record, DealProduct)
    assert (record.deal_id, record.product_name, record.currency) == ("a0W1", "Pipette tips", "EUR")
    assert (record.quantity, record.unit_price, record.amount) == (
        Decimal("3"),
        Decimal("12.5"),
        Decimal("37.5"),
    )
    assert record.custom_fields == {"Colour__c": "blue"}
    # a line without its deal cannot be stored: quarantined, with the reason
    records, bad = CustomRecordMapper("sf", mapping).map_rows(
        "Order_Line__c", [row], lambda r: "Order_Line__c/1", lambda r, rid: (r, META)
    )
    assert (records, [q.reason for q in bad]) == (
        [],
        [
            "Order_Line__c: cannot map (ValueError: Order__c: empty, and a product line needs "
            "its deal)"
        ],
    )


def test_a_value_that_does_not_fit_raises_for_quarantine() -> None:
    mapper = CustomRecordMapper("z", _mapping(kind="deal", fields={"amount": "Total"}))
    with pytest.raises(ValueError, match="Total: 'lots' is not a number"):
        mapper.map({"Total": "lots"}, META)


def test_an_event_keeps_every_field() -> None:
    record = CustomRecordMapper("h", _mapping(kind="event")).map({"a": 1, "b": "x"}, META)
    assert isinstance(record, Activity)
    assert (record.activity_type, record.custom_fields) == ("event", {"a": 1, "b": "x"})


def test_times_in_every_shape_the_crms_send() -> None:
    want = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    for raw in (
        "2026-03-01T10:30:00.000+0000",
        "2026-03-01T10:30:00Z",
        "2026-03-01T11:30:00+01:00",
    ):
        assert parse_time(raw) == want
    assert parse_time("1772361000000") == want
    assert parse_time("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_time("") is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"fields": {"when": "X"}}, "activity has no field when; map one of direction, "),
        ({"fields": {"occured_at": "X"}}, "activity has no field occured_at; did you mean "),
        ({"channel": {"value": "shop"}}, "'shop' is not a channel; use one of web, "),
        ({"channel": {"value": "store", "field": "K"}}, "give either value (a fixed channel)"),
        ({"kind": "deal", "activity_type": "call"}, "activity_type applies to kind activity"),
        ({"kind": "organisation", "channel": {"value": "web"}}, "an organisation has no channel"),
        ({"kind": "case", "direction": "inbound"}, "direction applies to kind activity or event"),
        ({"kind": "product"}, "a product needs links.deal: the field with its deal's id"),
        (
            {"kind": "product", "links": {"deal": "D", "person": "P"}},
            "a product links to its deal only (links.deal)",
        ),
        (
            {"kind": "product", "links": {"deal": "D"}, "channel": {"value": "web"}},
            "a product has no channel: its deal has",
        ),
        ({"direction": "in"}, "Input should be 'inbound' or 'outbound'"),
        (
            {"direction": "inbound", "fields": {"direction": "Dir"}},
            "give direction (one for all) or fields.direction, not both",
        ),
    ],
)
def test_mappings_that_cannot_work_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _mapping(**values)
    assert message in str(caught.value)


def test_stream_names_default_to_the_object() -> None:
    names = [
        CustomObjectMapping(object=obj, kind="event").stream_name
        for obj in ("Store_Visit__c", "p20261031_store_visits", "2-7730401", "Store_Visits")
    ]
    assert names == ["store_visit", "p20261031_store_visits", "custom_2_7730401", "store_visits"]


def _write(tmp_path: Path, mappings: str) -> Path:
    path = tmp_path / "crmsync.yaml"
    path.write_text(
        "store:\n  url: sqlite:///x.sqlite\nsources:\n  - name: crm\n    kind: any\n"
        f"    custom_objects:\n{mappings}"
    )
    return path


def test_config_errors_name_file_line_and_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "      - object: Visit\n"
        "        kind: activity\n"
        "        feilds: {subject: Name}\n"
        "      - object: Visit\n"
        "        kind: meeting\n"
        "      - object: Visit\n"
        "        stream: other\n"
        "        kind: case\n"
        "        fields:\n"
        "          subjet: Name\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, connectors=False)
    assert caught.value.problems == [
        f"{path}:9: sources[0].custom_objects[0].feilds: unknown key; did you mean 'fields'?",
        f"{path}:11: sources[0].custom_objects[1].kind: Input should be 'activity', 'case', "
        "'deal', 'person', 'organisation', 'product' or 'event'",
        f"{path}:15: sources[0].custom_objects[2].fields: case has no field subjet; did you "
        "mean subject?",
    ]


def test_two_mappings_may_not_share_a_stream(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "      - {object: Visit, kind: event}\n      - {object: visit, kind: activity}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, connectors=False)
    assert caught.value.problems == [
        f"{path}:4: sources[0]: custom_objects: two mappings are named visit; give each a "
        "distinct stream"
    ]


VISIT = ObjectInfo(
    "Store_Visit__c",
    "Store Visit",
    True,
    (
        FieldInfo("Id", "id"),
        FieldInfo("Visit_Date__c", "datetime", custom=True),
        FieldInfo("Contact__c", "reference", custom=True),
        FieldInfo("SystemModstamp", "datetime"),
    ),
    "SystemModstamp",
    aliases=("a0V",),
)


def test_mappings_compared_with_discovery() -> None:
    mappings = [
        CustomObjectMapping(
            object="Store_Visit__c",
            kind="activity",
            fields={"occurred_at": "Visited_On__c"},
            links={"person": "Contact__c"},
            cursor_field="LastModifiedDate",
        ),
        CustomObjectMapping(object="a0V", kind="event"),
        CustomObjectMapping(object="Store_Visits__c", kind="event"),
    ]
    assert mapping_problems(mappings, [VISIT]) == [
        (
            0,
            "fields.occurred_at",
            "object Store_Visit__c has no field Visited_On__c; did you mean Visit_Date__c?",
        ),
        (0, "cursor_field", "object Store_Visit__c has no field LastModifiedDate"),
        (
            0,
            "cursor_field",
            "object Store_Visit__c is read incrementally on SystemModstamp; leave "
            "cursor_field out or set it to that field",
        ),
        (2, "object", "the CRM has no object Store_Visits__c; did you mean Store_Visit__c?"),
    ]


def test_discovery_problems_point_at_the_yaml_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "      - object: Store_Visit__c\n"
        "        kind: activity\n"
        "        fields:\n"
        "          occurred_at: Visited_On__c\n",
    )
    config = load_config(path, connectors=False)
    lines = check_mappings(path, "crm", config.sources[0].custom_objects, [VISIT])
    assert lines == [
        f"{path}:10: sources[0].custom_objects[0].fields.occurred_at: object Store_Visit__c "
        "has no field Visited_On__c; did you mean Visit_Date__c?"
    ]
