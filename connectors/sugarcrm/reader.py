"""Reading Sugar modules through the filter API, in keyset order.

Each call asks ``POST /rest/v11/<Module>/filter`` for records with ``date_modified`` in
the run's window, ordered by ``date_modified`` then ``id``, and after the last (date, id)
pair already read: a keyset, so records changed while the run pages cannot shift a page
boundary the way ``offset`` paging would; ``next_offset`` -1 ends the read. The saved
state is the last pair read; an incremental read starts again ``lookback`` before it
(records saved late with an earlier ``date_modified``), with ``show_deleted`` so deleted
records come back with ``deleted: true``. The window ends before the run's signpost.

An opportunity's contact roles are no module of their own: they are the ``contacts`` link
(``GET /rest/v11/Opportunities/<id>/link/contacts``, each contact with its
``opportunity_role``), read 100 opportunities per bulk API call. ``DealContactReader``
reads the links of the opportunities that changed, and of every opportunity on a full
read; the state keeps the contact ids per opportunity, so a role that went (or a deleted
contact: Sugar deletes its links without touching the opportunity) is a delete.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.sugarcrm.http import SugarHttp
from connectors.sugarcrm.mapping import pair_id

__all__ = ["DealContactReader", "ModuleReader", "Part"]

ORDER = "date_modified:asc,id:asc"
# link reads per bulk call: Sugar sets no documented cap; 100 keeps one answer small
LINKS_PER_BULK = 100


@dataclass
class Part:
    rows: list[dict[str, Any]]
    state: dict[str, Any]
    deleted_ids: list[str] = field(default_factory=list)


def _second(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat()


class ModuleReader:
    def __init__(self, http: SugarHttp, page_size: int) -> None:
        self.http = http
        self.page_size = page_size

    def read(
        self,
        module: str,
        state: dict[str, Any] | None,
        full: bool,
        lookback: timedelta,
        signpost: datetime | None,
        fields: list[str] | None = None,
        first: Mapping[str, Any] | None = None,
    ) -> Iterator[Part]:
        """Pages of live rows (and deleted ids, on incremental reads) after ``state``;
        ``first`` is the answer to the first page's query, fetched ahead (``first_body``)."""
        incremental = not full and bool(state and state.get("cursor"))
        after: tuple[str, str] | None = None
        current = dict(state or {}) if incremental else {}
        while True:
            if first is not None:
                answer, first = first, None
            else:
                body = self.body(state, full, lookback, signpost, fields, after)
                answer = self.http.call("POST", f"{module}/filter", json=body) or {}
            records = answer.get("records") or []
            live = [r for r in records if not r.get("deleted")]
            gone = [str(r["id"]) for r in records if r.get("deleted")]
            if records:
                last = records[-1]
                after = (str(last["date_modified"]), str(last["id"]))
                current = {"cursor": after[0], "id": after[1]}
            yield Part(live, dict(current), gone)
            if not records or answer.get("next_offset", -1) == -1:
                return

    def body(
        self,
        state: Mapping[str, Any] | None,
        full: bool,
        lookback: timedelta,
        signpost: datetime | None,
        fields: list[str] | None = None,
        after: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """The filter query of a page (the first one without ``after``)."""
        conditions: list[dict[str, Any]] = []
        incremental = not full and bool(state and state.get("cursor"))
        if incremental:
            assert state is not None
            start = datetime.fromisoformat(state["cursor"]) - lookback
            conditions.append({"date_modified": {"$gte": _second(start)}})
        if signpost is not None:
            conditions.append({"date_modified": {"$lt": _second(signpost)}})
        if after is not None:
            stamp, rid = after
            conditions.append(
                {
                    "$or": [
                        {"date_modified": {"$gt": stamp}},
                        {"$and": [{"date_modified": stamp}, {"id": {"$gt": rid}}]},
                    ]
                }
            )
        body: dict[str, Any] = {
            "filter": conditions,
            "max_num": self.page_size,
            "offset": 0,
            "order_by": ORDER,
            "show_deleted": incremental,
        }
        if fields:
            body["fields"] = ",".join(["id", "date_modified", "deleted", *fields])
        return body


class DealContactReader:
    def __init__(self, http: SugarHttp, modules: ModuleReader) -> None:
        self.http = http
        self.modules = modules

    def links(self, opportunity_id: str) -> list[dict[str, Any]]:
        """The opportunity's contacts with their role, every page of the link."""
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            params = {"max_num": self.modules.page_size, "offset": offset}
            answer = self.http.call(
                "GET", f"Opportunities/{opportunity_id}/link/contacts", params=params
            )
            answer = answer or {}
            rows += [
                {**r, "_opportunity_id": opportunity_id}
                for r in answer.get("records") or []
                if not r.get("deleted")
            ]
            offset = int(answer.get("next_offset", -1))
            if offset == -1:
                return rows

    def links_of(self, opportunity_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The contacts of many opportunities, ``LINKS_PER_BULK`` link reads per bulk call;
        an answer that is not a whole first page is read again on its own."""
        found: dict[str, list[dict[str, Any]]] = {}
        size = self.modules.page_size
        for start in range(0, len(opportunity_ids), LINKS_PER_BULK):
            chunk = opportunity_ids[start : start + LINKS_PER_BULK]
            requests = [
                {"url": f"/v11/Opportunities/{o}/link/contacts?max_num={size}", "method": "GET"}
                for o in chunk
            ]
            answers = self.http.call("POST", "bulk", json={"requests": requests}) or []
            for index, opp_id in enumerate(chunk):
                answer = answers[index] if index < len(answers) else {}
                contents = answer.get("contents") or {}
                if answer.get("status") != 200 or contents.get("next_offset", -1) != -1:
                    found[opp_id] = self.links(opp_id)
                    continue
                found[opp_id] = [
                    {**r, "_opportunity_id": opp_id}
                    for r in contents.get("records") or []
                    if not r.get("deleted")
                ]
        return found

    def read(
        self,
        state: dict[str, Any] | None,
        full: bool,
        lookback: timedelta,
        signpost: datetime | None,
    ) -> Iterator[Part]:
        state = {} if full or not state else state
        pairs: dict[str, list[str]] = {k: list(v) for k, v in (state.get("pairs") or {}).items()}
        opps_state, contacts_state = state.get("opps"), state.get("contacts")
        for part in self.modules.read(
            "Opportunities", opps_state, full, lookback, signpost, fields=["name"]
        ):
            rows: list[dict[str, Any]] = []
            gone: list[str] = []
            linked = self.links_of([str(opp["id"]) for opp in part.rows])
            for opp_id, found in linked.items():
                rows += found
                now = [str(r["id"]) for r in found]
                gone += [pair_id(opp_id, c) for c in pairs.get(opp_id, []) if c not in now]
                pairs[opp_id] = now
            for opp_id in part.deleted_ids:
                gone += [pair_id(opp_id, c) for c in pairs.pop(opp_id, [])]
            opps_state = part.state
            yield Part(rows, self._state(opps_state, contacts_state, pairs), gone)
        if full or not state:
            # the contacts' cursor starts where this full read started: their later deletes
            start = _second(signpost) if signpost else (opps_state or {}).get("cursor")
            contacts_state = {"cursor": start} if start else None
            yield Part([], self._state(opps_state, contacts_state, pairs), [])
            return
        for part in self.modules.read(
            "Contacts", contacts_state, False, lookback, signpost, fields=["last_name"]
        ):
            dead = set(part.deleted_ids)
            gone = []
            for opp_id, contacts in pairs.items():
                gone += [pair_id(opp_id, c) for c in contacts if c in dead]
                pairs[opp_id] = [c for c in contacts if c not in dead]
            contacts_state = part.state
            yield Part([], self._state(opps_state, contacts_state, pairs), gone)

    @staticmethod
    def _state(
        opps: dict[str, Any] | None, contacts: dict[str, Any] | None, pairs: dict[str, list[str]]
    ) -> dict[str, Any]:
        return {"opps": opps, "contacts": contacts, "pairs": {k: v for k, v in pairs.items() if v}}
