"""Training a kind's model from the store's records: ``crmsync reconcile train`` and the
first full run of an installation with enough people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.bulk import PersonCodes
from sync.reconcile.entities import Entity
from sync.reconcile.learn import LearnSettings, Model, train
from sync.reconcile.scoring import ScoreContext, build_context, weighed

__all__ = ["LEARNED_KINDS", "NOTHING_LEARNED", "train_kind"]

NOTHING_LEARNED = (
    "no weight could be learned (too few candidate pairs per comparison level): "
    "the hand-set weights and thresholds stay in use"
)

# People are where CRMs disagree most and where hand-set weights failed on public data;
# organisations and employees keep the hand-set weights.
LEARNED_KINDS = ("person",)


def train_kind(
    kind: str,
    entities: Sequence[Entity],
    config: ReconcileConfig,
    org_of: dict[str, str],
    now: datetime,
    pairs: Sequence[tuple[int, int]] | None = None,
    context: ScoreContext | None = None,
    codes: PersonCodes | None = None,
) -> Model | None:
    """A model of ``kind`` estimated on ``entities`` and their candidate ``pairs`` (found
    here when not given); ``context``: the records' counts (``build_context`` without
    weights) and ``codes`` their comparison codes, when made already. None when no level
    could be learned (``NOTHING_LEARNED``): such a model would keep the hand-set weights
    but take its threshold from its prior, which they are not scaled for."""
    learning = config.learning
    if pairs is None:
        pairs = candidate_pairs(
            entities, config.max_block_size, max_key_records=config.max_key_records
        )
    # Levels as a trained model scores them: the most specific agreeing place only.
    if context is None:
        context = build_context(entities, org_of, config.shared_phone_limit, nested_places=True)
    else:
        context = weighed(context, nested_places=True)
    settings = LearnSettings(
        max_pairs=learning.max_pairs, random_pairs=learning.random_pairs, seed=learning.seed
    )
    model = train(kind, entities, pairs, context, now, settings, codes)
    return model if model.learned else None
