"""Crediting errors, grouped by what the caller does next.

    CreditingError (ValueError)       the input cannot be credited as given: fix the caller
    ├── DuplicateDealError            the same deal key appears twice in one run
    └── MissingEmployeesError         the scheme filters on roles/teams or rolls up to
                                      managers but no employee directory was passed

A badly written ``crediting:`` section is a pydantic ``ValidationError`` from
:class:`~compensation.crediting.scheme.CreditScheme` (fix the plan YAML).
"""

from __future__ import annotations

__all__ = ["CreditingError", "DuplicateDealError", "MissingEmployeesError"]


class CreditingError(ValueError):
    """The evidence cannot be credited as given."""


class DuplicateDealError(CreditingError):
    """The same deal key appears more than once in one call."""

    def __init__(self, deal: str) -> None:
        super().__init__(f"deal {deal!r} appears more than once in the evidence")
        self.deal = deal


class MissingEmployeesError(CreditingError):
    """The scheme needs the employee directory (roles, teams, managers)."""
