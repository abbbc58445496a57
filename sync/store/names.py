"""Records by the names people know them by: what a table of findings or of pairs to review
shows instead of a CRM id. One query per store table asked about, whatever the number of
records (no query per row)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, select, tuple_

from sync.store.records import TABLES
from sync.store.table_model import table_of

__all__ = ["display_names"]

# Store table -> its row model's key in TABLES.
_MODEL_OF = {
    "users": "user",
    "leads": "lead",
    "contacts": "contact",
    "accounts": "account",
    "deals": "deal",
    "activities": "activity",
    "cases": "case",
}
_CHUNK = 500


def display_names(
    connection: Connection, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], str]:
    """(source, store table, remote id) -> the record's name (a person's full name, else
    the record's name, subject or e-mail); records without one are left out."""
    wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for source, table, remote_id in keys:
        if table in _MODEL_OF:
            wanted[table].add((source, remote_id))
    found: dict[tuple[str, str, str], str] = {}
    for table, records in sorted(wanted.items()):
        model = table_of(TABLES[_MODEL_OF[table]])
        columns = [model.c.source, model.c.remote_id] + [
            model.c[n]
            for n in ("first_name", "last_name", "name", "subject", "email")
            if n in model.c
        ]
        ordered = sorted(records)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            query = select(*columns).where(tuple_(model.c.source, model.c.remote_id).in_(chunk))
            for row in connection.execute(query).mappings():
                person = " ".join(str(row[n]) for n in ("first_name", "last_name") if row.get(n))
                name = person or row.get("name") or row.get("subject") or row.get("email")
                if name:
                    found[(row["source"], table, row["remote_id"])] = str(name)
    return found
