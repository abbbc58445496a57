"""Zoho CRM modules served by the emulator, and Zoho-style record ids.

Records are stored flat with typed values; lookups (``Owner``, ``Account_Name``,
``Who_Id``...) hold the referenced record's id and are rendered as
``{"name", "id"}`` objects (``Owner`` adds ``email``). Polymorphic ``What_Id`` lookups store
the id and the module in ``$se_module``. Users are stored in ``World.zoho["users"]``
with Zoho's lower-case user keys.
"""

from __future__ import annotations

from sandbox.schema import Field, ObjectSchema
from sandbox.zoho.schema_custom import custom_modules

__all__ = ["DEAL_PRODUCTS_KEY", "MODULES", "build_schemas", "zoho_id"]

MODULES = (
    "Leads",
    "Contacts",
    "Accounts",
    "Deals",
    "Tasks",
    "Calls",
    "Events",
    "Cases",
    "Products",
)
# A deal's products (the Deals -> Products related list) are kept on the deal record under
# this key, which is no field: it is never rendered as one.
DEAL_PRODUCTS_KEY = "$related_products"

_ORG = "5725767"


def zoho_id(sequence: int) -> str:
    """19-digit numeric id; Zoho numbers records org-wide, not per module."""
    return f"{_ORG}{sequence + 1:012d}"


def _ref(
    name: str, module: str | tuple[str, ...], label: str = "", required: bool = False
) -> Field:
    modules = (module,) if isinstance(module, str) else module
    return Field(name, "reference", ref=modules, label=label, required=required)


def _system() -> list[Field]:
    return [
        Field("id", "id", updateable=False),
        _ref("Owner", "users", "Record Owner"),
        Field("Created_Time", "datetime", updateable=False),
        _ref("Created_By", "users", "Created By"),
        Field("Modified_Time", "datetime", updateable=False),
        _ref("Modified_By", "users", "Modified By"),
    ]


_LEAD_SOURCE = (
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
    "X (Twitter)",
    "Facebook",
)
_STAGES = (
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Identify Decision Makers",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "Closed-Lost to Competition",
)


def _modules() -> dict[str, list[Field]]:
    what = _ref("What_Id", ("Accounts", "Deals", "Cases"), "Related To")
    return {
        "users": [
            Field("id", "id", updateable=False),
            Field("first_name"),
            Field("last_name", required=True),
            Field("full_name"),
            Field("email", "email"),
            Field("status", "picklist", picklist=("active", "disabled", "deleted")),
            Field("role"),
            Field("profile"),
            Field("created_time", "datetime"),
            Field("Modified_Time", "datetime"),
            Field("locale"),
            Field("time_zone"),
        ],
        "Leads": [
            *_system(),
            Field("First_Name"),
            Field("Last_Name", required=True),
            Field("Full_Name", updateable=False),
            Field("Company"),
            Field("Designation"),
            Field("Email", "email"),
            Field("Secondary_Email", "email"),
            Field("Phone", "phone"),
            Field("Mobile", "phone"),
            Field("Street"),
            Field("City"),
            Field("State"),
            Field("Zip_Code"),
            Field("Country"),
            Field("Lead_Source", "picklist", picklist=_LEAD_SOURCE),
            Field(
                "Lead_Status",
                "picklist",
                picklist=(
                    "Attempted to Contact",
                    "Contact in Future",
                    "Contacted",
                    "Junk Lead",
                    "Lost Lead",
                    "Not Contacted",
                    "Pre-Qualified",
                    "Not Qualified",
                ),
            ),
            Field("Industry", "picklist"),
            Field("Converted__s", "boolean", updateable=False),
            Field("Converted_Date_Time", "datetime", updateable=False),
        ],
        "Contacts": [
            *_system(),
            Field("First_Name"),
            Field("Last_Name", required=True),
            Field("Full_Name", updateable=False),
            _ref("Account_Name", "Accounts", "Account Name"),
            Field("Email", "email"),
            Field("Secondary_Email", "email"),
            Field("Phone", "phone"),
            Field("Mobile", "phone"),
            Field("Title"),
            Field("Mailing_Street"),
            Field("Mailing_City"),
            Field("Mailing_State"),
            Field("Mailing_Zip"),
            Field("Mailing_Country"),
            Field("Lead_Source", "picklist", picklist=_LEAD_SOURCE),
        ],
        "Accounts": [
            *_system(),
            Field("Account_Name", required=True),
            Field("Account_Type", "picklist"),
            Field("Industry", "picklist"),
            Field("Website", "url"),
            Field("Phone", "phone"),
            Field("Billing_Street"),
            Field("Billing_City"),
            Field("Billing_State"),
            Field("Billing_Code"),
            Field("Billing_Country"),
            Field("Employees", "int"),
            Field("Annual_Revenue", "currency"),
            _ref("Parent_Account", "Accounts"),
        ],
        "Deals": [
            *_system(),
            Field("Deal_Name", required=True),
            Field("Stage", "picklist", required=True, picklist=_STAGES),
            Field("Amount", "currency"),
            Field("Currency", "picklist", picklist=("USD", "EUR", "GBP", "CHF", "CAD")),
            Field("Exchange_Rate", "double"),
            Field("Closing_Date", "date"),
            Field("Probability", "percent"),
            _ref("Account_Name", "Accounts", "Account Name"),
            _ref("Contact_Name", "Contacts", "Contact Name"),
            Field("Lead_Source", "picklist", picklist=_LEAD_SOURCE),
            Field("Pipeline", "picklist"),
            Field("Type", "picklist", picklist=("New Business", "Existing Business")),
            Field("Next_Step", label="Next Step"),
        ],
        "Tasks": [
            *_system(),
            Field("Subject", required=True),
            Field("Due_Date", "date"),
            Field(
                "Status",
                "picklist",
                picklist=(
                    "Not Started",
                    "Deferred",
                    "In Progress",
                    "Completed",
                    "Waiting for input",
                ),
            ),
            Field("Priority", "picklist", picklist=("High", "Highest", "Low", "Lowest", "Normal")),
            what,
            _ref("Who_Id", "Contacts", "Contact Name"),
            Field("Description", "textarea"),
            Field("Closed_Time", "datetime", updateable=False),
        ],
        "Calls": [
            *_system(),
            Field("Subject", required=True),
            Field(
                "Call_Type", "picklist", required=True, picklist=("Outbound", "Inbound", "Missed")
            ),
            Field("Call_Start_Time", "datetime", required=True),
            Field("Call_Duration", label="Call Duration"),
            Field("Call_Duration_in_seconds", "int", updateable=False),
            Field("Call_Purpose", "picklist"),
            Field("Call_Result", "picklist"),
            what,
            _ref("Who_Id", ("Contacts", "Leads"), "Contact Name"),
            Field("Description", "textarea"),
        ],
        "Events": [
            *_system(),
            Field("Event_Title", required=True),
            Field("Start_DateTime", "datetime", required=True),
            Field("End_DateTime", "datetime", required=True),
            Field("Venue"),
            Field("All_day", "boolean"),
            what,
            _ref("Who_Id", "Contacts", "Contact Name"),
            Field("Description", "textarea"),
        ],
        "Cases": [
            *_system(),
            Field("Subject", required=True),
            Field("Case_Number", updateable=False),
            Field(
                "Status",
                "picklist",
                required=True,
                picklist=("New", "On Hold", "Escalated", "Closed"),
            ),
            Field(
                "Case_Origin",
                "picklist",
                required=True,
                picklist=("Email", "Phone", "Web", "Chat", "Social", "Store"),
            ),
            Field("Priority", "picklist", picklist=("High", "Medium", "Low")),
            Field("Type", "picklist", picklist=("Question", "Problem", "Feature Request")),
            Field("Case_Reason", "picklist"),
            _ref("Account_Name", "Accounts", "Account Name"),
            _ref("Related_To", "Contacts", "Contact Name"),
            _ref("Deal_Name", "Deals"),
            Field("Description", "textarea"),
            Field("Resolved_Time", "datetime", label="Resolved Time", custom=True),
        ],
        "Products": [
            *_system(),
            Field("Product_Name", required=True, label="Product Name"),
            Field("Product_Code", label="Product Code"),
            Field(
                "Product_Category",
                "picklist",
                picklist=("-None-", "Instruments", "Services", "Consumables", "Software"),
                label="Product Category",
            ),
            Field("Manufacturer", "picklist", picklist=("-None-", "Altamira Instruments")),
            Field("Unit_Price", "currency", label="Unit Price"),
            Field("Commission_Rate", "currency", label="Commission Rate"),
            Field("Qty_in_Stock", "double", label="Qty in Stock"),
            Field("Taxable", "boolean"),
            Field("Product_Active", "boolean", label="Product Active"),
            Field("Description", "textarea"),
        ],
        **custom_modules(_system),
    }


def build_schemas() -> dict[str, ObjectSchema]:
    schemas = {}
    for name, fields in _modules().items():
        modified = ("Modified_Time",)
        created = ("created_time",) if name == "users" else ("Created_Time",)
        schemas[name] = ObjectSchema(
            name=name,
            fields=fields,
            id_field="id",
            modified_fields=modified,
            created_fields=created,
        )
    return schemas
