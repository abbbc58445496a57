"""The conformance suite every connector passes, built-in or plugin.

Plain functions that raise ``ConformanceError`` (an ``AssertionError``) with every problem
found; a connector's tests call them with a connector pointed at something real. See
``connectors/testing/conformance.py``.
"""

from connectors.testing.conformance import (
    ConformanceError,
    check_profile,
    check_pull,
    check_streams,
    check_write,
)
from connectors.testing.discovery import check_custom_stream, check_discovery

__all__ = [
    "ConformanceError",
    "check_custom_stream",
    "check_discovery",
    "check_profile",
    "check_pull",
    "check_streams",
    "check_write",
]
