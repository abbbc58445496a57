"""A mapped custom object's records share a table with the CRM's own (an order mapped as a
deal), but the rules are about the CRM's pipeline records: the audit leaves them out."""

from __future__ import annotations

from audit_rows import AS_OF, company, row, snapshot

from sync.audit.audits import without_custom_objects
from sync.audit.checks import Context
from sync.audit.employees import Directory
from sync.audit.findings import LinkBuilder
from sync.audit.rules import run_rules
from sync.config.audit import AuditConfig

LINKS = LinkBuilder({}, {"salesforce": "https://acme.my.salesforce.com"}, {}, "42")
ORDER = "Order__c/a0W5g0000000000EAA"


def _findings(custom: dict[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
    tables = company()
    # a paid web order, mapped as a won deal: entered when paid, no activity, no contact role
    tables["deals"].append(
        row(
            "salesforce",
            ORDER,
            "2026-10-20T10:00:00",
            owner_id="U1",
            is_won=True,
            is_closed=True,
            amount=None,
            close_date=AS_OF.date(),
        )
    )
    ctx = Context(without_custom_objects(snapshot(tables), custom), AuditConfig(), AS_OF)
    found = run_rules(ctx, Directory(ctx.snapshot, None), LINKS)
    return [(f.rule, f.source, f.remote_id) for f in found]


def test_orders_mapped_as_deals_are_not_checked_as_opportunities() -> None:
    everything = _findings({})
    on_orders = {rule for rule, _, rid in everything if rid == ORDER}
    assert {"won_deal_no_activity", "won_deal_no_contact_role"} <= on_orders
    without = _findings({"salesforce": ("Order__c/", "Store_Visit__c/")})
    assert without == [f for f in everything if f[2] != ORDER]
    # another source's prefixes leave the order in
    assert _findings({"hubspot": ("Order__c/",)}) == everything
