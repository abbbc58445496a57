"""``crmsync daemon``: scheduled syncs with run locks, back-off, health and metrics.

The ``schedule:`` models live in ``sync.config.schedule`` (re-exported here); the heavier
modules load lazily so that ``import sync.daemon`` stays light.
"""

from __future__ import annotations

from typing import Any

from sync.config.schedule import JobSchedule, ScheduleConfig

__all__ = ["Daemon", "JobSchedule", "ScheduleConfig"]


def __getattr__(name: str) -> Any:
    if name == "Daemon":
        from sync.daemon.app import Daemon

        return Daemon
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
