"""Plan errors, grouped by what the caller does next.

    PlanError (ValueError)          root
    └── PlanFileError               the plan files are wrong: fix the YAML (``problems``
                                    holds one ``FILE:LINE: key.path: what to do`` each)

Rates have their own errors in :mod:`compensation.rates`; running a period raises
:class:`compensation.engine.EngineError` subclasses.
"""

from __future__ import annotations

__all__ = ["PlanError", "PlanFileError"]


class PlanError(ValueError):
    """Root of plan errors."""


class PlanFileError(PlanError):
    """One or more plan files have problems; every problem names file, line and path."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        header = f"the plans have {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  {p}" for p in problems)]))
        self.problems = problems
