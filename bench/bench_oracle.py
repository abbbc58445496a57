"""Oracle CX Sales sync benchmark: a full and an incremental sync of the strategic accounts
division from the sandbox's Oracle emulator into SQLite, against the issue's floors.

    python bench/bench_oracle.py [--scale medium] [--seed 1] [--json]

The sandbox runs in its own process, the sync in this one (``bench_sync``'s helpers).
Floors: >= 3,000 records/s; API calls within 10% of the minimum. Oracle's minimum for a
full sync: each collection's live records ÷ 500 (the largest ``limit``), rounded up, plus
the opportunities' pages three times more, for their contact rows, their revenue lines and
their team members (``expand=OpportunityContact``, ``expand=ChildRevenue``,
``expand=OpportunityResource`` bring them inline; Fusion lists them under no collection
of their own, and each is a stream of its own). A full read sees
every id, so it makes no id scan. The incremental sync also pays the id scans that find
deletes (Fusion has no deleted-records feed; the sandbox's config checks ids every run):
each collection's ids ÷ 500 again.
"""

from __future__ import annotations

import math
from typing import Any

import crm_bench  # bench/ is the script's folder, first on its path

PAGE_MAX = 500
RESOURCES = (
    "resourceUsers",
    "leads",
    "contacts",
    "accounts",
    "opportunities",
    "activities",
    "serviceRequests",
)


def minimum_calls(counts: dict[str, Any]) -> int:
    pages = sum(math.ceil(counts[r]["live"] / PAGE_MAX) for r in RESOURCES if counts[r]["live"])
    # deal_contacts, deal_products and deal_splits: the opportunities' pages again, with
    # children expanded (deal_splits: the team, and the revenue lines with their credits)
    return pages + 3 * math.ceil(counts["opportunities"]["live"] / PAGE_MAX)


if __name__ == "__main__":
    # counted among the live records
    children = ("OpportunityContact", "ChildRevenue", "OpportunityResource", "ChildSplitRevenue")
    crm_bench.main(
        __doc__ or "",
        "oracle",
        (*RESOURCES, *children),
        minimum_calls,
        "site_url",
        calls_note=", id scans included",
    )
