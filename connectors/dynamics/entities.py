"""Which Dataverse tables feed each stream, and the columns read from each."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIVITY_LABELS",
    "CHOICE_COLUMNS",
    "STREAM_TABLES",
    "WRITABLE",
    "TableRead",
]


@dataclass(frozen=True)
class TableRead:
    logical: str
    entity_set: str
    id_field: str
    columns: tuple[str, ...]


_SYSTEM = ("createdon", "modifiedon", "_createdby_value", "_ownerid_value")
_ADDRESS = (
    "address1_line1",
    "address1_city",
    "address1_stateorprovince",
    "address1_postalcode",
    "address1_country",
)
_ACTIVITY = (
    *_SYSTEM,
    "subject",
    "_regardingobjectid_value",
    "statecode",
    "scheduledstart",
    "actualend",
    "actualdurationminutes",
)


def _t(logical: str, entity_set: str, id_field: str, *columns: str) -> TableRead:
    return TableRead(logical, entity_set, id_field, columns)


STREAM_TABLES: dict[str, tuple[TableRead, ...]] = {
    "users": (
        _t(
            "systemuser",
            "systemusers",
            "systemuserid",
            "createdon",
            "modifiedon",
            "firstname",
            "lastname",
            "fullname",
            "internalemailaddress",
            "domainname",
            "isdisabled",
            "title",
            "businessunitname",
        ),
    ),
    "leads": (
        _t(
            "lead",
            "leads",
            "leadid",
            *_SYSTEM,
            "firstname",
            "lastname",
            "companyname",
            "jobtitle",
            "emailaddress1",
            "telephone1",
            "mobilephone",
            *_ADDRESS,
            "leadsourcecode",
            "statecode",
            "_parentaccountid_value",
            "_parentcontactid_value",
            "_qualifyingopportunityid_value",
        ),
    ),
    "contacts": (
        _t(
            "contact",
            "contacts",
            "contactid",
            *_SYSTEM,
            "firstname",
            "lastname",
            "jobtitle",
            "emailaddress1",
            "emailaddress2",
            "telephone1",
            "mobilephone",
            *_ADDRESS,
            "_parentcustomerid_value",
        ),
    ),
    "accounts": (
        _t(
            "account",
            "accounts",
            "accountid",
            *_SYSTEM,
            "name",
            "websiteurl",
            "telephone1",
            *_ADDRESS,
            "industrycode",
            "numberofemployees",
            "revenue",
            "_parentaccountid_value",
        ),
    ),
    "deals": (
        _t(
            "opportunity",
            "opportunities",
            "opportunityid",
            *_SYSTEM,
            "name",
            "_parentaccountid_value",
            "_parentcontactid_value",
            "_campaignid_value",
            "estimatedvalue",
            "actualvalue",
            "estimatedclosedate",
            "actualclosedate",
            "closeprobability",
            "statecode",
            "salesstagecode",
            "stepname",
            "isocurrencycode",
        ),
    ),
    "deal_contacts": (
        _t(
            "connection",
            "connections",
            "connectionid",
            *_SYSTEM,
            "_record1id_value",
            "_record2id_value",
            "_record2roleid_value",
            "ismaster",
        ),
    ),
    "deal_products": (
        _t(
            "opportunityproduct",
            "opportunityproducts",
            "opportunityproductid",
            *_SYSTEM,
            "_opportunityid_value",
            "_productid_value",
            "productname",
            "quantity",
            "priceperunit",
            "extendedamount",
        ),
    ),
    "activities": (
        _t("phonecall", "phonecalls", "activityid", *_ACTIVITY, "directioncode"),
        _t("email", "emails", "activityid", *_ACTIVITY, "directioncode"),
        _t("appointment", "appointments", "activityid", *_ACTIVITY),
        _t("task", "tasks", "activityid", *_ACTIVITY),
    ),
    "cases": (
        _t(
            "incident",
            "incidents",
            "incidentid",
            *_SYSTEM,
            "title",
            "ticketnumber",
            "_customerid_value",
            "_primarycontactid_value",
            "caseorigincode",
            "statecode",
            "prioritycode",
            "resolvedon",
        ),
    ),
    "campaign_members": (
        _t(
            "campaignresponse",
            "campaignresponses",
            "activityid",
            *_SYSTEM,
            "_regardingobjectid_value",
            "_originatingactivityid_value",
            "responsecode",
            "receivedon",
        ),
    ),
}
# Streams whose table takes custom columns written back (stream -> table).
WRITABLE = {
    "leads": "lead",
    "contacts": "contact",
    "accounts": "account",
    "deals": "opportunity",
    "cases": "incident",
    "users": "systemuser",
}
# The activity type of each activity table, as the activitytypecode choice labels it.
ACTIVITY_LABELS = {
    "phonecall": ("call", "Phone Call"),
    "email": ("email", "Email"),
    "appointment": ("meeting", "Appointment"),
    "task": ("task", "Task"),
}
# The choice columns whose labels the mapping uses (their option sets are read once a run).
_STATE = ("statecode",)
CHOICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "lead": ("leadsourcecode", "statecode"),
    "account": ("industrycode",),
    "opportunity": ("salesstagecode",),
    "incident": ("caseorigincode", "statecode", "prioritycode"),
    "campaignresponse": ("responsecode",),
    "phonecall": _STATE,
    "email": _STATE,
    "appointment": _STATE,
    "task": _STATE,
}
