"""``in_order``: results in the items' order; calls made at once only when they are slow."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.core.at_once import SLOW_CALL_S, in_order


def _recorder(delays: dict[int, float]) -> tuple[list[tuple[int, str]], object]:
    made: list[tuple[int, str]] = []

    def call(item: int) -> int:
        made.append((item, threading.current_thread().name))
        time.sleep(delays.get(item, 0.0))
        if item < 0:
            raise ValueError(f"item {item}")
        return item * 10

    return made, call


def test_slow_calls_are_made_at_once_and_come_back_in_order() -> None:
    # later items answer first; the first call's time says the server is across a network
    delays = {0: SLOW_CALL_S * 2, 1: 0.05, 2: 0.03, 3: 0.0, 4: 0.01}
    made, call = _recorder(delays)
    assert in_order(4, call, [0, 1, 2, 3, 4]) == [0, 10, 20, 30, 40]
    assert made[0] == (0, threading.current_thread().name)  # the timed first call
    assert all(name.startswith("crm-calls") for _, name in made[1:])  # the pool's threads


def test_fast_calls_are_made_one_after_another_in_this_thread() -> None:
    made, call = _recorder({})
    assert in_order(4, call, [3, 1, 2]) == [30, 10, 20]
    assert made == [(i, threading.current_thread().name) for i in (3, 1, 2)]


def test_the_first_failure_in_order_is_raised() -> None:
    made, call = _recorder({0: SLOW_CALL_S * 2, -1: 0.03, -2: 0.0})
    with pytest.raises(ValueError, match="item -1"):
        in_order(4, call, [0, -1, -2, 5])
    assert sorted(item for item, _ in made) == [-2, -1, 0, 5]  # the calls made finished
