"""What the HTTP connectors share: one session, one quota budget, writes through a writer.

A connector subclasses ``HttpConnector[ItsSettings]``, sets ``profile`` and builds its own
parts (HTTP layer, mapper, readers, writer) in ``_build``; the constructor's signature, the
session it closes only when it opened it, the API usage and the write delegation stay here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar

from connectors.core.budget import QuotaBudget
from connectors.core.channels import ChannelMap
from connectors.core.contract import ApiUsage, FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.http import pinned_session
from connectors.core.retry import RetryPolicy

if TYPE_CHECKING:
    import requests

    from connectors.core.profile import CrmProfile

__all__ = ["HttpConnector"]


class _HasCaBundle(Protocol):
    @property
    def ca_bundle(self) -> Path | None: ...


class _Writer(Protocol):
    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]: ...

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]: ...


SettingsT = TypeVar("SettingsT", bound=_HasCaBundle)


class HttpConnector(Generic[SettingsT]):
    """The constructor and the plumbing every HTTP connector has (see the module docstring)."""

    profile: ClassVar[CrmProfile]
    writer: _Writer

    def __init__(
        self,
        name: str,
        settings: SettingsT,
        *,
        channels: ChannelMap | None = None,
        quota: QuotaBudget | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self._own_session = session is None
        self.session = session or pinned_session(settings.ca_bundle, user_agent="crmsync")
        self.budget = quota or QuotaBudget(source=name)
        self._build(channels or ChannelMap(self.profile), retry or RetryPolicy())

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        """Make the connector's own parts; ``self.session`` and ``self.budget`` exist."""
        raise NotImplementedError

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        return self.writer.write(object_name, updates)

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        return self.writer.ensure_fields(object_name, fields, create)

    def api_usage(self) -> ApiUsage:
        return ApiUsage(self.budget.calls, self.budget.used, self.budget.limit)

    def close(self) -> None:
        if self._own_session:
            self.session.close()
