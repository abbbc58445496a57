"""The CRM sandbox: local Salesforce, HubSpot and Zoho CRM APIs over a synthetic company.

Start it with ``crmsync sandbox serve`` or in Python::

    from sandbox import Sandbox, SandboxOptions

    with Sandbox(SandboxOptions(seed=1, scale="tiny")) as sandbox:
        print(sandbox.info.salesforce.instance_url)
"""

from sandbox.clock import DEFAULT_ANCHOR, AnchoredClock, Clock, ManualClock
from sandbox.faults import FaultPlan, FaultProfile
from sandbox.info import SandboxInfo
from sandbox.runtime import Sandbox, SandboxError, SandboxOptions
from sandbox.world import SCALES, World

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
