"""Reconciliation: one identity per real person, organisation and employee across CRMs.

The public surface other parts of crmsync use:

- :func:`load_identity_map` / :class:`IdentityMap` — which identity a store record or CRM
  user belongs to (read-only, from the crosswalk a run wrote);
- :func:`reconcile` / :class:`RunReport` — run reconciliation (full or incremental);
- :class:`ReconcileConfig` — the ``reconcile:`` configuration section;
- :func:`journey` — every touch of an identity across CRMs.

Attributes load lazily so that ``import sync.reconcile`` stays light; the ``reconcile:``
section's models live in ``sync.config.reconcile``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "EmployeeIdentity",
    "IdentityMap",
    "ReconcileConfig",
    "RunReport",
    "Touch",
    "journey",
    "load_identity_map",
    "reconcile",
]

_WHERE = {
    "EmployeeIdentity": "sync.store.view.identity_map",
    "IdentityMap": "sync.store.view.identity_map",
    "load_identity_map": "sync.store.view.identity_map",
    "ReconcileConfig": "sync.config.reconcile",
    "RunReport": "sync.reconcile.reconciling",
    "reconcile": "sync.reconcile.reconciling",
    "Touch": "sync.reconcile.journey",
    "journey": "sync.reconcile.journey",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sync.reconcile' has no attribute {name!r}")
