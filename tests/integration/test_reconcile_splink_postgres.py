"""The Splink engine scoring on the store's PostgreSQL gives DuckDB's pairs and identities:
the model's string functions compute DuckDB's values to the last bit, a full run on each
backend links the same people, and the run's schema is gone afterwards."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("splink", reason="the Splink engine needs crmsync[linkage]")

from splink_people import people, write_people
from sqlalchemy import Engine, text
from sync_support import postgres_schema, postgres_url

from connectors.core.records import Lead
from sync.config.reconcile import Learning, ReconcileConfig, SplinkSettings
from sync.reconcile.entities import load_entities
from sync.reconcile.model_store import latest_model
from sync.reconcile.persist import crosswalk
from sync.reconcile.reconciling import reconcile
from sync.reconcile.resolve import thresholds_for
from sync.reconcile.splink_backend import Backend, open_session
from sync.reconcile.splink_engine import SplinkModel, score_entities
from sync.store import open_store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SURNAME_EVERY = 20  # people sharing each surname
PEOPLE, DUPLICATED, ALONE = 160, 80, 5


def _config(backend: str) -> ReconcileConfig:
    return ReconcileConfig(
        engine="splink",
        learning=Learning(min_records=50),
        splink=SplinkSettings(backend=backend),  # type: ignore[arg-type]
    )


@pytest.fixture
def store() -> Iterator[Engine]:
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        engine = open_store(url)
        leads, contacts = people(PEOPLE, DUPLICATED, SURNAME_EVERY)
        # Names only: a missing value is NULL on every backend (pandas holds it as NaN).
        leads += [
            Lead(
                source="salesforce", remote_id=f"L9{n:02d}", first_name=f"Zed{n}", last_name="Omega"
            )
            for n in range(ALONE)
        ]
        write_people(engine, leads, contacts, T0)
        try:
            yield engine
        finally:
            engine.dispose()


def _identities(engine: Engine) -> list[list[str]]:
    with engine.connect() as connection:
        found: dict[str, list[str]] = {}
        for key, identity in crosswalk(connection, "person").items():
            found.setdefault(identity, []).append(key)
    return sorted(sorted(members) for members in found.values())


def _splink_schemas(engine: Engine) -> set[str]:
    query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'crmsync\\_splink\\_%'"
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(text(query))}


def test_the_string_functions_compute_duckdbs_values(store: Engine) -> None:
    import duckdb

    rng = random.Random(3)
    words = [
        "".join(rng.choice("abcdeilnorst") for _ in range(rng.randint(1, 10))) for _ in range(600)
    ]
    pairs = [(a, words[(n * 7 + 3) % len(words)]) for n, a in enumerate(words)]
    pairs += [(a, a[1:] + a[:1]) for a in words[:200]] + [(a, a[::-1]) for a in words[:200]]
    pairs += [(a, a[:2] + a[3:]) for a in words[:200]] + [
        (a, a[1::-1] + a[2:]) for a in words[:200]
    ]
    # By hand: Jaro 17/18 and 23/30 with a prefix of 3 and 2; 0.805 is the fused
    # multiply-add's (a separate multiply and add give 0.8049999999999999).
    hand = {("martha", "marhta"): 0.9611111111111111, ("dixon", "dicksonx"): 0.8133333333333332}
    hand[("nsst", "nlssl")] = 0.805
    pairs += list(hand)
    rows = ", ".join(f"('{a}', '{b}')" for a, b in pairs)
    values = f"FROM (VALUES {rows}) AS p(a, b)"
    sql = f"SELECT a, b, jaro_winkler_similarity(a, b), damerau_levenshtein(a, b) <= 1 {values}"
    reference = {(a, b): (jw, near) for a, b, jw, near in duckdb.sql(sql).fetchall()}
    # PostgreSQL runs the model's only distance test, "<= 1", as a test for one edit.
    sql = f"SELECT a, b, jaro_winkler_similarity(a, b), within_one_edit(a, b) {values}"
    with open_session(Backend("postgres", store.url)) as session, session.engine.connect() as c:
        found = {(a, b): (jw, near) for a, b, jw, near in c.execute(text(sql)).fetchall()}
    assert found == reference
    assert {pair: found[pair][0] for pair in hand} == hand
    assert sum(near for _, near in found.values()) > 100  # one edit apart: swaps among them


def test_postgres_scores_and_links_the_people_as_duckdb(store: Engine) -> None:
    before = _splink_schemas(store)
    report = reconcile(store, _config("duckdb"), T0 + timedelta(hours=1), "full")
    assert report.kinds["person"]["engine"] == "splink"
    on_duckdb = _identities(store)
    with store.connect() as connection:
        model = latest_model(connection, "person")
    assert isinstance(model, SplinkModel)
    # A second full run scores with the stored model, on the store's PostgreSQL (auto).
    reconcile(store, _config("auto"), T0 + timedelta(hours=2), "full")
    with store.connect() as connection:
        assert latest_model(connection, "person") == model  # not retrained
    assert _identities(store) == on_duckdb
    expected = [[f"salesforce:leads:L{n:03d}"] for n in range(PEOPLE)]
    expected += [[f"salesforce:leads:L9{n:02d}"] for n in range(ALONE)]
    for n in range(DUPLICATED):
        expected[n].insert(0, f"hubspot:contacts:C{n:03d}")
    assert on_duckdb == sorted(sorted(group) for group in expected)
    # The pairs themselves: every score, level and weight alike.
    entities = load_entities(store, "person")
    review = thresholds_for("person", _config("auto"), model).review
    duck = score_entities(model, entities, review)
    pg = score_entities(model, entities, review, backend=Backend("postgres", store.url))
    assert pg.compared == duck.compared > 0
    assert pg.pairs == duck.pairs
    assert _splink_schemas(store) == before  # the runs' schemas were dropped
