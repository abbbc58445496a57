"""The Keap emulator (REST API v1): the OAuth 2 refresh grant with rotating refresh
tokens, offset-paged lists with ``since``/``until``, custom fields and quota headers."""

from __future__ import annotations

from sandbox.keap.app import KeapEmulator

__all__ = ["KeapEmulator"]
