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
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

__all__ = ["Table", "plain", "safe", "styled", "text"]

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

    def __init__(self, *headers: Any, title: str | None = None, **kwargs: Any) -> None:
        super().__init__(*headers, title=None if title is None else safe(title), **kwargs)

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        cells = [safe(r) if isinstance(r, str) else r for r in renderables]
        super().add_row(*cells, **kwargs)
