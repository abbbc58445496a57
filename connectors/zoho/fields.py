"""The Zoho modules behind each stream and the fields the mapping reads from them.

Zoho v3+ needs an explicit ``fields`` list of at most 50 names per list call. The list is
the standard fields below (what the mapping uses) followed by the module's custom fields
from ``/settings/fields``, in metadata order, until 50: custom fields beyond that are not
read (documented limit; the admin can drop unused standard ones by forking the list).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_FIELDS", "STANDARD_FIELDS", "STREAM_MODULES", "field_list"]

MAX_FIELDS = 50
_SYSTEM = ("Owner", "Created_By", "Created_Time", "Modified_Time")
_PERSON = ("First_Name", "Last_Name", "Email", "Secondary_Email", "Phone", "Mobile")
_LINKS = ("What_Id", "Who_Id")

STANDARD_FIELDS: dict[str, tuple[str, ...]] = {
    "Leads": (
        *_SYSTEM,
        *_PERSON,
        "Company",
        "Designation",
        "Street",
        "City",
        "State",
        "Zip_Code",
        "Country",
        "Lead_Source",
        "Lead_Status",
        "Converted__s",
        "Converted_Date_Time",
    ),
    "Contacts": (
        *_SYSTEM,
        *_PERSON,
        "Account_Name",
        "Title",
        "Mailing_Street",
        "Mailing_City",
        "Mailing_State",
        "Mailing_Zip",
        "Mailing_Country",
        "Lead_Source",
    ),
    "Accounts": (
        *_SYSTEM,
        "Account_Name",
        "Industry",
        "Website",
        "Phone",
        "Billing_Street",
        "Billing_City",
        "Billing_State",
        "Billing_Code",
        "Billing_Country",
        "Employees",
        "Annual_Revenue",
        "Parent_Account",
    ),
    "Deals": (
        *_SYSTEM,
        "Deal_Name",
        "Stage",
        "Amount",
        "Currency",
        "Closing_Date",
        "Probability",
        "Account_Name",
        "Contact_Name",
        "Lead_Source",
        "Pipeline",
        "Type",
        "Next_Step",
    ),
    "Tasks": (*_SYSTEM, "Subject", "Due_Date", "Status", "Closed_Time", *_LINKS),
    "Calls": (
        *_SYSTEM,
        "Subject",
        "Call_Type",
        "Call_Start_Time",
        "Call_Duration_in_seconds",
        "Call_Result",
        *_LINKS,
    ),
    "Events": (*_SYSTEM, "Event_Title", "Start_DateTime", "End_DateTime", *_LINKS),
    "Cases": (
        *_SYSTEM,
        "Subject",
        "Case_Number",
        "Status",
        "Case_Origin",
        "Priority",
        "Account_Name",
        "Related_To",
        "Deal_Name",
    ),
}

# stream -> the modules it reads, in order
STREAM_MODULES: dict[str, tuple[str, ...]] = {
    "leads": ("Leads",),
    "contacts": ("Contacts",),
    "accounts": ("Accounts",),
    "deals": ("Deals",),
    "deal_contacts": ("Deals",),
    "deal_products": ("Deals",),
    "activities": ("Tasks", "Calls", "Events"),
    "cases": ("Cases",),
}


def field_list(module: str, known: Iterable[str], custom: Iterable[str]) -> list[str]:
    """Standard fields the org has, then custom ones, capped at ``MAX_FIELDS``."""
    available = set(known)
    names = [f for f in STANDARD_FIELDS[module] if f in available]
    for name in custom:
        if len(names) >= MAX_FIELDS:
            break
        if name not in names:
            names.append(name)
    return names
