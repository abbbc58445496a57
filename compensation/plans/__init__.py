"""Incentive plans in YAML: versions, components, assignments, periods.

:func:`load_plans` reads ``config/plans/`` into a :class:`PlanBook`; every problem is
reported with file, line and key path (:class:`PlanFileError`).
"""

from __future__ import annotations

from compensation.plans.book import Placement, PlanBook
from compensation.plans.components import (
    CommissionComponent,
    Component,
    KpiBand,
    KpiBonusComponent,
    SpiffComponent,
    Tier,
    UsageBand,
    UsageBonusComponent,
    UsageMultiplierComponent,
    Window,
)
from compensation.plans.errors import PlanError, PlanFileError
from compensation.plans.loader import load_plans
from compensation.plans.model import (
    Assignment,
    AssignmentsFile,
    Clawback,
    Draw,
    Gates,
    PlanVersion,
    Quota,
)
from compensation.plans.period import Period, PeriodKind

__all__ = [
    "Assignment",
    "AssignmentsFile",
    "Clawback",
    "CommissionComponent",
    "Component",
    "Draw",
    "Gates",
    "KpiBand",
    "KpiBonusComponent",
    "Period",
    "PeriodKind",
    "Placement",
    "PlanBook",
    "PlanError",
    "PlanFileError",
    "PlanVersion",
    "Quota",
    "SpiffComponent",
    "Tier",
    "UsageBand",
    "UsageBonusComponent",
    "UsageMultiplierComponent",
    "Window",
    "load_plans",
]
