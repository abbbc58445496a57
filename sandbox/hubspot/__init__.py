"""The HubSpot CRM API emulator (CRM v3/v4 objects, search, batch, properties, owners,
associations, pipelines, OAuth v1 tokens)."""

from __future__ import annotations

from sandbox.hubspot.app import HubSpotEmulator
from sandbox.hubspot.limits import HubSpotLimits

__all__ = ["HubSpotEmulator", "HubSpotLimits"]
