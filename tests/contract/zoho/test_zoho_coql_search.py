"""COQL and the search API."""

from __future__ import annotations

import pytest


def coql(box, query: str):
    return box.http.post(box.url("coql"), json={"select_query": query})


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Last_Name = 'burns'", 3),
        ("Last_Name != 'Burns'", 7),
        ("Created_Time < '2025-09-29T00:00:00+00:00'", 3),
        ("Created_Time <= '2025-09-29T00:00:00+00:00'", 4),
        ("Created_Time > '2025-09-29T00:00:00+00:00'", 6),
        ("Created_Time >= '2025-09-29T00:00:00+00:00'", 7),
        ("Email like '%@contacts.example.com'", 10),
        ("Email like 'a%'", 5),
        ("First_Name like '%ora1%'", 1),
        ("Lead_Source in ('Chat', 'nothing')", 5),
        ("Lead_Source not in ('Chat')", 5),
        ("Mobile is null", 10),
        ("Phone is not null", 10),
        ("Created_Time between '2025-09-26T00:00:00+00:00' and '2025-09-28T00:00:00+00:00'", 3),
        ("(Last_Name = 'Burns' and Email like 'a%') or Lead_Source = 'Partner'", 6),
    ],
)
def test_coql_operators(zoho, where: str, expected: int) -> None:
    response = coql(zoho, f"select Last_Name from Contacts where {where} limit 0, 200")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["info"] == {"count": expected, "more_records": False}


def test_coql_ordering_lookups_and_limit_forms(zoho) -> None:
    query = (
        "select Last_Name, Account_Name, Modified_Time from Contacts "
        "where Lead_Source = 'Chat' or Lead_Source = 'Partner' "
        "order by Last_Name desc, id asc limit 2 offset 1"
    )
    body = coql(zoho, query).json()
    contacts = sorted(zoho.world.zoho["Contacts"].rows.values(), key=lambda r: r["id"])
    contacts.sort(key=lambda r: r["Last_Name"].lower(), reverse=True)
    assert [r["id"] for r in body["data"]] == [c["id"] for c in contacts[1:3]]
    assert body["info"] == {"count": 2, "more_records": True}
    first = body["data"][0]
    assert set(first) == {"id", "Last_Name", "Account_Name", "Modified_Time"}
    assert first["Account_Name"] == {"id": contacts[1]["Account_Name"]}


def test_coql_paging_past_the_first_page(zoho) -> None:
    seen = []
    for offset in range(0, 2200, 2000):
        body = coql(
            zoho,
            "select Last_Name from Leads where Modified_Time >= '2020-01-01T00:00:00+00:00' "
            f"order by Modified_Time asc, id asc limit {offset}, 2000",
        ).json()
        seen += [r["id"] for r in body["data"]]
    assert len(seen) == len(set(seen)) == 2105


def test_coql_limits_and_errors(zoho) -> None:
    base = "select Last_Name from Leads where Last_Name is not null"
    too_big = coql(zoho, f"{base} limit 2001")
    assert too_big.status_code == 400
    assert too_big.json()["code"] == "LIMIT_EXCEEDED"
    too_deep = coql(zoho, f"{base} limit 9000, 2000")
    assert too_deep.status_code == 400
    assert too_deep.json()["details"] == {"limit": 10000}
    no_where = coql(zoho, "select Last_Name from Leads")
    assert no_where.status_code == 400
    assert no_where.json()["code"] == "SYNTAX_ERROR"
    assert no_where.json()["details"]["clause"] == "where"
    garbage = coql(zoho, "select Last_Name from Leads where Last_Name = ")
    assert garbage.status_code == 400
    assert garbage.json()["status"] == "error" and garbage.json()["code"] == "SYNTAX_ERROR"
    bad_column = coql(zoho, "select Nope from Leads where Last_Name = 'x'")
    assert bad_column.json()["code"] == "INVALID_QUERY"
    empty = coql(zoho, "select Last_Name from Leads where Last_Name = 'nobody'")
    assert empty.status_code == 204


def test_search_criteria(zoho) -> None:
    response = zoho.http.get(
        zoho.url("Contacts/search"),
        params={"criteria": "((Last_Name:equals:Burns)and(Email:starts_with:a))"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["Email"] for r in body["data"]] == ["a1@contacts.example.com"]
    assert body["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"criteria": "(Last_Name:not_equal:Burns)"}, 7),
        ({"criteria": "(Lead_Source:in:Chat,Partner)"}, 10),
        ({"criteria": "(Created_Time:greater_than:2025-09-29T00:00:00+00:00)"}, 6),
        ({"criteria": "(Created_Time:greater_equal:2025-09-29T00:00:00+00:00)"}, 7),
        ({"criteria": "(Created_Time:less_than:2025-09-29T00:00:00+00:00)"}, 3),
        ({"criteria": "(Created_Time:less_equal:2025-09-29T00:00:00+00:00)"}, 4),
        (
            {
                "criteria": "(Created_Time:between:2025-09-26T00:00:00+00:00,"
                "2025-09-28T00:00:00+00:00)"
            },
            3,
        ),
        ({"criteria": "((Last_Name:equals:Burns)or(Lead_Source:equals:Partner))"}, 8),
        ({"email": "B2@contacts.example.com"}, 1),
        ({"phone": "5550103"}, 1),
        ({"word": "smith"}, 7),
    ],
)
def test_search_operators(zoho, params: dict[str, str], expected: int) -> None:
    body = zoho.http.get(zoho.url("Contacts/search"), params=params).json()
    assert body["info"]["count"] == expected


def test_search_no_match_caps_and_errors(zoho) -> None:
    none = zoho.http.get(zoho.url("Contacts/search"), params={"word": "zzz"})
    assert none.status_code == 204
    criteria = "and".join(f"(Last_Name:equals:x{i})" for i in range(11))
    too_many = zoho.http.get(zoho.url("Contacts/search"), params={"criteria": f"({criteria})"})
    assert too_many.status_code == 400
    assert too_many.json()["details"] == {"limit": 10, "param_name": "criteria"}
    capped = zoho.http.get(
        zoho.url("Leads/search"), params={"word": "lead", "page": 11, "per_page": 200}
    )
    assert capped.status_code == 400
    assert capped.json()["details"] == {"limit": 2000}
