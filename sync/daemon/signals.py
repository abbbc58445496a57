"""SIGTERM / SIGINT: the first asks for a clean stop, the second exits at once.
SIGHUP asks for a configuration reload.

Exiting at once is safe: every page is committed with its cursor in one transaction, and
the run lock is released by the OS (file lock) or the server (advisory lock).

The first signal also sets a watchdog (``watchdog_s``): a process still there that long
after it writes every thread's stack to standard error and exits with status 1, so a stop
ends even when something the clean stop waits for never returns (a call to a CRM or the
store that hangs, a thread that keeps the interpreter from exiting), and the log says
what it was. ``faulthandler`` does this from a thread of its own, without the interpreter.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import threading
from types import FrameType

__all__ = ["StopSignals"]


log = logging.getLogger(__name__)

HANDLED = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """Sets ``event`` on the first signal; the second calls ``os._exit(exit_code)``.
    SIGHUP sets ``reload`` (and wakes the daemon's loop through ``wake``)."""

    def __init__(
        self,
        event: threading.Event,
        exit_code: int = 1,
        reload: threading.Event | None = None,
        wake: threading.Event | None = None,
        watchdog_s: float | None = None,
    ) -> None:
        self.event = event
        self.exit_code = exit_code
        self.reload = reload
        self.wake = wake
        self.watchdog_s = watchdog_s
        self._watching = False
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for sig in HANDLED:
            self._previous[sig] = signal.signal(sig, self._handle)
        if self.reload is not None:
            self._previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._reload)

    def _reload(self, _signum: int, _frame: FrameType | None) -> None:
        log.info("SIGHUP: reloading the configuration")
        assert self.reload is not None
        self.reload.set()
        if self.wake is not None:
            self.wake.set()

    def restore(self) -> None:
        """Put the previous handlers back and call off the watchdog (the caller that
        goes on to exit sets its own: see ``crmsync daemon``)."""
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous.clear()
        if self._watching:  # only the timer this set (there is one for the process)
            faulthandler.cancel_dump_traceback_later()
            self._watching = False

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.event.is_set():
            log.warning("second %s: exiting now", name)
            os._exit(self.exit_code)
        log.info("%s: stopping after the current page (send it again to exit now)", name)
        if self.watchdog_s is not None:
            faulthandler.dump_traceback_later(self.watchdog_s, exit=True)
            self._watching = True
        self.event.set()
        if self.wake is not None:
            self.wake.set()
