"""The demo's configuration: the sandbox's sources plus every later step, set up so the
main job runs end to end on the embedded default and writes its results back into the
sandbox CRMs."""

from __future__ import annotations

from typing import Any

from crmsync_data import example_plans

__all__ = ["PLANS_DIR", "RATE_SOURCES", "demo_sections", "push_targets"]

# `crmsync demo --dated-rates`: the sources whose CRM rates the demo pays with, in order
RATE_SOURCES = ("salesforce", "hubspot", "zoho")

PLANS_DIR = example_plans()

# (key, object, field, type, label, via) per CRM. HubSpot owners and Zoho users take no
# custom fields, so there the owner's usage score goes on each deal they own.
_TARGETS: dict[str, list[tuple[str, str, str, str, str, str]]] = {
    "salesforce": [
        ("incentive_total", "deals", "crmsync_incentive_total", "currency", "Incentive total", ""),
        (
            "estimated_commission",
            "deals",
            "crmsync_est_commission",
            "currency",
            "Est. commission",
            "",
        ),
        ("dq_score", "deals", "crmsync_dq_score", "number", "Data quality score", ""),
        ("engagement_score", "accounts", "crmsync_engagement", "number", "Engagement score", ""),
        ("usage_score", "users", "crmsync_usage_score", "number", "CRM usage score", ""),
    ],
    "hubspot": [
        ("incentive_total", "deals", "crmsync_incentive_total", "currency", "Incentive total", ""),
        ("dq_score", "deals", "crmsync_dq_score", "number", "Data quality score", ""),
        (
            "usage_score",
            "deals",
            "crmsync_owner_usage_score",
            "number",
            "Owner usage score",
            "owned_records",
        ),
    ],
    "zoho": [
        ("incentive_total", "deals", "crmsync_incentive_total", "currency", "Incentive total", ""),
        ("dq_score", "deals", "crmsync_dq_score", "number", "Data quality score", ""),
    ],
    # Dataverse columns take the publisher's prefix (the connector adds it).
    "dynamics": [
        ("incentive_total", "deals", "crmsync_incentive_total", "currency", "Incentive total", ""),
        ("dq_score", "deals", "crmsync_dq_score", "number", "Data quality score", ""),
        ("engagement_score", "accounts", "crmsync_engagement", "number", "Engagement score", ""),
        ("usage_score", "users", "crmsync_usage_score", "number", "CRM usage score", ""),
    ],
}


def push_targets(sources: list[str]) -> list[dict[str, Any]]:
    targets = []
    for source in sources:
        for key, obj, field, kind, label, via in _TARGETS.get(source, []):
            target = {
                "key": key,
                "source": source,
                "object": obj,
                "field": field,
                "type": kind,
                "label": f"{label} (crmsync)",
            }
            if via:
                target["via"] = via
            targets.append(target)
    return targets


def demo_sections(sources: list[str]) -> dict[str, Any]:
    """The config sections after ``sources:`` for the demo workspace."""
    return {
        # Field sales shares deals through the CRM's own splits (team selling): credit
        # them by those splits and overlays (a split of the owner alone keeps the acts).
        "compensation": {"plans_dir": str(PLANS_DIR), "crm_splits": "use"},
        "push": {"create_fields": True, "targets": push_targets(sources)},
    }
