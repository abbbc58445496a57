"""Crediting and incentive plans: pure code (no database, network or clock)."""

__all__: list[str] = []
