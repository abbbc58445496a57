"""The audit names an employee the way statements and the directory do: by the golden
record reconciliation chose, not by whichever CRM user happens to be read first."""

from __future__ import annotations

from sync.audit.employees import Directory
from sync.store.view.identity_map import EmployeeIdentity, IdentityMap
from tests.unit.audit.audit_rows import row, snapshot


def _users() -> dict[str, list[dict[str, object]]]:
    return {
        "users": [
            row("salesforce", "U1", name="Lola Romero", is_active=True),
            row("hubspot", "70", name="Dolores Romero", is_active=True),
            row("zoho", "Z9", name="Dan Desk", is_active=True),
        ]
    }


def test_an_employee_in_two_crms_takes_the_golden_name() -> None:
    members = {
        "E-1": [("hubspot", "users", "70"), ("salesforce", "users", "U1")],
        "E-2": [("zoho", "users", "Z9")],
    }
    golden = {
        "E-1": EmployeeIdentity("E-1", "Dolores Romero", "dolores@altamira.example", True),
        "E-2": EmployeeIdentity("E-2", None, None, True),  # no golden name: the CRM's stays
    }
    directory = Directory(snapshot(_users()), IdentityMap(members, golden))
    names = {key: employee.name for key, employee in directory.employees.items()}
    assert names == {"E-1": "Dolores Romero", "E-2": "Dan Desk"}
    assert directory.employees["E-1"].users == [("hubspot", "70"), ("salesforce", "U1")]


def test_without_reconciliation_each_user_keeps_its_crm_name() -> None:
    directory = Directory(snapshot(_users()), None)
    names = {key: employee.name for key, employee in directory.employees.items()}
    assert names == {
        "hubspot:70": "Dolores Romero",
        "salesforce:U1": "Lola Romero",
        "zoho:Z9": "Dan Desk",
    }
