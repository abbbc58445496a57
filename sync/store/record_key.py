"""The key of a store record: ``source:table:remote_id``, e.g. ``salesforce:leads:00Q5...``.

Credits, acts, identities and review pairs name records by it. The remote id is last and
may hold colons of its own (a HubSpot history row's id does), so a key splits at its first
two colons only.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["RecordKey"]


class RecordKey(NamedTuple):
    """A store record's (source, table, remote_id); ``str()`` gives its text."""

    source: str
    table: str
    remote_id: str

    def __str__(self) -> str:
        return self.text(*self)

    @staticmethod
    def text(source: str, table: str, remote_id: str) -> str:
        """The text of the key of these parts, without building the tuple: a stage that
        names a million records (reconciliation's entities) builds only their text."""
        return f"{source}:{table}:{remote_id}"

    @classmethod
    def parse(cls, text: str) -> RecordKey:
        """The key ``text`` writes; a ValueError when it is not ``source:table:remote_id``."""
        found = cls.parse_or_none(text)
        if found is None:
            raise ValueError(f"{text!r} is not a record key (source:table:remote_id)")
        return found

    @classmethod
    def parse_or_none(cls, text: str) -> RecordKey | None:
        """The key ``text`` writes, or None when it is no record key."""
        parts = text.split(":", 2)
        if len(parts) != 3:
            return None
        return cls(*parts)
