"""Person accounts, as an org that has enabled them serves them.

Enabling person accounts (a one-way switch in a real org) adds to ``Account`` the
person's fields — ``IsPersonAccount``, ``PersonContactId``, ``FirstName``, ``LastName``,
``Salutation``, ``PersonEmail``, ``PersonMobilePhone``, ``PersonHomePhone``,
``PersonMailing…``, ``PersonTitle``, ``PersonLeadSource``, ``PersonBirthdate`` — and
``IsPersonAccount`` to ``Contact`` (a person account's own contact has it true). Field
names and types follow Salesforce's Account and Contact field reference. A business
account keeps ``IsPersonAccount`` false and its person fields empty.

The fields are added to the world's schemas at run time, like an admin's custom field, so
a saved sandbox keeps them and a sandbox without a B2C line serves exactly what it did.
"""

from __future__ import annotations

from sandbox.schema import Field
from sandbox.store import Table

__all__ = ["ACCOUNT_PERSON_FIELDS", "enable_person_accounts", "person_accounts_enabled"]

ACCOUNT_PERSON_FIELDS = (
    Field("IsPersonAccount", "boolean", label="Is Person Account", updateable=False),
    Field(
        "PersonContactId",
        "reference",
        label="Person Contact ID",
        ref=("Contact",),
        relationship="PersonContact",
        updateable=False,
    ),
    Field("Salutation", "picklist", picklist=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
    Field("FirstName", label="First Name", length=40),
    Field("LastName", label="Last Name", length=80),
    Field("PersonTitle", label="Title", length=80),
    Field("PersonEmail", "email", label="Email", length=80),
    Field("PersonMobilePhone", "phone", label="Mobile", length=40),
    Field("PersonHomePhone", "phone", label="Home Phone", length=40),
    Field("PersonMailingStreet", "textarea", label="Mailing Street"),
    Field("PersonMailingCity", label="Mailing City", length=40),
    Field("PersonMailingState", label="Mailing State/Province", length=80),
    Field("PersonMailingPostalCode", label="Mailing Zip/Postal Code", length=20),
    Field("PersonMailingCountry", label="Mailing Country", length=80),
    Field("PersonLeadSource", "picklist", label="Lead Source"),
    Field("PersonBirthdate", "date", label="Birthdate"),
)
CONTACT_PERSON_FIELDS = (
    Field("IsPersonAccount", "boolean", label="Is Person Account", updateable=False),
)


def person_accounts_enabled(salesforce: dict[str, Table]) -> bool:
    """Whether this org serves person accounts."""
    return salesforce["Account"].schema.field("IsPersonAccount") is not None


def enable_person_accounts(salesforce: dict[str, Table]) -> None:
    """Turn person accounts on: add the fields and mark every existing account and
    contact as a business one (``IsPersonAccount`` false, as Salesforce reports it)."""
    if person_accounts_enabled(salesforce):
        return
    for name, fields in (("Account", ACCOUNT_PERSON_FIELDS), ("Contact", CONTACT_PERSON_FIELDS)):
        table = salesforce[name]
        for new in fields:
            table.schema.add_field(new)
        for record in table.rows.values():
            for new in fields:
                record.setdefault(new.name, False if new.type == "boolean" else None)
