"""Build the emulator applications (one per CRM) over one world."""

from __future__ import annotations

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorApp
from sandbox.world import World

__all__ = ["build_emulators"]


def build_emulators(
    world: World, clock: Clock, faults: FaultPlan, credentials: SandboxCredentials
) -> dict[str, EmulatorApp]:
    """One app per CRM. They share the world, the clock and the fault plan's seed."""
    from sandbox.dynamics import DynamicsEmulator
    from sandbox.hubspot import HubSpotEmulator
    from sandbox.keap import KeapEmulator
    from sandbox.oracle import OracleEmulator
    from sandbox.salesforce import SalesforceEmulator
    from sandbox.sugarcrm import SugarCRMEmulator
    from sandbox.zoho import ZohoEmulator

    def plan() -> FaultPlan:
        # Each emulator keeps its own attempt counts, with the same profile and seed.
        return FaultPlan(
            faults.profile,
            seed=faults.seed,
            failure_rate=faults.failure_rate,
            latency_rate=faults.latency_rate,
            slow_s=faults.slow_s,
        )

    return {
        "salesforce": SalesforceEmulator(world, clock, plan(), credentials),
        "hubspot": HubSpotEmulator(world, clock, plan(), credentials),
        "zoho": ZohoEmulator(world, clock, plan(), credentials),
        "dynamics": DynamicsEmulator(world, clock, plan(), credentials),
        "sugarcrm": SugarCRMEmulator(world, clock, plan(), credentials),
        "keap": KeapEmulator(world, clock, plan(), credentials),
        "oracle": OracleEmulator(world, clock, plan(), credentials),
    }
