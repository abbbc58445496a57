"""A process asked to stop ends its connectors' waits at once (``connectors.core.stopping``):
the retry policy's back-off and a server's ``Retry-After`` included."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from connectors.core.errors import RetriableError
from connectors.core.retry import RetryPolicy
from connectors.core.stopping import StopWaiting, clear_stop, request_stop, stoppable, wait


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
    with pytest.raises(StopWaiting, match="the run was asked to stop"):
        wait(30)
    assert time.monotonic() - started < 1
    clear_stop()
    wait(0.01)  # sleeps again


def _waiting_job(
    ready: threading.Event, events: dict[str, threading.Event], name: str, outcome: dict[str, str]
) -> None:
    with stoppable() as own:
        events[name] = own
        ready.set()
        try:
            wait(30)
            outcome[name] = "slept"
        except StopWaiting:
            outcome[name] = "stopped"


def _start(
    name: str, events: dict[str, threading.Event], outcome: dict[str, str]
) -> threading.Thread:
    ready = threading.Event()
    thread = threading.Thread(target=_waiting_job, args=(ready, events, name, outcome))
    thread.start()
    assert ready.wait(5)
    return thread


def test_a_jobs_own_stop_ends_its_wait_and_no_other_jobs() -> None:
    events: dict[str, threading.Event] = {}
    outcome: dict[str, str] = {}
    cancelled, other = _start("cancelled", events, outcome), _start("other", events, outcome)
    asked = time.monotonic()
    events["cancelled"].set()  # a user cancels one job of the worker
    cancelled.join(5)
    assert outcome == {"cancelled": "stopped"}
    assert time.monotonic() - asked < 2
    assert other.is_alive()  # still waiting out its 30 s
    request_stop()  # the worker shuts down: every job's wait ends
    other.join(5)
    assert outcome == {"cancelled": "stopped", "other": "stopped"}


def test_a_job_begun_after_the_process_was_asked_to_stop_does_not_wait() -> None:
    request_stop()
    outcome: dict[str, str] = {}
    thread = _start("late", {}, outcome)
    thread.join(5)
    assert outcome == {"late": "stopped"}


def test_outside_its_job_a_thread_waits_on_the_process_again() -> None:
    with stoppable() as own:
        own.set()
        with pytest.raises(StopWaiting):
            wait(30)
    wait(0.01)  # the job's stop is gone with the job: this sleeps
