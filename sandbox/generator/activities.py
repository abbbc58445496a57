"""Activity records (the bulk of every CRM): tasks, events, calls, emails, meetings, notes.

Each factory returns ``(crm, object, id)`` so journeys can cite the record in a touch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.generator.context import Employee, Gen
from sandbox.generator.followups import call_outcome

__all__ = ["Ref", "hs_activity", "sf_event", "sf_task", "zoho_activity"]

Ref = tuple[str, str, str]

_HS_ASSOC = ("contacts", "companies", "deals", "tickets")


def sf_task(
    gen: Gen,
    at: datetime,
    owner: Employee,
    subtype: str,
    subject: str,
    who: str | None = None,
    what: str | None = None,
    call_type: str | None = None,
) -> Ref:
    """A completed Salesforce Task (``subtype`` Task, Email or Call)."""
    is_call = subtype == "Call"
    record = gen.sf(
        "Task",
        {
            "Subject": subject,
            "Status": "Completed",
            "Priority": "Normal",
            "ActivityDate": at.date(),
            "WhoId": who,
            "WhatId": what,
            "OwnerId": owner.sf_user,
            "TaskSubtype": subtype,
            "Type": {"Call": "Call", "Email": "Email"}.get(subtype, "Other"),
            "CallType": call_type if is_call else None,
            "CallDurationInSeconds": gen.rng.randrange(60, 1800) if is_call else None,
            "CallDisposition": call_outcome(owner, at, subject) if is_call else None,
            "IsClosed": True,
            "Description": None,
            "CompletedDateTime": at,
        },
        at,
        owner,
    )
    return ("salesforce", "Task", record["Id"])


def sf_event(
    gen: Gen,
    at: datetime,
    owner: Employee,
    subject: str,
    who: str | None = None,
    what: str | None = None,
    location: str | None = None,
) -> Ref:
    """A Salesforce Event: a visit or a meeting, logged when it starts."""
    minutes = gen.rng.choice((30, 45, 60, 90, 120))
    record = gen.sf(
        "Event",
        {
            "Subject": subject,
            "Type": "Meeting",
            "StartDateTime": at,
            "EndDateTime": at + timedelta(minutes=minutes),
            "ActivityDateTime": at,
            "ActivityDate": at.date(),
            "DurationInMinutes": minutes,
            "Location": location,
            "IsAllDayEvent": False,
            "WhoId": who,
            "WhatId": what,
            "OwnerId": owner.sf_user,
        },
        at,
        owner,
    )
    return ("salesforce", "Event", record["Id"])


def hs_activity(
    gen: Gen,
    kind: str,
    at: datetime,
    owner: Employee,
    subject: str,
    links: dict[str, str | None],
    direction: str | None = None,
) -> Ref:
    """A HubSpot engagement of type ``kind``, associated with ``links`` (type -> id)."""
    rng = gen.rng
    values: dict[str, object] = {"hs_timestamp": at}
    if kind == "calls":
        values.update(
            hs_call_title=subject,
            hs_call_body=None,
            hs_call_duration=rng.randrange(30, 1800) * 1000,
            hs_call_direction=direction or "OUTBOUND",
            hs_call_status="COMPLETED",
            hs_call_disposition=call_outcome(owner, at, subject, hubspot=True),
        )
    elif kind == "emails":
        values.update(
            hs_email_subject=subject,
            hs_email_text=None,
            hs_email_direction=direction or "EMAIL",
            hs_email_status="SENT",
        )
    elif kind == "meetings":
        values.update(
            hs_meeting_title=subject,
            hs_meeting_start_time=at,
            hs_meeting_end_time=at + timedelta(minutes=rng.choice((30, 60))),
            hs_meeting_outcome="COMPLETED",
        )
    elif kind == "notes":
        values.update(hs_note_body=subject)
    else:
        values.update(
            hs_task_subject=subject,
            hs_task_status="COMPLETED",
            hs_task_priority="MEDIUM",
            hs_task_type="TODO",
        )
    record = gen.hs(kind, values, at, owner)
    assoc = gen.world.hubspot_associations
    for to_type in _HS_ASSOC:
        to_id = links.get(to_type)
        if to_id:
            assoc.add(kind, record["id"], to_type, to_id)
    return ("hubspot", kind, record["id"])


def zoho_activity(
    gen: Gen,
    kind: str,
    at: datetime,
    owner: Employee,
    subject: str,
    who: str | None = None,
    what: tuple[str, str] | None = None,
    call_type: str = "Outbound",
) -> Ref:
    """A Zoho Call, Task or Event; ``what`` is ``(module, id)`` for the What_Id lookup."""
    rng = gen.rng
    if kind == "Calls":
        seconds = rng.randrange(30, 1800)
        values: dict[str, object] = {
            "Subject": subject,
            "Call_Type": call_type,
            "Call_Start_Time": at,
            "Call_Duration": f"{seconds // 60:02d}:{seconds % 60:02d}",
            "Call_Duration_in_seconds": seconds,
            "Call_Purpose": rng.choice(("Prospecting", "Negotiation", "Demo", "Support")),
            "Call_Result": call_outcome(owner, at, subject),
        }
    elif kind == "Tasks":
        values = {
            "Subject": subject,
            "Due_Date": at.date(),
            "Status": "Completed",
            "Priority": "Normal",
            "Closed_Time": at,
        }
    else:
        values = {
            "Event_Title": subject,
            "Start_DateTime": at,
            "End_DateTime": at + timedelta(hours=1),
            "Venue": None,
            "All_day": False,
        }
    values["Who_Id"] = who
    if what:
        values["What_Id"] = what[1]
        values["$se_module"] = what[0]
    record = gen.zo(kind, values, at, owner)
    return ("zoho", kind, record["id"])
