"""Writes in sObject Collections batches, and custom fields through the Tooling API."""

from __future__ import annotations

from collections.abc import Callable

from connectors.core.contract import FieldSpec, FieldUpdate
from connectors.salesforce import SalesforceConnector
from sandbox import Sandbox

Connect = Callable[..., SalesforceConnector]
COLLECTIONS = "PATCH /services/data/<version>/composite/sobjects"


def test_write_batches_200_with_one_result_per_update(sb: Sandbox, connect: Connect) -> None:
    connector = connect()
    tasks = [r["Id"] for r in sb.world.salesforce["Task"].live()][:449]
    missing = "00T5g00000zzzzzAAA"
    updates = [FieldUpdate(rid, {"Subject": f"Bonus {i}"}) for i, rid in enumerate(tasks)]
    updates.insert(300, FieldUpdate(missing, {"Subject": "nobody"}))
    app = sb.apps["salesforce"]
    app.stats.reset()
    results = connector.write("Task", updates)
    assert app.stats.snapshot()["endpoints"][COLLECTIONS] == 3  # 200 + 200 + 50
    assert [r.remote_id for r in results] == [u.remote_id for u in updates]
    failed = [r for r in results if not r.ok]
    assert [r.remote_id for r in failed] == [missing]
    assert failed[0].error is not None and "INVALID_CROSS_REFERENCE_KEY" in failed[0].error
    assert failed[0].retriable is False
    table = sb.world.salesforce["Task"]
    assert [table.rows[rid]["Subject"] for rid in tasks[:3]] == ["Bonus 0", "Bonus 1", "Bonus 2"]


def test_ensure_fields_explains_or_creates(sb: Sandbox, connect: Connect) -> None:
    connector = connect()
    spec = FieldSpec("crmsync_incentive", "Incentive", "currency")
    (told,) = connector.ensure_fields("Opportunity", [spec], create=False)
    assert (told.field, told.exists, told.created) == ("crmsync_incentive__c", False, False)
    assert told.instructions is not None
    assert "Opportunity.crmsync_incentive__c" in told.instructions
    assert "type=Currency" in told.instructions and "field-level security" in told.instructions
    (made,) = connector.ensure_fields("Opportunity", [spec], create=True)
    assert (made.exists, made.created) == (True, True)
    assert made.instructions is not None and "field-level security" in made.instructions
    field = sb.world.salesforce["Opportunity"].schema.field("crmsync_incentive__c")
    assert field is not None and field.type == "currency"
    (again,) = connector.ensure_fields("Opportunity", [spec], create=True)
    assert (again.exists, again.created) == (True, False)
    # the new field is read into custom_fields from now on
    results = connector.write(
        "Opportunity",
        [FieldUpdate(next(iter(sb.world.salesforce["Opportunity"].live()))["Id"],
                     {"crmsync_incentive__c": 125.5})],
    )  # fmt: skip
    assert [r.ok for r in results] == [True]
