"""The CRM sandbox: local Salesforce, HubSpot and Zoho CRM APIs over a synthetic company.

Start it with ``crmsync sandbox serve`` or in Python::

    from connectors.sandbox import Sandbox, SandboxOptions

    with Sandbox(SandboxOptions(seed=1, scale="tiny")) as sandbox:
        print(sandbox.info.salesforce.instance_url)
"""

from connectors.sandbox.clock import DEFAULT_ANCHOR, AnchoredClock, Clock, ManualClock
from connectors.sandbox.faults import FaultPlan, FaultProfile
from connectors.sandbox.info import SandboxInfo
from connectors.sandbox.runtime import Sandbox, SandboxError, SandboxOptions
from connectors.sandbox.world import SCALES, World

__all__ = [
    "DEFAULT_ANCHOR",
    "SCALES",
    "AnchoredClock",
    "Clock",
    "FaultPlan",
    "FaultProfile",
    "ManualClock",
    "Sandbox",
    "SandboxError",
    "SandboxInfo",
    "SandboxOptions",
    "World",
]
