"""The Keap objects the emulator serves, stored flat, rendered as the REST v1 JSON nests them.

Keap ids are integers, numbered per object (the store keeps them as strings). Every object
has ``date_created`` and ``last_updated``. Custom fields have a numeric id and a label; the
store keeps a value under ``_cf<id>`` and ``custom_fields`` renders it as
``{"id": <id>, "content": <value>}``. Keap deletes for good (no recycle bin): the emulator
purges.

Which lists filter on ``last_updated`` with ``since``/``until`` follows the v1 reference:
contacts, tasks, appointments and orders do; users, companies, opportunities and notes
take no date filter in v1 (REST v2 filters companies by date and orders opportunities by
``update_time``: ``api_v2.py``).
"""

from __future__ import annotations

from sandbox.schema import Field, FieldType, ObjectSchema

__all__ = [
    "CUSTOM_FIELD_OBJECTS",
    "DATED",
    "OBJECTS",
    "REMOTE_PREFIX",
    "build_schemas",
    "custom_key",
    "remote_id",
]

_SYSTEM: list[tuple[str, FieldType]] = [
    ("id", "id"),
    ("date_created", "datetime"),
    ("last_updated", "datetime"),
]
_FIELDS: dict[str, list[tuple[str, FieldType]]] = {
    "users": [
        ("given_name", "string"),
        ("family_name", "string"),
        ("email_address", "email"),
        ("status", "picklist"),
        ("admin", "boolean"),
    ],
    "companies": [
        ("company_name", "string"),
        ("website", "url"),
        ("email", "email"),
        ("phone", "phone"),
        ("line1", "string"),
        ("locality", "string"),
        ("region", "string"),
        ("postal_code", "string"),
        ("country_code", "string"),
    ],
    "contacts": [
        ("given_name", "string"),
        ("family_name", "string"),
        ("email", "email"),
        ("phone", "phone"),
        ("job_title", "string"),
        ("company_id", "reference"),
        ("owner_id", "reference"),
        ("line1", "string"),
        ("locality", "string"),
        ("region", "string"),
        ("postal_code", "string"),
        ("country_code", "string"),
        ("source_type", "picklist"),
    ],
    "opportunities": [
        ("opportunity_title", "string"),
        ("contact_id", "reference"),
        ("user_id", "reference"),
        ("stage_id", "int"),
        ("stage_name", "string"),
        ("probability", "int"),
        ("projected_revenue_low", "currency"),
        ("projected_revenue_high", "currency"),
        ("estimated_close_date", "datetime"),
    ],
    "notes": [
        ("title", "string"),
        ("body", "textarea"),
        ("type", "picklist"),
        ("contact_id", "reference"),
        ("user_id", "reference"),
    ],
    "tasks": [
        ("title", "string"),
        ("description", "textarea"),
        ("type", "picklist"),
        ("contact_id", "reference"),
        ("user_id", "reference"),
        ("due_date", "datetime"),
        ("completed", "boolean"),
        ("completion_date", "datetime"),
    ],
    "appointments": [
        ("title", "string"),
        ("description", "textarea"),
        ("contact_id", "reference"),
        ("user_id", "reference"),
        ("start_date", "datetime"),
        ("end_date", "datetime"),
        ("location", "string"),
    ],
    "orders": [
        ("title", "string"),
        ("status", "picklist"),
        ("total", "currency"),
        ("contact_id", "reference"),
        ("order_date", "datetime"),
        ("source_type", "picklist"),
    ],
}
OBJECTS = tuple(_FIELDS)
DATED = frozenset({"contacts", "tasks", "appointments", "orders"})
CUSTOM_FIELD_OBJECTS = ("contacts", "companies", "opportunities")
# crmsync's remote ids of the objects that share a stream (activities, deals): the object's
# prefix and Keap's number, as the connector forms them
REMOTE_PREFIX = {"notes": "note-", "tasks": "task-", "appointments": "appt-", "orders": "order-"}


def build_schemas() -> dict[str, ObjectSchema]:
    """Fresh schemas of every object."""
    return {
        name: ObjectSchema(
            name=name,
            fields=[Field(n, t) for n, t in (*_SYSTEM, *fields)],
            id_field="id",
            modified_fields=("last_updated",),
            created_fields=("date_created",),
            label=name,
        )
        for name, fields in _FIELDS.items()
    }


def custom_key(field_id: int) -> str:
    """Where a custom field's value is kept in a stored record."""
    return f"_cf{field_id}"


def remote_id(object_name: str, rid: str) -> str:
    """The remote id crmsync gives a record of ``object_name``."""
    return f"{REMOTE_PREFIX.get(object_name, '')}{rid}"
