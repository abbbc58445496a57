"""An employee with users in several CRMs takes the team and role most of them give; a
tie goes to the first source by name (what a single disagreeing CRM used to decide)."""

from __future__ import annotations

from sync.compute.directory import UserFacts, build_directory
from sync.config.compensation import DirectoryConfig


def _user(
    source: str, department: str | None, title: str | None, role: str | None = None
) -> UserFacts:
    return UserFacts(source, f"{source}-1", "Ada Lind", None, True, title, department, role)


def _team_and_role(*users: UserFacts) -> tuple[str | None, str | None]:
    employee_of = {(u.source, u.remote_id): "E-1" for u in users}
    (person,) = build_directory(users, employee_of, DirectoryConfig()).employees.values()
    return person.team, person.role


def test_a_subsidiarys_crm_does_not_move_a_group_manager_off_their_team() -> None:
    # The subsidiary's CRM sorts first by name and files her under its business unit.
    assert _team_and_role(
        _user("crm_a", "DACH Subsidiary", "Sales Manager"),
        _user("crm_b", "Leadership", "Manager"),
        _user("crm_c", "Leadership", None, role="PERSON"),  # says nothing about the job
        _user("crm_d", None, None, role="Manager"),
    ) == ("leadership", "manager")


def test_a_tie_goes_to_the_first_source_by_name() -> None:
    assert _team_and_role(
        _user("crm_b", "Leadership", "Manager"),
        _user("crm_a", "Marketing", "Marketing"),
    ) == ("marketing", "marketing")


def test_the_job_title_comes_before_the_crm_role_of_the_same_user() -> None:
    assert _team_and_role(_user("crm_a", "Service", "Service", role="Manager")) == (
        "service",
        "service",
    )
