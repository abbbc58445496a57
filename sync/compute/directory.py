"""Payees: reconciled employees with team, role, manager and locale, from the users table.

A member's manager is the manager-role employee of their team; a team's manager reports
to the manager of the team ``compensation.directory.reports_to`` names (so director and
VP roll-ups have a chain to follow).

An employee key is the reconciled employee identity (``E-...``) when reconcile placed the
CRM user, else ``"{source}:{user_remote_id}"`` (the audit's convention, so usage scores
join). Team comes from the users' department (Salesforce) or primary team (HubSpot),
role from the job title, else the CRM role unless it says nothing (``PERSON``,
``Standard``); where an employee's users disagree, most of them win (a tie: the first
source by name). The ``compensation.directory`` config fills what the CRMs do not carry.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compensation.inputs import Employee
from sync.config.compensation import DirectoryConfig

__all__ = ["Directory", "UserFacts", "build_directory", "reports_to_warnings", "slug"]


def slug(value: str | None) -> str | None:
    """``"Call Centre"`` → ``"call_centre"``; None for blanks."""
    if not value:
        return None
    text = re.sub(r"[^0-9a-z]+", "_", value.strip().lower()).strip("_")
    return text or None


@dataclass
class UserFacts:
    """What the users table says about one CRM user."""

    source: str
    remote_id: str
    name: str
    email: str | None
    active: bool
    title: str | None
    department: str | None
    role: str | None
    raw: Mapping[str, Any] = field(default_factory=dict)


def _team(user: UserFacts) -> str | None:
    teams = user.raw.get("teams")
    if isinstance(teams, list) and teams:
        primary = [t for t in teams if isinstance(t, dict) and t.get("primary")] or teams
        if isinstance(primary[0], dict) and primary[0].get("name"):
            return slug(str(primary[0]["name"]))
    return slug(user.department)


def _role(user: UserFacts, ignore: set[str | None]) -> str | None:
    role = slug(user.role)
    return slug(user.title) or (role if role not in ignore else None)


def _agreed(values: Sequence[str | None]) -> str | None:
    """The value most of an employee's CRM users give; a tie goes to the first given (users
    in source order). So a subsidiary's CRM that files two group managers under its own
    business unit does not move them off their team in the CRMs where they work."""
    given = [v for v in values if v]
    if not given:
        return None
    counts = Counter(given)
    most = max(counts.values())
    return next(v for v in given if counts[v] == most)


def _locale(user: UserFacts) -> str | None:
    for key in ("LocaleSidKey", "locale", "language"):
        value = user.raw.get(key)
        if isinstance(value, str) and value:
            return value.replace("-", "_").split("_")[0].lower()
    return None


class Directory:
    """Employees by key, and the key of every CRM user."""

    def __init__(self, employees: Mapping[str, Employee], keys: Mapping[tuple[str, str], str]):
        self.employees = dict(sorted(employees.items()))
        self._keys = dict(keys)

    def key_of(self, source: str, user_id: str | None) -> str | None:
        """The employee key of a CRM user id (None for no user)."""
        if not user_id:
            return None
        return self._keys.get((source, user_id)) or f"{source}:{user_id}"

    def find(self, text: str) -> str | None:
        """An employee key from a key, an e-mail or a CRM user id (``source:id``)."""
        if text in self.employees:
            return text
        lowered = text.lower()
        for key, person in self.employees.items():
            if person.email and person.email.lower() == lowered:
                return key
        if ":" in text:
            source, _, user = text.partition(":")
            found = self._keys.get((source, user))
            if found:
                return found
        return None


def build_directory(
    users: Iterable[UserFacts],
    employee_of: Mapping[tuple[str, str], str],
    config: DirectoryConfig,
    golden: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> Directory:
    """Group users into employees (``employee_of`` maps (source, user id) to an identity)
    and settle each employee's team, role, manager and locale; ``golden`` holds
    reconcile's (name, e-mail) per identity."""
    groups: dict[str, list[UserFacts]] = {}
    keys: dict[tuple[str, str], str] = {}
    for user in users:
        key = employee_of.get((user.source, user.remote_id)) or f"{user.source}:{user.remote_id}"
        keys[(user.source, user.remote_id)] = key
        groups.setdefault(key, []).append(user)
    ignore = {slug(r) for r in config.ignore_roles}
    people: dict[str, dict[str, Any]] = {}
    for key, members in sorted(groups.items()):
        members.sort(key=lambda u: (u.source, u.remote_id))
        team = _agreed([_team(u) for u in members])
        role = _agreed([_role(u, ignore) for u in members])
        sources = {u.source for u in members}
        for source in sorted(sources):
            default = config.source_defaults.get(source)
            if default is not None and len(sources) == 1:
                team = team or default.team
                role = role or default.role
        if role is None and config.role_from_team:
            role = team
        forced = config.overrides.get(key)
        if forced is not None:
            team = forced.team or team
            role = forced.role or role
        named = [u for u in members if u.name]
        best_name, best_email = (golden or {}).get(key, (None, None))
        people[key] = {
            "name": best_name or (named[0].name if named else key),
            "email": best_email or next((u.email for u in members if u.email), None),
            "team": team,
            "role": role,
            # "" when no CRM says: statements then use ``statements.locale_default``.
            "locale": next((loc for loc in map(_locale, members) if loc), ""),
            "active": any(u.active for u in members),
            "left_on": forced.left_on if forced is not None else None,
        }
    heads: dict[str, str] = {}
    for key, facts in people.items():
        if facts["role"] == config.manager_role and facts["team"] and facts["active"]:
            heads.setdefault(facts["team"], key)
    employees: dict[str, Employee] = {}
    for key, facts in people.items():
        manager = None
        if config.managers_from_team and facts["role"] != config.manager_role:
            manager = heads.get(facts["team"] or "")
        elif facts["role"] == config.manager_role:
            # A team's manager reports to the manager of the team it reports to.
            manager = heads.get(config.reports_to.get(facts["team"] or "", ""))
        employees[key] = Employee(
            id=key,
            name=facts["name"],
            email=facts["email"],
            team=facts["team"],
            role=facts["role"],
            manager=manager if manager != key else None,
            locale=facts["locale"],
            active=facts["active"],
            left_on=facts["left_on"],
        )
    return Directory(employees, keys)


def reports_to_warnings(directory: Directory, config: DirectoryConfig) -> list[str]:
    """A team ``reports_to`` names that no employee is in (a typo, or a team renamed in
    the CRM), with the closest team's name: its managers have no one above them."""
    teams = sorted({e.team for e in directory.employees.values() if e.team})
    out = []
    for team, parent in sorted(config.reports_to.items()):
        for name in (team, parent):
            if name not in teams:
                close = difflib.get_close_matches(name, teams, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                out.append(
                    f"compensation.directory.reports_to: no employee is in team {name!r}{hint}"
                )
    return out
