"""A team's manager reports to the manager of the team ``reports_to`` names; a team name
no employee is in is a warning with the closest team."""

from __future__ import annotations

from sync.compute.directory import UserFacts, build_directory, reports_to_warnings
from sync.config.compensation import DirectoryConfig


def _user(rid: str, department: str, title: str) -> UserFacts:
    return UserFacts("crm_a", rid, rid.upper(), None, True, title, department, None)


USERS = [
    _user("ceo", "Leadership", "Manager"),
    _user("boss", "Field Sales", "Manager"),
    _user("rep", "Field Sales", "Field Sales"),
]


def test_a_teams_manager_reports_to_the_manager_of_the_team_it_reports_to() -> None:
    config = DirectoryConfig.model_validate({"reports_to": {"field_sales": "leadership"}})
    people = build_directory(USERS, {}, config).employees
    assert {k: e.manager for k, e in people.items()} == {
        "crm_a:boss": "crm_a:ceo",
        "crm_a:ceo": None,
        "crm_a:rep": "crm_a:boss",
    }
    # Without it, a team's manager has nobody above them (director pools pay nobody).
    plain = build_directory(USERS, {}, DirectoryConfig()).employees
    assert plain["crm_a:boss"].manager is None


def test_a_team_no_one_is_in_is_a_warning_with_the_closest_name() -> None:
    config = DirectoryConfig.model_validate({"reports_to": {"field_sales": "leadrship"}})
    directory = build_directory(USERS, {}, config)
    assert reports_to_warnings(directory, config) == [
        "compensation.directory.reports_to: no employee is in team 'leadrship'; did you "
        "mean 'leadership'?"
    ]
