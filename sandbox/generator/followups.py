"""What reps write after the work: a call's outcome and a deal's next step.

Real CRMs hold both unevenly: most reps pick an outcome when they log a call, some rarely
do; open deals usually carry a next step, except with reps who let their pipeline go
stale. Rates (documented in docs/sandbox.md): a call's outcome is missing for 4% of calls,
60% for reps with the ``missing_fields`` habit; an open deal's next step is missing for 10%
of deals, 70% for reps with the ``stale_deals`` habit. Closed deals keep no next step.

The choice is a hash of the record's own values, not a draw from the generator's random
stream, so adding these fields leaves every other generated value as it was.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from sandbox.generator.context import Employee

__all__ = ["call_outcome", "next_step"]

# Salesforce CallDisposition is free text; Zoho's Call_Result is a picklist with these.
_OUTCOMES = (
    "Interested",
    "Not interested",
    "No response/Busy",
    "Requested more info",
    "Requested call back",
)
# HubSpot's six default dispositions (their ids are the same in every portal).
_HS_DISPOSITIONS = (
    "f240bbac-87c9-4f6e-bf70-924b57d47db7",  # Connected
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",  # Left live message
    "b2cf5968-551e-4856-9783-52b3da59a7d0",  # Left voicemail
    "73a0d17f-1163-4015-bdd5-ec830791da20",  # No answer
    "9d9162e7-6cf3-4944-bf63-4dff82258764",  # Busy
)
_NEXT_STEPS = (
    "Send the revised quotation",
    "Book the demo with the lab manager",
    "Call back after the budget meeting",
    "Confirm the installation date",
    "Agree the service terms with procurement",
)


def _draw(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts``."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def call_outcome(owner: Employee, at: datetime, subject: str, hubspot: bool = False) -> str | None:
    """The outcome a rep logs on a call, or None when they leave it empty."""
    missing = 0.6 if owner.has("missing_fields") else 0.04
    if _draw("outcome", owner.employee_id, at.isoformat(), subject) < missing:
        return None
    options = _HS_DISPOSITIONS if hubspot else _OUTCOMES
    return options[int(_draw("which", owner.employee_id, at.isoformat()) * len(options))]


def next_step(owner: Employee, at: datetime, name: str, is_open: bool) -> str | None:
    """An open deal's next step as its owner wrote it, or None."""
    if not is_open:
        return None
    missing = 0.7 if owner.has("stale_deals") else 0.1
    if _draw("next", owner.employee_id, at.isoformat(), name) < missing:
        return None
    return _NEXT_STEPS[int(_draw("step", owner.employee_id, name) * len(_NEXT_STEPS))]
