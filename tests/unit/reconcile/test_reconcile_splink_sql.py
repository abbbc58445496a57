"""A trained Splink model's settings written for another backend keep its m, u and levels;
only the SQL of the conditions changes (PostgreSQL's one-edit test, Spark's quoting and
Java functions). The backend follows the store unless set."""

from __future__ import annotations

import copy

import pytest

pytest.importorskip("splink", reason="the Splink engine needs crmsync[linkage]")

from sync.errors import UsageError
from sync.reconcile.splink_backend import choose_backend
from sync.reconcile.splink_frame import BLOCKING_RULES, rule_sql
from sync.reconcile.splink_settings import COMPARED, settings_dict
from sync.reconcile.splink_sql import to_dialect

SETTINGS = settings_dict(list(COMPARED), [rule_sql(rule) for rule in BLOCKING_RULES[:2]])


def _conditions(settings: dict, column: str) -> list[str]:
    [comparison] = [c for c in settings["comparisons"] if c["output_column_name"] == column]
    return [level["sql_condition"] for level in comparison["comparison_levels"]]


def _without_conditions(settings: dict) -> list[list[dict]]:
    return [
        [
            {k: v for k, v in level.items() if k != "sql_condition"}
            for level in c["comparison_levels"]
        ]
        for c in settings["comparisons"]
    ]


def test_duckdb_gets_the_settings_as_trained() -> None:
    assert to_dialect(SETTINGS, "duckdb") is SETTINGS


def test_postgres_runs_the_distance_test_as_one_edit() -> None:
    found = to_dialect(SETTINGS, "postgres")
    assert _conditions(found, "street") == [
        '("domain_l" = "domain_r") OR ("company_l" = "company_r")',
        '("street_l" IS NULL) OR ("street_r" IS NULL)',
        '"street_l" = "street_r"',
        'within_one_edit("street_l", "street_r")',
        'jaro_winkler_similarity("street_l", "street_r") >= 0.88',
        "ELSE",
    ]
    assert _without_conditions(found) == _without_conditions(SETTINGS)
    assert [r["blocking_rule"] for r in found["blocking_rules_to_generate_predictions"]] == [
        "l.email_b = r.email_b",
        "l.phone_b = r.phone_b",
    ]
    # The trained settings are left as they were.
    assert _conditions(SETTINGS, "street")[3] == 'damerau_levenshtein("street_l", "street_r") <= 1'


def test_postgres_refuses_a_distance_it_cannot_test() -> None:
    wider = copy.deepcopy(SETTINGS)
    wider["comparisons"][0]["comparison_levels"][5]["sql_condition"] = (
        'damerau_levenshtein("first_name_l", "first_name_r") <= 2'
    )
    with pytest.raises(ValueError, match="only <= 1 is written out"):
        to_dialect(wider, "postgres")


def test_spark_quotes_columns_and_calls_the_java_functions() -> None:
    found = _conditions(to_dialect(SETTINGS, "spark"), "city")
    assert found == [
        "(`domain_l` = `domain_r`) OR (`company_l` = `company_r`)",
        "(`city_l` IS NULL) OR (`city_r` IS NULL)",
        "`city_l` = `city_r`",
        "crmsync_within_one_edit(`city_l`, `city_r`)",
        "crmsync_jaro_winkler(`city_l`, `city_r`) >= 0.88",
        "ELSE",
    ]


def test_the_backend_follows_the_store_unless_set() -> None:
    assert choose_backend("auto", "sqlite:///x.sqlite").name == "duckdb"
    chosen = choose_backend("auto", "postgresql+psycopg://u@h/db")
    assert (chosen.name, chosen.url) == ("postgres", "postgresql+psycopg://u@h/db")
    assert choose_backend("duckdb", "postgresql+psycopg://u@h/db").name == "duckdb"
    spark = choose_backend("spark", "sqlite:///x.sqlite", "spark://head:7077")
    assert (spark.name, spark.url, spark.spark_master) == ("spark", None, "spark://head:7077")
    with pytest.raises(UsageError, match="the store is not PostgreSQL"):
        choose_backend("postgres", "sqlite:///x.sqlite")
