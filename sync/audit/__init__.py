"""CRM usage audit: rules and findings, usage scores, record DQ and account engagement.

Names are imported on first use so that ``import sync.audit`` does not pull in the database
layer; the ``audit:`` section's model lives in ``sync.config.audit``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "AuditConfig",
    "AuditResult",
    "Component",
    "DqScore",
    "Engagement",
    "Finding",
    "ScoreValue",
    "UsageScore",
    "account_engagement_scores",
    "deal_dq_scores",
    "latest_findings",
    "latest_usage_scores",
    "run_audit",
    "score_values",
]

_HOME = {
    "AuditConfig": "sync.config.audit",
    "AuditResult": "sync.audit.audits",
    "Component": "sync.audit.scores",
    "DqScore": "sync.audit.quality",
    "Engagement": "sync.audit.quality",
    "Finding": "sync.audit.findings",
    "UsageScore": "sync.audit.scores",
    "account_engagement_scores": "sync.audit.audits",
    "deal_dq_scores": "sync.audit.audits",
    "latest_findings": "sync.audit.audits",
    "latest_usage_scores": "sync.audit.audits",
    "run_audit": "sync.audit.audits",
    "ScoreValue": "sync.audit.values",
    "score_values": "sync.audit.values",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'sync.audit' has no attribute {name!r}")
