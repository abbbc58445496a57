"""The loaded plans: versions by plan id, and assignments of employees to plans."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import orjson

from compensation.crediting import CreditScheme
from compensation.inputs import Employee
from compensation.plans.model import Assignment, PlanVersion, Quota

__all__ = ["Placement", "PlanBook"]


@dataclass(frozen=True, slots=True)
class Placement:
    """An employee's plan on a day: the version, the assignment that chose it, and the
    pay currency and quota in force (assignment overrides first, then the plan's)."""

    version: PlanVersion
    assignment: Assignment
    currency: str
    quota: Quota | None


class PlanBook:
    """Every plan version and assignment, validated; look-ups are by day."""

    def __init__(self, versions: Iterable[PlanVersion], assignments: Iterable[Assignment]) -> None:
        by_plan: dict[str, list[PlanVersion]] = {}
        for version in versions:
            by_plan.setdefault(version.plan, []).append(version)
        self.versions: dict[str, tuple[PlanVersion, ...]] = {
            plan: tuple(sorted(items, key=lambda v: v.effective_from))
            for plan, items in sorted(by_plan.items())
        }
        self.assignments: tuple[Assignment, ...] = tuple(assignments)
        self._digests: dict[str, str] = {}

    @property
    def plans(self) -> list[str]:
        """Plan ids, sorted."""
        return list(self.versions)

    def version(self, plan: str, on: date) -> PlanVersion | None:
        """The version of ``plan`` in force on ``on``."""
        for version in self.versions.get(plan, ()):
            if version.in_force(on):
                return version
        return None

    def assignment_for(self, employee: Employee, on: date) -> Assignment | None:
        """The most specific assignment covering ``employee`` on ``on``."""
        best: Assignment | None = None
        for item in self.assignments:
            if not item.covers(on):
                continue
            if item.employee and item.employee != employee.id:
                continue
            if not item.employee and (
                (item.team and item.team != employee.team)
                or (item.role and item.role != employee.role)
            ):
                continue
            if best is None or item.specificity > best.specificity:
                best = item
        return best

    def placement(self, employee: Employee, on: date) -> Placement | None:
        """The plan version, currency and quota for ``employee`` on ``on``."""
        assignment = self.assignment_for(employee, on)
        if assignment is None:
            return None
        version = self.version(assignment.plan, on)
        if version is None:
            return None
        return Placement(
            version,
            assignment,
            (assignment.currency or version.currency).upper(),
            assignment.quota or version.quota,
        )

    def plan_for(self, employee: Employee, on: date) -> PlanVersion | None:
        """The plan version ``employee`` is on, on ``on`` (None: not on a plan)."""
        placement = self.placement(employee, on)
        return placement.version if placement else None

    def crediting_for(self, owner: Employee, on: date) -> CreditScheme | None:
        """The ``crediting:`` section that credits a deal owned by ``owner`` closing on
        ``on``: the owner's plan decides the slots of their deals (None: no section)."""
        version = self.plan_for(owner, on)
        return version.crediting if version is not None else None

    def digest(self, version: PlanVersion) -> str:
        """A sha256 of one version's content, for input hashes."""
        found = self._digests.get(version.id)
        if found is None:
            data = version.model_dump(mode="json", by_alias=True)
            found = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
            self._digests[version.id] = found
        return found

    def assignments_digest(self) -> str:
        """A sha256 of every assignment."""
        data = [a.model_dump(mode="json", by_alias=True) for a in self.assignments]
        return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
