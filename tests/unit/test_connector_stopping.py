"""A process asked to stop ends its connectors' waits at once (``connectors.core.stopping``):
the retry policy's back-off and a server's ``Retry-After`` included."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from connectors.core.errors import RetriableError
from connectors.core.retry import RetryPolicy
from connectors.core.stopping import StopWaiting, clear_stop, request_stop, wait


@pytest.fixture(autouse=True)
def _cleared() -> Iterator[None]:
    clear_stop()
    yield
    clear_stop()


def test_a_wait_sleeps_its_time_while_no_stop_is_asked() -> None:
    started = time.monotonic()
    wait(0.2)
    assert time.monotonic() - started >= 0.2


def test_a_retry_waiting_out_a_retry_after_ends_when_a_stop_is_asked() -> None:
    attempts: list[float] = []
    outcome: list[BaseException] = []

    def rate_limited() -> None:
        attempts.append(time.monotonic())
        raise RetriableError("429 Too Many Requests", status=429, retry_after=60)

    def call() -> None:
        try:
            RetryPolicy().call(rate_limited)
        except BaseException as exc:  # what the call ended with is the test
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.3)
    asked = time.monotonic()
    request_stop()
    thread.join(5)
    assert not thread.is_alive()
    assert len(attempts) == 1  # no second attempt: the wait for it was cut short
    assert [type(exc) for exc in outcome] == [StopWaiting]
    assert time.monotonic() - asked < 2


def test_once_asked_every_later_wait_ends_at_once_until_cleared() -> None:
    request_stop()
    started = time.monotonic()
    with pytest.raises(StopWaiting, match="the process is stopping"):
        wait(30)
    assert time.monotonic() - started < 1
    clear_stop()
    wait(0.01)  # sleeps again
