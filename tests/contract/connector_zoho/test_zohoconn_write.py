"""Batched writes with per-record results, and custom-field creation."""

from __future__ import annotations

from zohoconn_support import read_all, reset_stats, stats

from connectors.core.contract import FieldSpec, FieldUpdate

BOGUS = "5725767999999999999"


def test_write_batches_at_100_with_a_result_per_record(sb, connect, admin) -> None:
    connector = connect()
    tasks = [r["id"] for r in sb.world.zoho["Tasks"].live()]
    updates = [FieldUpdate(tasks[i % len(tasks)], {"Priority": "High"}) for i in range(130)]
    updates[5] = FieldUpdate(BOGUS, {"Priority": "High"})
    connector.server_time()
    reset_stats(admin, sb)
    results = connector.write("Tasks", updates)
    assert stats(admin, sb) == {"PUT /crm/<version>/<module>": 2}
    assert [r.remote_id for r in results] == [u.remote_id for u in updates]
    assert [i for i, r in enumerate(results) if not r.ok] == [5]
    assert results[5].error.startswith("INVALID_DATA: ")
    assert results[5].retriable is False
    assert {sb.world.zoho["Tasks"].rows[t]["Priority"] for t in tasks} == {"High"}


def test_a_batch_where_every_record_fails_still_reports_each(connect) -> None:
    connector = connect()
    results = connector.write("deals", [FieldUpdate(BOGUS, {"Stage": "Closed Won"})] * 3)
    assert [(r.ok, r.remote_id) for r in results] == [(False, BOGUS)] * 3
    assert all(r.error.startswith("INVALID_DATA") for r in results)


def test_ensure_fields_reports_then_creates_then_finds(sb, connect) -> None:
    connector = connect()
    spec = FieldSpec("Incentive_Paid", "Incentive Paid", "currency")
    [missing] = connector.ensure_fields("Leads", [spec], create=False)
    assert (missing.object, missing.field, missing.exists, missing.created) == (
        "Leads",
        "Incentive_Paid",
        False,
        False,
    )
    assert "Setup > Customization > Modules and Fields > Leads" in missing.instructions
    assert sb.world.zoho["Leads"].schema.field("Incentive_Paid") is None
    signpost = connector.server_time()
    read_all(connector, "leads", None, signpost=signpost)  # caches the field list
    [created] = connector.ensure_fields("Leads", [spec], create=True)
    assert (created.field, created.exists, created.created) == ("Incentive_Paid", True, True)
    assert sb.world.zoho["Leads"].schema.field("Incentive_Paid").type == "currency"
    [found] = connector.ensure_fields("Leads", [spec], create=True)
    assert (found.exists, found.created) == (True, False)
    # the new custom field is read from now on, into custom_fields
    pages, _ = read_all(connector, "leads", None, signpost=signpost)
    assert all(r.custom_fields == {"Incentive_Paid": None} for p in pages for r in p.records)
