"""What an incremental run takes as changed besides the records written since the last
run: the people of an account written since (their company and domain are its), and the
records deleted since."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from sync.store.records import AccountRow, ContactRow, LeadRow, UserRow
from sync.store.table_model import table_of

__all__ = ["deleted_since", "people_of_changed_accounts"]

_MODELS = {"users": UserRow, "accounts": AccountRow, "leads": LeadRow, "contacts": ContactRow}


def people_of_changed_accounts(connection: Connection, since: int | None, upto: int) -> set[str]:
    """Keys of the live contacts and converted leads whose account was written (changed,
    deleted) in ``(since, upto]``."""
    accounts = table_of(AccountRow).c
    window = accounts.change_seq <= upto
    if since is not None:
        window = window & (accounts.change_seq > since)
    found: set[str] = set()
    for table, column in (("contacts", "account_id"), ("leads", "converted_account_id")):
        people = table_of(_MODELS[table]).c
        query = (
            select(people.source, people.remote_id)
            .join_from(
                AccountRow,
                _MODELS[table],
                (people.source == accounts.source) & (people[column] == accounts.remote_id),
            )
            .where(window, people.is_deleted.is_(False))
        )
        found.update(f"{s}:{table}:{r}" for s, r in connection.execute(query))
    return found


def deleted_since(
    connection: Connection, tables: Iterable[str], since: int | None, upto: int
) -> set[str]:
    """Keys of the records of ``tables`` deleted in ``(since, upto]``."""
    found: set[str] = set()
    for table in tables:
        columns = table_of(_MODELS[table]).c
        query = select(columns.source, columns.remote_id).where(
            columns.is_deleted.is_(True), columns.change_seq <= upto
        )
        if since is not None:
            query = query.where(columns.change_seq > since)
        found.update(f"{s}:{table}:{r}" for s, r in connection.execute(query))
    return found
