"""Dataverse tables served by the Dynamics 365 emulator, their option sets and ids.

Tables are keyed by their logical name (``account``); each knows its entity set name
(``accounts``), the one the Web API's URLs use. Records are stored flat under the columns'
logical names with typed values (see ``sandbox.schema``):

- lookups hold the referenced row's id under the lookup's logical name (``ownerid``) and
  render as ``_ownerid_value``; polymorphic lookups (``customerid``, ``regardingobjectid``,
  ``parentcustomerid``) also keep the target table under ``<name>$table``;
- choices (option sets) hold the option's integer value; ``OPTION_SETS`` has the labels,
  which the metadata API and the formatted-value annotations serve;
- every row carries ``versionnumber`` (a rowversion, the ETag) from one sequence per world.
  A deleted row stays in its table as soft-deleted with ``$deletedversion`` set, which is
  what change tracking reports as ``$deletedEntity``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sandbox.dynamics.schema_custom import CUSTOM_OPTION_SETS, CUSTOM_TABLES, custom_tables
from sandbox.schema import Field, ObjectSchema

__all__ = [
    "ENTITY_SETS",
    "OPTION_SETS",
    "POLYMORPHIC",
    "TABLES",
    "TableInfo",
    "build_schemas",
    "dynamics_id",
]

DELETED_VERSION = "$deletedversion"
VERSION_SEQUENCE = "dynamics:version"


@dataclass(frozen=True)
class TableInfo:
    logical: str
    entity_set: str
    id_field: str
    primary_name: str
    object_type_code: int
    change_tracking: bool = True


TABLES: dict[str, TableInfo] = {
    t.logical: t
    for t in (
        TableInfo("systemuser", "systemusers", "systemuserid", "fullname", 8),
        TableInfo("lead", "leads", "leadid", "fullname", 4),
        TableInfo("contact", "contacts", "contactid", "fullname", 2),
        TableInfo("account", "accounts", "accountid", "name", 1),
        TableInfo("opportunity", "opportunities", "opportunityid", "name", 3),
        TableInfo("product", "products", "productid", "name", 1024),
        TableInfo(
            "opportunityproduct", "opportunityproducts", "opportunityproductid", "productname", 1083
        ),
        TableInfo("connectionrole", "connectionroles", "connectionroleid", "name", 3231),
        TableInfo("connection", "connections", "connectionid", "name", 3234),
        TableInfo("phonecall", "phonecalls", "activityid", "subject", 4210),
        TableInfo("email", "emails", "activityid", "subject", 4202),
        TableInfo("appointment", "appointments", "activityid", "subject", 4201),
        TableInfo("task", "tasks", "activityid", "subject", 4212),
        TableInfo("incident", "incidents", "incidentid", "title", 112),
        TableInfo("campaign", "campaigns", "campaignid", "name", 4400),
        TableInfo("campaignresponse", "campaignresponses", "activityid", "subject", 4401),
        TableInfo("team", "teams", "teamid", "name", 9),
        # one row per user, keyed by the user's id: the UI language (an LCID) among others
        TableInfo(
            "usersettings",
            "usersettingscollection",
            "systemuserid",
            "systemuserid",
            150,
            change_tracking=False,
        ),
        # the intersect table of team membership (the teammembership_association
        # relationship): no modifiedon, no change tracking
        TableInfo(
            "teammembership",
            "teammemberships",
            "teammembershipid",
            "teammembershipid",
            23,
            change_tracking=False,
        ),
    )
}
# the maker's custom tables (``schema_custom.py``)
TABLES |= {
    logical: TableInfo(logical, entity_set, key, name, code)
    for logical, (entity_set, key, name, code, _) in CUSTOM_TABLES.items()
}
ENTITY_SETS = {t.entity_set: t.logical for t in TABLES.values()}
ACTIVITIES = ("phonecall", "email", "appointment", "task", "campaignresponse")

# (table, column) -> ((value, label), ...), as the CRM ships them (English labels).
_STATE_OPEN = ((0, "Open"), (1, "Completed"), (2, "Canceled"))
OPTION_SETS: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {
    ("lead", "leadsourcecode"): (
        (1, "Advertisement"),
        (2, "Employee Referral"),
        (3, "External Referral"),
        (4, "Partner"),
        (5, "Public Relations"),
        (6, "Seminar"),
        (7, "Trade Show"),
        (8, "Web"),
        (9, "Word of Mouth"),
        (10, "Other"),
    ),
    ("lead", "statecode"): ((0, "Open"), (1, "Qualified"), (2, "Disqualified")),
    ("opportunity", "statecode"): ((0, "Open"), (1, "Won"), (2, "Lost")),
    ("opportunity", "salesstagecode"): (
        (0, "Qualify"),
        (1, "Develop"),
        (2, "Propose"),
        (3, "Close"),
    ),
    ("incident", "caseorigincode"): (
        (1, "Phone"),
        (2, "Email"),
        (3, "Web"),
        (2483, "Facebook"),
        (3986, "Twitter"),
        (700610000, "IoT"),
    ),
    ("incident", "statecode"): ((0, "Active"), (1, "Resolved"), (2, "Cancelled")),
    ("incident", "prioritycode"): ((1, "High"), (2, "Normal"), (3, "Low")),
    ("phonecall", "statecode"): _STATE_OPEN,
    ("email", "statecode"): _STATE_OPEN,
    ("task", "statecode"): _STATE_OPEN,
    ("appointment", "statecode"): (
        (0, "Open"),
        (1, "Completed"),
        (2, "Canceled"),
        (3, "Scheduled"),
    ),
    ("campaignresponse", "responsecode"): (
        (1, "Interested"),
        (2, "Not Interested"),
        (3, "Do Not Send Marketing Materials"),
        (4, "Error"),
    ),
    ("account", "industrycode"): (
        (1, "Accounting"),
        (7, "Consulting"),
        (12, "Durable Manufacturing"),
        (13, "Education"),
        (17, "Health Care"),
        (31, "Retail"),
        (33, "Service Retail"),
    ),
}
OPTION_SETS |= CUSTOM_OPTION_SETS
# Lookups that may point at several tables: the stored row keeps the target in "<name>$table".
POLYMORPHIC = {
    "customerid": ("account", "contact"),
    "parentcustomerid": ("account", "contact"),
    "regardingobjectid": ("account", "contact", "lead", "opportunity", "incident", "campaign"),
    "record1id": ("opportunity", "account", "contact"),
    "record2id": ("contact", "account", "systemuser"),
}

_ORG_NAMESPACE = uuid.UUID("8f0b4d4a-3c5e-4c36-9a53-7d1f2c0e9b11")


def dynamics_id(logical: str, sequence: int) -> str:
    """A stable GUID per (table, sequence): Dataverse ids are GUIDs."""
    return str(uuid.uuid5(_ORG_NAMESPACE, f"{logical}:{sequence}"))


def _ref(name: str, *tables: str, label: str = "") -> Field:
    return Field(name, "reference", ref=tables, label=label)


def _pick(table: str, name: str, label: str = "") -> Field:
    labels = tuple(lbl for _, lbl in OPTION_SETS[(table, name)])
    return Field(name, "picklist", picklist=labels, label=label)


def _system(table: str) -> list[Field]:
    info = TABLES[table]
    return [
        Field(info.id_field, "id", updateable=False),
        Field("versionnumber", "int", updateable=False),
        Field("createdon", "datetime", updateable=False, label="Created On"),
        Field("modifiedon", "datetime", updateable=False, label="Modified On"),
        _ref("createdby", "systemuser", label="Created By"),
        _ref("modifiedby", "systemuser", label="Modified By"),
    ]


def _owned(table: str) -> list[Field]:
    return [*_system(table), _ref("ownerid", "systemuser", label="Owner")]


def _address() -> list[Field]:
    return [
        Field("address1_line1"),
        Field("address1_city"),
        Field("address1_stateorprovince"),
        Field("address1_postalcode"),
        Field("address1_country"),
    ]


def _activity(table: str) -> list[Field]:
    return [
        *_owned(table),
        Field("subject", label="Subject"),
        Field("description", "textarea"),
        _ref("regardingobjectid", *POLYMORPHIC["regardingobjectid"], label="Regarding"),
        _pick(table, "statecode") if (table, "statecode") in OPTION_SETS else Field("statecode"),
        Field("scheduledstart", "datetime"),
        Field("scheduledend", "datetime"),
        Field("actualend", "datetime"),
        Field("actualdurationminutes", "int"),
    ]


def _tables() -> dict[str, list[Field]]:
    return {
        "systemuser": [
            *_system("systemuser"),
            Field("firstname"),
            Field("lastname", required=True),
            Field("fullname", updateable=False),
            Field("internalemailaddress", "email"),
            Field("domainname"),
            Field("title"),
            Field("isdisabled", "boolean"),
            Field("accessmode", "int"),
            _ref("parentsystemuserid", "systemuser", label="Manager"),
            Field("businessunitname"),
        ],
        "lead": [
            *_owned("lead"),
            Field("firstname"),
            Field("lastname", required=True),
            Field("fullname", updateable=False),
            Field("companyname"),
            Field("jobtitle"),
            Field("emailaddress1", "email"),
            Field("telephone1", "phone"),
            Field("mobilephone", "phone"),
            *_address(),
            _pick("lead", "leadsourcecode", "Lead Source"),
            _pick("lead", "statecode", "Status"),
            Field("statuscode", "int"),
            _ref("parentaccountid", "account"),
            _ref("parentcontactid", "contact"),
            _ref("qualifyingopportunityid", "opportunity"),
            _ref("campaignid", "campaign", label="Source Campaign"),
        ],
        "contact": [
            *_owned("contact"),
            Field("firstname"),
            Field("lastname", required=True),
            Field("fullname", updateable=False),
            Field("jobtitle"),
            Field("emailaddress1", "email"),
            Field("emailaddress2", "email"),
            Field("telephone1", "phone"),
            Field("mobilephone", "phone"),
            *_address(),
            _ref("parentcustomerid", *POLYMORPHIC["parentcustomerid"], label="Company Name"),
            _ref("originatingleadid", "lead"),
        ],
        "account": [
            *_owned("account"),
            Field("name", required=True),
            Field("websiteurl", "url"),
            Field("telephone1", "phone"),
            *_address(),
            _pick("account", "industrycode", "Industry"),
            Field("numberofemployees", "int"),
            Field("revenue", "currency"),
            _ref("parentaccountid", "account"),
            _ref("originatingleadid", "lead"),
        ],
        "opportunity": [
            *_owned("opportunity"),
            Field("name", required=True),
            _ref("parentaccountid", "account", label="Account"),
            _ref("parentcontactid", "contact", label="Contact"),
            _ref("customerid", *POLYMORPHIC["customerid"], label="Potential Customer"),
            _ref("originatingleadid", "lead"),
            _ref("campaignid", "campaign"),
            Field("estimatedvalue", "currency"),
            Field("actualvalue", "currency"),
            Field("estimatedclosedate", "date"),
            Field("actualclosedate", "date"),
            Field("closeprobability", "int"),
            _pick("opportunity", "statecode", "Status"),
            _pick("opportunity", "salesstagecode", "Sales Stage"),
            Field("stepname"),
            Field("isocurrencycode", updateable=False),
        ],
        "product": [*_system("product"), Field("name"), Field("productnumber")],
        "opportunityproduct": [
            *_owned("opportunityproduct"),
            _ref("opportunityid", "opportunity"),
            _ref("productid", "product"),
            Field("productname"),
            Field("quantity", "double"),
            Field("priceperunit", "currency"),
            Field("extendedamount", "currency"),
        ],
        "connectionrole": [*_system("connectionrole"), Field("name"), Field("category", "int")],
        "connection": [
            *_owned("connection"),
            Field("name"),
            _ref("record1id", *POLYMORPHIC["record1id"]),
            _ref("record2id", *POLYMORPHIC["record2id"]),
            _ref("record2roleid", "connectionrole", label="As this Role"),
            Field("ismaster", "boolean"),
        ],
        "phonecall": [
            *_activity("phonecall"),
            Field("directioncode", "boolean", label="Direction"),
            Field("phonenumber", "phone"),
        ],
        "email": [*_activity("email"), Field("directioncode", "boolean", label="Direction")],
        "appointment": [*_activity("appointment"), Field("location")],
        "task": [*_activity("task"), Field("prioritycode", "int")],
        "incident": [
            *_owned("incident"),
            Field("title", required=True),
            Field("ticketnumber", updateable=False),
            _ref("customerid", *POLYMORPHIC["customerid"], label="Customer"),
            _ref("primarycontactid", "contact"),
            _pick("incident", "caseorigincode", "Origin"),
            _pick("incident", "statecode", "Status"),
            _pick("incident", "prioritycode", "Priority"),
            Field("resolvedon", "datetime"),
        ],
        "campaign": [
            *_owned("campaign"),
            Field("name", required=True),
            Field("actualstart", "date"),
            Field("actualend", "date"),
            Field("typecode", "int"),
        ],
        "team": [
            *_system("team"),
            Field("name", required=True),
            Field("teamtype", "int"),  # 0 owner team, 1 access team
            Field("isdefault", "boolean"),  # the business unit's own team (every user)
            Field("description"),
        ],
        "usersettings": [
            *_system("usersettings"),
            Field("uilanguageid", "int", label="UI Language"),
            Field("helplanguageid", "int", label="Help Language"),
            Field("localeid", "int", label="Locale"),
        ],
        "teammembership": [
            Field("teammembershipid", "id", updateable=False),
            Field("versionnumber", "int", updateable=False),
            Field("teamid", "id", updateable=False),
            Field("systemuserid", "id", updateable=False),
        ],
        "campaignresponse": [
            *_activity("campaignresponse"),
            _pick("campaignresponse", "responsecode", "Response Code"),
            Field("receivedon", "datetime"),
            _ref("originatingactivityid", "lead", "contact"),
        ],
        **custom_tables(_owned),
    }


def build_schemas() -> dict[str, ObjectSchema]:
    """A fresh schema per table (custom columns are added to these at run time)."""
    out = {}
    for name, fields in _tables().items():
        info = TABLES[name]
        out[name] = ObjectSchema(
            name,
            fields,
            id_field=info.id_field,
            # (the intersect table of team membership has neither)
            modified_fields=("modifiedon",) if name != "teammembership" else (),
            created_fields=("createdon",) if name != "teammembership" else (),
            label=name,
        )
    return out
