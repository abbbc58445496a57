"""Keap sync benchmark: a full and an incremental sync of the web shop from the sandbox's
Keap emulator into SQLite, against the floors.

    python bench/bench_keap.py [--scale medium] [--seed 1] [--json]

The sandbox runs in its own process, the sync in this one (``bench_sync``'s helpers).
Floors: >= 3,000 records/s; API calls of the full sync within 10% of the minimum. Keap's
minimum: each object's live records ÷ 1,000 (the REST v1 lists' largest ``limit``),
rounded up (the token refresh is not counted). The incremental sync after 1% churn reads
the changed window of every object but users and notes (read whole: no date filter in
either REST version) and compares no ids (the sandbox's config does that daily): its
calls are shown, not held to a floor.
"""

from __future__ import annotations

import math
from typing import Any

import crm_bench  # bench/ is the script's folder, first on its path

PAGE_MAX = 1000
OBJECTS = (
    "users",
    "companies",
    "contacts",
    "opportunities",
    "orders",
    "notes",
    "tasks",
    "appointments",
)


def minimum_calls(counts: dict[str, Any]) -> int:
    return sum(max(1, math.ceil(counts[o]["live"] / PAGE_MAX)) for o in OBJECTS)


if __name__ == "__main__":
    crm_bench.main(__doc__ or "", "keap", OBJECTS, minimum_calls, "base_url")
