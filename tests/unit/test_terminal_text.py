"""The one helper every CLI table and print goes through for CRM text (issue 15, item 12)."""

from __future__ import annotations

import io

from rich.console import Console

from sync.terminal_text import Table, plain, safe, styled, text

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


def _cells(shown: str) -> list[list[str]]:
    """Each body line of a rendered table as its stripped cells."""
    return [
        [c.strip() for c in line.strip("│").split("│")]
        for line in shown.splitlines()
        if "│" in line
    ]


def _at_80(*renderables: object) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(*renderables)  # what a pipe gets
    return buffer.getvalue()


def test_at_80_columns_short_cells_stay_whole_and_free_text_wraps() -> None:
    table = Table("source", "stream", "status", "fetched", "quarantined", "error")
    table.add_row("salesforce", "campaign_members", "succeeded", "1,234", "0", "x " * 40)
    shown = _at_80(table)
    assert "…" not in shown and max(map(len, shown.splitlines())) == 80
    rows = _cells(shown)
    assert rows[0][:5] == ["salesforce", "campaign_members", "succeeded", "1,234", "0"]
    assert "".join(r[5] for r in rows).replace(" ", "") == "x" * 40  # wrapped, not cut


def test_a_word_longer_than_its_column_is_folded_never_cut() -> None:
    table = Table("a", "b", "c")
    table.add_row("w" * 40, "v" * 40, "u" * 40)
    rows = _cells(_at_80(table))
    assert ["".join(r[i] for r in rows) for i in range(3)] == ["w" * 40, "v" * 40, "u" * 40]


def test_fits_says_whether_every_word_has_room() -> None:
    narrow, wide = Table("id"), Table("id", "id 2", "id 3")
    narrow.add_row("salesforce:0055g0000000007AAA")
    wide.add_row(*["salesforce:0055g0000000007AAA"] * 3)
    console = Console(file=io.StringIO(), width=80)
    assert (narrow.fits(console), wide.fits(console)) == (True, False)


def test_the_outer_frame_goes_when_that_gives_the_words_room() -> None:
    table = Table("a", "b", "c", "d")
    table.add_row("x" * 17, "y" * 17, "z" * 17, "w" * 17)  # 4 × 19 + 3 rules + 2 edges = 81
    shown = _at_80(table)
    assert _cells(shown)[0] == ["x" * 17, "y" * 17, "z" * 17, "w" * 17]
    assert not shown.splitlines()[-1].startswith("└")


def test_whole_keys_that_do_not_fit_turn_the_table_into_one_block_per_row() -> None:
    key = "dynamics:ea7e9b38-af3b-590e-b606-fed19c73c0b8"  # 45 characters
    headers = ("#", "employee", "team", "score", "records", "trend")
    table = Table(*headers, title="Board", whole=("employee",))
    table.add_row("1", f"Felix Keller\n{key}", "Altamira DACH", "100.0", "4", "66.7 100.0")
    table.add_row("2", "Laura Wilson\nhubspot:70000073", "call_centre", "94.2", "2", "94.2")
    shown = _at_80(table)
    assert "…" not in shown and max(map(len, shown.splitlines())) <= 80
    assert [line.rstrip() for line in shown.splitlines()] == [
        "                          Board",
        " #        │ 1",
        " employee │ Felix Keller",
        f"          │ {key}",
        " team     │ Altamira DACH",
        " score    │ 100.0",
        " records  │ 4",
        " trend    │ 66.7 100.0",
        "──────────┼───────────────────────────────────────────────",
        " #        │ 2",
        " employee │ Laura Wilson",
        "          │ hubspot:70000073",
        " team     │ call_centre",
        " score    │ 94.2",
        " records  │ 2",
        " trend    │ 94.2",
    ]
    short = Table("#", "employee", title="Board", whole=("employee",))
    short.add_row("1", f"Felix Keller\n{key}")  # room for the key: an ordinary table
    assert _cells(_at_80(short))[1] == ["", key]
