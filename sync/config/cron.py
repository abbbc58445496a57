"""Schedules as procrastinate crons: every worker must compute the same ticks.

procrastinate defers a periodic job once per tick whatever the number of workers (a
unique row per task, periodic id and tick), so the ticks must be wall-clock aligned, not
"N seconds after this worker started". An ``every`` interval is therefore written as a cron
and only intervals that divide a minute, an hour or a day are accepted.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = ["every_to_cron", "schedule_cron"]


def every_to_cron(every: timedelta) -> str:
    """The cron (procrastinate's, seconds as a 6th field) ticking every ``every``, UTC.

    >>> every_to_cron(timedelta(minutes=15))
    '*/15 * * * *'
    >>> every_to_cron(timedelta(seconds=5))
    '* * * * * */5'
    """
    seconds = every.total_seconds()
    if seconds != int(seconds) or seconds < 1:
        raise ValueError(f"{_show(every)} is not a whole number of seconds")
    whole = int(seconds)
    if whole < 60 and 60 % whole == 0:
        return "* * * * * *" if whole == 1 else f"* * * * * */{whole}"
    minutes, rest = divmod(whole, 60)
    if rest == 0 and minutes < 60 and 60 % minutes == 0:
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    hours, rest = divmod(whole, 3600)
    if rest == 0 and hours < 24 and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if whole == 86400:
        return "0 0 * * *"
    raise ValueError(
        f"every {_show(every)} cannot be written on clock ticks shared by all workers: use a "
        "divisor of a minute, an hour or a day (e.g. 5s, 30s, 5m, 15m, 2h, 1d) or a cron"
    )


def schedule_cron(every: timedelta | None, cron: str | None) -> str:
    """The cron of one ``schedule:`` entry (exactly one of ``every``/``cron`` is set)."""
    if cron is not None:
        return cron
    if every is None:
        raise ValueError("a schedule needs every or cron")
    return every_to_cron(every)


def _show(every: timedelta) -> str:
    seconds = every.total_seconds()
    return f"{seconds:g}s"
