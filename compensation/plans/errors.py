"""Plan errors, grouped by what the caller does next.

    PlanError (ValueError)          root
    └── PlanFileError               the plan files are wrong: fix the YAML (``problems``
                                    holds one ``FILE:LINE: key.path: what to do`` each)

Rates have their own errors in :mod:`compensation.rates`; running a period raises
:class:`compensation.calculation.EngineError` subclasses.
"""

from __future__ import annotations

__all__ = ["PlanError", "PlanFileError", "describe_problems"]


class PlanError(ValueError):
    """Root of plan errors."""


class PlanFileError(PlanError):
    """One or more plan files have problems; every problem names file, line and path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(describe_problems("the plans", problems))
        self.problems = problems


def describe_problems(what: str, problems: list[str]) -> str:
    """``"<what> have 1 problem: ..."`` on one line, or a header and one line per problem."""
    if len(problems) == 1:
        return f"{what} have 1 problem: {problems[0]}"
    return "\n".join([f"{what} have {len(problems)} problems:", *(f"  {p}" for p in problems)])
