"""The Oracle Fusion Cloud Sales emulator (CX Sales REST API 11.13.18.05): basic auth and
OAuth bearer tokens, ``q`` queries with ``limit``/``offset``/``hasMore``, expanded child
collections, batch writes and custom (``_c``) fields."""

from __future__ import annotations

from sandbox.oracle.app import OracleEmulator

__all__ = ["OracleEmulator"]
