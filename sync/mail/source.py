"""Where ``crmsync statements`` gets a period's statements from: the stored plan results
(see :func:`sync.compute.statements.statements_for_period`)."""

from __future__ import annotations

from sync.compute.statements import statements_for_period

__all__ = ["statements_for_period"]
