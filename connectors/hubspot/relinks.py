"""Records whose links vanished because a record they link to was archived.

Archiving a contact, company, deal or ticket in HubSpot hides its associations without
moving the linked records' modified dates: an engagement linked to a deleted contact keeps
its old ``hs_lastmodifieddate``, so an incremental search never reads it again and the
store keeps the link. A new incremental run of a type therefore looks at the archived
lists of the types it links to (read once per run, ids only, or taken from the archived
step of a type read earlier in the run); for the records archived
since its cursor (minus the lookback) it asks the store which of its records linked to
them (``ReadOptions.linked``) and re-reads just those, with their links, on the search
run's last page (``ObjectReader.read``'s ``extra``). A re-read record that is gone is
absent from the batch read, as it would be from a list. Deal contact roles with an
archived contact are reported deleted with their deal.

Restoring a record brings its links back, again without dating the linked records. The
stream state keeps the archived records whose links the store had (``hidden``, per type):
one that has left the archived list since is read by id, and if it is live again (restored,
not purged) its links to this type are read and the records it links to are re-read.

Without a store to ask (a connector run on its own), the run re-lists the type in full
instead (``Relink.relist``), as a first read would, and restores are not followed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.core.contract import LinkedRecords
from connectors.hubspot.mapping import activity_type
from connectors.hubspot.reader import ObjectReader, associations_for

__all__ = ["Relink", "Relinks"]

# HubSpot object type -> the common record kind it maps to (engagements: activity)
_KINDS = {
    "contacts": "contact",
    "companies": "account",
    "deals": "deal",
    "tickets": "case",
    "line_items": "deal_product",
}


def _kind(object_type: str) -> str:
    return _KINDS.get(object_type, "activity")


@dataclass
class Relink:
    """What one incremental run of one object type reads because of archived records."""

    relist: bool = False  # no store to ask: re-list the whole type
    ids: list[str] = field(default_factory=list)  # re-read these records, links attached
    roles: dict[str, set[str]] = field(default_factory=dict)  # deal -> archived contacts
    settled: dict[str, set[str]] = field(default_factory=dict)  # hidden ids back or purged


class Relinks:
    """Plans the re-reads; keeps each target type's archived list for the run."""

    def __init__(self, reader: ObjectReader) -> None:
        self.reader = reader
        # (type, signpost) -> {hidden id that left the archived list: live again}
        self._back_ids: dict[tuple[str, int], dict[str, bool]] = {}

    def plan(
        self,
        object_type: str,
        previous: Mapping[str, Any] | None,
        lookback_ms: int,
        signpost_ms: int,
        linked: LinkedRecords | None,
        hidden: dict[str, list[str]],
    ) -> Relink:
        """What this run of ``object_type`` re-reads; adds to ``hidden`` the archived
        records the store had links to (``Relink.settled`` says what may leave it)."""
        if not previous or previous.get("cursor") is None:
            return Relink()  # a first read sees every link as it is now
        run = previous.get("run") or {}
        if run and (run.get("mode") != "search" or run.get("step") != "live"):
            return Relink()  # a resumed re-list, or the re-reads were already read
        lower = int(previous["cursor"]) - lookback_ms
        gone: dict[str, set[str]] = {}
        for target in associations_for(object_type):
            ids = {i for i, at in self._archived_list(target, signpost_ms).items() if at >= lower}
            if ids:
                gone[target] = ids
        if linked is None:
            return Relink(relist=bool(gone) and not run)
        relink = self._from_store(object_type, gone, linked, hidden)
        self._back(object_type, signpost_ms, hidden, relink)
        relink.ids = sorted(set(relink.ids), key=int)
        return relink

    def _archived_list(self, target: str, signpost_ms: int) -> dict[str, int]:
        # read once per run, or taken from the target's own archived step when it ran first
        return self.reader.archived_at(target, signpost_ms)

    def _from_store(
        self,
        object_type: str,
        gone: dict[str, set[str]],
        linked: LinkedRecords,
        hidden: dict[str, list[str]],
    ) -> Relink:
        kind = _kind(object_type)
        match = None
        if kind == "activity":
            match = {"activity_type": activity_type(object_type)}
        relink = Relink()
        # one question for every target: one read of the kind's stored rows
        links = linked.any_of(kind, {_kind(t): ids for t, ids in gone.items()}, match)
        for target, archived in gone.items():
            found = links.get(_kind(target), {})
            if object_type == "deals" and target == "contacts":
                for role, contact in linked("deal_contact", "contact", archived).items():
                    deal = role.partition(":")[0]
                    found[deal] = contact
                    relink.roles.setdefault(deal, set()).add(contact)
            relink.ids.extend(found)
            if found:
                hidden[target] = sorted({*hidden.get(target, ()), *found.values()}, key=int)
        return relink

    def _back(
        self, object_type: str, signpost_ms: int, hidden: dict[str, list[str]], relink: Relink
    ) -> None:
        """Add the records that hidden records live again (restored) link to."""
        for target in associations_for(object_type):
            archived = self._archived_list(target, signpost_ms)
            left = [i for i in hidden.get(target, ()) if i not in archived]
            if not left:
                continue
            known = self._back_ids.setdefault((target, signpost_ms), {})
            unknown = [i for i in left if i not in known]
            if unknown:
                live = {str(r["id"]) for r in self.reader.batch_read(target, unknown, [])}
                known.update((i, i in live) for i in unknown)
            relink.settled[target] = set(left)
            restored = [i for i in left if known[i]]
            for start in range(0, len(restored), 100):
                chunk = restored[start : start + 100]
                for ids in self.reader.read_links(target, object_type, chunk).values():
                    relink.ids.extend(ids)
