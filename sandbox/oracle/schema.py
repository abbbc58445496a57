"""The Oracle CX Sales resources the emulator serves, with their stock attribute names.

Every record has a numeric id (``PartyId``, ``OptyId``, ...: one org-wide sequence, as
Fusion's ids are), a user-facing number that is the key in item paths
(``opportunities/{OptyNumber}``, ``accounts/{PartyNumber}``), and the audit attributes
``CreationDate``, ``LastUpdateDate``, ``CreatedBy`` and ``LastUpdatedBy`` (user names, not
ids). ``OpportunityContact`` (contact roles), ``ChildRevenue`` (revenue lines) and
``OpportunityResource`` (the team members: the owner, ``OwnerFlag``, and the resources
added to the team, each with a ``MemberFunctionCode``) are child collections of
``opportunities`` (``opportunities/{OptyNumber}/child/ChildRevenue``). A revenue line
carries its own sales credit (``ResourcePartyId``, the recipient; ``SalesCreditTypeCode``
``QUOTA``; ``SplitPercent``, 100 until the line is split); the other credits of the line
are its ``ChildSplitRevenue`` rows (``opportunities/{OptyNumber}/child/ChildRevenue/
{RevnId}/child/ChildSplitRevenue``), revenue lines themselves in shape: the recipient, the
credit type (``QUOTA``: revenue credit; ``NONQUOTA``: nonrevenue, overlay credit), the
percentage and amount, and ``SplitParentRevnId``, the line split.
Custom attributes, made in Application Composer, end in ``_c``. The world keeps ids as
strings; the wire shows them as JSON numbers.

Two custom objects made in Application Composer are top-level resources of their own,
named with the ``_c`` suffix as Fusion names them: ``StoreVisit_c`` (the customers' visits
to the lab stores) and ``Order_c`` (the labs' consumables orders). A custom object's id is
``Id``, also its item path's key, its name ``RecordName``; its own attributes end in
``_c``, a link to another record (a dynamic choice list) as ``<Name>_Id_c``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.schema import Field, FieldType, ObjectSchema

__all__ = [
    "CHILD",
    "CHILDREN",
    "CUSTOM_OBJECTS",
    "ID_BASE",
    "NESTED",
    "RESOURCES",
    "REVENUE",
    "SPLIT",
    "TEAM",
    "Resource",
    "build_schemas",
    "oracle_id",
    "oracle_number",
]

ID_BASE = 300_000_001_000_000  # Fusion's ids are 15-digit numbers from 3000...
CHILD = "OpportunityContact"
REVENUE = "ChildRevenue"
TEAM = "OpportunityResource"  # the opportunity team members
SPLIT = "ChildSplitRevenue"  # a revenue line's other sales credits
CHILDREN = (CHILD, REVENUE, TEAM)  # the child collections of opportunities
NESTED = {REVENUE: (SPLIT,)}  # the child collections of a child collection
_SYSTEM: list[tuple[str, FieldType]] = [
    ("CreationDate", "datetime"),
    ("LastUpdateDate", "datetime"),
    ("CreatedBy", "string"),
    ("LastUpdatedBy", "string"),
]
_ADDRESS: list[tuple[str, FieldType]] = [
    ("AddressLine1", "string"),
    ("City", "string"),
    ("State", "string"),
    ("PostalCode", "string"),
    ("Country", "string"),
]


@dataclass(frozen=True)
class Resource:
    """A collection: its id attribute, the attribute its item paths use, its attributes."""

    name: str
    id_field: str
    key_field: str
    fields: tuple[tuple[str, FieldType], ...]
    parent: str | None = None  # a child collection's parent resource


# a sales credit, on a revenue line and on its split rows (Fusion's stock attribute names)
_CREDIT: tuple[tuple[str, FieldType], ...] = (
    ("ResourcePartyId", "reference"),
    ("SalesCreditTypeCode", "picklist"),
    ("SplitPercent", "percent"),
    ("SplitTypeCode", "picklist"),
)
_CUSTOM_COMMON: list[tuple[str, FieldType]] = [("RecordName", "string")]
CUSTOM_OBJECTS: tuple[Resource, ...] = (
    Resource(
        "StoreVisit_c",
        "Id",
        "Id",
        (
            *_CUSTOM_COMMON,
            ("VisitDate_c", "datetime"),
            ("Store_c", "string"),
            ("VisitType_c", "picklist"),
            ("AmountSpent_c", "currency"),
            ("Contact_Id_c", "reference"),
            ("Account_Id_c", "reference"),
            ("Owner_Id_c", "reference"),
        ),
    ),
    Resource(
        "Order_c",
        "Id",
        "Id",
        (
            *_CUSTOM_COMMON,
            ("OrderDate_c", "date"),
            ("Status_c", "picklist"),
            ("Channel_c", "picklist"),
            ("Total_c", "currency"),
            ("CurrencyCode", "string"),
            ("Paid_c", "boolean"),
            ("Contact_Id_c", "reference"),
            ("Account_Id_c", "reference"),
            ("Owner_Id_c", "reference"),
        ),
    ),
)

RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource(
            "resourceUsers",
            "ResourcePartyId",
            "ResourcePartyId",
            (
                ("PartyNumber", "string"),
                ("Username", "string"),
                ("FirstName", "string"),
                ("LastName", "string"),
                ("PartyName", "string"),
                ("EmailAddress", "email"),
                ("JobTitle", "string"),
                ("OrganizationName", "string"),
                ("ResourceStatus", "picklist"),
            ),
        ),
        Resource(
            "accounts",
            "PartyId",
            "PartyNumber",
            (
                ("PartyNumber", "string"),
                ("OrganizationName", "string"),
                ("URL", "url"),
                ("FormattedPhoneNumber", "phone"),
                *_ADDRESS,
                ("EmployeesTotal", "int"),
                ("CurrentFiscalYearPotentialRevenueAmount", "currency"),
                ("CurrencyCode", "string"),
                ("ParentAccountPartyId", "reference"),
                ("OwnerPartyId", "reference"),
            ),
        ),
        Resource(
            "contacts",
            "PartyId",
            "PartyNumber",
            (
                ("PartyNumber", "string"),
                ("FirstName", "string"),
                ("LastName", "string"),
                ("JobTitle", "string"),
                ("EmailAddress", "email"),
                ("WorkPhoneNumber", "phone"),
                ("MobileNumber", "phone"),
                *_ADDRESS,
                ("AccountPartyId", "reference"),
                ("OwnerPartyId", "reference"),
            ),
        ),
        Resource(
            "leads",
            "LeadId",
            "LeadNumber",
            (
                ("LeadNumber", "string"),
                ("Name", "string"),
                ("ContactFirstName", "string"),
                ("ContactLastName", "string"),
                ("ContactJobTitle", "string"),
                ("PrimaryContactEmailAddress", "email"),
                ("PrimaryPhoneNumber", "phone"),
                ("CustomerPartyName", "string"),
                ("StatusCode", "picklist"),
                ("ChannelType", "picklist"),
                ("CustomerId", "reference"),
                ("PrimaryContactId", "reference"),
                ("OwnerId", "reference"),
            ),
        ),
        Resource(
            "opportunities",
            "OptyId",
            "OptyNumber",
            (
                ("OptyNumber", "string"),
                ("Name", "string"),
                ("TargetPartyId", "reference"),
                ("PrimaryContactPartyId", "reference"),
                ("Revenue", "currency"),
                ("CurrencyCode", "string"),
                ("EffectiveDate", "date"),
                ("SalesStage", "picklist"),
                ("WinProb", "int"),
                ("StatusCode", "picklist"),
                ("OwnerResourcePartyId", "reference"),
            ),
        ),
        Resource(
            CHILD,
            "OptyConId",
            "OptyConId",
            (
                ("OptyId", "reference"),
                ("PartyId", "reference"),
                ("RoleCd", "picklist"),
                ("PrimaryFlag", "boolean"),
            ),
            parent="opportunities",
        ),
        Resource(
            REVENUE,
            "RevnId",
            "RevnId",
            (
                ("OptyId", "reference"),
                ("InventoryItemId", "reference"),
                ("ItemNumber", "string"),
                ("Description", "string"),
                ("Quantity", "double"),
                ("UnitPrice", "currency"),
                ("RevnAmount", "currency"),
                ("RevnAmountCurcyCode", "string"),
                ("PrimaryFlag", "boolean"),
                *_CREDIT,
            ),
            parent="opportunities",
        ),
        Resource(
            SPLIT,
            "RevnId",
            "RevnId",
            (
                ("OptyId", "reference"),
                ("RevnAmount", "currency"),
                ("RevnAmountCurcyCode", "string"),
                *_CREDIT,
                ("SplitParentRevnId", "reference"),
                ("NqSplitAllocTypeCode", "picklist"),
            ),
            parent=REVENUE,
        ),
        Resource(
            TEAM,
            "OptyResourceId",
            "OptyResourceId",
            (
                ("OptyId", "reference"),
                ("ResourceId", "reference"),
                ("PartyName", "string"),
                ("OwnerFlag", "boolean"),
                ("MemberFunctionCode", "picklist"),
                ("AccessLevelCode", "picklist"),
            ),
            parent="opportunities",
        ),
        Resource(
            "activities",
            "ActivityId",
            "ActivityNumber",
            (
                ("ActivityNumber", "string"),
                ("Subject", "string"),
                ("ActivityFunctionCode", "picklist"),
                ("ActivityTypeCode", "picklist"),
                ("ActivityStartDate", "datetime"),
                ("ActivityEndDate", "datetime"),
                ("DueDate", "date"),
                ("StatusCode", "picklist"),
                ("DirectionCode", "picklist"),
                ("AccountId", "reference"),
                ("PrimaryContactId", "reference"),
                ("OpportunityId", "reference"),
                ("LeadId", "reference"),
                ("SrId", "reference"),
                ("OwnerId", "reference"),
            ),
        ),
        Resource(
            "serviceRequests",
            "SrId",
            "SrNumber",
            (
                ("SrNumber", "string"),
                ("Title", "string"),
                ("StatusCd", "picklist"),
                ("ChannelTypeCd", "picklist"),
                ("SeverityCd", "picklist"),
                ("AccountPartyId", "reference"),
                ("PrimaryContactPartyId", "reference"),
                ("AssigneeResourceId", "reference"),
            ),
        ),
        *CUSTOM_OBJECTS,
    )
}


def build_schemas() -> dict[str, ObjectSchema]:
    """Fresh schemas of every resource (the child collection included)."""
    schemas = {}
    for res in RESOURCES.values():
        names = [(res.id_field, "id"), *res.fields, *_SYSTEM]
        seen: set[str] = set()
        fields = []
        for name, kind in names:
            if name not in seen:
                seen.add(name)
                fields.append(Field(name, kind, custom=name.endswith("_c")))
        schemas[res.name] = ObjectSchema(
            name=res.name,
            fields=fields,
            id_field=res.id_field,
            modified_fields=("LastUpdateDate",),
            created_fields=("CreationDate",),
            label=res.name,
        )
    return schemas


def oracle_id(seq: int) -> str:
    """The org-wide numeric id of the ``seq``-th record (kept as a string)."""
    return str(ID_BASE + seq)


def oracle_number(resource: str, rid: str) -> str:
    """The user-facing number of a record: ``SR`` numbers for service requests,
    ``CDRM_`` numbers (as Fusion's default document sequences give) for the rest."""
    seq = int(rid) - ID_BASE
    return f"SR{seq:010d}" if resource == "serviceRequests" else f"CDRM_{seq}"
