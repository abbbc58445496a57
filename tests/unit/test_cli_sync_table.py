"""``crmsync sync``'s results table at 80 columns (what a pipe gets): the narrow layout keeps
sources, streams, statuses and counts whole (issue 21)."""

from __future__ import annotations

import pytest

from sync.cli_common import out
from sync.cli_sync import _print_reports
from sync.pull.source import SourceReport, StreamReport
from sync.store.pages import PageCounts


def test_sync_results_at_80_columns_keep_every_key_cell_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if out.width != 80:
        pytest.skip(f"stdout is {out.width} columns wide here, not a pipe's 80")
    counts = PageCounts(fetched=12345, inserted=12000, updated=300, unchanged=45, deleted=2)
    report = SourceReport(
        "salesforce",
        7,
        "succeeded",
        [
            StreamReport("campaign_members", "succeeded", counts, 125, 3.25),
            StreamReport("deal_contact_roles", "failed", PageCounts(), 1, 0.5),
        ],
    )
    _print_reports([report], json_output=False)
    shown = capsys.readouterr().out
    assert "…" not in shown and max(len(line) for line in shown.splitlines()) <= 80
    rows = [
        [c.strip() for c in line.strip("│").split("│")]
        for line in shown.splitlines()
        if line.startswith("│")
    ]
    assert [r[0] for r in rows if r[0]] == [
        "salesforce",
        "campaign_members",
        "salesforce",
        "deal_contact_roles",
    ]
    assert [r[1] for r in rows if r[1]] == ["succeeded", "failed"]
    assert [r[3] for r in rows if r[3]] == ["125", "1"]
    assert [r[4] for r in rows if r[4]] == ["3.2", "0.5"]
    records = " ".join(r[2] for r in rows if r[2])
    assert records == (
        "12,345 fetched, 12,000 inserted, 300 updated, 45 unchanged, 2 deleted 0 fetched"
    )
    assert "salesforce/campaign_members: deleted 2: " in shown.replace("\n", " ")
