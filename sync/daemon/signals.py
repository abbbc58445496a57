"""SIGTERM / SIGINT: the first asks for a clean stop, the second exits at once.

Exiting at once is safe: every page is committed with its cursor in one transaction, and
the run lock is released by the OS (file lock) or the server (advisory lock).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

__all__ = ["StopSignals"]

log = logging.getLogger(__name__)

HANDLED = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """Sets ``event`` on the first signal; the second calls ``os._exit(exit_code)``."""

    def __init__(self, event: threading.Event, exit_code: int = 1) -> None:
        self.event = event
        self.exit_code = exit_code
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for sig in HANDLED:
            self._previous[sig] = signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.event.is_set():
            log.warning("second %s: exiting now", name)
            os._exit(self.exit_code)
        log.info("%s: stopping after the current page (send it again to exit now)", name)
        self.event.set()
