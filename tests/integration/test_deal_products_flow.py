"""Products sold on won deals flow from the sandbox's three CRMs to ``Deal.products``: the
line items (Zoho: a won deal's Products related list) are synced as ``deal_products``,
Salesforce's splits as ``deal_splits``, and evidence gives each deal the names of its
products (what SPIFFs by product match)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import select

from sync.compute.directory import build_directory
from sync.compute.evidence import build_evidence
from sync.compute.snapshot import load_store_snapshot
from sync.config.compensation import DirectoryConfig
from sync.store.records import DealSplitRow
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config


def test_products_and_splits_reach_the_deals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url)
        for crm in ("salesforce", "hubspot", "zoho"):
            run_sync(config, crm)
        world = sandbox.world
        assert world is not None
        truth = world.truth.files["deal_products"]
        item_deal = {
            r["Id"]: r["OpportunityId"] for r in world.salesforce["OpportunityLineItem"].live()
        }
        links = world.hubspot_associations
        expected: dict[str, set[str]] = defaultdict(set)
        for row in truth:
            if row["crm"] == "salesforce":
                expected[f"salesforce:deals:{item_deal[row['id']]}"].add(row["product"])
            elif row["crm"] == "zoho":
                expected[f"zoho:deals:{row['id'].split(':')[0]}"].add(row["product"])
            else:
                (deal,) = links.get("line_items", row["id"], "deals")
                expected[f"hubspot:deals:{deal}"].add(row["product"])
        splits = len(list(world.salesforce["OpportunitySplit"].live()))
    with opened(url) as engine:
        snapshot = load_store_snapshot(engine)
        with engine.connect() as conn:
            stored_splits = conn.execute(select(DealSplitRow.__table__.c.split_type)).all()
    directory = build_directory([], {}, DirectoryConfig())
    evidence = build_evidence(snapshot, None, directory, as_of=date(2026, 10, 31))
    got = {e.deal.key: set(e.deal.products) for e in evidence.deals if e.deal.products}
    assert got == expected
    assert len(expected) == 7  # three won Salesforce deals, three HubSpot ones, one Zoho
    assert sorted({s for (s,) in stored_splits}) == ["revenue"]
    assert len(stored_splits) == splits
