"""A reconcile run: full (every record) or incremental (records written since the last run).

A run reconciles up to the store's newest committed change number, read when it starts
(``sync.store.changes``), and records it as its watermark; the next incremental run takes
the records written after it. Change numbers follow commit order, so a page that commits
late, while another source's pages overtook it, is still after the watermark.

Kinds are resolved in order employees -> organisations -> people, because a person's
comparison uses the organisation identity of its account. An incremental run loads only
what the changed records can touch: the records sharing a block key with them (found
through ``reconcile_keys``) and the other members of those records' identities; it scores
only pairs involving a changed record and keeps earlier matches among the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from compensation.gcpause import paused_gc
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.beside import page_cache
from sync.reconcile.blocking import BLOCKING_SCHEME, block_keys, candidate_pairs
from sync.reconcile.bulk import PersonCodes, scored_pairs
from sync.reconcile.entities import KIND_TABLES, Entity, account_index, load_entities
from sync.reconcile.increment_changes import deleted_since, people_of_changed_accounts
from sync.reconcile.increment_pairs import EarlierPairs
from sync.reconcile.increment_scope import crowded_in_run, moved_by, silent_among
from sync.reconcile.key_indexes import KeyIndexes, keys_unindexed
from sync.reconcile.model_store import AnyModel, latest_model, save_model
from sync.reconcile.persist import (
    KEYS,
    MEMBERS,
    RUNS,
    chunks,
    clear_all,
    delete_pairs_among,
    delete_records,
    identities_of,
    last_watermark,
    load_decisions,
    match_partners,
    members_of,
    stored_key,
    write_result,
    written_keys,
)
from sync.reconcile.resolve import Decision, block, resolve_kind, thresholds_for
from sync.reconcile.run_mode import run_mode
from sync.reconcile.scoring import ScoreContext, build_context, weighed
from sync.reconcile.splink_engine import SplinkModel
from sync.reconcile.splink_frame import record_keys
from sync.reconcile.splink_run import admin_links, splink_full, splink_linked
from sync.reconcile.training import LEARNED_KINDS, NOTHING_LEARNED, train_kind
from sync.store.changes import last_change
from sync.store.record_key import RecordKey

__all__ = ["KINDS", "RunReport", "reconcile"]

KINDS = ("employee", "organisation", "person")
Progress = Callable[[str], None]
# SQLite's page cache of a full run's connection, until its last write: pages a cache
# grew to stay held by the process (freed to the C heap, not to the system) through the
# million records loaded after; at 1 M people the store's 256 MB of it were the
# difference between 3.2 and 3.0 GB at the run's peak. The last write (a million members
# into their indexes) has the store's cache again: 70 s with 16 MB against 41 s.
_RUN_CACHE = -16_384


@dataclass
class RunReport:
    """What a run did, per kind."""

    run_id: int
    mode: str
    seconds: float = 0.0
    kinds: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "seconds": round(self.seconds, 3),
            "kinds": self.kinds,
        }


def reconcile(
    engine: Engine,
    config: ReconcileConfig,
    now: datetime,
    mode: str = "auto",
    touched: Iterable[str] = (),
    progress: Progress | None = None,
) -> RunReport:
    """Run reconciliation. ``mode``: full, incremental or auto (incremental once a full run
    exists); ``touched`` record keys are re-resolved in an incremental run too."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    # A million records are tens of millions of acyclic objects: pause the cyclic collector.
    with paused_gc(), engine.begin() as connection, ExitStack() as stack:
        watermark = last_watermark(connection)
        # Every write numbered up to ``upto`` is committed: the run covers exactly those.
        upto = last_change(connection)
        mode = run_mode(connection, config, mode)
        run_id = connection.execute(
            RUNS.insert().values(mode=mode, started_at=now, stats={})
        ).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
        decisions = load_decisions(connection)
        report = RunReport(run_id, mode)
        org_of: dict[str, str] = {}
        touched_keys = set(touched)
        key_indexes: KeyIndexes | None = None
        small_cache = stack.enter_context(ExitStack())  # closed before the last write
        if mode == "full":  # every kind's keys are written again: indexed once, after
            small_cache.enter_context(page_cache(connection, _RUN_CACHE))
            clear_all(connection)
            key_indexes = stack.enter_context(keys_unindexed(connection))
        for kind in KINDS:
            say(f"{kind}: loading")
            splink = kind == "person" and config.person_engine() == "splink"
            learning = (config.learning.enabled or splink) and kind in LEARNED_KINDS
            model: AnyModel | None = latest_model(connection, kind) if learning else None
            if model is not None and isinstance(model, SplinkModel) != splink:
                model = None  # trained by the other engine: this one trains its own
            trained: float | None = None  # seconds spent training, when this run trained
            if mode == "full" and splink:
                entities = load_entities(engine, kind)
                result, model, trained = splink_full(
                    connection, entities, config, decisions, model, now, say
                )
                keys_of = record_keys if model is not None else block_keys
                small_cache.close()  # people are the last kind: their write has the store's
                write_result(connection, result, config, run_id, now, keys_of=keys_of)
                report.kinds[kind] = {**result.stats, "engine": "splink" if model else "native"}
                del entities, result
            elif mode == "full":
                entities = load_entities(engine, kind)
                say(f"{kind}: blocking {len(entities)} records")
                # Blocked once, for training and the run; the keys stored as they are made.
                blocked = block(entities, config, keys=written_keys(connection, kind, entities))
                if key_indexes is not None and kind == KINDS[-1]:
                    # Every key is written: indexed in a thread while this kind is scored
                    # in memory; the connection is the thread's until ``join``.
                    key_indexes.build_in_background()
                # Counted and coded once, for training and the run.
                counts = build_context(entities, org_of, config.shared_phone_limit)
                codes = PersonCodes(entities, counts) if kind == "person" else None
                if learning and model is None and len(entities) >= config.learning.min_records:
                    say(f"{kind}: training on {len(entities)} records")
                    clock = time.perf_counter()
                    model = train_kind(
                        kind, entities, config, org_of, now, blocked[0], counts, codes
                    )
                    trained = round(time.perf_counter() - clock, 3)
                say(f"{kind}: resolving {len(entities)} records")
                weights = model.weights if model is not None else None
                context = weighed(counts, weights, model.terms if model is not None else None)
                result = resolve_kind(
                    kind,
                    entities,
                    config,
                    decisions,
                    org_of,
                    context=context,
                    model=model,
                    blocked=blocked,
                    codes=codes,
                )
                del blocked, codes, counts, context, weights
                if key_indexes is not None:
                    key_indexes.join()
                if trained is not None and model is not None:
                    save_model(connection, model)
                if kind == KINDS[-1]:
                    small_cache.close()
                written = write_result(connection, result, config, run_id, now, keys_of=None)
                report.kinds[kind] = dict(result.stats)
                if kind == "person":
                    report.kinds[kind]["engine"] = "native"
                # Not held while the next kind runs or the block keys' indexes are built.
                del entities, result
            else:
                written, stats = _incremental(
                    connection,
                    engine,
                    kind,
                    config,
                    decisions,
                    org_of,
                    (watermark, upto),
                    touched_keys,
                    run_id,
                    now,
                    model,
                )
                report.kinds[kind] = stats
            if model is not None:
                report.kinds[kind].update(model=model.version, trained_s=trained)
            elif trained is not None:
                report.kinds[kind].update(model=None, trained_s=trained, learned=NOTHING_LEARNED)
            if kind == "organisation" and mode == "full":
                org_of = written
            written = {}  # a million people's identities: not held past their kind
        report.seconds = time.perf_counter() - started
        connection.execute(
            RUNS.update()
            .where(RUNS.c.id == run_id)
            .values(
                finished_at=now,
                change_seq=upto,
                stats={**report.to_json(), "blocking_scheme": BLOCKING_SCHEME},
            )
        )
    return report


def _incremental(
    connection: Connection,
    engine: Engine,
    kind: str,
    config: ReconcileConfig,
    decisions: list[Decision],
    org_of: dict[str, str],
    window: tuple[int | None, int],
    touched: set[str],
    run_id: int,
    now: datetime,
    model: AnyModel | None,
) -> tuple[dict[str, str], dict[str, Any]]:
    since, upto = window
    splink = isinstance(model, SplinkModel)
    # people read their company from their account: every account read once for the run
    accounts = account_index(engine) if kind == "person" else None
    changed = load_entities(engine, kind, since=since, until=upto, accounts=accounts)
    tables = KIND_TABLES[kind]
    mine = {k for k in touched if RecordKey.parse(k).table in tables}
    if kind == "person":
        # A person's company and domain are its account's: the people of a changed account
        # are changed people too (an account renamed changes their keys and their scores).
        mine |= people_of_changed_accounts(connection, since, upto)
    changed_keys = {e.key for e in changed}
    if mine - changed_keys:
        changed += load_entities(engine, kind, keys=sorted(mine - changed_keys), accounts=accounts)
    removed = deleted_since(connection, tables, since, upto)
    # the stored records whose pairs the change moves: scored again (see there)
    moved, recount, sizes = moved_by(connection, kind, changed, removed, config, splink)
    again_keys = moved | recount
    again_entities = load_entities(engine, kind, keys=sorted(again_keys), accounts=accounts)
    if not changed and not removed:
        return {}, {"records": 0, "changed": 0, "identities": 0}
    changed_keys = {e.key for e in changed}
    keys_of = record_keys if splink else block_keys
    silent: set[str] = set()  # keys pairing no one in a full run: no one here either
    gone, sized = changed_keys | removed, set[str]()  # sized: the keys the database counted
    changed_block_keys = [keys_of(e) for e in changed]
    block = sorted({stored_key(kind, key) for keys in changed_block_keys for key in keys})
    prefix = len(stored_key(kind, ""))
    if not splink:
        # A key whose block pairs no one in a full run (a crowded name start in a town)
        # pairs no one here: sized by the database, its records not read (millions at 1 M).
        found, held = silent_among(connection, kind, sizes, gone, again_entities, config)
        silent |= found
        sized = set(sizes) | held | found
        changed_block_keys = [[k for k in keys if k not in silent] for keys in changed_block_keys]
        block = [key for key in block if key[prefix:] not in silent]
        block = sorted(set(block) | {stored_key(kind, key) for key in held})
    shared: dict[str, list[str]] = {}  # record key -> its stored keys a changed one holds
    for chunk in chunks(block):
        query = select(KEYS.c.block_key, KEYS.c.record_key).where(KEYS.c.block_key.in_(chunk))
        for block_key, record in connection.execute(query):
            shared.setdefault(record, []).append(block_key[prefix:])
    candidates = set(shared)
    evidence = {key for e in changed for key in e.must}  # conversion / merge targets
    # Stage 1: the records sharing a block key with a changed one. Only those scoring into
    # the review band with it (or tied by evidence or an admin) can change an identity.
    first = load_entities(
        engine,
        kind,
        keys=sorted((candidates | evidence) - changed_keys - removed),
        accounts=accounts,
    )
    stage = changed + first
    org_of = _org_identities(connection, kind, stage, org_of)
    weights = model.weights if model is not None else None
    terms = model.terms if model is not None else None
    context = build_context(stage, org_of, config.shared_phone_limit, weights, terms)
    limit = thresholds_for(kind, config, model).review
    if isinstance(model, SplinkModel):
        links = admin_links(decisions)
        linked, prescored = splink_linked(stage, len(changed), config, decisions, model, links)
    else:
        # Each record's keys as blocking reads them: a changed one's all; another's only
        # those it shares with a changed one (the other keys' blocks hold no changed record
        # and pair no one here), as stored: not made again for 200,000 records at 1 M.
        # Stored keys are taken as current, as the lookup above takes them (another scheme's
        # make the run full; a person whose account changed is changed, its keys remade).
        keys = changed_block_keys + [shared.get(e.key, []) for e in first]
        linked = _linked(stage, len(changed), config, decisions, context, limit, keys)
        prescored = None
    linked |= evidence | again_keys
    affected = set(identities_of(connection, linked | gone).values())
    members = set(members_of(connection, affected)) | linked
    # Their clusters may now agree with a record a guard once kept from joining them.
    refused = set(identities_of(connection, match_partners(connection, members)).values())
    members |= set(members_of(connection, refused - affected))
    affected |= refused
    closure = members - gone
    loaded = {e.key: e for e in again_entities} | {e.key: e for e in first}
    others = [loaded[key] for key in sorted(closure & loaded.keys())]
    extra = load_entities(engine, kind, keys=sorted(closure - loaded.keys()), accounts=accounts)
    others += extra
    entities = changed + others
    context.org_of.update(_org_identities(connection, kind, extra, {}))  # stage 1 has the rest
    index_changed = set(range(len(changed)))
    position = {e.key: n for n, e in enumerate(entities)}
    match = thresholds_for(kind, config, model).match
    earlier = EarlierPairs.read(connection, position, again_keys, gone, match)
    if prescored is not None:
        prescored = prescored.reindexed(stage, position)
    only = index_changed | (again := {position[key] for key in again_keys})
    keys_in_run = None if splink else [block_keys(e) for e in entities]
    if keys_in_run is not None:  # those a crowded key pairs through here, as none in full
        silent |= crowded_in_run(connection, kind, keys_in_run, only, sized, gone, config)
        keys_in_run = [[k for k in keys if k not in silent] for keys in keys_in_run]
    result = resolve_kind(
        kind,
        entities,
        config,
        decisions,
        org_of,
        only=only,
        fixed_links=earlier.links,
        earlier_best=earlier.best,
        context=context,
        model=model,
        prescored=prescored,
        keys=keys_in_run,
    )
    delete_records(connection, kind, affected, sorted(gone))
    delete_pairs_among(connection, again_keys)
    for chunk in chunks(sorted(closure | gone)):
        _delete_members(connection, chunk)
    written = write_result(connection, result, config, run_id, now, index_changed, keys_of, again)
    restated = earlier.restate(connection, result)  # the kept pairs a new best moved
    stats = dict(result.stats)
    stats.update(
        changed=len(changed),
        moved=len(again_keys),
        restated=restated,
        removed=len(removed),
        loaded=len(changed) + len(loaded) + len(extra),
        resolved=len(entities),
    )
    return written, stats


def _org_identities(
    connection: Connection, kind: str, entities: list[Entity], org_of: dict[str, str]
) -> dict[str, str]:
    if kind != "person":
        return org_of
    # Only the organisations these records point at, not the whole crosswalk.
    return identities_of(connection, {e.org_ref for e in entities if e.org_ref})


def _linked(
    entities: list[Entity],
    changed: int,
    config: ReconcileConfig,
    decisions: list[Decision],
    context: ScoreContext,
    limit: float,
    keys: Sequence[Sequence[str]],
) -> set[str]:
    """Keys of the records that score into the review band with one of the first
    ``changed`` entities, or name one of them as evidence or in an admin decision.
    ``limit``: the review band; ``keys``: each entity's block keys."""
    new = {e.key for e in entities[:changed]}
    linked: set[str] = set()
    pairs = candidate_pairs(
        entities,
        config.max_block_size,
        keys,
        only=set(range(changed)),
        max_key_records=config.max_key_records,
    )
    left, right = pairs.arrays()
    for i, j, _, _ in scored_pairs(entities, left, right, context, limit):
        linked.update((entities[i].key, entities[j].key))
    linked.update(e.key for e in entities[changed:] if new.intersection(e.must))
    for decision in decisions:
        if decision.a_key in new or decision.b_key in new:
            linked.update((decision.a_key, decision.b_key))
    return linked - new


def _delete_members(connection: Connection, keys: Iterable[str]) -> None:
    by_table: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        source, table, remote_id = RecordKey.parse(key)
        by_table.setdefault((source, table), []).append(remote_id)
    for (source, table), ids in by_table.items():
        connection.execute(
            MEMBERS.delete().where(
                MEMBERS.c.source == source,
                MEMBERS.c.table_name == table,
                MEMBERS.c.remote_id.in_(ids),
            )
        )
