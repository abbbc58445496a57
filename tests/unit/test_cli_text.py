"""The one helper every CLI table and print goes through for CRM text (issue 15, item 12)."""

from __future__ import annotations

import io

from rich.console import Console

from sync.cli_text import Table, plain, safe, styled, text

HOSTILE = "[/bold][link=http://x]click[/link]\x1b[31mred\x1b]8;;http://evil\x07\x00\x9b\u202e"
SHOWN = r"[/bold][link=http://x]click[/link]\x1b[31mred\x1b]8;;http://evil\x07\x00\x9b\u202e"


def _render(*renderables: object) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=True, color_system="standard")
    console.print(*renderables)
    return buffer.getvalue()


def test_control_characters_are_shown_as_escapes_and_newlines_kept() -> None:
    assert plain(HOSTILE) == SHOWN
    assert plain("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert plain(42) == "42"
    assert safe("[b]x[/b]\x1b") == "\\[b]x\\[/b]\\x1b"


def test_a_table_shows_cells_and_title_literally() -> None:
    table = Table("subject", title=f"journey of {HOSTILE}")
    table.add_row(HOSTILE)
    shown = _render(table)
    assert shown.count(SHOWN) == 2
    assert "\x1b]8" not in shown and "\x07" not in shown  # no hyperlink reaches the terminal


def test_the_cli_still_styles_its_own_cells_and_lines() -> None:
    table = Table("status")
    table.add_row(styled("failed", "red"))
    assert "\x1b[31mfailed\x1b[0m" in _render(table)
    line = text((HOSTILE, "bold"), " and ", HOSTILE)
    assert line.plain == f"{SHOWN} and {SHOWN}"
    assert "\x1b[1m" in _render(line)
