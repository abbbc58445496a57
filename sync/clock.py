"""The application's clock: the only place the sync layer reads the wall clock.

Below the CLI and the stages, so a step that needs the time of day (push stamps its
writes) takes it from here rather than from a command-line module; tests pass ``now`` in.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["utc_now"]


def utc_now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)
