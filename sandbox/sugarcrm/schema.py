"""The SugarCRM modules the emulator serves, with their stock field names.

Every Sugar record has ``id`` (a GUID), ``date_entered``, ``date_modified``,
``created_by``, ``modified_user_id`` and ``deleted``; the modules below add the fields
Sugar ships (Sugar Sell 13 vardefs). Custom fields, created in Studio or through the
Administration API, end in ``_c``. ``opportunities_contacts`` is the relationship table
behind an opportunity's ``contacts`` link: the API shows it only through the link, with
the contact's ``opportunity_role``.
"""

from __future__ import annotations

import uuid

from sandbox.schema import Field, FieldType, ObjectSchema
from sandbox.sugarcrm.schema_custom import custom_modules

__all__ = ["MODULES", "RELATIONSHIP", "build_schemas", "sugar_id"]

RELATIONSHIP = "opportunities_contacts"
_SYSTEM: list[tuple[str, FieldType]] = [
    ("id", "id"),
    ("date_entered", "datetime"),
    ("date_modified", "datetime"),
    ("created_by", "reference"),
    ("modified_user_id", "reference"),
]
_ADDRESS = ("street", "city", "state", "postalcode", "country")
_FIELDS: dict[str, list[tuple[str, FieldType]]] = {
    "Users": [
        ("user_name", "string"),
        ("first_name", "string"),
        ("last_name", "string"),
        ("full_name", "string"),
        ("email1", "email"),
        ("title", "string"),
        ("department", "string"),
        ("status", "picklist"),
        ("is_admin", "boolean"),
    ],
    "Accounts": [
        ("name", "string"),
        ("website", "url"),
        ("industry", "picklist"),
        ("phone_office", "phone"),
        *((f"billing_address_{p}", "string") for p in _ADDRESS),
        ("employees", "string"),
        ("annual_revenue", "string"),
        ("parent_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
    "Contacts": [
        ("first_name", "string"),
        ("last_name", "string"),
        ("title", "string"),
        ("email1", "email"),
        ("phone_work", "phone"),
        ("phone_mobile", "phone"),
        *((f"primary_address_{p}", "string") for p in _ADDRESS),
        ("account_id", "reference"),
        ("lead_source", "picklist"),
        ("assigned_user_id", "reference"),
    ],
    "Leads": [
        ("first_name", "string"),
        ("last_name", "string"),
        ("title", "string"),
        ("email1", "email"),
        ("phone_work", "phone"),
        ("account_name", "string"),
        ("status", "picklist"),
        ("lead_source", "picklist"),
        ("converted", "boolean"),
        ("contact_id", "reference"),
        ("account_id", "reference"),
        ("opportunity_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
    "Opportunities": [
        ("name", "string"),
        ("account_id", "reference"),
        ("amount", "currency"),
        ("currency_id", "string"),
        ("date_closed", "date"),
        ("sales_stage", "picklist"),
        ("probability", "int"),
        ("campaign_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
    RELATIONSHIP: [
        ("opportunity_id", "reference"),
        ("contact_id", "reference"),
        ("contact_role", "picklist"),
    ],
    "Calls": [
        ("name", "string"),
        ("date_start", "datetime"),
        ("duration_hours", "int"),
        ("duration_minutes", "int"),
        ("direction", "picklist"),
        ("status", "picklist"),
        ("parent_type", "string"),
        ("parent_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
    "Meetings": [
        ("name", "string"),
        ("date_start", "datetime"),
        ("duration_hours", "int"),
        ("duration_minutes", "int"),
        ("status", "picklist"),
        ("parent_type", "string"),
        ("parent_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
    "Tasks": [
        ("name", "string"),
        ("date_due", "datetime"),
        ("status", "picklist"),
        ("parent_type", "string"),
        ("parent_id", "reference"),
        ("contact_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
    "Cases": [
        ("case_number", "int"),
        ("name", "string"),
        ("status", "picklist"),
        ("source", "picklist"),
        ("priority", "picklist"),
        ("account_id", "reference"),
        ("primary_contact_id", "reference"),
        ("assigned_user_id", "reference"),
    ],
}
_CUSTOM = custom_modules()  # the Module Builder modules (``schema_custom.py``)
MODULES = (*(name for name in _FIELDS if name != RELATIONSHIP), *_CUSTOM)


def build_schemas() -> dict[str, ObjectSchema]:
    """Fresh schemas of every module (and the relationship table)."""
    schemas = {}
    for name, fields in {**_FIELDS, **{key: [] for key in _CUSTOM}}.items():
        schemas[name] = ObjectSchema(
            name=name,
            fields=[Field(n, t) for n, t in (*_SYSTEM, *fields)] + _CUSTOM.get(name, []),
            id_field="id",
            modified_fields=("date_modified",),
            created_fields=("date_entered",),
            label=name,
        )
    return schemas


def sugar_id(module: str, seq: int) -> str:
    """A GUID per module and number: the same ids for a seed, run after run."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sugarcrm/{module}/{seq}"))
