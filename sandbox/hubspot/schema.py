"""HubSpot CRM object types served by the emulator, with their properties.

Records are stored flat: ``{"id": "...", <property>: <typed value>, ...}``. The emulator
renders ``{"id", "properties": {...all values as strings...}, "createdAt", "updatedAt",
"archived"}``. Contacts carry ``lastmodifieddate``; every other object
``hs_lastmodifieddate`` (the real split that trips up incremental syncs). Owners are not
a CRM object: they are stored as plain dicts in ``World.hubspot_owners``.

Property types map to HubSpot's as: string/textarea/email/phone/url → ``string``,
picklist → ``enumeration``, int/double/currency → ``number``, boolean → ``bool``,
date → ``date``, datetime → ``datetime``, reference (owner ids) → ``enumeration``.
"""

from __future__ import annotations

from sandbox.hubspot.schema_commerce import commerce_properties, common_fields
from sandbox.hubspot.schema_custom import (
    CUSTOM_ASSOCIATION_TYPES,
    CUSTOM_ID_BASE,
    CUSTOM_OBJECTS,
    custom_properties,
)
from sandbox.schema import Field, ObjectSchema

__all__ = [
    "ASSOCIATION_TYPES",
    "COMMERCE",
    "ENGAGEMENTS",
    "OBJECTS",
    "build_schemas",
    "hubspot_id",
]

ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
# Commerce objects every portal has (the synthetic company keeps products and line items).
COMMERCE = ("products", "line_items", "quotes")
# Leads (0-136) and goal targets (0-74) are standard objects too; the company keeps none.
# Objects whose create date is ``hs_createdate`` besides the engagements:
_HS_CREATEDATE_OBJECTS = ("quotes", "leads", "goal_targets", "deal_split")
OBJECTS = (
    "contacts",
    "companies",
    "deals",
    "tickets",
    *ENGAGEMENTS,
    *COMMERCE,
    "leads",
    "goal_targets",
    # Sales Hub Enterprise's deal splits; the sandbox portal has not turned them on (none).
    "deal_split",
)

# Base of the numeric ids per object type (real portals number each type separately).
_ID_BASE = {
    "contacts": 100_000,
    "companies": 9_000_000_000,
    "deals": 15_000_000_000,
    "tickets": 2_500_000_000,
    "calls": 30_000_000_000,
    "emails": 31_000_000_000,
    "meetings": 32_000_000_000,
    "notes": 33_000_000_000,
    "tasks": 34_000_000_000,
    "products": 1_500_000_000,
    "line_items": 6_000_000_000,
    "quotes": 400_000_000,
    "leads": 700_000_000,
    "goal_targets": 820_000_000,
    "deal_split": 50_000_000_000,
    **CUSTOM_ID_BASE,
}

# HUBSPOT_DEFINED association type ids, (from, to) -> type id (unlabeled default).
ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("tickets", "contacts"): 16,
    ("contacts", "tickets"): 15,
    ("tickets", "companies"): 339,
    ("companies", "tickets"): 340,
    ("tickets", "deals"): 28,
    ("deals", "tickets"): 27,
    ("calls", "contacts"): 194,
    ("contacts", "calls"): 193,
    ("calls", "companies"): 182,
    ("companies", "calls"): 181,
    ("calls", "deals"): 206,
    ("deals", "calls"): 205,
    ("calls", "tickets"): 220,
    ("tickets", "calls"): 219,
    ("emails", "contacts"): 198,
    ("contacts", "emails"): 197,
    ("emails", "companies"): 186,
    ("companies", "emails"): 185,
    ("emails", "deals"): 210,
    ("deals", "emails"): 209,
    ("emails", "tickets"): 224,
    ("tickets", "emails"): 223,
    ("meetings", "contacts"): 200,
    ("contacts", "meetings"): 199,
    ("meetings", "companies"): 188,
    ("companies", "meetings"): 187,
    ("meetings", "deals"): 212,
    ("deals", "meetings"): 211,
    ("meetings", "tickets"): 226,
    ("tickets", "meetings"): 225,
    ("notes", "contacts"): 202,
    ("contacts", "notes"): 201,
    ("notes", "companies"): 190,
    ("companies", "notes"): 189,
    ("notes", "deals"): 214,
    ("deals", "notes"): 213,
    ("notes", "tickets"): 228,
    ("tickets", "notes"): 227,
    ("tasks", "contacts"): 204,
    ("contacts", "tasks"): 203,
    ("tasks", "companies"): 192,
    ("companies", "tasks"): 191,
    ("tasks", "deals"): 216,
    ("deals", "tasks"): 215,
    ("tasks", "tickets"): 230,
    ("tickets", "tasks"): 229,
    ("deals", "line_items"): 19,
    ("line_items", "deals"): 20,
    ("deals", "quotes"): 63,
    ("quotes", "deals"): 64,
    ("quotes", "line_items"): 67,
    ("line_items", "quotes"): 68,
    ("quotes", "contacts"): 69,
    ("contacts", "quotes"): 70,
    ("quotes", "companies"): 71,
    ("companies", "quotes"): 72,
    **CUSTOM_ASSOCIATION_TYPES,
}
# Primary associations (labelled "Primary" in real portals).
PRIMARY_ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
    ("tickets", "companies"): 26,
    ("companies", "tickets"): 25,
}


def hubspot_id(object_type: str, sequence: int) -> str:
    return str(_ID_BASE[object_type] + sequence + 1)


_LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
# a portal's buyer personas (Settings > Personas): persona_1 the lab manager of a business
# customer, persona_2 the home-lab owner of the B2C line
_PERSONAS = ("persona_1", "persona_2")
_LEAD_STATUS = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
)


def _engagement(extra: list[Field]) -> list[Field]:
    return [
        *common_fields("hs_createdate", "hs_lastmodifieddate"),
        Field("hs_timestamp", "datetime", label="Activity date", required=True),
        *extra,
    ]


def _properties() -> dict[str, list[Field]]:
    return {
        "contacts": [
            *common_fields("createdate", "lastmodifieddate"),
            Field("email", "email", label="Email"),
            Field("firstname", label="First Name"),
            Field("lastname", label="Last Name"),
            Field("phone", "phone", label="Phone Number"),
            Field("mobilephone", "phone", label="Mobile Phone Number"),
            Field("company", label="Company Name"),
            Field("jobtitle", label="Job Title"),
            Field("address", label="Street Address"),
            Field("city", label="City"),
            Field("state", label="State/Region"),
            Field("zip", label="Postal Code"),
            Field("country", label="Country/Region"),
            Field("hs_additional_emails", "textarea", label="Additional email addresses"),
            Field("lifecyclestage", "picklist", label="Lifecycle Stage", picklist=_LIFECYCLE),
            Field("hs_lead_status", "picklist", label="Lead Status", picklist=_LEAD_STATUS),
            Field("hs_persona", "picklist", label="Persona", picklist=_PERSONAS),
            Field(
                "hs_analytics_source",
                "picklist",
                label="Original Source",
                picklist=_SOURCES,
                updateable=False,
            ),
            Field(
                "hs_latest_source",
                "picklist",
                label="Latest Source",
                picklist=_SOURCES,
                updateable=False,
            ),
            Field("associatedcompanyid", "int", label="Primary Associated Company ID"),
            Field("hs_merged_object_ids", "textarea", label="Merged Contact IDs", updateable=False),
        ],
        "companies": [
            *common_fields("createdate", "hs_lastmodifieddate"),
            Field("name", label="Company name"),
            Field("domain", "url", label="Company Domain Name"),
            Field("industry", "picklist", label="Industry"),
            Field("phone", "phone", label="Phone Number"),
            Field("address", label="Street Address"),
            Field("city", label="City"),
            Field("state", label="State/Region"),
            Field("zip", label="Postal Code"),
            Field("country", label="Country/Region"),
            Field("numberofemployees", "int", label="Number of Employees"),
            Field("annualrevenue", "currency", label="Annual Revenue"),
            Field("lifecyclestage", "picklist", label="Lifecycle Stage", picklist=_LIFECYCLE),
            Field("hs_merged_object_ids", "textarea", label="Merged Company IDs", updateable=False),
        ],
        "deals": [
            *common_fields("createdate", "hs_lastmodifieddate"),
            Field("dealname", label="Deal Name", required=True),
            Field("amount", "currency", label="Amount"),
            Field(
                "deal_currency_code",
                "picklist",
                label="Currency",
                picklist=("USD", "EUR", "GBP", "CHF", "CAD"),
            ),
            Field("dealstage", "picklist", label="Deal Stage", required=True),
            Field("pipeline", "picklist", label="Pipeline", required=True),
            Field("closedate", "datetime", label="Close Date"),
            Field("hs_next_step", "textarea", label="Next step"),
            Field(
                "dealtype",
                "picklist",
                label="Deal Type",
                picklist=("newbusiness", "existingbusiness"),
            ),
            Field("hs_is_closed", "boolean", label="Is Deal Closed?", updateable=False),
            Field("hs_is_closed_won", "boolean", label="Is Closed Won", updateable=False),
            Field(
                "hs_analytics_source",
                "picklist",
                label="Original Source",
                picklist=_SOURCES,
                updateable=False,
            ),
        ],
        "tickets": [
            *common_fields("createdate", "hs_lastmodifieddate"),
            Field("subject", label="Ticket name", required=True),
            Field("content", "textarea", label="Ticket description"),
            Field("hs_pipeline", "picklist", label="Pipeline", required=True),
            Field("hs_pipeline_stage", "picklist", label="Ticket status", required=True),
            Field(
                "hs_ticket_priority",
                "picklist",
                label="Priority",
                picklist=("LOW", "MEDIUM", "HIGH", "URGENT"),
            ),
            Field(
                "hs_ticket_category",
                "picklist",
                label="Category",
                picklist=("PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"),
            ),
            Field(
                "source_type",
                "picklist",
                label="Source",
                picklist=("CHAT", "EMAIL", "FORM", "PHONE"),
            ),
            Field("closed_date", "datetime", label="Close date", updateable=False),
            Field("time_to_close", "int", label="Time to close (ms)", updateable=False),
        ],
        "calls": _engagement(
            [
                Field("hs_call_title", label="Call Title"),
                Field("hs_call_body", "textarea"),
                Field("hs_call_duration", "int", label="Call duration (ms)"),
                Field("hs_call_direction", "picklist", picklist=("INBOUND", "OUTBOUND")),
                # The outcome's internal id (GET /calling/v1/dispositions names them).
                Field("hs_call_disposition", label="Call outcome"),
                Field(
                    "hs_call_status",
                    "picklist",
                    picklist=(
                        "BUSY",
                        "CALLING_CRM_USER",
                        "CANCELED",
                        "COMPLETED",
                        "CONNECTING",
                        "FAILED",
                        "IN_PROGRESS",
                        "NO_ANSWER",
                        "QUEUED",
                        "RINGING",
                    ),
                ),
            ]
        ),
        "emails": _engagement(
            [
                Field("hs_email_subject", label="Email subject"),
                Field("hs_email_text", "textarea", label="Email body"),
                Field(
                    "hs_email_direction",
                    "picklist",
                    picklist=("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
                ),
                Field(
                    "hs_email_status",
                    "picklist",
                    picklist=("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"),
                ),
            ]
        ),
        "meetings": _engagement(
            [
                Field("hs_meeting_title", label="Meeting name"),
                Field("hs_meeting_body", "textarea"),
                Field("hs_meeting_start_time", "datetime"),
                Field("hs_meeting_end_time", "datetime"),
                Field("hs_meeting_location"),
                Field(
                    "hs_meeting_outcome",
                    "picklist",
                    picklist=("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
                ),
            ]
        ),
        "notes": _engagement([Field("hs_note_body", "textarea", label="Note body")]),
        "tasks": _engagement(
            [
                Field("hs_task_subject", label="Task Title"),
                Field("hs_task_body", "textarea"),
                Field(
                    "hs_task_status",
                    "picklist",
                    picklist=("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
                ),
                Field("hs_task_priority", "picklist", picklist=("NONE", "LOW", "MEDIUM", "HIGH")),
                Field("hs_task_type", "picklist", picklist=("CALL", "EMAIL", "TODO")),
            ]
        ),
        **commerce_properties(),
        **custom_properties(),
    }


def build_schemas() -> dict[str, ObjectSchema]:
    schemas = {}
    for name, fields in _properties().items():
        modified = "lastmodifieddate" if name == "contacts" else "hs_lastmodifieddate"
        created = (
            "hs_createdate"
            if name in (*ENGAGEMENTS, *_HS_CREATEDATE_OBJECTS, *CUSTOM_OBJECTS)
            else "createdate"
        )
        schemas[name] = ObjectSchema(
            name=name,
            fields=fields,
            id_field="id",
            modified_fields=(modified,),
            created_fields=(created,),
        )
    return schemas


# Deal and ticket pipelines: (pipeline id, label, [(stage id, label, probability, closed, won)]).
DEAL_PIPELINES: list[tuple[str, str, list[tuple[str, str, float, bool, bool]]]] = [
    (
        "default",
        "Sales Pipeline",
        [
            ("appointmentscheduled", "Appointment Scheduled", 0.2, False, False),
            ("qualifiedtobuy", "Qualified To Buy", 0.4, False, False),
            ("presentationscheduled", "Presentation Scheduled", 0.6, False, False),
            ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, False, False),
            ("contractsent", "Contract Sent", 0.9, False, False),
            ("closedwon", "Closed Won", 1.0, True, True),
            ("closedlost", "Closed Lost", 0.0, True, False),
        ],
    ),
]
TICKET_PIPELINES: list[tuple[str, str, list[tuple[str, str, float, bool, bool]]]] = [
    (
        "0",
        "Support Pipeline",
        [
            ("1", "New", 0.0, False, False),
            ("2", "Waiting on contact", 0.0, False, False),
            ("3", "Waiting on us", 0.0, False, False),
            ("4", "Closed", 0.0, True, False),
        ],
    ),
]
