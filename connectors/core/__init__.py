"""The connector contract, CRM profiles, common record types, channels and errors.

The names below are imported from their modules on first use (PEP 562), so importing one
module of the package (``connectors.core.errors`` for a configuration check) does not
build every record type and the contract: ``crmsync status`` starts faster for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.core.channels import CHANNELS, ChannelMap
    from connectors.core.contract import (
        STREAM_RECORD_TYPES,
        ApiUsage,
        CheckResult,
        Connector,
        FieldSpec,
        FieldStatus,
        FieldUpdate,
        LinkedRecords,
        Page,
        Quarantined,
        ReadOptions,
        StreamInfo,
        WriteResult,
    )
    from connectors.core.errors import (
        ConnectorConfigError,
        ConnectorError,
        ConnectorFatalError,
        QuotaExhausted,
        RetriableError,
        SessionExpired,
        SkippableRecordError,
    )
    from connectors.core.profile import CrmProfile
    from connectors.core.records import RECORD_TYPES
    from connectors.core.registry import (
        ENTRY_POINT_GROUP,
        available_connectors,
        installed_profiles,
        load_connector,
        profile_of,
    )

_MODULES = {
    "channels": ("CHANNELS", "ChannelMap"),
    "contract": (
        "STREAM_RECORD_TYPES",
        "ApiUsage",
        "CheckResult",
        "Connector",
        "FieldSpec",
        "FieldStatus",
        "FieldUpdate",
        "LinkedRecords",
        "Page",
        "Quarantined",
        "ReadOptions",
        "StreamInfo",
        "WriteResult",
    ),
    "errors": (
        "ConnectorConfigError",
        "ConnectorError",
        "ConnectorFatalError",
        "QuotaExhausted",
        "RetriableError",
        "SessionExpired",
        "SkippableRecordError",
    ),
    "profile": ("CrmProfile",),
    "records": ("RECORD_TYPES",),
    "registry": (
        "ENTRY_POINT_GROUP",
        "available_connectors",
        "installed_profiles",
        "load_connector",
        "profile_of",
    ),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "CHANNELS",
    "ENTRY_POINT_GROUP",
    "RECORD_TYPES",
    "STREAM_RECORD_TYPES",
    "ApiUsage",
    "ChannelMap",
    "CheckResult",
    "Connector",
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorFatalError",
    "CrmProfile",
    "FieldSpec",
    "FieldStatus",
    "FieldUpdate",
    "LinkedRecords",
    "Page",
    "Quarantined",
    "QuotaExhausted",
    "ReadOptions",
    "RetriableError",
    "SessionExpired",
    "SkippableRecordError",
    "StreamInfo",
    "WriteResult",
    "available_connectors",
    "installed_profiles",
    "load_connector",
    "profile_of",
]
