"""SugarCRM sync benchmark: a full and an incremental sync of the Benelux distributor from
the sandbox's SugarCRM emulator into SQLite, against the issue's floors.

    python bench/bench_sugarcrm.py [--scale medium] [--seed 1] [--json]

The sandbox runs in its own process, the sync in this one (``bench_sync``'s helpers).
Floors: >= 3,000 records/s; API calls within 10% of the minimum. Sugar's minimum: each
module's live records ÷ 1,000 (the filter API's largest ``max_num``), rounded up, plus
the contact roles, which only an opportunity's ``contacts`` link shows (no Sugar API
lists a relationship across records): the opportunities' filter pages again, and their
links read 100 per bulk API call (the sign-in is not counted).
"""

from __future__ import annotations

import math
from typing import Any

import crm_bench  # bench/ is the script's folder, first on its path

from connectors.sugarcrm.reader import LINKS_PER_BULK

PAGE_MAX = 1000
MODULES = (
    "Users",
    "Leads",
    "Contacts",
    "Accounts",
    "Opportunities",
    "Calls",
    "Meetings",
    "Tasks",
    "Cases",
)


def minimum_calls(counts: dict[str, Any]) -> int:
    modules = sum(math.ceil(counts[m]["live"] / PAGE_MAX) for m in MODULES if counts[m]["live"])
    # deal_contacts: the opportunities' filter pages, then their links through bulk calls
    opportunities = counts["Opportunities"]["live"]
    links = math.ceil(opportunities / LINKS_PER_BULK)
    return modules + math.ceil(opportunities / PAGE_MAX) + links


if __name__ == "__main__":
    crm_bench.main(__doc__ or "", "sugarcrm", MODULES, minimum_calls, "site_url")
