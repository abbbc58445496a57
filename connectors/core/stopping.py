"""A process asked to stop: the waits connectors make (between retries, while a bulk job
runs) end at once, so a run stops within one request instead of waiting out a back-off or
a server's ``Retry-After`` (up to two minutes).

The daemon calls ``request_stop()`` on its first stop signal and ``clear_stop()`` once its
jobs have ended. A worker runs several jobs in one process and may stop one alone (a user
cancels it): a job's thread takes an event of its own (``stoppable()``) that ends its waits
when set, and also when the whole process is asked to stop. A wait cut short raises
``StopWaiting`` in the job's thread; the page being read is not written, so the next run
reads it again from the last committed cursor.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["StopWaiting", "clear_stop", "request_stop", "stoppable", "wait"]

_STOP = threading.Event()
_OWN: dict[int, threading.Event] = {}  # thread id -> the event that ends its waits
_OWN_LOCK = threading.Lock()


class StopWaiting(BaseException):
    """A connector's wait ended because the process is stopping. A ``BaseException``, as
    ``KeyboardInterrupt`` is: no ``except Exception`` on its way (a stream's, a record's)
    takes it for a failure."""


def request_stop() -> None:
    """End every wait now and each later one at once, until ``clear_stop()``."""
    _STOP.set()
    with _OWN_LOCK:
        for own in _OWN.values():
            own.set()


def clear_stop() -> None:
    _STOP.clear()


@contextmanager
def stoppable() -> Iterator[threading.Event]:
    """An event of this thread's own: setting it ends the thread's waits in the body (as
    ``request_stop()`` does, which sets it too)."""
    own = threading.Event()
    thread = threading.get_ident()
    with _OWN_LOCK:
        outer = _OWN.get(thread)
        _OWN[thread] = own
        if _STOP.is_set():  # asked before the body began: its first wait ends at once
            own.set()
    try:
        yield own
    finally:
        with _OWN_LOCK:
            if outer is None:
                _OWN.pop(thread, None)
            else:
                _OWN[thread] = outer


def wait(seconds: float) -> None:
    """Sleep ``seconds``; raise ``StopWaiting`` as soon as the process (or, within
    ``stoppable()``, this thread's job) is asked to stop."""
    stop = _OWN.get(threading.get_ident(), _STOP)
    if stop.wait(max(0.0, seconds)):
        raise StopWaiting(f"a wait of {seconds:.1f} s ended: the run was asked to stop")
