"""The connector contract: the handful of methods every CRM connector implements.

A connector is built from its validated settings (a pydantic model the connector declares
as ``settings_model``) and an optional ``requests.Session`` (so tests and the sandbox can
pass a CA bundle). It reads streams as pages of common records plus the state that
resumes after each page, and writes field updates in batches with one result per record.
Everything else (paging, auth, retries, quota) is the connector's own small objects.

Every connector class is constructed the same way, by the application or a test::

    Connector(name, settings, *, channels=None, quota=None, session=None)

``name`` is the source name (it becomes ``CommonRecord.source``), ``settings`` an instance of
the class's ``settings_model``, ``channels`` a ``ChannelMap`` (defaults for the kind when
``None``), ``quota`` a shared ``QuotaBudget`` and ``session`` a ``requests.Session`` to use.

Streams are named after the record type they yield: ``users``, ``leads``, ``contacts``,
``accounts``, ``deals``, ``deal_contacts``, ``activities``, ``cases``, ``campaign_members``,
``deal_products``, ``deal_splits``, ``history`` (field changes from the CRM's own
history, read on the time each change was made) and ``events`` (digital touches: the
events connector).
Stream state is a JSON-able dict, opaque to the engine, that must resume the stream after
the page it comes with (crash-safe: the engine commits page and state together).

Besides ``kind`` and ``settings_model``, a connector class declares ``profile``, its
``CrmProfile`` (``connectors/core/profile.py``): all the rest of crmsync may know about the
CRM. ``connectors.testing`` checks a connector against this contract.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from connectors.core.records import CommonRecord

if TYPE_CHECKING:
    from connectors.core.profile import CrmProfile

__all__ = [
    "STREAM_RECORD_TYPES",
    "ApiUsage",
    "CheckResult",
    "Connector",
    "FieldSpec",
    "FieldStatus",
    "FieldUpdate",
    "LinkedRecords",
    "Page",
    "PlansReads",
    "Quarantined",
    "ReadOptions",
    "StreamInfo",
    "WriteResult",
]


# The standard streams and the record type each yields.
STREAM_RECORD_TYPES: dict[str, str] = {
    "users": "user",
    "leads": "lead",
    "contacts": "contact",
    "accounts": "account",
    "deals": "deal",
    "deal_contacts": "deal_contact",
    "activities": "activity",
    "cases": "case",
    "campaign_members": "campaign_member",
    "deal_products": "deal_product",
    "deal_splits": "deal_split",
    "history": "field_change",
    "events": "event",
}


@dataclass(frozen=True)
class StreamInfo:
    """A stream a connector can read: its common record type and capabilities."""

    name: str
    record_type: str
    remote_objects: tuple[str, ...]
    incremental: bool = True
    detects_deletes: bool = True
    writable: bool = False
    # the remote ids of this stream start with it, and no other stream's do (a custom
    # object mapped to a common kind shares its table with a standard stream)
    id_prefix: str | None = None
    # rows are only ever added (a CRM's history): no missed-delete id check
    append_only: bool = False


@dataclass(frozen=True)
class Quarantined:
    """A record that could not be mapped, with why and its raw payload."""

    remote_id: str | None
    reason: str
    raw: dict[str, Any]


@dataclass
class Page:
    """One page of a stream, and the state that resumes right after it."""

    stream: str
    records: list[CommonRecord]
    state: dict[str, Any]
    quarantined: list[Quarantined] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    api_calls: int = 0
    # the connector asks for the missed-delete id check once this read ends: its cursor
    # expired and it read (part of) the stream again from the start, so rows deleted
    # meanwhile are found only by comparing ids (``list_ids``), under the delete guard
    check_deletes: bool = False


class LinkedRecords(Protocol):
    """Read-only: which records the store holds for this source link to given records.

    ``linked("activity", "contact", ids)`` maps the remote id of every live stored
    activity of this source whose ``contact_id`` is one of ``ids`` to that id: the field
    named ``{to_kind}_id`` of ``kind``'s common record (``deal_contact`` rows included, by
    their ``contact_id`` or ``deal_id``). ``match`` narrows to records whose other fields
    equal the values given (``{"activity_type": "call"}``). A kind without such a field
    gives nothing. Connectors use it where the CRM hides a link without dating the change (a
    record archived in HubSpot): they re-read just the records that pointed at it.
    """

    def __call__(
        self,
        kind: str,
        to_kind: str,
        ids: Collection[str],
        match: Mapping[str, str] | None = None,
    ) -> dict[str, str]: ...

    def any_of(
        self,
        kind: str,
        wanted: Mapping[str, Collection[str]],
        match: Mapping[str, str] | None = None,
    ) -> dict[str, dict[str, str]]:
        """``{to_kind: self(kind, to_kind, ids, match)}`` for each ``to_kind: ids`` of
        ``wanted``, asked as one question (one read of ``kind``'s records)."""
        ...


@dataclass(frozen=True)
class ReadOptions:
    """How to read: ``full`` reads every record from the start (the saved state is still
    passed, for what a full read does not replace, such as a deleted-records cursor);
    ``signpost`` caps the cursor. ``linked`` is the store's link lookup when the engine
    has a store (None for a connector run on its own: a connector then reads more)."""

    full: bool = False
    lookback: timedelta = timedelta(minutes=10)
    signpost: datetime | None = None
    page_size: int | None = None
    linked: LinkedRecords | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FieldUpdate:
    """New values for one record: remote field name -> value. ``version`` is the record's
    version as the store last read it (the profile's ``version_field``), for CRMs that
    refuse a write to a record changed since; None writes whatever the CRM holds."""

    remote_id: str
    values: Mapping[str, Any]
    version: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """One record's write. ``conflict``: refused because the record changed in the CRM
    since ``FieldUpdate.version`` (never retriable: sync first)."""

    remote_id: str
    ok: bool
    error: str | None = None
    retriable: bool = False
    conflict: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """A custom field crmsync needs on a CRM object."""

    name: str
    label: str
    type: Literal["text", "number", "currency", "percent", "date", "datetime"] = "number"


@dataclass(frozen=True)
class FieldStatus:
    object: str
    field: str
    exists: bool
    created: bool = False
    instructions: str | None = None


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiUsage:
    """Calls made by this connector instance, and the CRM's quota where it reports one."""

    calls: int
    used: int | None = None
    limit: int | None = None


@runtime_checkable
class Connector(Protocol):
    """What the pull needs from a CRM connector."""

    kind: ClassVar[str]
    settings_model: ClassVar[type[BaseModel]]
    profile: ClassVar[CrmProfile]

    def check(self) -> CheckResult:
        """Verify credentials and reachability without reading data."""

    def streams(self) -> list[StreamInfo]:
        """The streams this connector can read."""

    def server_time(self) -> datetime:
        """The CRM's current time (for the signpost), never the local clock."""

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        """Pages of records from ``state`` on; each page carries the state after it."""

    def list_ids(self, stream: str) -> Iterator[str]:
        """Every live remote id of a stream (for the periodic missed-delete check)."""

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        """Write updates in the CRM's largest batches; one result per update, in order."""

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        """Check (and, if allowed, create) custom fields; otherwise say how to create them."""

    def api_usage(self) -> ApiUsage:
        """Calls made so far and the quota left, from the CRM's limit headers."""

    def close(self) -> None:
        """Release sessions."""


@runtime_checkable
class PlansReads(Protocol):
    """A connector that is told, before ``server_time``, the saved state of every stream a
    run will read, so it can fetch their first pages together (one call for many
    streams); the engine calls ``plan_reads`` only on connectors that have it."""

    def plan_reads(
        self, states: Mapping[str, Mapping[str, Any] | None], options: ReadOptions
    ) -> None:
        """``states``: stream -> its saved state (None: never read); ``options``: how the
        run reads (its ``signpost`` is not taken yet)."""
