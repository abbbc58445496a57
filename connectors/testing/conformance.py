"""Checks every connector must pass: its profile, its pull contract and its writer contract.

Each check raises ``ConformanceError`` (an ``AssertionError``, so pytest shows it as a
failed assertion) listing every problem it found, not just the first. A test of a connector
calls them with a connector pointed at something real (the sandbox, a test account, the
files a plugin reads) and, where it knows them, the ids that must come back::

    from connectors.testing import check_profile, check_pull, check_write

    def test_my_connector_conforms(connector):
        check_profile(type(connector))
        ids = check_pull(connector, expected={"contacts": {"1", "2"}})
        check_write(connector, "contacts", sorted(ids["contacts"]))
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from connectors.core.channels import CATEGORIES, CHANNELS
from connectors.core.contract import (
    STREAM_RECORD_TYPES,
    FieldSpec,
    FieldUpdate,
    ReadOptions,
    StreamInfo,
    WriteResult,
)
from connectors.core.profile import CrmProfile
from connectors.core.records import RECORD_TYPES
from connectors.core.registry import available_connectors, load_connector

__all__ = ["ConformanceError", "check_profile", "check_pull", "check_streams", "check_write"]

_FIELD = "crmsync_conformance"


class ConformanceError(AssertionError):
    """A connector breaks its contract; ``problems`` lists each way it does."""

    def __init__(self, what: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{what}:\n- " + "\n- ".join(self.problems))


def _raise(what: str, problems: list[str]) -> None:
    if problems:
        raise ConformanceError(what, problems)


def check_profile(connector_class: type, *, registered: bool = True) -> CrmProfile:
    """The class declares ``kind``, ``settings_model`` and a consistent ``profile``; with
    ``registered``, it is the class the ``crmsync.connectors`` entry point names."""
    problems: list[str] = []
    kind = getattr(connector_class, "kind", None)
    if not isinstance(kind, str) or not kind:
        problems.append("class attribute `kind` must be a non-empty string")
    model = getattr(connector_class, "settings_model", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        problems.append("class attribute `settings_model` must be a pydantic model class")
    profile = getattr(connector_class, "profile", None)
    if not isinstance(profile, CrmProfile):
        problems.append("class attribute `profile` must be a connectors.core.CrmProfile")
        _raise(f"{connector_class.__name__} profile", problems)
    assert isinstance(profile, CrmProfile)
    if profile.kind != kind:
        problems.append(f"profile.kind {profile.kind!r} differs from kind {kind!r}")
    problems += profile.problems()
    problems += _channel_problems(profile)
    named = profile.custom_field_name(_FIELD)
    if not named.startswith(_FIELD) or profile.custom_field_name(named) != named:
        problems.append(f"custom_field_name({_FIELD!r}) = {named!r} is not stable")
    if profile.creator_of({}) is not None or profile.creator_of(None) is not None:
        problems.append("creator_of must be None for a payload that names no creator")
    problems += _write_request_problems(profile, named)
    if registered and isinstance(kind, str) and kind:
        if kind not in available_connectors():
            problems.append(f"no {kind!r} entry point in the crmsync.connectors group")
        elif load_connector(kind) is not connector_class:
            problems.append(f"the {kind!r} entry point names another class")
    _raise(f"{connector_class.__name__} profile", problems)
    return profile


def _channel_problems(profile: CrmProfile) -> list[str]:
    problems: list[str] = []
    for category, values in profile.channels.items():
        if category not in CATEGORIES:
            problems.append(f"channels: unknown category {category!r} (one of {CATEGORIES})")
        wrong = sorted(v for v in values.values() if v not in CHANNELS)
        if wrong:
            problems.append(f"channels.{category}: {wrong} are not channels {CHANNELS}")
    return problems


def _write_request_problems(profile: CrmProfile, named: str) -> list[str]:
    if profile.write_request is None:
        return []
    request = profile.write_request(
        next(iter(profile.object_names.values()), "records"),
        [FieldUpdate("1", {named: Decimal("1.5")})],
    )
    if not {"method", "path", "body"} <= set(request):
        return ["write_request must return a dict with method, path and body"]
    try:
        json.dumps(request)
    except (TypeError, ValueError) as exc:
        return [f"write_request must return JSON-able data: {exc}"]
    return []


def check_streams(connector: Any) -> dict[str, StreamInfo]:
    """``streams()`` names each stream once, with the record type its name implies, and
    covers the profile's lead and response streams."""
    problems: list[str] = []
    infos = connector.streams()
    by_name = {info.name: info for info in infos}
    if not infos:
        problems.append("streams() is empty")
    if len(by_name) != len(infos):
        problems.append("streams() names a stream twice")
    for info in infos:
        if not isinstance(info, StreamInfo):
            problems.append(f"{info!r} is not a StreamInfo")
            continue
        wanted = STREAM_RECORD_TYPES.get(info.name)
        if wanted is not None and info.record_type != wanted:
            problems.append(f"stream {info.name}: record_type {info.record_type!r}, not {wanted!r}")
        if info.record_type not in RECORD_TYPES:
            problems.append(f"stream {info.name}: unknown record type {info.record_type!r}")
    profile: CrmProfile = type(connector).profile
    for stream in (*profile.lead_streams, *profile.response_streams):
        if stream not in by_name:
            problems.append(f"profile names stream {stream!r}, which streams() lacks")
    if not set(profile.response_streams) <= set(profile.lead_streams):
        problems.append("profile.response_streams must be lead streams")
    _raise(f"{type(connector).__name__} streams", problems)
    return by_name


def check_pull(
    connector: Any,
    expected: Mapping[str, Collection[str]] | None = None,
    *,
    streams: Sequence[str] | None = None,
) -> dict[str, set[str]]:
    """A full read of each stream yields pages of records from this source (of the stream's
    record type, and any it carries along), with JSON-able state; the live ids equal
    ``expected`` (where given) and ``list_ids`` (for streams that detect deletes); reading
    on from the last state adds no record. Returns the live ids read, by stream."""
    problems: list[str] = []
    infos = check_streams(connector)
    found: dict[str, set[str]] = {}
    for name in streams or sorted(infos):
        info = infos[name]
        ids: set[str] = set()
        state: dict[str, Any] | None = None
        for page in connector.read(name, None, ReadOptions(full=True)):
            if page.stream != name:
                problems.append(f"{name}: a page says it is of stream {page.stream!r}")
            try:
                json.dumps(page.state)
            except (TypeError, ValueError) as exc:
                problems.append(f"{name}: page state is not JSON-able ({exc})")
            state = page.state
            for record in page.records:
                if record.source != connector.name:
                    problems.append(f"{name}: record source {record.source!r}")
                # A stream may carry records of other types along (a deal's contact roles).
                if type(record) is RECORD_TYPES[info.record_type] and not record.deleted:
                    ids.add(record.remote_id)
            ids -= set(page.deleted_ids)
        found[name] = ids
        if expected is not None and name in expected and ids != set(expected[name]):
            missing, extra = sorted(set(expected[name]) - ids), sorted(ids - set(expected[name]))
            problems.append(f"{name}: ids differ (missing {missing[:5]}, extra {extra[:5]})")
        if info.detects_deletes:
            listed = set(connector.list_ids(name))
            if listed != ids:
                problems.append(f"{name}: list_ids gives {len(listed)} ids, the read {len(ids)}")
        if info.incremental and state is not None:
            again = {
                r.remote_id
                for page in connector.read(name, state, ReadOptions())
                for r in page.records
                if type(r) is RECORD_TYPES[info.record_type]
            }
            if not again <= ids:
                problems.append(f"{name}: reading on from the last state found new records")
    _raise(f"{type(connector).__name__} pull", problems)
    return found


def check_write(
    connector: Any,
    object_name: str,
    remote_ids: Sequence[str],
    *,
    unknown_id: str | None = None,
    read_back: str | None = None,
) -> list[WriteResult]:
    """Writing a number field to ``remote_ids`` (and to ``unknown_id``, which must fail
    alone) gives one result per update, in order; a read-only connector fails every one
    with a reason. With ``read_back`` (a stream), a full read then shows the values."""
    problems: list[str] = []
    (status,) = connector.ensure_fields(
        object_name, [FieldSpec(_FIELD, "crmsync conformance", "number")], True
    )
    writable = status.exists
    if not writable and not status.instructions:
        problems.append(f"ensure_fields on {object_name}: a missing field needs instructions")
    api_name = status.field if writable else _FIELD
    values = {rid: Decimal(i + 1) for i, rid in enumerate(remote_ids)}
    updates = [FieldUpdate(rid, {api_name: value}) for rid, value in values.items()]
    if unknown_id is not None:
        updates.append(FieldUpdate(unknown_id, {api_name: Decimal(1)}))
    results = connector.write(object_name, updates)
    if [r.remote_id for r in results] != [u.remote_id for u in updates]:
        problems.append("write must return one result per update, in the updates' order")
    for result in results:
        if not result.ok and not result.error:
            problems.append(f"{result.remote_id}: a failed write needs an error")
        expected_ok = writable and result.remote_id != unknown_id
        if result.ok != expected_ok:
            problems.append(f"{result.remote_id}: ok is {result.ok}, expected {expected_ok}")
    if writable and read_back is not None and not problems:
        seen: dict[str, Any] = {}
        for page in connector.read(read_back, None, ReadOptions(full=True)):
            for record in page.records:
                if record.remote_id in values:
                    seen[record.remote_id] = record.custom_fields.get(api_name)
        wrong = sorted(
            rid
            for rid, value in values.items()
            if seen.get(rid) is None or Decimal(str(seen[rid])) != value
        )
        if wrong:
            problems.append(f"read back from {read_back}: {wrong[:5]} lack the written values")
    _raise(f"{type(connector).__name__} write", problems)
    return list(results)
