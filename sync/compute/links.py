"""Who is linked to what in the store: indexes that evidence building walks.

Store rows are indexed by record key and by what they point at (activities by deal, lead,
contact and account; contact roles and converted leads by deal; campaign members and cases
by person), and each person or organisation record is widened to every record of its
reconciled identity. A record tied to a deal (its contact, a contact role, the lead
converted into it) belongs to that deal: its acts do not count for other deals.
"""

from __future__ import annotations

from collections.abc import Iterable

from sync.compute.snapshot import Row, StoreSnapshot
from sync.store.record_key import RecordKey
from sync.store.view.identity_map import IdentityLookup

__all__ = ["LinkIndex", "deal_key", "record_key"]

_PEOPLE = ("leads", "contacts")


def record_key(source: str, table: str, remote_id: str) -> str:
    """``source:table:remote_id``: the stable key of a store record (and of its act)."""
    return str(RecordKey(source, table, remote_id))


def deal_key(source: str, remote_id: str) -> str:
    """The key of a deal in credits and results."""
    return record_key(source, "deals", remote_id)


class LinkIndex:
    """Store rows indexed by record and by what they point at."""

    def __init__(self, snapshot: StoreSnapshot, identities: IdentityLookup | None) -> None:
        self.identities = identities
        self.records: dict[tuple[str, str, str], Row] = {}
        for table in (*_PEOPLE, "accounts"):
            for row in snapshot.rows(table):
                self.records[(row["source"], table, row["remote_id"])] = row
        # A consumer's account (a person account) -> the contact that is the same person:
        # a deal on the account is the person's deal, as if it named them as its contact.
        self.person_of: dict[tuple[str, str], str] = {
            (row["source"], row["remote_id"]): row["person_contact_id"]
            for row in snapshot.rows("accounts")
            if row.get("person_contact_id")
        }
        self.touches = _by_link(
            snapshot.rows("activities"),
            (
                ("deal_id", "deals"),
                ("lead_id", "leads"),
                ("contact_id", "contacts"),
                ("account_id", "accounts"),
            ),
        )
        self.deal_contacts: dict[tuple[str, str], list[Row]] = {}
        for row in snapshot.rows("deal_contacts"):
            self.deal_contacts.setdefault((row["source"], row["deal_id"]), []).append(row)
        self.converted: dict[tuple[str, str], list[Row]] = {}
        self.converted_contacts: set[tuple[str, str]] = set()
        for row in snapshot.rows("leads"):
            if row.get("converted_deal_id"):
                self.converted.setdefault((row["source"], row["converted_deal_id"]), []).append(row)
            if row.get("converted_contact_id"):
                self.converted_contacts.add((row["source"], row["converted_contact_id"]))
        self.deals_of: dict[tuple[str, str, str], set[str]] = {}
        self._tie_to_deals(snapshot)
        self.members_of = _by_link(
            snapshot.rows("campaign_members"), (("lead_id", "leads"), ("contact_id", "contacts"))
        )
        self.cases = _by_link(
            snapshot.rows("cases"),
            (
                ("deal_id", "deals"),
                ("contact_id", "contacts"),
                ("account_id", "accounts"),
            ),
        )

    def _tie_to_deals(self, snapshot: StoreSnapshot) -> None:
        # Records tied to deals (contact, contact role, converted lead): their acts belong
        # to those deals, not to other deals of the same person.
        for row in snapshot.rows("deals"):
            for person in self.contacts_of_deal(row):
                self._tie((row["source"], "contacts", person), row)
        for row in snapshot.rows("deal_contacts"):
            self._tie((row["source"], "contacts", row["contact_id"]), row, row["deal_id"])
        for row in snapshot.rows("leads"):
            if row.get("converted_deal_id"):
                self._tie((row["source"], "leads", row["remote_id"]), row, row["converted_deal_id"])
                if row.get("converted_contact_id"):
                    contact = (row["source"], "contacts", row["converted_contact_id"])
                    self._tie(contact, row, row["converted_deal_id"])

    def contacts_of_deal(self, deal: Row) -> list[str]:
        """The contacts a deal row names: its contact, and the person of a consumer's
        account (once, when both are the same)."""
        found = [deal["contact_id"]] if deal.get("contact_id") else []
        person = self.person_of.get((deal["source"], deal.get("account_id") or ""))
        if person and person not in found:
            found.append(person)
        return found

    def _tie(self, record: tuple[str, str, str], row: Row, deal: str | None = None) -> None:
        key = deal_key(row["source"], deal or row["remote_id"])
        self.deals_of.setdefault(record, set()).add(key)

    def elsewhere(self, record: tuple[str, str, str], deal: str) -> bool:
        """True when ``record`` is tied to other deals and not to ``deal``."""
        tied = self.deals_of.get(record)
        if not tied:
            return False
        return deal not in tied

    def identity(self, record: tuple[str, str, str]) -> str:
        found = self.identities.identity_of(*record) if self.identities is not None else None
        return found or record_key(*record)

    def widen(
        self, records: set[tuple[str, str, str]]
    ) -> tuple[set[str], set[tuple[str, str, str]]]:
        """The identities of ``records`` and every record of those identities."""
        ids: set[str] = set()
        out = set(records)
        for record in records:
            identity = self.identity(record)
            ids.add(identity)
            if self.identities is not None and identity.count(":") != 2:
                out.update(self.identities.members(identity))
        return ids, out


def _by_link(
    rows: Iterable[Row], links: tuple[tuple[str, str], ...]
) -> dict[tuple[str, str, str], list[Row]]:
    """``rows`` by (source, table, id) of each record they link to through ``links``
    (column, table), in row order."""
    found: dict[tuple[str, str, str], list[Row]] = {}
    for row in rows:
        for column, table in links:
            if row.get(column):
                found.setdefault((row["source"], table, row[column]), []).append(row)
    return found
