"""Engine errors, grouped by what the caller does next.

    EngineError (ValueError)        root: the run cannot be made as asked
    └── PeriodClosedError           the period is closed: run the open period instead
                                    (later changes post there as adjustments)

A missing exchange rate raises :class:`compensation.rates.MissingRateError` (add the rate
to the rates file); bad plan files raise :class:`compensation.plans.PlanFileError`.
"""

from __future__ import annotations

__all__ = ["EngineError", "PeriodClosedError"]


class EngineError(ValueError):
    """Root of the engine's errors."""


class PeriodClosedError(EngineError):
    """The requested period is closed and its result is locked."""

    def __init__(self, period: str) -> None:
        super().__init__(
            f"period {period} is closed and its results are locked; run the open period: "
            "later changes to it post there as adjustments"
        )
        self.period = period
