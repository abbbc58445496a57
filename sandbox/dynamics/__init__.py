"""Microsoft Dynamics 365 (Dataverse Web API) emulator for the sandbox."""

from __future__ import annotations

from sandbox.dynamics.app import DynamicsEmulator
from sandbox.dynamics.limits import DynamicsLimits

__all__ = ["DynamicsEmulator", "DynamicsLimits"]
