"""The connector contract, CRM profiles, common record types, channels and errors."""

from connectors.core.channels import CHANNELS, ChannelMap
from connectors.core.contract import (
    STREAM_RECORD_TYPES,
    ApiUsage,
    CheckResult,
    Connector,
    FieldSpec,
    FieldStatus,
    FieldUpdate,
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
