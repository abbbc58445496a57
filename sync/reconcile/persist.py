"""Reading and writing the reconcile tables (SQLAlchemy Core, bulk, per kind)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.beside import freed_unzeroed, page_cache
from sync.reconcile.blocking import block_keys
from sync.reconcile.bulk_inserts import Inserter, inserting
from sync.reconcile.entities import Entity
from sync.reconcile.golden import Survivorship, identity_id
from sync.reconcile.resolve import Decision, KindResult, ScoredPair
from sync.store.chunks import chunks
from sync.store.identities import (
    IdentityMemberRow,
    IdentityRow,
    ReconcileDecisionRow,
    ReconcileKeyRow,
    ReconcilePairRow,
    ReconcileRunRow,
)
from sync.store.record_key import RecordKey
from sync.store.table_model import table_of

__all__ = [
    "chunks",
    "clear_all",
    "crosswalk",
    "delete_records",
    "identities_of",
    "key_sizes",
    "last_watermark",
    "load_decisions",
    "members_of",
    "save_decision",
    "stored_key",
    "stored_pairs",
    "write_result",
    "written_keys",
]

IDENTITIES = table_of(IdentityRow)
MEMBERS = table_of(IdentityMemberRow)
PAIRS = table_of(ReconcilePairRow)
DECISIONS = table_of(ReconcileDecisionRow)
KEYS = table_of(ReconcileKeyRow)
RUNS = table_of(ReconcileRunRow)
_KEY_OWNERS = 500  # records whose keys go in one statement: some ten thousand rows
_KEYS_CACHE = -32_768  # SQLite's page cache while block keys are written: 32 MB
_IDENTITY_COLUMNS = (
    "identity_id", "kind", "golden", "provenance", "member_count", "updated_at", "run_id",
)  # fmt: skip
_MEMBER_COLUMNS = ("identity_id", "kind", "source", "table_name", "remote_id", "method", "score")
_PAIR_COLUMNS = ("kind", "a_key", "b_key", "score", "status", "detail", "run_id")


def stored_key(kind: str, block_key: str) -> str:
    """Block keys are stored per kind: ``person/e:ann@x.com``."""
    return f"{kind}/{block_key}"


def load_decisions(connection: Connection) -> list[Decision]:
    """Every admin decision, oldest first."""
    query = select(DECISIONS.c.action, DECISIONS.c.a_key, DECISIONS.c.b_key).order_by(
        DECISIONS.c.decided_at, DECISIONS.c.id
    )
    return [Decision(*row) for row in connection.execute(query)]


def last_watermark(connection: Connection) -> int | None:
    """The store's change number a finished run reconciled up to; ``None`` before the
    first run."""
    query = select(func.max(RUNS.c.change_seq)).where(RUNS.c.finished_at.is_not(None))
    return connection.execute(query).scalar_one_or_none()


def last_blocking_scheme(connection: Connection) -> int | None:
    """The blocking scheme (``blocking.BLOCKING_SCHEME``) the stored keys were made with:
    that of the last finished run; ``None`` before the first run or before schemes."""
    query = (
        select(RUNS.c.stats)
        .where(RUNS.c.finished_at.is_not(None))
        .order_by(RUNS.c.id.desc())
        .limit(1)
    )
    stats = connection.execute(query).scalar_one_or_none() or {}
    scheme = stats.get("blocking_scheme")
    return int(scheme) if scheme is not None else None


def crosswalk(connection: Connection, kind: str) -> dict[str, str]:
    """record key -> identity id for one kind."""
    query = select(
        MEMBERS.c.source, MEMBERS.c.table_name, MEMBERS.c.remote_id, MEMBERS.c.identity_id
    ).where(MEMBERS.c.kind == kind)
    return {RecordKey.text(s, t, r): identity for s, t, r, identity in connection.execute(query)}


def identities_of(connection: Connection, keys: Iterable[str]) -> dict[str, str]:
    """record key -> identity id for the given keys only (those reconciled)."""
    by_table: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        source, table, remote_id = RecordKey.parse(key)
        by_table.setdefault((source, table), []).append(remote_id)
    found: dict[str, str] = {}
    for (source, table), ids in sorted(by_table.items()):
        for chunk in chunks(sorted(set(ids))):
            query = select(MEMBERS.c.remote_id, MEMBERS.c.identity_id).where(
                MEMBERS.c.source == source,
                MEMBERS.c.table_name == table,
                MEMBERS.c.remote_id.in_(chunk),
            )
            found.update(
                (f"{source}:{table}:{rid}", ident) for rid, ident in connection.execute(query)
            )
    return found


def members_of(connection: Connection, identities: Iterable[str]) -> dict[str, str]:
    """record key -> identity id of every member of the given identities."""
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(identities))):
        query = select(
            MEMBERS.c.source, MEMBERS.c.table_name, MEMBERS.c.remote_id, MEMBERS.c.identity_id
        ).where(MEMBERS.c.identity_id.in_(chunk))
        found.update(
            (RecordKey.text(s, t, r), ident) for s, t, r, ident in connection.execute(query)
        )
    return found


def match_partners(connection: Connection, keys: Iterable[str]) -> set[str]:
    """Records outside ``keys`` holding a stored match with one of them: a match the
    clustering's guards refused (``cluster.py``) leaves its ends apart, and a record joining
    the other end's cluster can make the clusters agree, as a full run would find."""
    wanted = set(keys)
    found: set[str] = set()
    for chunk in chunks(sorted(wanted)):
        for mine, other in ((PAIRS.c.a_key, PAIRS.c.b_key), (PAIRS.c.b_key, PAIRS.c.a_key)):
            query = select(other, PAIRS.c.status).where(mine.in_(chunk))
            found.update(key for key, status in connection.execute(query) if status == "match")
    return found - wanted


def key_sizes(
    connection: Connection, kind: str, block_keys: Iterable[str], gone: Iterable[str]
) -> Counter[str]:
    """How many stored records of ``kind`` but the ``gone`` ones hold each of ``block_keys``,
    counted by the database: a key of a large town's first name is held by thousands of
    records, which an increment need not read to know that it pairs no one."""
    prefix = stored_key(kind, "")
    stored = sorted(prefix + key for key in block_keys)
    sizes: Counter[str] = Counter()
    for chunk in chunks(stored):
        query = (
            select(KEYS.c.block_key, func.count())
            .where(KEYS.c.block_key.in_(chunk))
            .group_by(KEYS.c.block_key)
        )
        sizes.update({key[len(prefix) :]: n for key, n in connection.execute(query)})
    wanted = set(stored)
    for chunk in chunks(sorted(gone)):
        query = select(KEYS.c.block_key).where(KEYS.c.record_key.in_(chunk))
        found = connection.execute(query).scalars()
        sizes.subtract(key[len(prefix) :] for key in found if key in wanted)
    return sizes


def stored_pairs(connection: Connection, keys: Iterable[str]) -> list[tuple[str, str, float, str]]:
    """Every stored pair with an end among ``keys``, once: (a, b, score, status)."""
    found: dict[tuple[str, str], tuple[str, str, float, str]] = {}
    for chunk in chunks(sorted(set(keys))):
        for mine in (PAIRS.c.a_key, PAIRS.c.b_key):
            query = select(PAIRS.c.a_key, PAIRS.c.b_key, PAIRS.c.score, PAIRS.c.status)
            for a, b, score, status in connection.execute(query.where(mine.in_(chunk))):
                found[(a, b)] = (a, b, score, status)
    return [found[pair] for pair in sorted(found)]


def delete_records(
    connection: Connection, kind: str, identities: Iterable[str], keys: Sequence[str]
) -> None:
    """Remove the given identities, and pairs and block keys touching ``keys``."""
    for chunk in chunks(sorted(set(identities))):
        connection.execute(delete(IDENTITIES).where(IDENTITIES.c.identity_id.in_(chunk)))
        connection.execute(delete(MEMBERS).where(MEMBERS.c.identity_id.in_(chunk)))
    for chunk in chunks(sorted(set(keys))):
        connection.execute(delete(PAIRS).where(PAIRS.c.a_key.in_(chunk)))
        connection.execute(delete(PAIRS).where(PAIRS.c.b_key.in_(chunk)))
        connection.execute(delete(KEYS).where(KEYS.c.record_key.in_(chunk)))


def delete_pairs_among(connection: Connection, keys: set[str]) -> None:
    """Remove the pairs whose two ends are both among ``keys`` (scored again)."""
    for chunk in chunks(sorted(keys)):
        found = connection.execute(
            select(PAIRS.c.id, PAIRS.c.b_key).where(PAIRS.c.a_key.in_(chunk))
        ).all()
        ids = [pair_id for pair_id, other in found if other in keys]
        for part in chunks(ids):
            connection.execute(delete(PAIRS).where(PAIRS.c.id.in_(part)))


def clear_all(connection: Connection) -> None:
    """Forget everything reconcile stored (a full run writes every kind again). Whole
    tables, without a condition: SQLite then frees their pages at once, where deleting a
    kind's rows read every row (at 1 M people the block keys, unindexed during a full
    run, were read once per kind: 41 s of a 333 s run). Freed without zeroing them first
    (``freed_unzeroed``)."""
    with freed_unzeroed(connection):
        for table in (IDENTITIES, MEMBERS, PAIRS, KEYS):
            connection.execute(delete(table))


def write_result(
    connection: Connection,
    result: KindResult,
    config: ReconcileConfig,
    run_id: int,
    now: datetime,
    changed: set[int] | None = None,
    keys_of: Callable[[Entity], list[str]] | None = block_keys,
    rescored: Collection[int] = (),
) -> dict[str, str]:
    """Write every identity and member of ``result``, and the pairs and block keys
    (``keys_of``: the engine's; ``None``: written already, by ``written_keys``) of the
    ``changed`` entities (all when ``None``); returns an organisation's record key ->
    identity id (people compare by it; other kinds' are read by no one, and a million
    people's were about 40 MB at a full run's peak)."""
    entities: Sequence[Entity] = result.entities
    written: dict[str, str] = {}
    mapped = result.kind == "organisation"
    clusters = result.clustering.clusters
    names: list[str] = []  # identity id per cluster, filled while identities are written
    survivorship = Survivorship(config)

    def identity_rows() -> Iterator[tuple[Any, ...]]:
        for cluster in clusters:
            group = [entities[i] for i in cluster]
            ident = identity_id(result.kind, group)
            names.append(ident)
            golden, provenance = survivorship.stored(group)
            yield (ident, result.kind, golden, provenance, len(group), now, run_id)

    def member_rows() -> Iterator[tuple[Any, ...]]:
        for cluster, ident in zip(clusters, names, strict=True):
            for index in cluster:
                entity = entities[index]
                method, score = result.clustering.method.get(index, ("single", None))
                if mapped:
                    written[entity.key] = ident
                yield (
                    ident,
                    result.kind,
                    entity.source,
                    entity.table,
                    entity.remote_id,
                    method,
                    score,
                )

    pairs = (
        (
            result.kind,
            entities[p.i].key,
            entities[p.j].key,
            p.score,
            p.status,
            p.detail(result.weights, result.terms),
            run_id,
        )
        for p in _unique_pairs(result.pairs)
        if changed is None
        or p.i in changed
        or p.j in changed
        or (p.i in rescored and p.j in rescored)  # pairs an increment scored again
    )
    # Rows are generated batch by batch, never all at once (a million members).
    with inserting(connection) as inserter:
        inserter.insert(IDENTITIES, _IDENTITY_COLUMNS, identity_rows())
        inserter.insert(MEMBERS, _MEMBER_COLUMNS, member_rows())
        inserter.insert(PAIRS, _PAIR_COLUMNS, pairs)
        if keys_of is not None:
            keys = _KeyRows(inserter, result.kind)
            for n, entity in enumerate(entities):
                if changed is None or n in changed:
                    keys.add(entity.key, keys_of(entity))
            keys.flush()
    return written


def written_keys(
    connection: Connection, kind: str, entities: Iterable[Entity]
) -> Iterator[list[str]]:
    """Each entity's block keys, in order, written to the store as they are read: a full
    run makes them once, for blocking and for the store (eight million rows at 1 M
    people), rather than once for each. Exhaust it (blocking does).

    On SQLite the rows go through a small page cache: appended rows need no more, and a
    full cache's pages (256 MB) would stay held, dirty, through the scoring that follows."""
    with page_cache(connection, _KEYS_CACHE), inserting(connection) as inserter:
        rows = _KeyRows(inserter, kind)
        for entity in entities:
            keys = block_keys(entity)
            rows.add(entity.key, keys)
            yield keys
        rows.flush()


class _KeyRows:
    """Records' block keys handed to an inserter ``_KEY_OWNERS`` records at a time, each
    as its list: the rows, one per key under the kind's prefix, are made by the inserter
    (``Inserter.insert_each``; eight million at 1 M people)."""

    def __init__(self, inserter: Inserter, kind: str) -> None:
        self._inserter, self._prefix = inserter, stored_key(kind, "")
        self._owners: list[tuple[str, list[str]]] = []

    def add(self, record: str, keys: list[str]) -> None:
        self._owners.append((record, keys))
        if len(self._owners) >= _KEY_OWNERS:
            self.flush()

    def flush(self) -> None:
        self._inserter.insert_each(KEYS, ("block_key", "record_key"), self._prefix, self._owners)
        self._owners = []


def _unique_pairs(pairs: Sequence[ScoredPair]) -> list[ScoredPair]:
    # A must-link pair may also have been scored: keep one row per pair, evidence first.
    rank = {"admin": 0, "must_link": 1, "match": 2, "review": 3}
    best: dict[tuple[int, int], ScoredPair] = {}
    for pair in pairs:
        key = (pair.i, pair.j)
        if key not in best or rank[pair.status] < rank[best[key].status]:
            best[key] = pair
    return [best[k] for k in sorted(best)]


def save_decision(
    connection: Connection, action: str, a_key: str, b_key: str, note: str | None, now: datetime
) -> None:
    """Record an admin ``link``/``unlink`` of two records; it replaces an earlier one."""
    a_key, b_key = sorted((a_key, b_key))
    connection.execute(
        delete(DECISIONS).where(DECISIONS.c.a_key == a_key, DECISIONS.c.b_key == b_key)
    )
    connection.execute(
        DECISIONS.insert().values(
            action=action, a_key=a_key, b_key=b_key, note=note, decided_at=now
        )
    )
