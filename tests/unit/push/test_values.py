"""Publishing replaces a step's values; canonical text makes CRM and published values
comparable; wire values and sample requests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from connectors.core.contract import FieldUpdate
from sync.push.batching import sample_request, to_updates, wire_value
from sync.push.results import ObjectPlan
from sync.store import open_store
from sync.store.view.published import DesiredValue, canonical, load_published, publish


@pytest.mark.parametrize(
    ("value", "kind", "decimals", "expected"),
    [
        (1234.5, "currency", 2, "1234.50"),
        ("1234.50", "number", 2, "1234.50"),
        (Decimal("1234.499"), "currency", 2, "1234.50"),
        (Decimal("0.125"), "percent", 2, "0.13"),
        (77, "number", 0, "77"),
        ("", "number", 2, None),
        (None, "text", 2, None),
        ("n/a", "number", 2, "n/a"),
        ("Gold", "text", 2, "Gold"),
    ],
)
def test_canonical(value: object, kind: str, decimals: int, expected: str | None) -> None:
    assert canonical(value, kind, decimals) == expected


def test_publish_replaces_the_steps_values(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    with engine.begin() as conn:
        first = [
            DesiredValue("sf", "deals", "006A", "incentive_total", Decimal("10.5")),
            DesiredValue("sf", "deals", "006B", "incentive_total", Decimal("2")),
        ]
        assert publish(conn, "compute", first) == 2
        assert (
            publish(conn, "audit", [DesiredValue("sf", "users", "005A", "usage_score", "x")]) == 1
        )
        assert publish(conn, "compute", [first[1]]) == 1
        assert load_published(conn) == {
            ("sf", "deals", "006B", "incentive_total"): "2",
            ("sf", "users", "005A", "usage_score"): "x",
        }
        with pytest.raises(ValueError, match="already published by step 'audit'"):
            publish(conn, "compute", [DesiredValue("sf", "users", "005B", "usage_score", None)])
        with pytest.raises(ValueError, match="twice"):
            publish(conn, "compute", [first[0], first[0]])
        with pytest.raises(TypeError, match="Decimal"):
            publish(conn, "compute", [DesiredValue("sf", "deals", "006A", "k", 1.5)])  # type: ignore[arg-type]
    engine.dispose()


def test_updates_group_a_records_fields_and_render_per_crm() -> None:
    plan = ObjectPlan("hs", "hubspot", "deals", 100)
    plan.records = {"2": {"a": "1.50", "b": None}, "1": {"a": "n/a"}}
    fields = {"a": ("crmsync_a", "currency"), "b": ("crmsync_b", "text")}
    updates = to_updates(plan, fields)
    assert updates == [
        FieldUpdate("1", {"crmsync_a": "n/a"}),
        FieldUpdate("2", {"crmsync_a": Decimal("1.50"), "crmsync_b": None}),
    ]
    assert wire_value("3", "text") == "3"
    assert sample_request("hubspot", "deals", updates)["body"] == {
        "inputs": [
            {"id": "1", "properties": {"crmsync_a": "n/a"}},
            {"id": "2", "properties": {"crmsync_a": "1.50", "crmsync_b": ""}},
        ]
    }
    zoho = sample_request("zoho", "deals", updates[1:])
    assert zoho == {
        "method": "PUT",
        "path": "/crm/v8/Deals",
        "body": {"data": [{"crmsync_a": 1.5, "crmsync_b": None, "id": "2"}]},
    }
