"""Progress of the long commands (reconcile, audit, plan run, statements) on stderr.

On a terminal: a Rich spinner with the step's latest message and the elapsed time. Through
a pipe or with ``--json``: nothing, unless ``--progress`` asks for it, and then a line per
message (at most one per :data:`QUIET` seconds) and a "still …" line every :data:`EVERY`
seconds, so a log reader sees the command is alive. stdout is never touched: ``--json``
output stays parseable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from sync.cli_common import err
from sync.terminal_text import safe, text

__all__ = ["EVERY", "ProgressOption", "count_progress", "show_progress", "step_progress"]

EVERY = 10.0  # seconds between "still …" lines when progress goes to a pipe
QUIET = 2.0  # a message sooner than this after the last line waits for the next "still"

ProgressOption = typer.Option(
    False,
    "--progress",
    help="Show progress on stderr even with --json or when stderr is not a terminal.",
)

Say = Callable[[str], None]


def show_progress(json_output: bool, forced: bool) -> bool:
    """Whether to show progress: on a terminal without --json, or when --progress asks."""
    return forced or (err.is_terminal and not json_output)


@contextmanager
def step_progress(label: str, json_output: bool, forced: bool = False) -> Iterator[Say]:
    """A ``say(message)`` callback for the step ``label``, shown as the module says."""
    if not show_progress(json_output, forced):
        yield lambda _message: None
    elif err.is_terminal:
        with err.status(safe(label)) as status:
            yield lambda message: status.update(safe(f"{label}: {message}"))
    else:
        with _Lines(label) as say:
            yield say


@contextmanager
def count_progress(
    label: str, total: int | None, json_output: bool, forced: bool = False
) -> Iterator[Callable[[int], None]]:
    """A ``done(n)`` callback for a step of ``total`` items (a bar with n/total on a
    terminal, "label n/total" lines through a pipe), shown as the module says."""
    if show_progress(json_output, forced) and err.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(TextColumn("{task.description}"), *columns, console=err) as progress:
            task = progress.add_task(safe(label), total=total)
            yield lambda n: progress.update(task, completed=n)
        return
    with step_progress(label, json_output, forced) as say:
        yield lambda n: say(f"{n}" if total is None else f"{n}/{total}")


class _Lines:
    """Timestamped lines on stderr: each message, and a "still" line every EVERY seconds."""

    def __init__(self, label: str) -> None:
        self.label, self.latest = label, ""
        self.start = self.printed = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> Say:
        self._line("started")
        self.printed = float("-inf")  # the first message is shown at once
        self.thread.start()
        return self.say

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
        self._line("failed" if exc[0] is not None else "done")

    def say(self, message: str) -> None:
        self.latest = message
        if time.monotonic() - self.printed >= QUIET:
            self._line(message)

    def _tick(self) -> None:
        while not self.done.wait(EVERY):
            self._line(f"still {self.latest or 'working'}")

    def _line(self, message: str) -> None:
        self.printed = time.monotonic()
        seconds = self.printed - self.start
        err.print(text(f"{self.label} [{seconds:5.1f} s] {message}"), soft_wrap=True)
