"""The pull's tables, as SQLAlchemy Core ``Table`` objects: the one declaration of them.

The SQLModel models the migrations and the other stages use (``records.py``,
``bookkeeping.py``) are mapped onto these very tables (``sync.store.table_model``), so a
column is declared here only. Importing the models costs SQLModel, a pydantic model per
table and SQLAlchemy's ORM: about 0.3 s of CPU, a third of an incremental
``crmsync sync``'s start-up; the pull, which only selects, inserts and updates rows,
uses these tables without them. ``tests/unit/test_store_core_tables.py`` checks that a store
migrated to the latest revision has exactly these tables' schema.

A record table's columns beyond the bookkeeping ones every record table has are written
``name[:type]``: no type is a nullable string; ``str``, ``strN`` (of at most N
characters), ``int``, ``bigint``, ``when`` (aware UTC time), ``date``, ``money`` (exact
decimal), ``flag`` (boolean) and ``json``; ``!`` marks a string, number or time that is not
nullable (flags and JSON documents never are); ``*`` marks an indexed column; ``=value`` is
the default an insert without the column writes, and a new model instance has (flags
default to false).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from sync.store.types import DecimalText, JsonDoc, UtcDateTime

__all__ = [
    "QUARANTINE",
    "RECORD_TABLES",
    "STORE_CHANGES",
    "SYNC_RUNS",
    "SYNC_RUN_STREAMS",
    "SYNC_STATE",
    "metadata",
]

metadata = MetaData()

_TYPES: dict[str, TypeEngine[Any]] = {
    "": String(),
    "str": String(),
    "int": Integer(),
    "bigint": BigInteger(),
    "when": UtcDateTime(),
    "date": Date(),
    "money": DecimalText(),
    "flag": Boolean(),
    "json": JsonDoc,
    "float": Float(),
}
_NEVER_NULL = {"flag", "json"}


def _column(spec: str, primary_key: bool = False) -> Column[Any]:
    spec, _, default = spec.partition("=")
    indexed = spec.endswith("*")
    spec = spec.removesuffix("*")
    name, _, kind = spec.partition(":")
    required = kind.endswith("!")
    kind = kind.removesuffix("!")
    if kind.startswith("str") and kind[3:].isdigit():
        column_type: TypeEngine[Any] = String(int(kind[3:]))
    else:
        column_type = _TYPES[kind]
    nullable = not (required or primary_key or kind in _NEVER_NULL)
    value = _default(default) if default else (False if kind == "flag" else None)
    return Column(
        name,
        column_type,
        primary_key=primary_key,
        nullable=nullable,
        default=value,
        index=indexed or None,
    )


def _default(text: str) -> object:
    """A column's default as written after ``=``: true, false, a number or a word."""
    if text in ("true", "false"):
        return text == "true"
    if text.replace(".", "", 1).isdigit():
        return float(text) if "." in text else int(text)
    return text


def _table(name: str, keys: str, columns: str, *constraints: Any) -> Table:
    return Table(
        name,
        metadata,
        *(_column(spec, primary_key=True) for spec in keys.split()),
        *(_column(spec) for spec in columns.split()),
        *constraints,
    )


# The columns every record table has, in the models' order (the store's checks of a row's
# values report the first problem in that order): sync.store.records.RecordRow's, then a
# person's, then the JSON documents, then the table's own.
_RECORD = (
    "source:str40! remote_id:str64! remote_created_at:when remote_updated_at:when "
    "is_deleted:flag remote_deleted_at:when deleted_detected_at:when deleted_by_run_id:int "
    "content_hash:str32! first_seen_at:when! synced_at:when! last_run_id:int change_seq:bigint* "
)
_DOCUMENTS = "custom_fields:json raw:json "
_PERSON = (
    "first_name last_name title email* phone mobile street city state postal_code country "
    "source_channel source_detail owner_id merged_into_id "
    + _DOCUMENTS
    + "other_emails:json merged_ids:json "
)
_RECORD_COLUMNS = {
    "user": (
        "users",
        _DOCUMENTS + "email first_name last_name name is_active:flag=true title department role",
    ),
    "lead": (
        "leads",
        _PERSON + "company status converted:flag converted_at:when converted_contact_id "
        "converted_account_id converted_deal_id",
    ),
    "contact": ("contacts", _PERSON + "account_id lifecycle_stage"),
    "account": (
        "accounts",
        _DOCUMENTS
        + "merged_ids:json name domain website industry phone street city state postal_code "
        "country employees:int annual_revenue:money owner_id parent_id merged_into_id "
        "person_contact_id",
    ),
    "deal": (
        "deals",
        _DOCUMENTS
        + "name account_id contact_id stage pipeline is_closed:flag is_won:flag amount:money "
        "currency:str3 close_date:date probability:money source_channel source_detail owner_id "
        "campaign_id deal_type next_step",
    ),
    "deal_contact": (
        "deal_contacts",
        _DOCUMENTS + "deal_id:str! contact_id:str! role is_primary:flag",
    ),
    "activity": (
        "activities",
        _DOCUMENTS
        + "activity_type:str16! channel direction owner_id occurred_at:when subject status "
        "duration_seconds:int outcome lead_id contact_id account_id deal_id case_id",
    ),
    "case": (
        "cases",
        _DOCUMENTS
        + "number subject status is_closed:flag origin_channel origin_detail priority account_id "
        "contact_id deal_id owner_id opened_at:when closed_at:when",
    ),
    "campaign_member": (
        "campaign_members",
        _DOCUMENTS + "campaign_id:str! campaign_name lead_id contact_id status responded:flag "
        "first_responded_at:date",
    ),
    "deal_product": (
        "deal_products",
        _DOCUMENTS
        + "deal_id:str!* product_id product_name product_code quantity:money unit_price:money "
        "amount:money currency:str3",
    ),
    "deal_split": (
        "deal_splits",
        _DOCUMENTS
        + "deal_id:str!* user_id:str! split_type percent:money amount:money currency:str3 note",
    ),
    "event": (
        "events",
        _DOCUMENTS + "event_type:str16! occurred_at:when* anonymous_id:str100* user_id:str100* "
        "previous_id:str100* name email phone url utm_source utm_medium utm_campaign utm_term "
        "utm_content channel",
    ),
    "field_change": (
        "field_changes",
        _DOCUMENTS
        + "record_type:str20! record_id:str!* field:str40! remote_field old_value new_value "
        "new_state:str10 changed_at:when* changed_by",
    ),
}

# Indexes over more than one column: a person by the account it belongs to (an incremental
# reconcile run re-resolves the people of the accounts that changed).
_RECORD_INDEXES = {
    "lead": (("ix_leads_source_converted_account_id", "source", "converted_account_id"),),
    "contact": (("ix_contacts_source_account_id", "source", "account_id"),),
}

# Record kind -> its table, as sync.store.records.TABLES maps a kind to its model.
RECORD_TABLES: dict[str, Table] = {
    kind: _table(
        name,
        "id:int",
        _RECORD + columns,
        UniqueConstraint("source", "remote_id", name=f"uq_{name}_remote"),
        *(Index(index, *on) for index, *on in _RECORD_INDEXES.get(kind, ())),
    )
    for kind, (name, columns) in _RECORD_COLUMNS.items()
}

SYNC_STATE = _table(
    "sync_state",
    "source:str40 stream:str40",
    "state:json updated_at:when! run_id:int last_full_id_check_at:when",
)
SYNC_RUNS = _table(
    "sync_runs",
    "id:int",
    "source:str40!* started_at:when! finished_at:when status:str16!=running full:flag dry_run:flag "
    "error",
)
SYNC_RUN_STREAMS = _table(
    "sync_run_streams",
    "run_id:int stream:str40",
    "status:str16!=running fetched:int!=0 inserted:int!=0 updated:int!=0 unchanged:int!=0 "
    "deleted:int!=0 deleted_reported:int!=0 deleted_merged:int!=0 deleted_missing:int!=0 "
    "restored:int!=0 quarantined:int!=0 api_calls:int!=0 seconds:float!=0.0 error",
    ForeignKeyConstraint(["run_id"], ["sync_runs.id"]),
)
QUARANTINE = _table(
    "quarantine",
    "id:int",
    "source:str40!* stream:str40! record_key:str64! remote_id:str64 reason:str! raw:json "
    "run_id:int first_seen_at:when! last_seen_at:when! resolved:flag",
    UniqueConstraint("source", "stream", "record_key", name="uq_quarantine"),
)
STORE_CHANGES = _table("store_changes", "id:int=1", "last_change:bigint!=0")
