"""Who may see what: the signed-in viewer, their role and the people they may look at.

Roles: an employee sees their own pay and usage; a manager also their team, the people
who reported to them (directly or through a manager below them) on the date a page is
about, from the dated hierarchy the plan runs record (``compensation_managers``) and,
outside it, the directory's manager of today; an admin (``web.admins``) sees everything
and takes the identity decisions. Every page asks :class:`Viewer` on the server; a person
the viewer may not see is answered 404, as if they did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from compensation.inputs import ManagerSpan
from sync.web.view import Person

__all__ = ["Viewer", "principal_for", "team_on", "viewer_for"]


@dataclass(frozen=True)
class Viewer:
    """The signed-in person. ``employee`` is None for an admin who is no employee."""

    principal: str
    name: str
    role: str  # employee, manager or admin
    employee: str | None
    reports: frozenset[str]  # everyone below them today

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "admin")

    def sees(self, employee: str | None, team: Iterable[str] | None = None) -> bool:
        """True if the viewer may see ``employee``'s data (``team``: the viewer's team on
        the date in question, default today's)."""
        if self.is_admin:
            return True
        if employee is None:
            return False
        return employee == self.employee or employee in (self.reports if team is None else team)


def team_on(
    manager: str, day: date, spans: Iterable[ManagerSpan], people: Mapping[str, Person]
) -> set[str]:
    """Everyone who reported to ``manager`` on ``day``, directly or through managers below."""
    direct: dict[str, set[str]] = {}
    dated: set[str] = set()
    for span in spans:
        if span.covers(day) and span.manager is not None:
            direct.setdefault(span.manager, set()).add(span.employee)
            dated.add(span.employee)
    for person in people.values():
        if person.id not in dated and person.manager:
            direct.setdefault(person.manager, set()).add(person.id)
    found: set[str] = set()
    todo = [manager]
    while todo:
        for member in direct.get(todo.pop(), ()):
            if member not in found and member != manager:
                found.add(member)
                todo.append(member)
    return found


def principal_for(address: str, people: Mapping[str, Person], admins: Iterable[str]) -> str | None:
    """Who an e-mail address signs in as: an employee id, ``admin:ADDRESS`` for an admin
    who is no employee, or None (unknown addresses get no link, and are told nothing)."""
    wanted = address.strip().casefold()
    if not wanted or "@" not in wanted:
        return None
    for person in people.values():
        if person.email and person.email.casefold() == wanted:
            return person.id
    if wanted in {a.casefold() for a in admins}:
        return f"admin:{wanted}"
    return None


def viewer_for(
    principal: str,
    people: Mapping[str, Person],
    admins: Iterable[str],
    spans: Iterable[ManagerSpan],
    today: date,
) -> Viewer | None:
    """The viewer of a session's principal today (None if they are no longer known)."""
    wanted = {a.casefold() for a in admins}
    if principal.startswith("admin:"):
        address = principal.removeprefix("admin:")
        if address not in wanted:
            return None
        return Viewer(principal, address, "admin", None, frozenset())
    person = people.get(principal)
    if person is None:
        return None
    reports = frozenset(team_on(person.id, today, spans, people))
    admin = person.id.casefold() in wanted or (person.email or "").casefold() in wanted
    role = "admin" if admin else "manager" if reports else "employee"
    return Viewer(principal, person.name, role, person.id, reports)
