"""The digital touch that brought each person: a lead-source act for crediting.

Identity stitching links a person's devices to their identity; the events of those devices
that carry a campaign (UTM source, medium or campaign) are the person's digital touches.
The one that brought the lead is the last such touch at or before the person's first CRM
record, within ``compensation.digital.window_days``. It becomes a ``lead_source`` act keyed
on the event (``source:events:messageId``): a plan's lead-source slot (``pick: first``)
then finds it before the CRM's own capture of the lead, and pays the campaign's owner
(``campaign_owners``) or the marketing team's (``marketing_owner``). Crediting keeps each
act once per deal and apportions an act behind several deals, so the touch is paid once.
A touch without anyone to pay is left out, and the slot goes to the CRM's act as before.
Only devices linked to one person count: a shared device's touches pay no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, inspect, or_, select

from compensation.inputs import Act
from connectors.core.records import OUTBOUND_EMAIL_EVENTS
from sync.compute.directory import Directory
from sync.compute.links import record_key
from sync.compute.snapshot import StoreSnapshot
from sync.config.compensation import DigitalCreditConfig
from sync.store.event_links import EventLinkRow
from sync.store.records import EventRow
from sync.store.table_model import table_of
from sync.store.view.identity_map import IdentityLookup

__all__ = ["digital_lead_acts"]

_PEOPLE = ("leads", "contacts")


def _touches() -> Select[tuple[object, ...]]:
    """Campaign-carrying events of devices linked to one person, per person in time order."""
    links = table_of(EventLinkRow).c
    e = table_of(EventRow).c
    campaign = or_(e.utm_campaign.isnot(None), e.utm_source.isnot(None), e.utm_medium.isnot(None))
    # a marketing e-mail sent or delivered: the company's act, not the person's touch
    own = or_(e.name.is_(None), e.name.not_in(OUTBOUND_EMAIL_EVENTS))
    columns = (e.source, e.remote_id, e.occurred_at, e.channel, e.utm_source, e.utm_medium)
    return (
        select(links.identity_id, *columns, e.utm_campaign)
        .join_from(table_of(EventLinkRow), table_of(EventRow), e.anonymous_id == links.anonymous_id)
        .where(links.status == "linked", e.is_deleted.is_(False), e.occurred_at.isnot(None))
        .where(campaign, own)
        .order_by(links.identity_id, e.occurred_at, e.source, e.remote_id)
    )


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _first_records(
    snapshot: StoreSnapshot, identities: IdentityLookup | None
) -> dict[str, datetime]:
    """Each person identity's first CRM record (its earliest creation)."""
    first: dict[str, datetime] = {}
    for table in _PEOPLE:
        for row in snapshot.rows(table):
            created = _aware(row.get("remote_created_at"))
            if created is None:
                continue
            rid = row["remote_id"]
            found = identities.identity_of(row["source"], table, rid) if identities else None
            ident = found or record_key(row["source"], table, row["remote_id"])
            if ident not in first or created < first[ident]:
                first[ident] = created
    return first


def _payee(directory: Directory, settings: DigitalCreditConfig, campaign: str | None) -> str | None:
    owner = settings.campaign_owners.get(campaign) if campaign else None
    for name in (owner, settings.marketing_owner):
        if name:
            found = directory.find(name)
            if found is not None:
                return found
    return None


def digital_lead_acts(
    engine: Engine,
    snapshot: StoreSnapshot,
    identities: IdentityLookup | None,
    directory: Directory,
    settings: DigitalCreditConfig,
) -> dict[str, Act]:
    """Person identity -> the lead-source act of the digital touch that brought it."""
    if not {"events", "event_links"} <= set(inspect(engine).get_table_names()):
        return {}
    first = _first_records(snapshot, identities)
    window = timedelta(days=settings.window_days)
    brought: dict[str, tuple[datetime, tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        rows: Iterable[tuple[Any, ...]] = connection.execute(_touches()).all()
        for row in rows:
            ident = str(row[0])
            moment = _aware(row[3])
            start = first.get(ident)
            if start is None or moment is None or not (start - window <= moment <= start):
                continue
            brought[ident] = (moment, tuple(row))  # in time order: the last one wins
    acts: dict[str, Act] = {}
    for ident, (at, row) in sorted(brought.items()):
        _, source, remote_id, _, channel, utm_source, medium, campaign = row
        payee = _payee(directory, settings, str(campaign) if campaign else None)
        if payee is None:
            continue
        label = " / ".join(str(p) for p in (utm_source, medium, campaign) if p)
        acts[ident] = Act(
            record_key(str(source), "events", str(remote_id)),
            "lead_source",
            payee,
            at,
            str(channel) if channel else None,
            str(source),
            f"digital touch that brought the lead: {label}",
        )
    return acts
