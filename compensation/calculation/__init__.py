"""The plan calculation: a period run as a pure function of inputs, plans, rates and period.

:func:`run_period` → :class:`PeriodResult` (per employee: payable lines with their
explanation down to deal, slot and acts; withheld lines with gate and advice; attainment;
draw balances; the input hash). :func:`canonical_json` serialises any result byte-stably;
:func:`close_period` locks a result; :func:`simulate` answers the rep's what-if.
"""

from __future__ import annotations

from compensation.calculation.canonical import canonical_json, input_hash
from compensation.calculation.errors import EngineError, PeriodClosedError
from compensation.calculation.explain import explain_employee, plan_policies, pool_policy
from compensation.calculation.period import close_period, run_employee, run_period
from compensation.calculation.records import Adjustment, ClosedPeriod, PeriodInputs, PriorState
from compensation.calculation.results import EmployeeResult, PayLine, PeriodResult, WithheldLine
from compensation.calculation.simulate import SIMULATED_DEAL, Simulation, simulate

__all__ = [
    "SIMULATED_DEAL",
    "Adjustment",
    "ClosedPeriod",
    "EmployeeResult",
    "EngineError",
    "PayLine",
    "PeriodClosedError",
    "PeriodInputs",
    "PeriodResult",
    "PriorState",
    "Simulation",
    "WithheldLine",
    "canonical_json",
    "close_period",
    "explain_employee",
    "input_hash",
    "plan_policies",
    "pool_policy",
    "run_employee",
    "run_period",
    "simulate",
]
