"""``DynamicsConnector``: Dynamics 365 Sales through the Dataverse Web API (v9.2).

Tokens from Entra ID through MSAL (client credentials), HTTP through ``requests`` (see
``http.py`` for why not Microsoft's Dataverse client), reads with change tracking
(``reader.py``), write-back through ``$batch`` (``writer.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from connectors.core.base import HttpConnector
from connectors.core.channels import ChannelMap
from connectors.core.contract import (
    STREAM_RECORD_TYPES,
    CheckResult,
    Page,
    ReadOptions,
    StreamInfo,
)
from connectors.core.custom import CustomObjectMapping
from connectors.core.discovery import ObjectInfo
from connectors.core.errors import ConnectorError, ConnectorFatalError
from connectors.core.http import quick_calls
from connectors.core.profile import CrmProfile
from connectors.core.retry import RetryPolicy
from connectors.dynamics import teams
from connectors.dynamics.auth import DynamicsTokenSource
from connectors.dynamics.batch import BatchAnswer, get_batch
from connectors.dynamics.custom import CustomStreams, discover
from connectors.dynamics.entities import CHOICE_COLUMNS, STREAM_TABLES, WRITABLE, TableRead
from connectors.dynamics.http import AccessDenied, DynamicsHttp, DynamicsResponse
from connectors.dynamics.mapping import DynamicsMapper
from connectors.dynamics.metadata import TableMetadata
from connectors.dynamics.profile import PROFILE
from connectors.dynamics.reader import TableReader
from connectors.dynamics.settings import DynamicsSettings
from connectors.dynamics.writer import DynamicsWriter

__all__ = ["DynamicsConnector"]

# streams whose rows are derived from another table's: a deleted row may be no record
_DERIVED = {"deal_contacts"}


class DynamicsConnector(HttpConnector[DynamicsSettings]):
    """Reads and writes one Dataverse environment (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "dynamics"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[DynamicsSettings]] = DynamicsSettings

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        settings, name = self.settings, self.name
        self.http = DynamicsHttp(settings, self.session, self.budget, retry, name)
        self.tokens = DynamicsTokenSource(settings, self.session, name)
        self.http.tokens = self.tokens
        self.metadata = TableMetadata(
            self.http,
            settings.publisher_prefix,
            (t.logical for tables in STREAM_TABLES.values() for t in tables),
            WRITABLE.values(),
            CHOICE_COLUMNS,
        )
        self.mapper = DynamicsMapper(
            name,
            channels,
            self.metadata.choices,
            settings.publisher_prefix,
            self.metadata.known_custom,
        )
        self.reader = TableReader(self.http, settings.page_size)
        self.writer = DynamicsWriter(self.http, self.metadata, settings.write_batch_size)
        # ids seen by a full read that replaced an expired delta token, per entity set:
        # the missed-delete check compares them with the store without listing them again
        self._fresh_ids: dict[str, set[str]] = {}
        # the run's planned first reads (``plan_reads``), and their answers once the
        # metadata batch brought them, each taken once by the read it belongs to
        self._planned: list[tuple[str, Mapping[str, str]]] = []
        self._ahead: dict[tuple[str, tuple[tuple[str, str], ...]], BatchAnswer] = {}
        self.custom = CustomStreams(name, self.http, self.metadata, self.reader)

    # -- contract ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                body = self.http.call("GET", "WhoAmI").body or {}
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        return CheckResult(
            True,
            f"connected to Dynamics 365 at {self.settings.environment_url} as application "
            f"user {body.get('UserId')}",
            {"organization_id": body.get("OrganizationId"), "user_id": body.get("UserId")},
        )

    def streams(self) -> list[StreamInfo]:
        return [
            StreamInfo(
                stream,
                STREAM_RECORD_TYPES[stream],
                tuple(t.logical for t in tables),
                writable=stream in WRITABLE,
            )
            for stream, tables in STREAM_TABLES.items()
        ] + self.custom.infos()

    def plan_reads(
        self, states: Mapping[str, Mapping[str, Any] | None], options: ReadOptions
    ) -> None:
        """Plan the run's first reads: the saved link (a delta link, or the next page of
        an interrupted read) of each table of the standard streams read, and the users'
        teams. ``server_time`` sends them in the metadata ``$batch``; a full read, or a
        table never read, starts from its own call (its columns come from the metadata).
        The choice labels the streams keep, all as of one metadata stamp, are restored:
        the batch then asks only for the option sets changed since."""
        tracking, plain = self.reader.headers(tracking=True), self.reader.headers(tracking=False)
        planned: list[tuple[str, Mapping[str, str]]] = []
        stamps: set[str | None] = set()
        choices: dict[str, Any] = {}
        for stream, state in states.items():
            if options.full or stream not in STREAM_TABLES:
                continue
            if any(t.logical in CHOICE_COLUMNS for t in STREAM_TABLES[stream]):
                kept = (state or {}).get("metadata") or {}
                stamps.add(kept.get("stamp"))
                choices.update(kept.get("choices") or {})
            if stream == "users":
                planned += [(q, plain) for q in teams.QUERIES]
            tables = (state or {}).get("tables") or {}
            for table in STREAM_TABLES[stream]:
                saved = tables.get(table.entity_set) or {}
                link = saved.get("next") or saved.get("delta")
                if link and "window" not in saved:
                    planned.append((str(link), tracking))
        self._planned = planned
        if len(stamps) == 1:  # every stream keeps choices as of the same stamp
            self.metadata.restore(stamps.pop(), choices)

    def server_time(self) -> datetime:
        """The environment's clock: the Date header of the run's metadata ``$batch`` (the
        choice labels, custom columns and change-tracking flags every stream needs), so
        taking the time costs no call of its own. The planned first reads ride along."""
        planned, self._planned = self._planned, []
        answers = self.metadata.load(planned)
        self._ahead = {_key(t, h): a for (t, h), a in zip(planned, answers, strict=True)}
        if self.http.last_date is None:
            raise ConnectorFatalError("Dataverse sent no Date header", source=self.name)
        return self.http.last_date

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream in self.custom.mappings:
            yield from self.custom.read(stream, state, options)
            return
        if stream not in STREAM_TABLES:
            raise ConnectorFatalError(f"Dynamics has no stream {stream!r}", source=self.name)
        tables: dict[str, Any] = dict((state or {}).get("tables") or {})
        reads = STREAM_TABLES[stream]
        selects = {t.entity_set: self._select(stream, t) for t in reads}
        if stream == "users":
            yield from self._users(reads[0], tables, selects, options, state or {})
            return
        first = self._first_pages(reads, tables, selects, options.full)
        for table in reads:
            yield from self._table_pages(
                stream,
                table,
                tables,
                selects[table.entity_set],
                options,
                first.get(table.entity_set),
            )

    def _table_pages(
        self,
        stream: str,
        table: TableRead,
        tables: dict[str, Any],
        select: str,
        options: ReadOptions,
        first: DynamicsResponse | None,
        prepare: Callable[[list[dict[str, Any]]], None] | None = None,
        extra_state: Mapping[str, Any] | None = None,
    ) -> Iterator[Page]:
        """One table's pages; ``tables`` (the stream's state per table) moves with them."""
        fresh: set[str] | None = None
        for part in self.reader.read(
            table,
            select,
            tables.get(table.entity_set),
            options.full,
            tracked=self.metadata.tracked(table.logical),
            lookback=options.lookback,
            signpost=options.signpost,
            first=first,
        ):
            if prepare is not None:
                prepare(part.rows)
            records, bad = self.mapper.map_rows(stream, table.logical, table.id_field, part.rows)
            if part.restarted:
                fresh = fresh if fresh is not None else set()
                fresh.update(str(r[table.id_field]) for r in part.rows)
            tables[table.entity_set] = part.state
            state = {"tables": dict(tables), **self._kept(stream), **(extra_state or {})}
            page = Page(stream, records, state, bad, part.deleted_ids)
            page.check_deletes = part.restarted
            yield page
        if fresh is not None:
            self._fresh_ids[table.entity_set] = fresh

    def _users(
        self,
        table: TableRead,
        tables: dict[str, Any],
        selects: Mapping[str, str],
        options: ReadOptions,
        saved: Mapping[str, Any],
    ) -> Iterator[Page]:
        """System users with their teams and language (``teams.py``): the teams, the
        memberships, the user settings and the users' first page in one ``$batch``; then the
        users whose teams or language changed."""
        before: Mapping[str, Any] | None = saved.get("teams")
        spoken_before: Mapping[str, str] | None = saved.get("languages")
        select = selects[table.entity_set]
        plain = self.reader.headers(tracking=False)
        requests: list[tuple[str, Mapping[str, str]]] = [(q, plain) for q in teams.QUERIES]
        state = tables.get(table.entity_set)
        tracked = not self.reader.windowed(
            state, select, options.full, self.metadata.tracked(table.logical)
        )
        if tracked:
            link = self.reader.first_link(state, select, options.full)
            target = link or f"{table.entity_set}?$select={select}"
            requests.append((target, self.reader.headers(tracking=True)))
        answers = self._answers(requests)
        refused: AccessDenied | None = None
        try:
            members: teams.TeamMap | None = teams.team_map(self.http, answers[0], answers[1], plain)
        except AccessDenied as exc:  # the users still come, without their teams
            members, refused = None, exc
        spoken = teams.languages(self.http, answers[2], plain)
        first = None
        if tracked and answers[3].ok:
            first = DynamicsResponse(answers[3].status, answers[3].body, {}, b"")
        seen: set[str] = set()

        def prepare(rows: list[dict[str, Any]]) -> None:
            for row in rows:
                rid = str(row[table.id_field])
                if members is not None:
                    row["teams"] = members.get(rid, [])
                if spoken is not None and rid in spoken:
                    row["language"] = spoken[rid]
                seen.add(rid)

        kept: dict[str, Any] = {"teams": dict(before)} if before is not None else {}
        if members is None:  # no teams known: the next run that reads them updates all
            kept = {"teams": {}}
        if spoken_before is not None:
            kept["languages"] = dict(spoken_before)
        yield from self._table_pages("users", table, tables, select, options, first, prepare, kept)
        if members is None:
            raise AccessDenied(
                f"users were read without their teams: {refused}", source=self.name, status=403
            )
        changed = teams.changed_users(before, members)
        changed += teams.changed_languages(spoken_before, spoken)
        again = sorted({u for u in changed if u not in seen})
        for rows in teams.read_users_by_id(self.http, again, select, plain):
            prepare(rows)
            records, bad = self.mapper.map_rows("users", table.logical, table.id_field, rows)
            yield Page("users", records, {"tables": dict(tables), **kept}, bad)
        now: dict[str, Any] = {"teams": teams.ids_of(members)}
        languages_now = spoken if spoken is not None else spoken_before
        if languages_now is not None:
            now["languages"] = dict(languages_now)
        if now["teams"] != before or now.get("languages") != spoken_before:
            yield Page("users", [], {"tables": dict(tables), **now})

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, only)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            yield from self.custom.list_ids(stream)
            return
        for table in STREAM_TABLES[stream]:
            if stream in _DERIVED:
                select = self._select(stream, table)
                for part in self.reader.read(table, select, None, True):
                    records, _ = self.mapper.map_rows(
                        stream, table.logical, table.id_field, part.rows
                    )
                    yield from (r.remote_id for r in records)
                continue
            if table.entity_set in self._fresh_ids:
                yield from sorted(self._fresh_ids[table.entity_set])
                continue
            yield from self.reader.list_ids(table)

    # -- helpers -------------------------------------------------------------------------

    def _kept(self, stream: str) -> dict[str, Any]:
        """The choice labels of the stream's tables the state keeps (with their stamp)."""
        kept = self.metadata.snapshot(t.logical for t in STREAM_TABLES[stream])
        return {"metadata": kept} if kept is not None else {}

    def _select(self, stream: str, table: TableRead) -> str:
        columns = list(table.columns)
        if stream in WRITABLE:  # custom columns written back are read back
            columns += self.metadata.custom_columns(table.logical)
        return ",".join(columns)

    def _first_pages(
        self,
        reads: Sequence[TableRead],
        tables: Mapping[str, Any],
        selects: Mapping[str, str],
        full: bool,
    ) -> dict[str, DynamicsResponse]:
        """The first page of each tracked table of a stream (a delta page, or the first
        page of a full read), in one ``$batch`` when the stream has several (the activity
        tables): a run then costs one call per stream and table page beyond the first. An
        answer that failed (an expired token) is left for the table's own read, which
        handles it."""
        links = {}
        for t in reads:
            state, select = tables.get(t.entity_set), selects[t.entity_set]
            if self.reader.windowed(state, select, full, self.metadata.tracked(t.logical)):
                continue
            link = self.reader.first_link(state, select, full)
            links[t.entity_set] = link or f"{t.entity_set}?$select={select}"
        headers = self.reader.headers(tracking=True)
        found = {e: a for e, link in links.items() if (a := self._take(link, headers)) is not None}
        rest = {e: link for e, link in links.items() if e not in found}
        if len(rest) >= 2:
            answers = get_batch(self.http, [(link, headers) for link in rest.values()])
            found.update(zip(rest, answers, strict=True))
        return {
            entity_set: DynamicsResponse(a.status, a.body, {}, b"")
            for entity_set, a in found.items()
            if a.ok
        }

    def _take(self, target: str, headers: Mapping[str, str]) -> BatchAnswer | None:
        """The answer to this GET fetched ahead with the metadata, if any: taken once, and
        a refusal (an expired delta token) is handled as the same answer in a stream's
        own batch would be."""
        return self._ahead.pop(_key(target, headers), None)

    def _answers(self, requests: Sequence[tuple[str, Mapping[str, str]]]) -> list[BatchAnswer]:
        """Answers to these GETs: those fetched ahead, the rest in one ``$batch``."""
        taken = [self._take(target, headers) for target, headers in requests]
        missing = [r for r, a in zip(requests, taken, strict=True) if a is None]
        fetched = iter(get_batch(self.http, missing) if missing else [])
        return [a if a is not None else next(fetched) for a in taken]


def _key(target: str, headers: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return target, tuple(sorted(headers.items()))
