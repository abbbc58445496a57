"""What the pages read from the store, loaded once per store state.

Every request asks the store one question first: the newest sync, reconcile, audit and
plan run, the closed periods and identity decisions (:data:`_FINGERPRINT`). While that
answer is unchanged the records, identities, people and statements loaded before are
served from memory; when a run lands, the next request reloads what it needs. So a page
costs a bounded number of queries whatever the number of rows (no query per row), and
the daemon's runs show up on the next page view.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, text

from compensation.inputs import Employee
from sync.config import CrmsyncConfig

__all__ = ["Person", "StoreView", "identity_names", "record_names", "record_rows"]

log = logging.getLogger("crmsync.web")

T = TypeVar("T")

_FINGERPRINT = text(
    "SELECT (SELECT MAX(id) FROM sync_runs), (SELECT MAX(id) FROM reconcile_runs), "
    "(SELECT MAX(id) FROM audit_runs), (SELECT MAX(id) FROM compensation_runs), "
    "(SELECT COUNT(*) FROM compensation_periods), (SELECT MAX(id) FROM reconcile_decisions)"
)


@dataclass(frozen=True)
class Person:
    """An employee as the portal knows them: the directory's facts."""

    id: str
    name: str
    email: str | None
    team: str | None
    role: str | None
    manager: str | None


class StoreView:
    """Cached reads of one store (thread-safe: uvicorn may run sync endpoints in threads)."""

    def __init__(self, config: CrmsyncConfig, engine: Engine, warm: bool = True) -> None:
        self.config = config
        self.engine = engine
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._stamp: tuple[Any, ...] | None = None
        self._cache: dict[str, Any] = {}
        self._warm = warm

    def refresh(self) -> None:
        """Forget what was loaded if a run landed since (one query); then load what every
        page needs in the background, so the first viewer after a run rarely waits."""
        with self.engine.connect() as connection:
            stamp = tuple(connection.execute(_FINGERPRINT).one())
        with self._lock:
            if stamp == self._stamp:
                return
            self._stamp = stamp
            self._cache.clear()
            self._building.clear()
        if self._warm:
            threading.Thread(target=self._warm_up, name="crmsync-web-warm", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            self.people()
            periods = self.periods()
            if periods:
                self.statements(periods[0])
        except Exception:  # a page that needs it reports the error to its viewer
            log.warning("loading the pages' data failed", exc_info=True)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """``build()`` once per store state. One thread builds a key while the others
        wait for that key only; a value built for a state that has since changed is
        returned to its caller but not kept."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            building = self._building.setdefault(key, threading.Lock())
            stamp = self._stamp
        with building:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = build()
            with self._lock:
                if self._stamp == stamp:
                    self._cache[key] = value
            return value

    # What several pages share.

    def snapshot(self) -> Any:
        """The audit's view of the live records (one query per table)."""
        from sync.audit.snapshot import load_snapshot

        def load() -> Any:
            return load_snapshot(self.engine, self.config.source_kinds())

        return self.cached("snapshot", load)

    def identities(self) -> Any:
        """Reconcile's identity map."""
        from sync.store.view.identity_map import load_identity_map

        def load() -> Any:
            return load_identity_map(self.engine)

        return self.cached("identities", load)

    def people(self) -> dict[str, Person]:
        """Every employee by id, from the users of every CRM grouped by identity."""
        return self.cached("people", self._people)

    def _people(self) -> dict[str, Person]:
        from sync.compute.prepare import load_directory
        from sync.compute.snapshot import StoreSnapshot

        users = StoreSnapshot({"users": self.snapshot().rows("users")})
        directory = load_directory(users, self.identities(), self.config.compensation)
        return {key: _person(e) for key, e in sorted(directory.employees.items())}

    def employee_keys(self) -> dict[tuple[str, str], str]:
        """(source, CRM user id) -> employee id."""
        return self.cached("keys", self._keys)

    def _keys(self) -> dict[tuple[str, str], str]:
        lookup = self.identities()
        keys = {}
        for row in self.snapshot().rows("users"):
            found = lookup.employee_of(row["source"], row["remote_id"])
            keys[(row["source"], row["remote_id"])] = found or f"{row['source']}:{row['remote_id']}"
        return keys

    def spans(self) -> list[Any]:
        """The dated hierarchy (who managed whom, from when to when)."""
        from sync.compute.managers import manager_spans

        def load() -> list[Any]:
            return manager_spans(self.engine)

        return self.cached("spans", load)

    def periods(self) -> list[str]:
        """Periods with a stored plan run, newest first."""

        def load() -> list[str]:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT DISTINCT period FROM compensation_runs ORDER BY period DESC")
                )
                return [r[0] for r in rows]

        return self.cached("periods", load)

    def statements(self, period: str) -> dict[str, Any]:
        """The statements of ``period`` by employee id, as ``crmsync statements`` renders
        them (what-if per open deal and year-to-date included)."""
        from sync.compute.statements import statements_for_period

        def load() -> dict[str, Any]:
            found = statements_for_period(self.engine, self.config, period)
            return {s.recipient.employee_id: s for s in found}

        return self.cached(f"statements:{period}", load)


def _person(e: Employee) -> Person:
    return Person(e.id, e.name, e.email, e.team, e.role, e.manager)


def identity_names(view: StoreView) -> dict[str, str]:
    """Identity id -> golden name (organisations and people), for clients and journeys."""

    def load() -> dict[str, str]:
        import orjson

        names = {}
        with view.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT identity_id, golden FROM identities WHERE kind <> 'employee'")
            )
            for identity_id, golden in rows:
                doc = orjson.loads(golden) if isinstance(golden, (str, bytes)) else golden or {}
                person = " ".join(p for p in (doc.get("first_name"), doc.get("last_name")) if p)
                names[identity_id] = doc.get("name") or person or doc.get("email") or identity_id
        return names

    return view.cached("identity_names", load)


def record_names(view: StoreView) -> dict[tuple[str, str, str], str]:
    """(source, table, remote id) -> the record's name as people know it."""

    def load() -> dict[tuple[str, str, str], str]:
        names = {}
        snapshot = view.snapshot()
        for table in ("leads", "contacts", "accounts", "deals", "users", "cases", "activities"):
            for row in snapshot.rows(table):
                person = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
                name = (
                    row.get("name")
                    or person
                    or row.get("subject")
                    or row.get("email")
                    or row.get("case_number")
                )
                if name:
                    names[(row["source"], table, row["remote_id"])] = str(name)
        return names

    return view.cached("record_names", load)


def record_rows(view: StoreView) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(source, table, remote id) -> the record's row, for people and organisations."""

    def load() -> dict[tuple[str, str, str], dict[str, Any]]:
        snapshot = view.snapshot()
        return {
            (row["source"], table, row["remote_id"]): row
            for table in ("leads", "contacts", "accounts", "users")
            for row in snapshot.rows(table)
        }

    return view.cached("record_rows", load)
