"""The sandbox's whole state: every emulated CRM's tables plus the ground truth.

One ``World`` is generated from a seed and a scale (``sandbox.generator``),
served by the emulators, changed by churn, and saved to / loaded from a state
directory. Its ``lock`` guards every table: emulators hold it while they read or write.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.dynamics.schema import build_schemas as dynamics_schemas
from sandbox.dynamics.schema import dynamics_id
from sandbox.hubspot.schema import (
    ASSOCIATION_TYPES,
    PRIMARY_ASSOCIATION_TYPES,
    hubspot_id,
)
from sandbox.hubspot.schema import build_schemas as hubspot_schemas
from sandbox.keap.schema import build_schemas as keap_schemas
from sandbox.oracle.schema import build_schemas as oracle_schemas
from sandbox.oracle.schema import oracle_id
from sandbox.salesforce.schema import build_schemas as salesforce_schemas
from sandbox.salesforce.schema import salesforce_id
from sandbox.store import Table
from sandbox.sugarcrm.schema import build_schemas as sugarcrm_schemas
from sandbox.sugarcrm.schema import sugar_id
from sandbox.zoho.schema import build_schemas as zoho_schemas
from sandbox.zoho.schema import zoho_id

__all__ = ["SCALES", "Associations", "GroundTruth", "World"]

SCALES = ("tiny", "small", "medium", "large")


class Associations:
    """HubSpot associations, kept in both directions.

    ``links[(from_type, to_type)][from_id]`` is a dict ``to_id -> set of type ids``.
    """

    def __init__(self) -> None:
        self.links: dict[tuple[str, str], dict[str, dict[str, set[int]]]] = defaultdict(
            lambda: defaultdict(dict)
        )

    def add(
        self, from_type: str, from_id: str, to_type: str, to_id: str, primary: bool = False
    ) -> None:
        for a, a_id, b, b_id in (
            (from_type, from_id, to_type, to_id),
            (to_type, to_id, from_type, from_id),
        ):
            types = self.links[(a, b)][a_id].setdefault(b_id, set())
            types.add(ASSOCIATION_TYPES[(a, b)])
            if primary and (a, b) in PRIMARY_ASSOCIATION_TYPES:
                types.add(PRIMARY_ASSOCIATION_TYPES[(a, b)])

    def remove(self, from_type: str, from_id: str, to_type: str, to_id: str) -> bool:
        found = False
        for a, a_id, b, b_id in (
            (from_type, from_id, to_type, to_id),
            (to_type, to_id, from_type, from_id),
        ):
            by_id = self.links.get((a, b))
            if by_id is None or a_id not in by_id:
                continue
            found = by_id[a_id].pop(b_id, None) is not None or found
            if not by_id[a_id]:  # leave no empty entries behind
                del by_id[a_id]
        return found

    def get(self, from_type: str, from_id: str, to_type: str) -> dict[str, set[int]]:
        return self.links.get((from_type, to_type), {}).get(from_id, {})

    def drop_record(self, object_type: str, record_id: str) -> None:
        """Forget every association of a record (used when a merge makes it vanish)."""
        for (a, b), by_id in list(self.links.items()):
            if a == object_type:
                for other in list(by_id.get(record_id, {})):
                    self.remove(a, record_id, b, other)


@dataclass
class GroundTruth:
    """What really happened in the synthetic company, as JSON-lines files by name.

    Tests and evaluations read it; the product never does. ``files["identities"]`` etc.
    The generator documents each file's fields in ``generator/__init__.py``.
    """

    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, row: dict[str, Any]) -> None:
        self.files.setdefault(name, []).append(row)


@dataclass
class World:
    seed: int
    scale: str
    anchor: datetime
    salesforce: dict[str, Table] = field(default_factory=dict)
    hubspot: dict[str, Table] = field(default_factory=dict)
    zoho: dict[str, Table] = field(default_factory=dict)
    dynamics: dict[str, Table] = field(default_factory=dict)
    sugarcrm: dict[str, Table] = field(default_factory=dict)
    keap: dict[str, Table] = field(default_factory=dict)
    oracle: dict[str, Table] = field(default_factory=dict)
    hubspot_owners: list[dict[str, Any]] = field(default_factory=list)
    hubspot_associations: Associations = field(default_factory=Associations)
    # the portal's multi-currency exchange rates (settings API), empty when it has none
    hubspot_rates: list[dict[str, Any]] = field(default_factory=list)
    truth: GroundTruth = field(default_factory=GroundTruth)
    sequences: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    # the CRMs' own history as records change (``sandbox.history``)
    history: Any = field(default=None, repr=False)

    @classmethod
    def empty(cls, seed: int, scale: str, anchor: datetime) -> World:
        world = cls(seed=seed, scale=scale, anchor=anchor)
        world.salesforce = {n: Table(s) for n, s in salesforce_schemas().items()}
        world.hubspot = {n: Table(s) for n, s in hubspot_schemas().items()}
        world.zoho = {n: Table(s) for n, s in zoho_schemas().items()}
        world.dynamics = {n: Table(s) for n, s in dynamics_schemas().items()}
        world.sugarcrm = {n: Table(s) for n, s in sugarcrm_schemas().items()}
        world.keap = {n: Table(s) for n, s in keap_schemas().items()}
        world.oracle = {n: Table(s) for n, s in oracle_schemas().items()}
        from sandbox.history import attach_history

        attach_history(world)
        return world

    def mint(self, crm: str, object_name: str) -> str:
        """A new, never reused id for a record of ``object_name`` in ``crm``."""
        if crm == "salesforce":
            key = f"salesforce:{object_name}"
            seq = self.sequences[key]
            self.sequences[key] += 1
            return salesforce_id(object_name, seq)
        if crm == "hubspot":
            key = f"hubspot:{object_name}"
            seq = self.sequences[key]
            self.sequences[key] += 1
            return hubspot_id(object_name, seq)
        if crm == "zoho":  # org-wide numbering
            seq = self.sequences["zoho"]
            self.sequences["zoho"] += 1
            return zoho_id(seq)
        if crm == "dynamics":  # GUIDs, numbered per table
            key = f"dynamics:{object_name}"
            seq = self.sequences[key]
            self.sequences[key] += 1
            return dynamics_id(object_name, seq)
        if crm == "sugarcrm":  # GUIDs, numbered per module
            key = f"sugarcrm:{object_name}"
            seq = self.sequences[key]
            self.sequences[key] += 1
            return sugar_id(object_name, seq)
        if crm == "keap":  # integers, numbered per object from 1
            key = f"keap:{object_name}"
            self.sequences[key] += 1
            return str(self.sequences[key])
        if crm == "oracle":  # numbers from one org-wide sequence
            seq = self.sequences["oracle"]
            self.sequences["oracle"] += 1
            return oracle_id(seq)
        raise ValueError(f"unknown CRM {crm!r}")
