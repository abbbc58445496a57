"""Read-only lookup of reconciled identities, for other parts of crmsync (audit, crediting).

``load_identity_map(engine)`` reads the crosswalk written by ``crmsync reconcile run`` into
memory once; the returned :class:`IdentityMap` answers "which identity is this source
record?" and "which employee is this CRM user?". When reconcile has never run (or its tables
do not exist yet) every lookup answers ``None`` / empty.

Identity ids are stable across re-runs: they are derived from the cluster's earliest member
key with a kind prefix (``P-`` person, ``O-`` organisation, ``E-`` employee).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine, inspect, text

__all__ = ["EmployeeIdentity", "IdentityLookup", "IdentityMap", "load_identity_map"]

Member = tuple[str, str, str]


@dataclass(frozen=True)
class EmployeeIdentity:
    """One employee across CRMs: golden name/email, active flag and the user records."""

    identity_id: str
    name: str | None
    email: str | None
    active: bool
    members: tuple[Member, ...] = field(default_factory=tuple)


class IdentityLookup(Protocol):
    """What the stages read of reconcile's identities: ``IdentityMap``, or a stand-in
    (the ground truth of a sandbox, a test's own members)."""

    def identity_of(self, source: str, table: str, remote_id: str) -> str | None: ...

    def members(self, identity_id: str) -> list[Member]: ...

    def employee_of(self, source: str, user_remote_id: str) -> str | None: ...

    def employees(self) -> dict[str, EmployeeIdentity]: ...

    def __len__(self) -> int: ...


class IdentityMap:
    """In-memory crosswalk between source records and identities."""

    def __init__(
        self,
        members: dict[str, list[Member]],
        employees: dict[str, EmployeeIdentity] | None = None,
    ) -> None:
        self._members = {key: sorted(value) for key, value in members.items()}
        self._by_record: dict[Member, str] = {}
        for identity_id, rows in self._members.items():
            for row in rows:
                self._by_record[row] = identity_id
        self._employees = dict(sorted((employees or {}).items()))

    def identity_of(self, source: str, table: str, remote_id: str) -> str | None:
        """The identity of a store record (table: leads, contacts, accounts, users)."""
        return self._by_record.get((source, table, remote_id))

    def members(self, identity_id: str) -> list[Member]:
        """The (source, table, remote_id) records of an identity, sorted; empty if unknown."""
        return list(self._members.get(identity_id, []))

    def employee_of(self, source: str, user_remote_id: str) -> str | None:
        """The employee identity of a CRM user / HubSpot owner / Zoho user id."""
        return self._by_record.get((source, "users", user_remote_id))

    def employees(self) -> dict[str, EmployeeIdentity]:
        """Every employee identity by id."""
        return dict(self._employees)

    def __len__(self) -> int:
        return len(self._members)


def load_identity_map(engine: Engine) -> IdentityMap:
    """Read the identity crosswalk from the store; empty when reconcile never ran."""
    tables = set(inspect(engine).get_table_names())
    if not {"identity_members", "identities"} <= tables:
        return IdentityMap({})
    members: dict[str, list[Member]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT identity_id, source, table_name, remote_id FROM identity_members")
        )
        for identity_id, source, table_name, remote_id in rows:
            members.setdefault(identity_id, []).append((source, table_name, remote_id))
        golden = connection.execute(
            text("SELECT identity_id, golden FROM identities WHERE kind = 'employee'")
        ).all()
    employees: dict[str, EmployeeIdentity] = {}
    for identity_id, doc in golden:
        values = _json(doc)
        employees[identity_id] = EmployeeIdentity(
            identity_id=identity_id,
            name=values.get("name"),
            email=values.get("email"),
            active=bool(values.get("active", True)),
            members=tuple(sorted(members.get(identity_id, []))),
        )
    return IdentityMap(members, employees)


def _json(doc: object) -> dict:
    # JSON columns come back as dicts from SQLAlchemy; plain text on a raw connection.
    if isinstance(doc, (str, bytes)):
        import orjson

        doc = orjson.loads(doc)
    return doc if isinstance(doc, dict) else {}
