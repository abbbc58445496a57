"""The Splink engine scoring on Spark gives DuckDB's pairs: crmsync's Java Jaro–Winkler and
one-edit test compute DuckDB's values to the last bit, and a local session scores every
pair as DuckDB does. Needs pyspark (crmsync[spark]) and Java."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("splink", reason="the Splink engine needs crmsync[linkage]")
pytest.importorskip("pyspark", reason="the Spark backend needs crmsync[spark]")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Spark backend needs Java", allow_module_level=True)

from splink_people import people, write_people
from sqlalchemy import Engine

from sync.config.reconcile import Learning, ReconcileConfig
from sync.reconcile.entities import load_entities
from sync.reconcile.model_store import latest_model
from sync.reconcile.reconciling import reconcile
from sync.reconcile.resolve import thresholds_for
from sync.reconcile.splink_backend import Backend, open_session
from sync.reconcile.splink_engine import SplinkModel, score_entities
from sync.reconcile.splink_spark import SparkSession
from sync.store import open_store

pytestmark = [
    pytest.mark.slow,
    # pyspark leaves its sockets to the JVM for the garbage collector to close.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SURNAME_EVERY = 15  # people sharing each surname
PEOPLE, DUPLICATED = 120, 60
SPARK = Backend("spark", None, "local[1]")


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    with open_session(SPARK) as session:
        assert isinstance(session, SparkSession)
        yield session


def test_the_java_functions_compute_duckdbs_values(spark: SparkSession) -> None:
    import duckdb

    rng = random.Random(3)
    words = [
        "".join(rng.choice("abcdeilnorstéü") for _ in range(rng.randint(0, 10)))
        for _ in range(2000)
    ]
    pairs = [(a, words[(n * 7 + 3) % len(words)]) for n, a in enumerate(words)]
    pairs += [(a, a[1:] + a[:1]) for a in words] + [(a, a[::-1]) for a in words]
    pairs += [(a, a[:2] + a[3:]) for a in words] + [(a, a[1::-1] + a[2:]) for a in words]
    # By hand: Jaro 17/18 and 23/30 with a prefix of 3 and 2; 0.805 is the fused
    # multiply-add's (a separate multiply and add give 0.8049999999999999).
    hand = {("martha", "marhta"): 0.9611111111111111, ("dixon", "dicksonx"): 0.8133333333333332}
    hand[("nsst", "nlssl")] = 0.805
    hand[("josé", "jose")] = 0.8833333333333334  # over characters, not UTF-8 bytes
    pairs += list(hand)
    connection = duckdb.connect()
    connection.execute("CREATE TABLE p (a VARCHAR, b VARCHAR)")
    connection.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    sql = "SELECT a, b, jaro_winkler_similarity(a, b), damerau_levenshtein(a, b) <= 1 FROM p"
    reference = {(a, b): (jw, near) for a, b, jw, near in connection.execute(sql).fetchall()}
    frame = spark.spark.createDataFrame(pairs, "a string, b string")
    frame.createOrReplaceTempView("crmsync_test_pairs")
    sql = (
        "SELECT a, b, crmsync_jaro_winkler(a, b), crmsync_within_one_edit(a, b)"
        " FROM crmsync_test_pairs"
    )
    found = {(a, b): (jw, near) for a, b, jw, near in spark.spark.sql(sql).collect()}
    assert found == reference
    assert {pair: found[pair][0] for pair in hand} == hand
    assert sum(near for _, near in found.values()) > 1000  # one edit apart: swaps among them


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'crmsync.sqlite'}")
    leads, contacts = people(PEOPLE, DUPLICATED, SURNAME_EVERY)
    write_people(engine, leads, contacts, T0)
    try:
        yield engine
    finally:
        engine.dispose()


def test_spark_scores_every_pair_as_duckdb(store: Engine, spark: SparkSession) -> None:
    config = ReconcileConfig(engine="splink", learning=Learning(min_records=50))
    reconcile(store, config, T0 + timedelta(hours=1), "full")  # trains the model
    with store.connect() as connection:
        model = latest_model(connection, "person")
    assert isinstance(model, SplinkModel)
    entities = load_entities(store, "person")
    review = thresholds_for("person", config, model).review
    duck = score_entities(model, entities, review)
    found = score_entities(model, entities, review, backend=SPARK)  # the active session
    assert found.compared == duck.compared > 0
    assert len(duck.pairs) >= DUPLICATED
    assert found.pairs == duck.pairs
