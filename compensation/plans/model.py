"""One plan version as written in a YAML file under ``config/plans/``, and assignments.

A plan file holds one version of one plan (``plan:`` id, ``version:``, effective dates);
several files with the same ``plan:`` are its versions and must not overlap in time.
``assignments.yaml`` maps employees (by id, team and/or role) to plans over dates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from compensation.crediting import CreditScheme
from compensation.plans.components import Component, Strict
from compensation.plans.period import PeriodKind
from compensation.plans.values import Amount, Percent

__all__ = [
    "Assignment",
    "AssignmentsFile",
    "Clawback",
    "Draw",
    "Gates",
    "PlanVersion",
    "Quota",
]

RateDateField = Literal["close_date", "created_at", "reversed_on"]


class Quota(Strict):
    """The target credited revenue per ``per`` period, in ``currency`` (default: the
    plan's currency). A run over another period length scales it."""

    amount: Amount = Field(gt=0)
    currency: str | None = Field(None, min_length=3, max_length=3)
    per: PeriodKind | None = Field(None, description="Default: the plan's period.")


class Gates(Strict):
    """CRM-usage gates: a deal that fails one is withheld from everyone paid on it under
    this plan, with the reason and what to do."""

    documented_days_before_close: int | None = Field(
        None, ge=0, description="The deal must exist in the CRM this many days before close."
    )
    required_fields: tuple[str, ...] = Field((), description="Deal fields that must be set.")
    min_activities: int | None = Field(
        None, ge=0, description="Logged activities (touches) the deal needs."
    )
    negative_amount: Literal["pay", "withhold"] = Field(
        "pay",
        description="A deal won with a negative amount: pay it as negative lines (the "
        "default) or withhold it until the CRM is corrected; either way the run warns.",
    )


class Clawback(Strict):
    """A paid deal reversed (lost, cancelled) within ``within_days`` of payment is taken
    back, ``portion`` of what was paid, split exactly as the original was."""

    within_days: int = Field(gt=0)
    portion: Percent = Field(Decimal(1), gt=0, le=1)


class Draw(Strict):
    """A guaranteed minimum per plan period: ``non_recoverable`` pays max(earnings, draw);
    ``recoverable`` also carries the top-ups as a balance recovered from later earnings.
    The period the employee leaves in pays it prorated to the calendar days worked; none
    is paid for a period starting after; ``on_leaving`` says what happens to a
    recoverable balance then."""

    kind: Literal["recoverable", "non_recoverable"]
    amount: Amount = Field(gt=0)
    on_leaving: Literal["write_off", "recover_from_final"] = Field(
        "write_off",
        description="A recoverable balance when the employee leaves: written off, or "
        "recovered from the earnings paid after the last day worked.",
    )


class PlanVersion(Strict):
    """One effective-dated version of one plan."""

    plan: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = ""
    version: int = Field(ge=1)
    effective_from: date
    effective_to: date | None = None
    currency: str = Field(min_length=3, max_length=3, description="Pay currency.")
    period: PeriodKind = "month"
    rate_date: RateDateField = Field("close_date", description="Deal date used for FX rates.")
    rounding: str = "ROUND_HALF_UP"
    places: int = Field(2, ge=0, le=6)
    quota: Quota | None = None
    crediting: CreditScheme | None = None
    gates: Gates = Gates()
    components: tuple[Component, ...] = Field(min_length=1)
    cap: Amount | None = Field(None, description="Most the plan pays per plan period.")
    clawback: Clawback | None = None
    draw: Draw | None = None
    proration: Literal["calendar_days", "working_days"] = Field(
        "calendar_days",
        description="How a period is shared when plan versions or assignments change inside "
        "it (and a leaver's draw): calendar days, or working days (Monday to Friday), both "
        "ends inclusive.",
    )

    @property
    def id(self) -> str:
        """``plan@version``: stable key for results."""
        return f"{self.plan}@{self.version}"

    def in_force(self, on: date) -> bool:
        """True when ``on`` falls in the version's effective dates."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class Assignment(Strict):
    """Who is on which plan when; the most specific match wins (employee > team and role >
    role > team: a team's manager is matched by role before the team's own plan).
    Overrides quota and pay currency when given."""

    plan: str
    employee: str | None = None
    team: str | None = None
    role: str | None = None
    start: date = Field(alias="from")
    end: date | None = Field(None, alias="to")
    quota: Quota | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)

    @property
    def specificity(self) -> int:
        """4 employee, 3 team and role, 2 role, 1 team, 0 none."""
        if self.employee:
            return 4
        return {(True, True): 3, (False, True): 2, (True, False): 1}.get(
            (bool(self.team), bool(self.role)), 0
        )

    def selector(self) -> str:
        """Human words for who this assignment covers."""
        if self.employee:
            return f"employee {self.employee}"
        parts = [f"team {self.team}" if self.team else "", f"role {self.role}" if self.role else ""]
        return " and ".join(p for p in parts if p) or "everyone"

    def covers(self, on: date) -> bool:
        """True when ``on`` is inside the assignment's dates."""
        return self.start <= on and (self.end is None or on <= self.end)


class AssignmentsFile(Strict):
    """``assignments.yaml``: the assignments, and the teams and roles that assignments and
    crediting filters may name (so a misspelt one is an error, not a silent no-match)."""

    teams: tuple[str, ...] = Field((), description="Every team a plan or assignment names.")
    roles: tuple[str, ...] = Field((), description="Every role a plan or assignment names.")
    assignments: tuple[Assignment, ...] = ()
