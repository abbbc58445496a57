"""CRM-usage gates: a deal that fails one pays nothing under the plan, and says why.

Messages are written for the employee reading the statement: what happened, and what to
do so the next deal pays.
"""

from __future__ import annotations

from dataclasses import dataclass

from compensation.inputs import Deal
from compensation.plans import Gates

__all__ = ["GateFailure", "check_gates"]


@dataclass(frozen=True, slots=True)
class GateFailure:
    """Which gate stopped the deal, why, and what to do."""

    gate: str
    reason: str
    advice: str


def _documentation(deal: Deal, days: int) -> GateFailure | None:
    if deal.close_date is None:
        return None
    lead = (deal.close_date - deal.created_at.date()).days
    if lead >= days:
        return None
    advice = "record opportunities as soon as they open"
    if lead <= 0:
        when = "on its close date" if lead == 0 else "after its close date"
        reason = f"this deal was created in the CRM {when}: {advice}"
    else:
        reason = (
            f"this deal was created in the CRM {lead} day{'s' if lead != 1 else ''} before "
            f"its close date; the plan needs {days}: {advice}"
        )
    return GateFailure(
        "documentation",
        reason,
        f"Enter each opportunity in the CRM at least {days} days before it closes.",
    )


def check_gates(gates: Gates, deal: Deal, activities: int) -> GateFailure | None:
    """The first gate ``deal`` fails (negative amount, documentation, required fields,
    activity), if any."""
    if gates.negative_amount == "withhold" and deal.amount < 0:
        return GateFailure(
            "negative_amount",
            f"this deal is marked won with a negative amount ({deal.amount} {deal.currency}); "
            "the plan holds it until the CRM is corrected",
            "Correct the amount on the deal, or record a refund as the reversal of the "
            "original deal.",
        )
    if gates.documented_days_before_close is not None:
        failure = _documentation(deal, gates.documented_days_before_close)
        if failure is not None:
            return failure
    missing = sorted(set(gates.required_fields) & set(deal.missing_fields))
    if missing:
        names = ", ".join(missing)
        return GateFailure(
            "required_fields",
            f"required field{'s' if len(missing) != 1 else ''} missing in the CRM: {names}",
            f"Fill in {names} on the deal; it pays in the next run of an open period.",
        )
    if gates.min_activities is not None and activities < gates.min_activities:
        need = gates.min_activities
        logged = "no activity" if activities == 0 else f"only {activities} activities"
        return GateFailure(
            "activity",
            f"{logged} logged on this deal; the plan needs {need}",
            "Log your calls, visits and e-mails on the deal in the CRM.",
        )
    return None
