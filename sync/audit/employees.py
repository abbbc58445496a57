"""Who an employee is: a reconciled employee identity, or one CRM user on its own.

With reconciliation data (``sync.store.view.identity_map``) a CRM user id resolves to
the employee identity (``E-...``) that groups the person's users in every CRM. Without it,
or for a user reconcile did not place, the employee key is ``"{source}:{user_remote_id}"``:
a per-CRM employee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.audit.snapshot import Snapshot, raw_value
from sync.store.view.identity_map import IdentityLookup

__all__ = ["Directory", "Employee"]


@dataclass
class Employee:
    """One employee as the audit sees them."""

    key: str
    name: str
    team: str | None
    active: bool
    users: list[tuple[str, str]] = field(default_factory=list)


class Directory:
    """Maps CRM users to employees and knows their name, team and active flag."""

    def __init__(self, snapshot: Snapshot, identities: IdentityLookup | None) -> None:
        self._identities = identities
        self.employees: dict[str, Employee] = {}
        for user in snapshot.rows("users"):
            key = self.key_of(user["source"], user["remote_id"])
            if key is None:
                continue
            employee = self.employees.get(key)
            name = user.get("name") or " ".join(
                p for p in (user.get("first_name"), user.get("last_name")) if p
            )
            if employee is None:
                employee = Employee(key, name or key, None, False)
                self.employees[key] = employee
            employee.users.append((user["source"], user["remote_id"]))
            employee.active = employee.active or bool(user.get("is_active"))
            employee.team = employee.team or _team(user)
        for employee in self.employees.values():
            employee.users.sort()
        # The name reconciliation chose (the golden record) is the one statements, the
        # directory and every report use; the first CRM user's name is only a fallback.
        golden = identities.employees() if identities is not None else {}
        for key, identity in golden.items():
            if key in self.employees and identity.name:
                self.employees[key].name = identity.name

    @property
    def has_identities(self) -> bool:
        """Whether reconcile's identities are available (needed by the duplicates rule)."""
        return self._identities is not None and len(self._identities) > 0

    def key_of(self, source: str, user_id: str | None) -> str | None:
        """The employee key of a CRM user id (``None`` for no user)."""
        if not user_id:
            return None
        found = self._identities.employee_of(source, user_id) if self._identities else None
        return found or f"{source}:{user_id}"

    def known_key(self, source: str, user_id: str | None) -> str | None:
        """The employee key of a user the store knows (``None`` for no or unknown user).

        An owner id with no user record (a deleted or never-synced user, a typo in an
        import) is not an employee: it is reported by the ``unknown_user`` rule instead.
        """
        key = self.key_of(source, user_id)
        return key if key is not None and key in self.employees else None

    def identity_of(self, source: str, table: str, remote_id: str) -> str | None:
        """The customer identity of a record, when reconcile placed it."""
        if self._identities is None:
            return None
        return self._identities.identity_of(source, table, remote_id)

    def get(self, key: str) -> Employee:
        """The employee of a key (a placeholder for users the store does not hold)."""
        if key not in self.employees:
            self.employees[key] = Employee(key, key, None, True)
        return self.employees[key]

    def is_active_user(self, snapshot: Snapshot, source: str, user_id: str) -> bool:
        """Whether a CRM user is active (unknown users count as active)."""
        user = snapshot.users.get((source, user_id))
        return True if user is None else bool(user.get("is_active"))


def _team(user: dict[str, Any]) -> str | None:
    raw = user.get("raw") or {}
    teams = raw_value(raw, "teams")
    if isinstance(teams, list) and teams:
        primary = [t for t in teams if isinstance(t, dict) and t.get("primary")] or teams
        if isinstance(primary[0], dict) and primary[0].get("name"):
            return str(primary[0]["name"])
    department = user.get("department")
    return str(department) if department else None
