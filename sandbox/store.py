"""In-memory tables of CRM records, with soft and hard deletes.

A ``Table`` keeps records in creation order. Deleting is two-step, like the CRMs:
``soft_delete`` moves a record to the recycle bin / archive (it is still readable by
``queryAll`` or ``archived=true``), ``purge`` removes it for good while remembering when,
for the "deleted records" endpoints. ``version`` increases on every write, so emulators
can cache query results per version. An emulator that keeps an index of changes turns
``journal`` on (a list): each write then adds its record's id, and the index takes the ids
written since it last looked (every write that changes a record goes through these
methods).

Tables are not thread-safe on their own: the ``World`` lock guards them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sandbox.schema import ObjectSchema

__all__ = ["Record", "Table"]

Record = dict[str, Any]


class Table:
    """The records of one object in one CRM."""

    def __init__(self, schema: ObjectSchema) -> None:
        self.schema = schema
        self.rows: dict[str, Record] = {}
        self.deleted_at: dict[str, datetime] = {}
        self.purged: dict[str, datetime] = {}
        self.version = 0
        self.journal: list[str] | None = None  # when on: the id of each write, in order
        # a tracked table's history hook (``sandbox.history``): told of inserts and of
        # updates stamped with a time
        self.observer: Any = None

    @property
    def name(self) -> str:
        return self.schema.name

    def __len__(self) -> int:
        return len(self.rows) - len(self.deleted_at)

    def insert(self, record: Record) -> Record:
        rid = record[self.schema.id_field]
        if rid in self.rows or rid in self.purged:
            raise KeyError(f"duplicate id {rid} in {self.name}")
        self.rows[rid] = record
        self.version += 1
        if self.journal is not None:
            self.journal.append(rid)
        if self.observer is not None:
            self.observer.created(self, record)
        return record

    def get(self, rid: str, include_deleted: bool = False) -> Record | None:
        record = self.rows.get(rid)
        if record is None or (not include_deleted and rid in self.deleted_at):
            return None
        return record

    def is_deleted(self, rid: str) -> bool:
        return rid in self.deleted_at

    def update(self, rid: str, changes: Record, when: datetime | None = None) -> Record:
        """Apply ``changes``; if ``when`` is given, stamp the object's modified fields."""
        record = self.rows[rid]
        watch = self.observer if when is not None else None
        before = {k: record.get(k) for k in changes} if watch is not None else None
        record.update(changes)
        if when is not None:
            for name in self.schema.modified_fields:
                record[name] = when
        self.version += 1
        if self.journal is not None:
            self.journal.append(rid)
        if watch is not None and before is not None and when is not None:
            watch.changed(self, rid, before, record, when)
        return record

    def soft_delete(self, rid: str, when: datetime) -> Record:
        record = self.rows[rid]
        self.deleted_at[rid] = when
        self.version += 1
        if self.journal is not None:
            self.journal.append(rid)
        return record

    def restore(self, rid: str) -> Record:
        self.deleted_at.pop(rid)
        self.version += 1
        if self.journal is not None:
            self.journal.append(rid)
        return self.rows[rid]

    def purge(self, rid: str, when: datetime) -> Record:
        record = self.rows.pop(rid)
        self.deleted_at.pop(rid, None)
        self.purged[rid] = when
        self.version += 1
        if self.journal is not None:
            self.journal.append(rid)
        return record

    def live(self) -> Iterator[Record]:
        """Records not deleted, in creation order."""
        deleted = self.deleted_at
        id_field = self.schema.id_field
        return (r for r in self.rows.values() if r[id_field] not in deleted)

    def all(self) -> Iterator[Record]:
        """Live and soft-deleted records, in creation order."""
        return iter(self.rows.values())

    def deleted(self) -> Iterator[Record]:
        return (self.rows[rid] for rid in self.deleted_at)
