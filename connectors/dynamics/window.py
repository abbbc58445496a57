"""The ``modifiedon`` window: how a table without change tracking is read.

Each call asks for the rows with ``modifiedon`` in the run's window, ordered by
``modifiedon`` then the primary key, after the last (modifiedon, id) pair already read, at
most a page (``$top``): a keyset, so rows changed while the run pages cannot shift a page
boundary the way a skip would. The window ends at the run's signpost (the environment's
time taken before reading); an incremental read starts ``lookback`` before the last
window's end (rows saved late with an earlier ``modifiedon``). The state after each page
is the window's start and the last pair read, so a killed run resumes after that page.

Deletes leave no trace in such a read: they are found by the engine's missed-delete id
check (``list_ids``, every ``full_id_check_every``, under the delete guard), as for the
other CRMs' windowed reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.dynamics.entities import TableRead
from connectors.dynamics.http import DynamicsHttp

__all__ = ["WindowPart", "WindowReader"]


@dataclass
class WindowPart:
    rows: list[dict[str, Any]]
    state: dict[str, Any]


def _literal(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


class WindowReader:
    def __init__(self, http: DynamicsHttp, page_size: int, headers: dict[str, str]) -> None:
        self.http = http
        self.page_size = page_size
        self.headers = headers

    @staticmethod
    def done(signpost: datetime | None, cursor: str | None = None) -> dict[str, Any]:
        """The state of a window read through ``signpost`` (without one, the window's
        start stays where it was)."""
        return {"cursor": _literal(signpost) if signpost else cursor, "after": None}

    def read(
        self,
        table: TableRead,
        select: str,
        state: dict[str, Any] | None,
        lookback: timedelta,
        signpost: datetime | None,
    ) -> Iterator[WindowPart]:
        saved = dict(state or {})
        cursor = saved.get("cursor")
        after = saved.get("after")
        since = _parse(cursor) - lookback if cursor and not after else None
        key = table.id_field
        while True:
            clauses = []
            if after:
                stamp, last = after
                clauses.append(
                    f"(modifiedon gt {stamp} or (modifiedon eq {stamp} and {key} gt {last}))"
                )
            elif since is not None:
                clauses.append(f"modifiedon ge {_literal(since)}")
            if signpost is not None:
                clauses.append(f"modifiedon le {_literal(signpost)}")
            params = {
                "$select": select,
                "$orderby": f"modifiedon asc,{key} asc",
                "$top": str(self.page_size),
            }
            if clauses:
                params["$filter"] = " and ".join(clauses)
            body = self.http.call("GET", table.entity_set, params=params, headers=self.headers)
            rows: list[dict[str, Any]] = list((body.body or {}).get("value", []))
            if len(rows) < self.page_size:
                yield WindowPart(rows, self.done(signpost, cursor))
                return
            last_row = rows[-1]
            after = [last_row["modifiedon"], str(last_row[key])]
            yield WindowPart(rows, {"cursor": cursor, "after": after})
