"""The one rule that leaves records out of a push plan (``SourceInfo.left_out``)."""

from __future__ import annotations

from sync.push.diff import OTHER_OBJECT, SourceInfo


def test_custom_object_records_are_left_out_unreported_and_unwritable_ones_with_a_reason() -> None:
    info = SourceInfo("keap", 100, ("store_orders/",))
    assert [info.left_out("deals", rid) for rid in ("store_orders/7", "order-1", "41")] == [
        OTHER_OBJECT,
        "Keap's REST v1 cannot write custom fields on orders",
        None,
    ]
    assert info.left_out("contacts", "order-1") is None


def test_a_source_without_custom_objects_or_unwritable_records_writes_everything() -> None:
    info = SourceInfo("salesforce", 200)
    assert [info.left_out("deals", rid) for rid in ("store_orders/7", "order-1")] == [None, None]
