"""Calls made once per record (a deal's timeline, a deal's products), a few at a time.

Such calls mostly wait on the network: ``in_order`` makes up to ``workers`` of them at once
and returns their results in the order of the items, whichever answers first, so a page
built from them is the page the calls one after another would build. The first failure,
in that order, is raised, as it would be one call after another; the calls already made
finish first. A connector using it needs an HTTP layer safe across threads: its budget
counting under a lock, its token source refreshing one token at a time (Zoho's and
HubSpot's are; HubSpot makes a search page's association reads this way).

The first item's call is made alone and timed: when it took less than ``SLOW_CALL_S`` the
server answers faster than threads hand the interpreter to each other (a CRM on the same
machine, the sandbox), and the rest are made one after another too: at once, they cost
about a quarter more CPU for the same wall time (Zoho's per-deal calls at medium scale).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["SLOW_CALL_S", "in_order"]

T = TypeVar("T")
R = TypeVar("R")

SLOW_CALL_S = 0.010  # a call this long waits on a network: worth making a few at once


def in_order(
    workers: int,
    call: Callable[[T], R],
    items: Sequence[T],
    clock: Callable[[], float] = time.perf_counter,
) -> list[R]:
    """``[call(item) for item in items]``, up to ``workers`` calls at once when the first
    one shows them slow (see the module)."""
    if workers <= 1 or len(items) <= 1:
        return [call(item) for item in items]
    started = clock()
    first = call(items[0])
    rest = items[1:]
    if clock() - started < SLOW_CALL_S:
        return [first, *(call(item) for item in rest)]
    with ThreadPoolExecutor(min(workers, len(rest)), thread_name_prefix="crm-calls") as pool:
        return [first, *pool.map(call, rest)]
