"""CRM profiles: declared by each connector, found by kind through the registry."""

from __future__ import annotations

from decimal import Decimal

from connectors.core import ChannelMap, CrmProfile, FieldUpdate, installed_profiles, profile_of


def test_each_built_in_kind_has_its_connectors_profile() -> None:
    profiles = installed_profiles()
    assert {k: p.kind for k, p in profiles.items() if k in ("salesforce", "hubspot", "zoho")} == {
        "hubspot": "hubspot",
        "salesforce": "salesforce",
        "zoho": "zoho",
    }
    assert [profile_of(k).write_batch_size for k in ("salesforce", "hubspot", "zoho")] == [
        200,
        100,
        100,
    ]
    assert [profile_of(k).user_fields for k in ("salesforce", "hubspot", "zoho")] == [
        True,
        False,
        False,
    ]
    assert all(profile_of(k).problems() == [] for k in profiles)


def test_an_unknown_kind_gets_the_neutral_profile() -> None:
    neutral = profile_of("no-such-crm")
    assert neutral == CrmProfile("no-such-crm")
    assert neutral.object_name("deals") == "deals"
    assert neutral.custom_field_name("crmsync_bonus") == "crmsync_bonus"
    assert neutral.link("deals", "1") is None
    assert neutral.creator_of({"CreatedById": "U1"}) is None
    assert ChannelMap("no-such-crm").lead_source("Web") == "other"


def test_custom_field_names_object_names_and_record_links() -> None:
    sf, hs, zoho = (profile_of(k) for k in ("salesforce", "hubspot", "zoho"))
    assert sf.custom_field_name("crmsync_bonus") == "crmsync_bonus__c"
    assert sf.custom_field_name("crmsync_bonus__c") == "crmsync_bonus__c"
    assert hs.custom_field_name("crmsync_bonus") == "crmsync_bonus"
    assert (sf.object_name("deals"), hs.object_name("deals"), zoho.object_name("deals")) == (
        "Opportunity",
        "deals",
        "Deals",
    )
    assert hs.object_name("leads") == "leads"  # HubSpot has no lead object
    assert sf.link("Opportunity", "006A") == (
        "https://login.salesforce.com/lightning/r/Opportunity/006A/view"
    )
    assert sf.link("Lead", "00QA", base="https://acme.my.salesforce.com/") == (
        "https://acme.my.salesforce.com/lightning/r/Lead/00QA/view"
    )
    assert hs.link("companies", "7", portal="42") == (
        "https://app.hubspot.com/contacts/42/record/0-2/7"
    )
    assert zoho.link("Deals", "9") == "https://crm.zoho.com/crm/tab/Deals/9"
    assert zoho.link("Deals", "9", template="{base}/x/{object}/{id}", base="https://z.eu") == (
        "https://z.eu/x/Deals/9"
    )


def test_the_creator_accessor_reads_each_crms_field() -> None:
    sf, hs, zoho = (profile_of(k) for k in ("salesforce", "hubspot", "zoho"))
    assert sf.creator_of({"CreatedById": "005A"}) == "005A"
    assert zoho.creator_of({"Created_By": {"id": 42, "name": "Ana"}}) == "42"
    assert zoho.creator_of({"Created_By": None}) is None
    payload = {"properties": {"hs_created_by_user_id": "9002"}}
    refs = hs.user_refs([("501", {"userId": 9001}), ("502", {"userId": 9002}), ("503", {})])
    assert refs == {"9001": "501", "9002": "502"}
    assert hs.creator_of(payload, refs) == "502"
    assert hs.creator_of(payload) is None  # a user id is no owner id
    assert sf.user_refs([("005A", {})]) == {}


def test_channel_defaults_come_from_the_profile() -> None:
    assert ChannelMap("hubspot").lead_source("PAID_SOCIAL") == "social"
    assert ChannelMap("salesforce").activity("Call") == "phone"
    overridden = ChannelMap(profile_of("zoho"), {"lead_source": {"Cold Call": "event"}})
    assert overridden.lead_source("cold  call") == "event"


def test_write_requests_are_what_the_dry_run_shows() -> None:
    updates = [FieldUpdate("006A", {"crmsync_bonus__c": Decimal("12.50")})]
    request = profile_of("salesforce").write_request
    assert request is not None
    assert request("deals", updates) == {
        "method": "PATCH",
        "path": "/services/data/vXX.X/composite/sobjects",
        "body": {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Opportunity"}, "crmsync_bonus__c": 12.5, "Id": "006A"}
            ],
        },
    }


def test_a_profile_says_what_is_inconsistent() -> None:
    broken = CrmProfile(
        "mycrm",
        object_names={"deals": "Deal"},
        record_url="{base}/{record}",
        write_batch_size=0,
        required_fields={"Opportunity": ("Name",)},
        lead_streams=("leads",),
        creator_user_key="userId",
    )
    assert broken.problems() == [
        "write_batch_size must be at least 1, not 0",
        "record_url uses unknown placeholders ['record']",
        "required_fields names 'Opportunity', which is no object in object_names",
        "lead/response stream 'leads' is no stream in object_names",
        "creator_user_key is set but creator_field is empty",
    ]


def test_records_a_crm_cannot_write_are_declared_by_remote_id_prefix() -> None:
    profile = CrmProfile("x", unwritable={"deals": {"order-": "orders take no custom fields"}})
    assert [profile.unwritable_reason("deals", rid) for rid in ("order-7", "41")] == [
        "orders take no custom fields",
        None,
    ]
    assert profile.unwritable_reason("contacts", "order-7") is None
    assert profile_of("keap").unwritable_reason("deals", "order-1") == (
        "Keap's REST v1 cannot write custom fields on orders"
    )
    assert profile_of("salesforce").unwritable == {}
