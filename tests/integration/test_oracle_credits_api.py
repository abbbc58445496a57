"""The emulator serves a revenue line's sales credits as Fusion does (the nested child
``ChildRevenue.ChildSplitRevenue``: in ``expand``, in ``fields``, and as a collection of
its own), the connector reads a line whose split rows do not fit the expanded first page
(25 rows) from that collection, and the rows of deleted deals pass the delete guard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.core.contract import ReadOptions
from connectors.core.http import pinned_session
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator.oracle_company import oracle_stamp
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from tests.integration.sync_support import expected_live_ids, opened, write_config

ROOT = "crmRestApi/resources/11.13.18.05"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=1, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


def _get(sandbox: Sandbox, path: str, **params: Any) -> requests.Response:
    info = sandbox.info.oracle
    with pinned_session(sandbox.info.ca_bundle) as http:
        return http.get(
            f"{info.site_url}/{ROOT}/{path}",
            params=params,
            auth=(info.username, info.password),
        )


def test_a_revenue_line_shows_its_split_credits_nested(sandbox: Sandbox) -> None:
    strategic = "CDRM_91"  # the division's largest won deal (seed 1): 60/40 and an overlay
    fields = (
        "OptyId,OptyNumber,OwnerResourcePartyId;ChildRevenue:RevnId,ResourcePartyId,SalesCreditTypeCode,SplitPercent;"
        "ChildRevenue.ChildSplitRevenue:RevnId,SplitParentRevnId,SalesCreditTypeCode,SplitPercent"
    )
    answer = _get(
        sandbox,
        "opportunities",
        q=f"OptyNumber = '{strategic}'",
        expand="ChildRevenue.ChildSplitRevenue",
        fields=fields,
        onlyData="true",
    ).json()
    (opportunity,) = answer["items"]
    (line,) = opportunity["ChildRevenue"]["items"]
    splits = line.pop("ChildSplitRevenue")
    assert line == {
        "RevnId": 300000001000092,
        "ResourcePartyId": opportunity["OwnerResourcePartyId"],
        "SalesCreditTypeCode": "QUOTA",
        "SplitPercent": 60.0,
    }
    assert (splits["count"], splits["hasMore"]) == (2, False)
    assert [
        (s["SplitParentRevnId"], s["SalesCreditTypeCode"], s["SplitPercent"])
        for s in splits["items"]
    ] == [(300000001000092, "QUOTA", 40.0), (300000001000092, "NONQUOTA", 100.0)]
    alone = _get(
        sandbox,
        f"opportunities/{strategic}/child/ChildRevenue/300000001000092/child/ChildSplitRevenue",
        onlyData="true",
    ).json()
    assert [s["RevnId"] for s in alone["items"]] == [s["RevnId"] for s in splits["items"]]
    other_line = _get(
        sandbox,
        f"opportunities/{strategic}/child/ChildRevenue/300000001000001/child/ChildSplitRevenue",
    )
    assert other_line.status_code == 404
    wrong = _get(sandbox, "opportunities", expand="ChildRevenue.Nope")
    assert wrong.status_code == 400
    assert wrong.json()["o:errorDetails"][0]["detail"] == (
        "The child ChildRevenue.Nope in expand is not valid."
    )


def test_split_rows_past_the_expanded_page_are_read_from_the_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    world = sandbox.world
    assert world is not None
    with world.lock:
        line = world.oracle["ChildRevenue"].get("300000001000092")
        assert line is not None
        for _ in range(30):  # an overlay credit of 1% for each of 30 helpers
            oracle_stamp(
                world,
                "ChildSplitRevenue",
                {
                    "OptyId": line["OptyId"],
                    "SplitParentRevnId": line["RevnId"],
                    "ResourcePartyId": line["ResourcePartyId"],
                    "SalesCreditTypeCode": "NONQUOTA",
                    "SplitPercent": 1.0,
                },
                DEFAULT_ANCHOR,
                "crmsync.integration",
            )
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("oracle",))
    connector = build_connector(load_config(path).source("oracle"))
    try:
        calls = connector.api_usage().calls
        records = [
            r
            for page in connector.read("deal_splits", None, ReadOptions(full=True))
            for r in page.records
        ]
        # one page of opportunities, and the line's 32 split rows read whole
        assert connector.api_usage().calls - calls == 2
        ids = {r.remote_id for r in records}
        assert ids == expected_live_ids(sandbox, "oracle", "deal_splits")
        team = [
            m for m in world.oracle["OpportunityResource"].live() if m["OptyId"] == line["OptyId"]
        ]
        # its owner on the team, the line's own credit, and the 2 + 30 split rows
        assert len(team) == 1
        assert len([r for r in records if r.deal_id == line["OptyId"]]) == 1 + 1 + 32
        assert set(connector.list_ids("deal_splits")) == ids
    finally:
        connector.close()


def _sync(config: Path) -> dict[str, Any]:
    cfg = load_config(config)
    source = cfg.source("oracle")
    connector = build_connector(source)
    try:
        with opened(cfg.store.url) as engine:
            report = sync_source(
                engine, source, connector, SyncOptions(), now=lambda: datetime.now(UTC)
            )
    finally:
        connector.close()
    return {s.stream: s for s in report.streams}


def test_rows_of_deleted_deals_go_with_them_past_the_delete_guard(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Fusion lists no deletes: a deleted opportunity's team and sales credits are found
    missing by the id scan (the sandbox's config scans every run). Five deleted deals take
    more than a handful of rows with them (10, and 5% of the stream): the rows of deals
    the store marked deleted do not count against the guard. Rows of live deals do."""
    world, clock = sandbox.world, sandbox.clock
    assert world is not None
    config = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("oracle",))
    _sync(config)
    children = ("OpportunityContact", "ChildRevenue", "ChildSplitRevenue", "OpportunityResource")
    clock.advance(60)  # type: ignore[attr-defined]
    with world.lock:
        doomed = [o["OptyId"] for o in world.oracle["opportunities"].live()][:5]
        gone = 0
        for child in children:
            table = world.oracle[child]
            for row in [r for r in table.live() if r["OptyId"] in doomed]:
                table.purge(row[table.schema.id_field], clock.now())
                gone += child in ("ChildRevenue", "ChildSplitRevenue", "OpportunityResource")
        for opty in doomed:
            world.oracle["opportunities"].purge(opty, clock.now())
    assert gone > 10
    streams = _sync(config)
    assert (streams["deals"].status, streams["deals"].counts.deleted_missing) == ("succeeded", 5)
    splits = streams["deal_splits"]
    assert (splits.status, splits.counts.deleted_missing) == ("succeeded", gone)
    with world.lock:
        team = world.oracle["OpportunityResource"]
        for row in list(team.live())[:11]:  # 11 team rows of live deals vanish
            team.purge(row["OptyResourceId"], clock.now())
    refused = _sync(config)["deal_splits"]
    assert refused.status == "partial"
    assert (refused.error or "").startswith("refused to mark 11 of ")
