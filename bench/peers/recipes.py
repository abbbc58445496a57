"""The peer clients the check runs: what to install, what to patch, how to read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from context import ClientRun
from recipes_dynamics import DATAVERSE_TABLES, dataverse_client
from recipes_hubspot import (
    AIRBYTE_HUBSPOT_STREAMS,
    DLT_STREAMS,
    TAP_HUBSPOT_STREAMS,
    airbyte_source_hubspot,
    dlt_hubspot,
    tap_hubspot,
)
from recipes_keap import KEAP_V1_LISTS, KEAP_V2_LISTS, keap_python, keap_sdk
from recipes_salesforce import SALESFORCE_OBJECTS, airbyte_source_salesforce, tap_salesforce
from recipes_sugarcrm import SUGAR_MODULES, zucker
from recipes_zoho import ZOHO_MODULES, zoho_sdk

from sandbox.info import SandboxInfo

__all__ = ["RECIPES", "Recipe"]


@dataclass(frozen=True)
class Recipe:
    name: str
    crm: str
    requirements: tuple[str, ...]
    patches: tuple[str, ...]
    read: Callable[[ClientRun], dict[str, int]]
    # The client's stream -> the ground-truth objects whose live records it should read
    # (or a fixed count, for streams that are not records, like pipelines).
    streams: dict[str, tuple[str, ...] | int]

    def base_url(self, info: SandboxInfo) -> str:
        if self.crm == "salesforce":
            return info.salesforce.instance_url
        if self.crm == "hubspot":
            return info.hubspot.base_url
        if self.crm == "dynamics":
            return info.dynamics.environment_url
        if self.crm == "keap":
            return info.keap.base_url
        if self.crm == "sugarcrm":
            return info.sugarcrm.site_url
        return info.zoho.api_domain


_SF_STREAMS = {name: (name,) for name in SALESFORCE_OBJECTS}

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe(
            name="tap-salesforce",
            crm="salesforce",
            requirements=("tap-salesforce==2.8.1",),
            patches=("tap-salesforce.patch",),
            read=tap_salesforce,
            streams=_SF_STREAMS,
        ),
        Recipe(
            name="airbyte-source-salesforce",
            crm="salesforce",
            requirements=("airbyte-source-salesforce==2.10.3",),
            patches=("airbyte-source-salesforce.patch",),
            read=airbyte_source_salesforce,
            streams=_SF_STREAMS,
        ),
        Recipe(
            name="zohocrmsdk",
            crm="zoho",
            requirements=("zohocrmsdk8-0==7.0.0",),
            patches=(),
            read=zoho_sdk,
            streams={"users": ("users",), **{m: (m,) for m in ZOHO_MODULES}},
        ),
        Recipe(
            name="dlt-hubspot",
            crm="hubspot",
            requirements=("dlt[duckdb]==1.31.0",),
            patches=(),
            read=dlt_hubspot,
            streams=DLT_STREAMS,
        ),
        Recipe(
            name="tap-hubspot",
            crm="hubspot",
            requirements=("tap-hubspot==4.5.0",),
            patches=("tap-hubspot.patch",),
            read=tap_hubspot,
            streams=TAP_HUBSPOT_STREAMS,
        ),
        Recipe(
            name="airbyte-source-hubspot",
            crm="hubspot",
            requirements=("airbyte-source-hubspot==5.7.0",),
            patches=("airbyte-source-hubspot.patch",),
            read=airbyte_source_hubspot,
            streams=AIRBYTE_HUBSPOT_STREAMS,
        ),
        Recipe(
            name="dataverse-client",
            crm="dynamics",
            requirements=("PowerPlatform-Dataverse-Client==1.1.0",),
            patches=(),
            read=dataverse_client,
            streams={t: (t,) for t in DATAVERSE_TABLES},
        ),
        Recipe(
            name="keap-sdk",
            crm="keap",
            requirements=("keap-core-v2-sdk==2.0.26",),
            patches=(),
            read=keap_sdk,
            streams={name: (name,) for name in KEAP_V2_LISTS},
        ),
        Recipe(
            name="keap-python",
            crm="keap",
            requirements=("keap-python==1.3.0",),
            patches=(),
            read=keap_python,
            streams={name: (name,) for name in KEAP_V1_LISTS},
        ),
        Recipe(
            name="zucker",
            crm="sugarcrm",
            requirements=("zucker==0.2.7", "requests"),
            patches=(),
            read=zucker,
            streams={name: (name,) for name in SUGAR_MODULES},
        ),
    )
}
