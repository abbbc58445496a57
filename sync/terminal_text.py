"""Text from the store on a terminal: shown as text, never obeyed as markup or control.

Names, subjects, notes, addresses and even ids come from the CRMs, where anyone with a
login can type them. Printed through Rich as they are, ``[/bold]`` ends the command with a
markup error, ``[link=...]`` makes a clickable link, and raw control characters reach the
terminal, which obeys them: ANSI colours (``ESC [ 31 m``), OSC 8 hyperlinks
(``ESC ] 8 ;; url BEL``), cursor moves that overwrite earlier lines, bidirectional
overrides that reorder what is shown. Rich removes only a few of them (BEL, BS, VT, FF, CR).

So every CLI table is this module's :class:`Table`, which shows each string cell (and its
title) literally, and every ``print`` that interpolates stored text prints a :func:`text`
line (or passes the values through :func:`safe` where the string carries markup).
Control characters are shown as escapes (``\\x1b``), so what the CRM holds stays
visible; newlines and tabs are kept, because multi-line cells are laid out by Rich.
A cell that the CLI itself styles is a :class:`rich.text.Text` built with :func:`styled`.

Width: Rich lays a table too wide for the terminal (80 columns when stdout is piped) by
shrinking columns evenly and cutting words with "…" ("succe…", "sales…"). This
:class:`Table` instead narrows first the columns with the most room above their longest
word, never below the longest word of a cell (capped at :data:`WORD_CAP`) or of its header,
so statuses, names, ids and amounts stay whole and only free text wraps; a word longer
than its column is folded onto the next line, never cut. When the words fit only without
the outer frame, the frame is left out; when they do not fit at all, Rich's own layout
decides (a command with a table that wide offers a narrower one, see ``crmsync status``).

Keys (record ids, employee keys such as "dynamics:" and a 36-character GUID) must stay
whole to be copied: a table names such columns ``whole``, whose cells are never folded.
When they do not fit beside the other columns, the table is shown expanded, as psql's
expanded display does: one block per row, each column's header beside its cell.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table as RichTable
from rich.text import Text

__all__ = ["WORD_CAP", "Table", "plain", "safe", "styled", "text"]

WORD_CAP = 30  # longest word kept on one line ("salesforce:" and an 18-character id is 29)

# C0 controls but tab and newline, DEL, C1 controls (CSI/OSC in 8-bit form), and the
# invisible marks that reorder or hide text (bidi embeddings, overrides and isolates)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """``value`` as text with control characters shown as escapes (``"\\x1b"``)."""
    return _CONTROL.sub(_visible, str(value))


def safe(value: object) -> str:
    """``value`` for a Rich string: control characters shown as escapes, markup escaped."""
    return escape(plain(value))


def styled(value: object, style: str) -> Text:
    """A table cell the CLI styles itself (``value`` shown literally, in ``style``)."""
    return Text(plain(value), style=style)


def text(*parts: str | tuple[str, str]) -> Text:
    """A printable line from parts, each shown literally: ``"plain"`` or
    ``("styled", "bold")``; for ``print`` calls that interpolate stored values."""
    return Text.assemble(*(plain(p) if isinstance(p, str) else (plain(p[0]), p[1]) for p in parts))


class Table(RichTable):
    """A Rich table that shows its string cells and title literally (see the module
    docstring); other renderables (``Text``, nested tables) are passed through."""

    def __init__(
        self,
        *headers: Any,
        title: str | None = None,
        whole: Collection[str] = (),
        **kwargs: Any,
    ) -> None:
        # Each column's floor per width, measured once: deciding whether the words fit, then
        # laying the table out, asks for the same floors (measuring every cell is most of
        # the cost of printing a long table). Adding a row or column forgets them.
        self._floors_at: dict[tuple[int, int, bool, bool], list[int]] = {}
        self._whole = frozenset(whole)  # headers of the columns whose words never fold
        super().__init__(*headers, title=None if title is None else safe(title), **kwargs)

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        self._floors_at.clear()
        super().add_column(*args, **kwargs)

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        cells = [safe(r) if isinstance(r, str) else r for r in renderables]
        self._floors_at.clear()
        super().add_row(*cells, **kwargs)

    def fits(self, console: Console, options: ConsoleOptions | None = None) -> bool:
        """Whether every cell's words fit on one line each at ``console``'s width."""
        options = options or console.options
        inner = options.update_width(options.max_width - self._extra_width)
        return sum(self._floors(console, inner)) <= inner.max_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Two more columns for the cells: drop the outer frame when that makes the words fit.
        if not self.show_edge or self.fits(console, options):
            yield from super().__rich_console__(console, options)
            return
        self.show_edge = False
        try:
            if self.fits(console, options):
                yield from super().__rich_console__(console, options)
                return
        finally:
            self.show_edge = True
        if self._whole:  # keys would fold: one block per row instead
            yield self.expanded()
            return
        yield from super().__rich_console__(console, options)

    def expanded(self) -> RichTable:
        """The rows as blocks, each column's header beside its cell, a line between rows
        (psql's expanded display): the cells get all but the headers' width."""
        blocks = RichTable(title=self.title, show_header=False, show_edge=False, box=box.SQUARE)
        blocks.add_column(style="bold", no_wrap=True)
        blocks.add_column(overflow="fold")
        columns = [(column.header, list(column.cells)) for column in self.columns]
        for row in range(self.row_count):
            for index, (header, cells) in enumerate(columns):
                last = index == len(columns) - 1 and row < self.row_count - 1
                blocks.add_row(header, cells[row], end_section=last)
        return blocks

    def _floors(self, console: Console, options: ConsoleOptions) -> list[int]:
        """Per column: its longest word (cells capped at WORD_CAP, header whole) + padding."""
        key = (id(console), options.max_width, self.show_header, self.show_edge)
        known = self._floors_at.get(key)
        if known is None:
            known = self._floors_at[key] = self._measure_floors(console, options)
        return list(known)

    def _measure_floors(self, console: Console, options: ConsoleOptions) -> list[int]:
        floors = []
        for column in self.columns:
            body = [Measurement.get(console, options, c).minimum for c in column.cells]
            head = Measurement.get(console, options, column.header).minimum
            cap = None if column.header in self._whole else WORD_CAP
            widest = max([min(w, cap or w) for w in body] + [head * self.show_header, 1])
            floors.append(widest + self._get_padding_width(column._index))
        return floors

    def _calculate_column_widths(self, console: Console, options: ConsoleOptions) -> list[int]:
        widths = [self._measure_column(console, options, c).maximum for c in self.columns]
        floors = self._floors(console, options)
        if (
            self.expand
            or sum(widths) <= options.max_width
            or sum(floors) > options.max_width
            or any(c.width is not None for c in self.columns)
        ):
            return super()._calculate_column_widths(console, options)
        excess = sum(widths) - options.max_width
        while excess > 0:  # narrow the column with the most room above its longest word
            i = max(range(len(widths)), key=lambda i: (widths[i] - floors[i], -i))
            widths[i] -= 1
            excess -= 1
        return widths
