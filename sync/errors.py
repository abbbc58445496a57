"""Errors of the application layer, grouped by what the caller does next.

::

    CrmsyncError                 root; ``user_message`` is one line for the CLI
    ├── UsageError               fix the command line or the config (exit code 2)
    └── OperationFailed          the command could not do its job (exit code 1)

Errors from other packages (``sandbox.SandboxError``...) are translated into
these at the CLI boundary, with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = ["CrmsyncError", "OperationFailed", "UsageError"]


class CrmsyncError(Exception):
    """Root of crmsync's application errors."""

    exit_code = 1

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class UsageError(CrmsyncError):
    """Bad option or configuration: the user must change the command or the file."""

    exit_code = 2


class OperationFailed(CrmsyncError):
    """The command ran but could not complete its job."""

    exit_code = 1
