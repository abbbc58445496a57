"""The push plan: published values diffed against what crmsync last wrote.

The CRM's current value comes from the synced store (``custom_fields`` of the record), not
from an extra read: the store is refreshed by the pull that precedes every push in
``crmsync run``, so conflict detection costs no API call and an unchanged push costs none
at all. The store's copy counts only when it was synced after crmsync's last write to the
record (otherwise it predates that write and says nothing about later edits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from connectors.core.registry import profile_of
from sync.config.push import PushTarget
from sync.push.conflicts import NEVER_WRITTEN, UNKNOWN, decide
from sync.push.results import ConflictInfo, FieldChange, ObjectPlan, PushPlan
from sync.push.targets import (
    StoreRecord,
    default_api_name,
    desired_for,
    index_published,
    load_store_records,
)
from sync.store.pushback import PushFieldRow, PushStateRow
from sync.store.table_model import table_of
from sync.store.view.published import canonical, load_published

__all__ = ["OTHER_OBJECT", "SourceInfo", "build_plan", "load_api_names", "load_state"]

_STATE = table_of(PushStateRow)
_FIELDS = table_of(PushFieldRow)
State = dict[tuple[str, str, str, str], tuple[str | None, datetime]]


# What ``SourceInfo.left_out`` answers for a record of a mapped custom object.
OTHER_OBJECT = "a record of a mapped custom object"


@dataclass(frozen=True)
class SourceInfo:
    """A source's connector kind, its write batch maximum, and the remote-id prefixes of
    its mapped custom objects (see ``left_out``)."""

    kind: str
    batch_size: int
    custom_prefixes: tuple[str, ...] = ()

    def left_out(self, stream: str, remote_id: str) -> str | None:
        """Why the plan leaves a record of ``stream`` out; ``None`` when push writes it.

        A mapped custom object's records share a table with a standard object (an order
        mapped as a deal), but a target writes to the standard object only: they are left
        out as ``OTHER_OBJECT``, not reported. Records the CRM's API cannot write (the
        profile's ``unwritable``) are left out with the profile's reason, reported once per
        object and run.
        """
        if self.custom_prefixes and remote_id.startswith(self.custom_prefixes):
            return OTHER_OBJECT
        return profile_of(self.kind).unwritable_reason(stream, remote_id)


def load_state(conn: Connection, sources: Sequence[str]) -> State:
    query = select(
        _STATE.c.source,
        _STATE.c.object,
        _STATE.c.remote_id,
        _STATE.c.field,
        _STATE.c.value,
        _STATE.c.pushed_at,
    ).where(_STATE.c.source.in_(sorted(sources)))
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in conn.execute(query)}


def load_api_names(conn: Connection) -> dict[tuple[str, str, str], str]:
    rows = conn.execute(
        select(_FIELDS.c.source, _FIELDS.c.object, _FIELDS.c.field, _FIELDS.c.api_name)
    )
    return {(r[0], r[1], r[2]): r[3] for r in rows}


def build_plan(
    conn: Connection,
    targets: Sequence[PushTarget],
    sources: Mapping[str, SourceInfo],
    api_names: Mapping[tuple[str, str, str], str] | None = None,
) -> PushPlan:
    """Everything to write, unchanged or in conflict, for ``targets`` of ``sources``."""
    chosen = [t for t in targets if t.source in sources]
    names = dict(api_names if api_names is not None else load_api_names(conn))
    published = index_published(load_published(conn, sources.keys()))
    state = load_state(conn, list(sources))
    written_index: dict[tuple[str, str, str], set[str]] = {}
    last_write: dict[tuple[str, str, str], datetime] = {}
    for (src, obj, rid, fld), (_, written_at) in state.items():
        written_index.setdefault((src, obj, fld), set()).add(rid)
        seen = last_write.get((src, obj, rid))
        last_write[(src, obj, rid)] = written_at if seen is None else max(seen, written_at)
    plan = PushPlan()
    objects: dict[tuple[str, str], ObjectPlan] = {}
    store_cache: dict[tuple[str, str], dict[str, StoreRecord]] = {}
    for target in sorted(chosen, key=lambda t: (t.source, t.object, t.field)):
        info = sources[target.source]
        spot = (target.source, target.object)
        if spot not in store_cache:
            store_cache[spot] = load_store_records(
                conn, target.source, target.object, profile_of(info.kind).version_field
            )
        records = store_cache[spot]
        written = written_index.get((target.source, target.object, target.field), set())
        wanted = desired_for(target, published, records, written)
        api = names.get((*spot, target.field), default_api_name(info.kind, target.field))
        object_plan = objects.setdefault(
            spot, ObjectPlan(target.source, info.kind, target.object, info.batch_size)
        )
        for rid, value in wanted.items():
            why = info.left_out(target.object, rid)
            if why == OTHER_OBJECT:
                continue
            if why is not None:  # no write, no failure: reported once per object and run
                object_plan.unwritable.setdefault(why, set()).add(rid)
                object_plan.counts["unwritable"] += 1
                continue
            change = _change(target, rid, value, state, records.get(rid), api)
            plan.changes.append(change)
            object_plan.counts[change.action] += 1
            if change.conflict:
                plan.conflicts.append(_conflict(change, target))
            if change.action in ("create", "update", "clear"):
                object_plan.records.setdefault(rid, {})[target.field] = change.new
                version = _version(records.get(rid), last_write.get((*spot, rid)))
                if version is not None:
                    object_plan.versions[rid] = version
            elif change.action == "unchanged" and change.last != change.new:
                plan.adopt.append(change)
    plan.objects = [objects[k] for k in sorted(objects)]
    return plan


def _version(record: StoreRecord | None, last_write: datetime | None) -> str | None:
    """The version to write against: the store's, unless crmsync wrote the record after the
    store read it (our own write moved the version; the field values still catch edits)."""
    if record is None or record.version is None:
        return None
    if last_write is not None and record.synced_at < last_write:
        return None
    return record.version


def _change(
    target: PushTarget,
    rid: str,
    value: str | None,
    state: State,
    record: StoreRecord | None,
    api: str,
) -> FieldChange:
    new = canonical(value, target.type, target.decimals)
    saved = state.get((target.source, target.object, rid, target.field))
    last: object = saved[0] if saved is not None else NEVER_WRITTEN
    remote: object = UNKNOWN
    if (
        record is not None
        and (saved is None or record.synced_at >= saved[1])  # read after our last write
        and api in record.custom_fields
    ):
        remote = canonical(record.custom_fields[api], target.type, target.decimals)
    decision = decide(new, last, remote, target.conflict)  # type: ignore[arg-type]
    known = remote is not UNKNOWN
    return FieldChange(
        source=target.source,
        object=target.object,
        remote_id=rid,
        key=target.key,
        field=target.field,
        new=new,
        last=saved[0] if saved is not None else None,
        remote=remote if known else None,  # type: ignore[arg-type]
        action=decision.action,
        conflict=decision.conflict,
        resolution=decision.resolution,
        remote_known=known,
    )


def _conflict(change: FieldChange, target: PushTarget) -> ConflictInfo:
    return ConflictInfo(
        source=change.source,
        object=change.object,
        remote_id=change.remote_id,
        field=change.field,
        crm_value=change.remote,
        last_written=change.last,
        new_value=change.new,
        policy=target.conflict,
        resolution=change.resolution or "",
    )
