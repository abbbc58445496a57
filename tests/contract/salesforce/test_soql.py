"""SOQL parser and evaluator, one operator at a time, over the contract world."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import build_world

from sandbox.http import EmulatorError
from sandbox.salesforce.soql import SoqlError, parse
from sandbox.salesforce.soql_eval import compile_query

WORLD = build_world()
TODAY = date(2026, 10, 31)


def names(where: str, extra: str = "") -> list[str]:
    plan = compile_query(
        parse(f"SELECT LastName FROM Lead WHERE {where} ORDER BY LastName {extra}"),
        WORLD.salesforce,
        TODAY,
    )
    return [r["LastName"] for r in plan.run(include_deleted=False)]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("LastName = 'last005'", ["Last005"]),
        ("LastName != 'Last005' AND LastName < 'Last003'", ["Last000", "Last001", "Last002"]),
        ("LastName <> 'Last005' AND LastName <= 'Last001'", ["Last000", "Last001"]),
        ("LastName > 'Last442'", ["Last443", "Last444"]),
        ("LastName >= 'Last443'", ["Last443", "Last444"]),
        ("LastName IN ('Last001', 'LAST002', 'nobody')", ["Last001", "Last002"]),
        ("LastName LIKE 'Last44_'", ["Last440", "Last441", "Last442", "Last443", "Last444"]),
        (
            "LastName LIKE '%44%' AND NOT LastName LIKE 'Last44%'",
            ["Last044", "Last144", "Last244", "Last344"],
        ),
        ("FirstName = null AND LastName < 'Last025'", ["Last000", "Last010", "Last020"]),
        ("FirstName != null AND LastName < 'Last002'", ["Last001"]),
        (
            "(LastName = 'Last001' OR LastName = 'Last002') AND Status = 'Working - Contacted'",
            ["Last001"],
        ),
        ("LastName NOT IN ('Last000') AND LastName < 'Last002'", ["Last001"]),
        ("IsConverted = FALSE AND LastName < 'Last001'", ["Last000"]),
        ("CreatedDate = 2026-10-01T01:00:00Z", ["Last001"]),
        ("CreatedDate = 2026-10-01T03:00:00.000+02:00", ["Last001"]),
        ("CreatedDate < 2026-10-01T02:00:00Z", ["Last000", "Last001"]),
        ("ConvertedDate = 2026-10-03 AND LastName < 'Last100'", ["Last002", "Last062"]),
        ("ConvertedDate = YESTERDAY", []),
        ("ConvertedDate = LAST_N_DAYS:11 AND LastName < 'Last100'", ["Last059"]),
        ("Owner.Name = 'Bo Seller' AND LastName < 'Last004'", ["Last001", "Last003"]),
    ],
)
def test_operators(where: str, expected: list[str]) -> None:
    assert names(where) == expected


def test_limit_and_offset() -> None:
    assert names("LastName < 'Last010'", "LIMIT 2 OFFSET 3") == ["Last003", "Last004"]


def test_string_escapes() -> None:
    query = parse(r"SELECT Id FROM Lead WHERE LastName = 'O\'Brien\\' AND Email LIKE 'a\%b'")
    assert query.where.items[0].value == "O'Brien\\"
    assert query.where.items[1].value == "a\\%b"


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        ("SELECT FROM Lead", 7),
        ("SELECT Id Lead", 10),
        ("SELECT Id FROM Lead WHERE Name = ", 33),
        ("SELECT Id FROM Lead LIMIT -1", 26),
        ("SELECT Id FROM Lead ORDER BY", 28),
    ],
)
def test_malformed(text: str, pos: int) -> None:
    with pytest.raises(SoqlError) as info:
        parse(text)
    assert info.value.pos == pos


def test_type_mismatch_is_invalid_field() -> None:
    with pytest.raises(EmulatorError) as info:
        compile_query(
            parse("SELECT Id FROM Lead WHERE IsConverted = 'yes'"), WORLD.salesforce, TODAY
        )
    assert info.value.body[0]["errorCode"] == "INVALID_FIELD"
    assert info.value.body[0]["message"].endswith(
        "value of filter criterion for field 'IsConverted' must be of type boolean and should "
        "not be enclosed in quotes"
    )


def test_offset_over_2000_is_refused() -> None:
    with pytest.raises(EmulatorError) as info:
        compile_query(parse("SELECT Id FROM Lead OFFSET 2001"), WORLD.salesforce, TODAY)
    assert info.value.body == [
        {
            "message": "Maximum SOQL offset allowed is 2000",
            "errorCode": "NUMBER_OUTSIDE_VALID_RANGE",
        }
    ]
