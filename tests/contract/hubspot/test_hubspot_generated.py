"""A generated "tiny" world reads back completely through the official client."""

from __future__ import annotations

import pytest

from sandbox.clock import DEFAULT_ANCHOR

generator = pytest.importorskip(
    "sandbox.generator", reason="the sandbox generator is not importable yet"
)


def test_full_read_of_a_generated_world_matches_every_table(serve):
    world = generator.generate(11, "tiny", DEFAULT_ANCHOR)
    hs = serve(world)
    client = hs.client()
    counts = {}
    for name in world.hubspot:
        records = client.crm.objects.get_all(object_type=name)
        counts[name] = len(records)
        assert len({r.id for r in records}) == len(records)
    assert counts == {name: len(table) for name, table in world.hubspot.items()}
    assert sum(counts.values()) > 0
    owners = client.crm.owners.owners_api.get_page(limit=500).results
    assert len(owners) == sum(1 for o in world.hubspot_owners if not o.get("archived"))


def test_every_property_of_generated_records_renders_as_string_or_null(serve):
    world = generator.generate(11, "tiny", DEFAULT_ANCHOR)
    hs = serve(world)
    api = hs.client().crm.objects.basic_api
    for name, table in world.hubspot.items():
        names = table.schema.field_names
        page = api.get_page(object_type=name, limit=100, properties=names)
        assert len(page.results) == min(100, len(table))
        for record in page.results:
            assert set(record.properties) == set(names)
            assert all(v is None or isinstance(v, str) for v in record.properties.values())
