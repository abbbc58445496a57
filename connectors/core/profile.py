"""A connector's CRM profile: what the rest of crmsync may know about a CRM, as data.

The pull, the audit, the push-back and the reports name no CRM. Whatever they need
to know about one (its object names, how to link to a record, how many records one write
call takes, how a custom field's API name is formed, which payload field names the
record's creator, which fields a record must have, whether users take custom fields) the
connector declares here, once, as its class attribute ``profile``. A plugin declares one
the same way and is then treated exactly like the built-in connectors.

A kind with no profile (not installed, or a connector that declares none) gets the
neutral ``CrmProfile(kind)``: stream names as object names, no record links, no creator.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the contract builds every record type: not needed to read a profile
    from connectors.core.contract import FieldUpdate

__all__ = ["RECORD_URL_FIELDS", "CrmProfile", "WriteRequest"]

# The placeholders a record URL template may use.
RECORD_URL_FIELDS = frozenset({"base", "object", "type_id", "id", "portal"})

# (CRM object name, updates) -> the request one write batch becomes, for dry runs.
WriteRequest = Callable[[str, Sequence["FieldUpdate"]], dict[str, Any]]


@dataclass(frozen=True)
class CrmProfile:
    """What crmsync knows of one CRM kind, declared by its connector.

    - ``object_names``: stream name -> the CRM's own object name (``deals`` ->
      ``Opportunity``), as used in findings, record links and required fields;
    - ``record_url``: a record's URL, with ``{base}``, ``{object}``, ``{type_id}``,
      ``{id}`` and ``{portal}``; ``default_base_url`` fills ``{base}`` when the source sets
      none, ``object_type_ids`` maps an object name to its ``{type_id}``;
    - ``write_batch_size``: records one write call takes;
    - ``custom_field_suffix``: what the CRM appends to a custom field's API name;
    - ``creator_field``: the path in a raw payload to the id of the user who created the
      record; ``creator_user_key``, when set, is the field of a *user's* payload that
      this id refers to (it is not the user's remote id);
    - ``required_fields``: object name -> API names a complete record fills in;
    - ``business_fields``: object name -> the required fields only a business contact
      fills (employer, job title): a consumer's (a person account's contact) is not asked
      for them;
    - ``lead_streams`` / ``response_streams``: streams whose records are leads, and those
      whose response time the audit measures;
    - ``user_fields``: whether user records take custom fields (push-back to users);
    - ``channels``: default channel of each raw value, per category (``lead_source``,
      ``activity``, ``case_origin``);
    - ``write_request``: the request a write batch becomes, shown by dry runs;
    - ``version_field``: the path in a raw payload to the record's version (an ETag), sent
      with write-back so the CRM refuses a write to a record changed since the last sync;
    - ``unwritable``: stream -> {remote id prefix: why}: records of a writable stream that
      the CRM's API cannot write (a stream fed by several objects, one of them without
      custom fields); push leaves them out and says why once per run.
    """

    kind: str
    object_names: Mapping[str, str] = field(default_factory=dict)
    record_url: str | None = None
    default_base_url: str = ""
    object_type_ids: Mapping[str, str] = field(default_factory=dict)
    write_batch_size: int = 100
    custom_field_suffix: str = ""
    creator_field: tuple[str, ...] = ()
    creator_user_key: str | None = None
    required_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    business_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lead_streams: tuple[str, ...] = ()
    response_streams: tuple[str, ...] = ()
    user_fields: bool = False
    channels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    write_request: WriteRequest | None = field(default=None, compare=False)
    version_field: tuple[str, ...] = ()
    unwritable: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def unwritable_reason(self, stream: str, remote_id: str) -> str | None:
        """Why push cannot write this record of ``stream``; ``None`` when it can."""
        for prefix, why in self.unwritable.get(stream, {}).items():
            if remote_id.startswith(prefix):
                return why
        return None

    def object_name(self, stream: str) -> str:
        """The CRM's object name for a stream (the stream name when it has none)."""
        return self.object_names.get(stream, stream)

    def custom_field_name(self, name: str) -> str:
        """The API name a custom field gets when crmsync creates it."""
        suffix = self.custom_field_suffix
        return name if not suffix or name.endswith(suffix) else f"{name}{suffix}"

    def link(
        self,
        obj: str,
        remote_id: str,
        *,
        template: str | None = None,
        base: str | None = None,
        portal: str = "",
    ) -> str | None:
        """The URL of a record in the CRM, from ``template`` (the source's own) or the
        profile's; ``None`` when neither exists."""
        template = template or self.record_url
        if template is None:
            return None
        return template.format(
            base=(base or self.default_base_url).rstrip("/"),
            object=obj,
            type_id=self.object_type_ids.get(obj, obj),
            id=remote_id,
            portal=portal,
        )

    def creator_of(
        self, payload: Mapping[str, Any] | None, user_refs: Mapping[str, str] | None = None
    ) -> str | None:
        """The remote id of the user who created a record, from its raw payload.

        ``None`` when the CRM does not say. When the creator field refers to users by
        ``creator_user_key``, ``user_refs`` (built with ``user_ref``) turns it into the
        user's remote id; without it, or for an unknown user, the answer is ``None``.
        """
        value: Any = payload
        for key in self.creator_field:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None or value == "" or isinstance(value, Mapping) or not self.creator_field:
            return None
        if self.creator_user_key is None:
            return str(value)
        return (user_refs or {}).get(str(value))

    def user_ref(self, remote_id: str, payload: Mapping[str, Any] | None) -> str | None:
        """The id by which creator fields refer to this user (its remote id by default)."""
        if self.creator_user_key is None:
            return remote_id
        value = (payload or {}).get(self.creator_user_key)
        return None if value is None else str(value)

    def user_refs(self, users: Sequence[tuple[str, Mapping[str, Any] | None]]) -> dict[str, str]:
        """``creator_of``'s ``user_refs`` for a source's users, given as (remote id, raw)."""
        if self.creator_user_key is None:
            return {}
        refs = {}
        for remote_id, payload in users:
            ref = self.user_ref(remote_id, payload)
            if ref is not None:
                refs[ref] = remote_id
        return refs

    def problems(self) -> list[str]:
        """What is wrong with this profile (empty when it is consistent)."""
        found = []
        if self.write_batch_size < 1:
            found.append(f"write_batch_size must be at least 1, not {self.write_batch_size}")
        if self.record_url is not None:
            used = {name for _, name, _, _ in string.Formatter().parse(self.record_url) if name}
            if used - RECORD_URL_FIELDS:
                found.append(
                    f"record_url uses unknown placeholders {sorted(used - RECORD_URL_FIELDS)}"
                )
        known = set(self.object_names.values())
        for obj in sorted(set(self.required_fields) - known):
            found.append(f"required_fields names {obj!r}, which is no object in object_names")
        for stream in sorted({*self.lead_streams, *self.response_streams}):
            if stream not in self.object_names and self.object_names:
                found.append(f"lead/response stream {stream!r} is no stream in object_names")
        if self.creator_user_key is not None and not self.creator_field:
            found.append("creator_user_key is set but creator_field is empty")
        return found
