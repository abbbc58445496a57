"""The Splink engine for people: train a model on the installation's records, score pairs.

Splink (Fellegi–Sunter on DuckDB, in process) estimates the model the way its authors
recommend, without a label: the prior from deterministic rules with an assumed recall, u
from random pairs (fixed seed), m by expectation maximisation in blocking sessions, and
term-frequency adjustments on names, e-mail, phone, street, city and postal code.

The trained model keeps Splink's settings JSON (comparisons, blocking rules, m and u) and
the term frequencies it was trained with. Every run, full or incremental, predicts with
those same frequencies, so a pair scores the same whichever records are loaded with it,
and an incremental run's result equals a full run's.

A pair's score is the sum of its comparisons' match weights (log2 Bayes factors, term
frequency included), i.e. Splink's match weight without the prior; its probability is
``2**(score + prior) / (1 + 2**(score + prior))``. The match threshold follows from the
configured precision target (``learning.precision``) over the first run's scored pairs,
as the native engine's does, and no pair below ``learning.link_floor`` links.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sync.reconcile.entities import Entity
from sync.reconcile.splink_backend import Backend, open_session
from sync.reconcile.splink_frame import BLOCKING_RULES, frame_rows, rule_sql
from sync.reconcile.splink_settings import (
    COMPARED,
    EM_SESSIONS,
    PRIOR_RECALL,
    PRIOR_RULES,
    TF_COLUMNS,
    U_MAX_PAIRS,
    comparisons_for,
    settings_dict,
)
from sync.reconcile.thresholds import expected_precision_threshold

__all__ = ["ENGINE", "Scored", "SplinkModel", "SplinkScores", "score_entities", "train_splink"]

ENGINE = "splink"
# (score, comparisons flattened as field, level, left, right, ..., their weights)
Scored = tuple[float, tuple[str, ...], tuple[float, ...]]
DUCKDB = Backend()


@dataclass(frozen=True)
class SplinkScores:
    """The pairs a prediction kept, by entity indexes (i < j), and how many it compared."""

    pairs: dict[tuple[int, int], Scored]
    compared: int

    def reindexed(self, entities: Sequence[Entity], position: Mapping[str, int]) -> SplinkScores:
        """The pairs of ``entities`` renumbered by ``position`` (record key -> new index);
        pairs with a record not in ``position`` are left out."""
        found: dict[tuple[int, int], Scored] = {}
        for (i, j), (score, flat, weights) in self.pairs.items():
            a, b = position.get(entities[i].key), position.get(entities[j].key)
            if a is None or b is None:
                continue
            if a > b:  # the comparisons' values follow the pair's order
                a, b = b, a
                flat = tuple(
                    part
                    for k in range(0, len(flat), 4)
                    for part in (flat[k], flat[k + 1], flat[k + 3], flat[k + 2])
                )
            found[(a, b)] = (score, flat, weights)
        return SplinkScores(found, self.compared)


@dataclass(frozen=True)
class SplinkModel:
    """A trained Splink model of one kind, as stored (``model_store.py``)."""

    kind: str
    trained_at: datetime
    records: int
    settings: dict[str, Any]  # Splink's settings JSON, trained
    tf: dict[str, dict[str, float]] = field(default_factory=dict)  # column -> value -> tf
    tf_floor: dict[str, float] = field(default_factory=dict)  # column -> tf of a unique value
    # The first run's scored pairs (review band and up): [score, pairs], highest first.
    scores: list[list[float]] = field(default_factory=list)
    seconds: float = 0.0
    saved_version: str = ""

    @property
    def prior(self) -> float:
        """log2 odds that two records drawn at random are one person."""
        lam = self.settings["probability_two_random_records_match"]
        return round(math.log2(lam / (1 - lam)), 4)

    # The native model's scoring tables: a Splink model weighs pairs itself.
    weights = None
    terms = None

    def threshold(self, probability: float) -> float:
        """The score (without the prior) at which a pair's probability reaches ``probability``."""
        return round(math.log2(probability / (1 - probability)) - self.prior, 2)

    def probability(self, score: float) -> float:
        return 1.0 / (1.0 + 2.0 ** -(score + self.prior))

    def link_threshold(self, precision: float, floor: float = 0.9) -> float:
        """The lowest score linked for ``precision`` (see ``expected_precision_threshold``)."""
        return expected_precision_threshold(
            self.scores, self.probability, self.threshold, precision, floor
        )

    def with_scores(self, scored: Iterable[float]) -> SplinkModel:
        """The model with the score counts of a run's pairs (rounded to 0.1)."""
        found = Counter(round(score, 1) for score in scored)
        table = [[score, found[score]] for score in sorted(found, reverse=True)]
        return replace(self, scores=table)

    def body(self) -> dict[str, Any]:
        return {
            "engine": ENGINE,
            "kind": self.kind,
            "trained_at": self.trained_at.isoformat(),
            "records": self.records,
            "seconds": self.seconds,
            "settings": self.settings,
            "tf": self.tf,
            "tf_floor": self.tf_floor,
            "scores": self.scores,
        }

    @cached_property
    def version(self) -> str:
        """A digest of the settings and frequencies (not of when or how fast they were
        trained); a model read back keeps the version it was saved under."""
        if self.saved_version:
            return self.saved_version
        body = self.body()
        body.pop("trained_at")
        body.pop("seconds")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        # 16 characters: the store's version column (PostgreSQL enforces its length).
        return "splink-" + hashlib.sha256(text.encode()).hexdigest()[:9]

    @classmethod
    def from_body(cls, body: Mapping[str, Any], version: str = "") -> SplinkModel:
        return cls(
            saved_version=version,
            kind=body["kind"],
            trained_at=datetime.fromisoformat(body["trained_at"]),
            records=body["records"],
            seconds=body.get("seconds", 0.0),
            settings=body["settings"],
            tf=body.get("tf", {}),
            tf_floor=body.get("tf_floor", {}),
            scores=[list(pair) for pair in body.get("scores", [])],
        )


def _frame(
    entities: Sequence[Entity], links: Sequence[tuple[str, str]], max_key_records: int
) -> Any:
    import pandas as pd

    from sync.reconcile.splink_frame import link_groups

    rows = frame_rows(entities, link_groups(entities, links), max_key_records)
    return pd.DataFrame(rows)


def train_splink(
    kind: str,
    entities: Sequence[Entity],
    now: datetime,
    seed: int = 1,
    max_key_records: int = 1000,
) -> SplinkModel:
    """A model estimated on ``entities`` (no label read), always in DuckDB in process:
    seeded, so whichever backend scores with it, the model is the same."""
    import time

    from splink import block_on

    started = time.perf_counter()
    frame = _frame(entities, (), max_key_records)
    filled = {c: int(frame[c].notna().sum()) for c in frame.columns}
    columns = comparisons_for(filled, len(frame))
    settings = settings_dict(columns, [rule_sql(rule) for rule in BLOCKING_RULES])
    with open_session(Backend()) as session:
        linker = session.linker(frame, settings)
        usable = [r for r in PRIOR_RULES if all(filled.get(c, 0) for c in r)]
        if usable:
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*rule) for rule in usable], recall=PRIOR_RECALL
            )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
        least = max(10, 0.01 * len(frame))
        sessions = [s for s in EM_SESSIONS if all(filled.get(c, 0) >= least for c in s)]
        if ("email",) in sessions:
            # Records sharing an e-mail teach the names' m where no shared address can.
            sessions = [s for s in sessions if s in (("first_name", "last_name"), ("email",))]
        for blocked in sessions:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*blocked))
        trained = linker.misc.save_model_to_json()
        tf, floor = _term_frequencies(linker, [c for c in TF_COLUMNS if filled.get(c, 0)])
    return SplinkModel(
        kind=kind,
        trained_at=now,
        records=len(entities),
        settings=trained,
        tf=tf,
        tf_floor=floor,
        seconds=round(time.perf_counter() - started, 2),
    )


def _term_frequencies(
    linker: Any, columns: list[str]
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per column, the share of records holding each value held by two or more, and the
    share one record is (every other value's)."""
    tf: dict[str, dict[str, float]] = {}
    floor: dict[str, float] = {}
    for column in columns:
        table = linker.table_management.compute_tf_table(column).as_pandas_dataframe()
        values = table[column].tolist()
        shares = table[f"tf_{column}"].tolist()
        lowest = min(shares) if shares else 1.0
        floor[column] = lowest
        tf[column] = {v: s for v, s in sorted(zip(values, shares, strict=True)) if s > lowest * 1.5}
    return tf, floor


def score_entities(
    model: SplinkModel,
    entities: Sequence[Entity],
    review: float,
    links: Sequence[tuple[str, str]] = (),
    max_key_records: int = 1000,
    only: set[int] | None = None,
    backend: Backend = DUCKDB,
) -> SplinkScores:
    """Scored pairs by entity indexes (i < j): every blocked pair scoring ``review`` or
    above, and every pair of records tied by evidence or an admin link (``links``)
    whatever its score. With ``only``, just the pairs touching those indexes. ``backend``
    runs the prediction (``splink_backend.py``)."""
    import pandas as pd

    if len(entities) < 2:
        return SplinkScores({}, 0)
    frame = _frame(entities, links, max_key_records)
    with open_session(backend) as session:
        linker = session.linker(frame, model.settings)
        for column, shares in model.tf.items():
            values = sorted(str(v) for v in frame[column].dropna().unique())
            lookup = pd.DataFrame(
                {
                    column: values,
                    f"tf_{column}": [shares.get(v, model.tf_floor[column]) for v in values],
                }
            )
            linker.table_management.register_term_frequency_lookup(lookup, column)
        predictions = linker.inference.predict()
        cutoff = review + model.prior
        # A loose cut in the backend; the exact one is made from the Bayes factors below.
        table = session.table(
            linker,
            f"SELECT * FROM {predictions.physical_name} WHERE match_weight >= {cutoff - 0.01!r}"
            " OR link_group_l = link_group_r",
        )
        counted = session.table(
            linker, f"SELECT count(*) AS compared FROM {predictions.physical_name}"
        )
    compared = int(counted["compared"].iloc[0]) if len(counted) else 0
    table = table.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)
    return SplinkScores(_pairs(model, table, only, cutoff), compared)


_SHOWN: dict[str, tuple[str, ...]] = {}


def _shown(table: Any, comparison: str, side: str) -> list[str]:
    """The values a comparison read on one side, as ``explain`` shows them."""
    columns = _SHOWN.get(comparison, COMPARED.get(comparison, (comparison,)))
    present = [table[f"{c}_{side}"].tolist() for c in columns if f"{c}_{side}" in table.columns]
    return [
        " ".join(str(v) for v in values if isinstance(v, str) and v)
        for values in zip(*present, strict=True)
    ]


def _match_weight(prior: float, factors: Iterable[float]) -> float:
    """Splink's match weight, computed as DuckDB computes it (the prior's Bayes factor times
    each comparison's factors in order, clamped), whichever backend gave the factors: a
    backend's own log2 differs in the last bit (PostgreSQL's numeric one, Spark's)."""
    product = prior / (1 - prior)
    for factor in factors:
        product *= factor
    return math.log2(min(max(product, 1e-300), 1e300))


def _pairs(
    model: SplinkModel, table: Any, only: set[int] | None, cutoff: float
) -> dict[tuple[int, int], Scored]:
    """The pairs at ``cutoff`` (a match weight, prior included) or above, or in one link
    group, with their scores and explanations."""
    comparisons = []
    for comparison in model.settings["comparisons"]:
        column = comparison["output_column_name"]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        labels = {len(levels) - 1 - k: lv["label_for_charts"] for k, lv in enumerate(levels)}
        tf = f"bf_tf_adj_{column}" if f"bf_tf_adj_{column}" in table.columns else None
        comparisons.append(
            (
                column,
                labels,
                table[f"gamma_{column}"].tolist(),
                table[f"bf_{column}"].tolist(),
                table[tf].tolist() if tf else None,
                _shown(table, column, "l"),
                _shown(table, column, "r"),
            )
        )
    found: dict[tuple[int, int], Scored] = {}
    lefts, rights = table["unique_id_l"].tolist(), table["unique_id_r"].tolist()
    groups_l, groups_r = table["link_group_l"].tolist(), table["link_group_r"].tolist()
    prior = model.settings["probability_two_random_records_match"]
    for row, (a, b) in enumerate(zip(lefts, rights, strict=True)):
        i, j = (int(a), int(b)) if a < b else (int(b), int(a))
        if only is not None and i not in only and j not in only:
            continue
        factors = [
            factor
            for _, _, _, bfs, adjs, _, _ in comparisons
            for factor in ((bfs[row], adjs[row]) if adjs is not None else (bfs[row],))
        ]
        tied = isinstance(groups_l[row], str) and groups_l[row] == groups_r[row]
        if not tied and _match_weight(prior, factors) < cutoff:
            continue
        flat: list[str] = []
        weights: list[float] = []
        total = 0.0
        for column, labels, gammas, bfs, adjs, left, right in comparisons:
            gamma = gammas[row]
            if gamma < 0:
                continue  # a side is blank: the field says nothing
            weight = math.log2(bfs[row] * (adjs[row] if adjs is not None else 1.0))
            mine, other = (left[row], right[row]) if a < b else (right[row], left[row])
            flat += [column, labels[gamma], mine, other]
            weights.append(round(weight, 2))
            total += weight
        found[(i, j)] = (round(total, 2), tuple(flat), tuple(weights))
    return found


def blocked_pairs(entities: Sequence[Entity], max_key_records: int = 1000) -> set[tuple[int, int]]:
    """Every pair (i < j) the blocking rules compare, as Splink's dedupe joins them
    (``l.unique_id < r.unique_id``): for measuring blocking recall on labelled data."""
    import duckdb

    frame = _frame(entities, (), max_key_records)  # noqa: F841 (read by DuckDB by name)
    connection = duckdb.connect()
    found: set[tuple[int, int]] = set()
    for rule in BLOCKING_RULES:
        query = (
            "SELECT l.unique_id, r.unique_id FROM frame l JOIN frame r"
            f" ON {rule_sql(rule)} AND l.unique_id < r.unique_id"
        )
        found.update((int(a), int(b)) for a, b in connection.execute(query).fetchall())
    connection.close()
    return found
