"""A process asked to stop: the waits connectors make (between retries, while a bulk job
runs) end at once, so a run stops within one request instead of waiting out a back-off or
a server's ``Retry-After`` (up to two minutes).

The daemon calls ``request_stop()`` on its first stop signal and ``clear_stop()`` once its
jobs have ended. A wait cut short raises ``StopWaiting`` in the job's thread; the page being
read is not written, so the next run reads it again from the last committed cursor.
"""

from __future__ import annotations

import threading

__all__ = ["StopWaiting", "clear_stop", "request_stop", "wait"]

_STOP = threading.Event()


class StopWaiting(BaseException):
    """A connector's wait ended because the process is stopping. A ``BaseException``, as
    ``KeyboardInterrupt`` is: no ``except Exception`` on its way (a stream's, a record's)
    takes it for a failure."""


def request_stop() -> None:
    """End every wait now and each later one at once, until ``clear_stop()``."""
    _STOP.set()


def clear_stop() -> None:
    _STOP.clear()


def wait(seconds: float) -> None:
    """Sleep ``seconds``; raise ``StopWaiting`` as soon as the process is asked to stop."""
    if _STOP.wait(max(0.0, seconds)):
        raise StopWaiting(f"a wait of {seconds:.1f} s ended: the process is stopping")
