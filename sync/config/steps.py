"""Step names, importable without loading anything heavy (the ``schedule:`` section checks
them; the pipeline runs them in this order)."""

from __future__ import annotations

__all__ = ["STEP_NAMES"]

# The order ``crmsync run`` follows: each step reads what the previous ones stored.
STEP_NAMES: tuple[str, ...] = ("reconcile", "audit", "compute", "push", "statements")
