"""``crmsync daemon``: scheduled syncs with run locks, back-off, health and metrics.

The configuration models import ``sync.daemon.settings``, so this package's ``__init__``
loads the heavier modules lazily to avoid an import cycle.
"""

from __future__ import annotations

from typing import Any

from sync.daemon.settings import JobSchedule, ScheduleConfig

__all__ = ["Daemon", "JobSchedule", "ScheduleConfig"]


def __getattr__(name: str) -> Any:
    if name == "Daemon":
        from sync.daemon.app import Daemon

        return Daemon
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
