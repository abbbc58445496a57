"""Dataverse's error bodies and the codes the emulator answers with.

Every Web API error is ``{"error": {"code": "0x...", "message": ...}}``; a 401 has no
body, only ``WWW-Authenticate``. Codes as Dataverse sends them (Web API error docs,
service protection limits page).
"""

from __future__ import annotations

from typing import Any

from sandbox.http import EmulatorError

__all__ = ["ODataError", "error_body"]

NOT_FOUND_SEGMENT = "0x80060888"  # Resource not found for the segment '...'
RECORD_NOT_FOUND = "0x80040217"  # <table> With Id = <id> Does Not Exist
BAD_QUERY = "0x80060888"  # query option syntax errors share the OData parser's code
INVALID_ARGUMENT = "0x80048d19"  # Error identified in Payload provided by the user
VERSION_MISMATCH = "0x80060882"  # If-Match ETag differs
DUPLICATE_ATTRIBUTE = "0x80044363"  # an attribute with this name already exists
EXPIRED_DELTA = "0x80044352"  # change tracking: version stamp expired
NOT_A_MEMBER = "0x80072560"  # the app user is not a member of the organisation
MISSING_PRIVILEGE = "0x80040220"  # Principal user ... is missing prvRead<Table> privilege
REQUESTS_LIMIT = "0x80072322"
EXECUTION_LIMIT = "0x80072321"
CONCURRENCY_LIMIT = "0x80072326"
INTERNAL = "0x80040216"  # An unexpected error occurred


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class ODataError(EmulatorError):
    """An error with Dataverse's body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, error_body(code, message), headers)
