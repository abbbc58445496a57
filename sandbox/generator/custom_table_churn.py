"""Store visits keep changing in the DACH subsidiary's and the Benelux distributor's CRMs.

``apply_churn(..., crms=("dynamics", ...), store_visits=N)`` also makes ``N`` changes to
the store visits of each named Dynamics 365 or SugarCRM part, as ``store_visit_churn.py``
does for the first three CRMs: about half new visits of a live contact, a third edits (the
amount spent, the visit type), the rest deletes. A Dataverse change takes a new rowversion
(the delete its own, which change tracking lists as ``$deletedEntity``); a Sugar change
stamps ``date_modified`` (a delete too, with ``deleted`` set). Drawn from a random stream
per CRM, after every other change. A new visit goes to the CRM's ground truth
(``dynamics_store_visits``, ``sugarcrm_store_visits``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from sandbox.dynamics.schema import DELETED_VERSION, VERSION_SEQUENCE
from sandbox.dynamics.schema_custom import CUSTOM_OPTION_SETS
from sandbox.dynamics.schema_custom import STORES as DYNAMICS_STORES
from sandbox.generator.dynamics_company import stamp
from sandbox.generator.sugarcrm_company import sugar_stamp
from sandbox.store import Record
from sandbox.sugarcrm.schema_custom import STORES as SUGAR_STORES
from sandbox.sugarcrm.schema_custom import VISIT_TYPES
from sandbox.world import World

__all__ = ["CUSTOM_VISIT_OBJECTS", "churn_custom_visits"]

CUSTOM_VISIT_OBJECTS = {"dynamics": "new_storevisit", "sugarcrm": "cstm_StoreVisits"}
_OPS = (("create", 0.5), ("update", 0.33), ("delete", 0.17))
Change = tuple[str, str, str, str]


def _truth(world: World, crm: str, rid: str, contact: str, account: str | None) -> None:
    world.truth.add(
        f"{crm}_store_visits",
        {"crm": crm, "object": CUSTOM_VISIT_OBJECTS[crm], "id": rid, "contact": contact}
        | {"account": account},
    )


class _Visits:
    def __init__(self, world: World, crm: str, rng: random.Random) -> None:
        self.world, self.crm, self.rng = world, crm, rng
        self.tables = getattr(world, crm)
        self.table = self.tables[CUSTOM_VISIT_OBJECTS[crm]]

    def _version(self) -> int:
        self.world.sequences[VERSION_SEQUENCE] += 1
        return int(self.world.sequences[VERSION_SEQUENCE])

    def create(self, when: datetime) -> str | None:
        crm, rng = self.crm, self.rng
        contacts = list(self.tables["contact" if crm == "dynamics" else "Contacts"].live())
        if not contacts:
            return None
        contact: Record = rng.choice(contacts)
        spent = round(rng.uniform(20, 900), 2)
        if crm == "dynamics":
            store = rng.choice(DYNAMICS_STORES)
            kinds = [v for v, _ in CUSTOM_OPTION_SETS[("new_storevisit", "new_visittype")]]
            values = {
                "new_name": f"{store} visit",
                "new_customerid": contact["contactid"],
                "new_accountid": contact.get("parentcustomerid"),
                "new_visitedon": when,
                "new_store": store,
                "new_visittype": rng.choice(kinds),
                "new_amountspent": spent,
                "ownerid": contact["ownerid"],
            }
            row = stamp(self.world, "new_storevisit", values, when, contact["ownerid"])
            rid, person, account = (
                row["new_storevisitid"],
                contact["contactid"],
                values["new_accountid"],
            )
        else:
            store = rng.choice(SUGAR_STORES)
            values = {
                "name": f"{store} visit",
                "visit_date": when,
                "store": store,
                "visit_type": rng.choice(VISIT_TYPES),
                "amount_spent": spent,
                "assigned_user_id": contact["assigned_user_id"],
                "contact_id_c": contact["id"],
                "account_id_c": contact.get("account_id"),
            }
            owner = contact["assigned_user_id"]
            row = sugar_stamp(self.world, "cstm_StoreVisits", values, when, owner)
            rid, person, account = row["id"], contact["id"], contact.get("account_id")
        _truth(self.world, crm, str(rid), str(person), account)
        return str(rid)

    def update(self, rid: str, when: datetime) -> None:
        spent = round(self.rng.uniform(20, 900), 2)
        changes: Record
        if self.crm == "dynamics":
            kinds = [v for v, _ in CUSTOM_OPTION_SETS[("new_storevisit", "new_visittype")]]
            changes = {"new_amountspent": spent, "new_visittype": self.rng.choice(kinds)}
            self.table.update(rid, {**changes, "versionnumber": self._version()}, when)
        else:
            changes = {"amount_spent": spent, "visit_type": self.rng.choice(VISIT_TYPES)}
            self.table.update(rid, changes, when)

    def delete(self, rid: str, when: datetime) -> None:
        if self.crm == "dynamics":
            self.table.rows[rid][DELETED_VERSION] = self._version()
        else:
            self.table.update(rid, {}, when)
        self.table.soft_delete(rid, when)


def churn_custom_visits(
    world: World, crm: str, changes: int, seed: int, next_at: Callable[[], datetime]
) -> list[Change]:
    """Apply ``changes`` edits to ``crm``'s store visits; returns them."""
    rng = random.Random(f"churn:{seed}:{crm}-store-visits")
    visits = _Visits(world, crm, rng)
    obj = CUSTOM_VISIT_OBJECTS[crm]
    done: list[Change] = []
    for _ in range(changes):
        when = next_at()
        if crm == "sugarcrm":
            when = when.replace(microsecond=0)  # Sugar keeps whole seconds
        op = rng.choices([o for o, _ in _OPS], weights=[w for _, w in _OPS])[0]
        live = [r[visits.table.schema.id_field] for r in visits.table.live()]
        if op == "create" or not live:
            rid = visits.create(when)
            if rid is not None:
                done.append((crm, obj, rid, "create"))
            continue
        rid = rng.choice(live)
        getattr(visits, op)(rid, when)
        done.append((crm, obj, rid, op))
    return done
