"""Altamira's employees and their user accounts in Salesforce, HubSpot and Zoho."""

from __future__ import annotations

from datetime import timedelta

from sandbox.generator.context import Employee, Gen, iso
from sandbox.generator.names import ascii_slug, first_names, last_names, strip_accents

__all__ = ["build_staff"]

_DOMAIN = "altamira-instruments.com"
# (team, role, crms): who works in which CRM.
_CRMS = {
    "leadership": ("salesforce", "hubspot", "zoho"),
    "marketing": ("hubspot",),
    "call_centre": ("hubspot", "salesforce"),
    "field_sales": ("salesforce",),
    "service": ("zoho", "salesforce"),
    "iberia_sales": ("zoho",),
}
_SHARES = (("marketing", 0.2), ("call_centre", 0.3), ("field_sales", 0.3), ("service", 0.15))
# Sloppy habits, handed out in turn so every problem shows up even in a tiny company.
_HABITS = {
    "field_sales": [
        ["late_deal_entry", "stale_deals"],
        ["no_activity_logging", "missing_fields"],
        ["no_lead_source"],
    ],
    "iberia_sales": [["late_deal_entry", "missing_fields"]],
    "call_centre": [["slow_response"], ["missing_fields", "slow_response"]],
    "marketing": [["no_lead_source"], ["missing_fields"]],
    "service": [["missing_fields"]],
}
_TEAM_IDS = {
    "leadership": "41000001",
    "marketing": "41000002",
    "call_centre": "41000003",
    "field_sales": "41000004",
    "service": "41000005",
    "iberia_sales": "41000006",
}


def _plan(total: int) -> list[tuple[str, str]]:
    """(team, role) per employee: a head, team managers, then members by share."""
    plan = [("leadership", "manager")]
    plan += [(t, "manager") for t in ("marketing", "call_centre", "field_sales", "service")]
    plan.append(("iberia_sales", "manager"))
    rest = max(total - len(plan), 6)
    iberia = max(1, rest // 20)
    members = [(t, t) for t, share in _SHARES for _ in range(max(1, round(share * rest)))]
    members += [("iberia_sales", "field_sales")] * iberia
    return plan + members[: max(rest, 6)]


def build_staff(gen: Gen, total: int) -> None:
    rng = gen.rng
    managers: dict[str, str] = {}
    turn: dict[str, int] = {}
    en = [f for f in first_names() if f.language == "en"]
    es = [f for f in first_names() if f.language in ("es", "pt")]
    taken: set[str] = set()
    for n, (team, role) in enumerate(_plan(total), start=1):
        first = rng.choice(es if team == "iberia_sales" else en + es[:4])
        last = rng.choice(last_names())
        # A company never gives two employees one address: namesakes get a number.
        base = f"{ascii_slug(first.name)}.{ascii_slug(last)}"
        local, number = base, 1
        while local in taken:
            number += 1
            local = f"{base}{number}"
        taken.add(local)
        eid = f"E{n:06d}"
        boss = managers.get("leadership") if role == "manager" else managers.get(team)
        if role == "manager":
            managers.setdefault(team, eid)
            habits = ["diligent"]
        else:
            # Every other member of a team is sloppy, one habit set after another.
            seen = turn.get(team, 0)
            turn[team] = seen + 1
            options = _HABITS.get(team, [["missing_fields"]])
            habits = options[(seen // 2) % len(options)] if seen % 2 == 0 else ["diligent"]
        crms = _CRMS["leadership"] if role == "manager" else _CRMS[team]
        emp = Employee(
            employee_id=eid,
            first=first.name,
            last=last,
            email=f"{local}@{_DOMAIN}",
            team=team,
            role=role,
            manager_id=boss,
            habits=list(habits),
            crms=crms,
        )
        emp.extra["nickname"] = first.nicknames[0] if first.nicknames else first.name
        if role != "manager" and rng.random() < 0.08:
            emp.left_at = gen.at_between(gen.start + timedelta(days=200), gen.anchor)
        gen.staff.append(emp)
    hired = gen.start - timedelta(days=400)
    for emp in gen.staff:
        _accounts(gen, emp, hired)


def _accounts(gen: Gen, emp: Employee, hired) -> None:
    rng = gen.rng
    world = gen.world
    head = gen.staff[0]
    accounts = []
    if "salesforce" in emp.crms:
        user = gen.sf(
            "User",
            {
                "Username": f"{emp.email}.altamira",
                "Email": emp.email,
                "FirstName": emp.first,
                "LastName": emp.last,
                "IsActive": emp.left_at is None,
                "Title": emp.role.replace("_", " ").title(),
                "Department": emp.team,
                "CompanyName": "Altamira Instruments",
                "ProfileId": "00e5g000000ADMnAAO" if emp is head else "00e5g000000STDsAAG",
                "UserRoleId": None,
                "TimeZoneSidKey": "Europe/Madrid"
                if emp.team == "iberia_sales"
                else "America/New_York",
                "LocaleSidKey": "es_ES" if emp.team == "iberia_sales" else "en_US",
            },
            hired,
            head if head.sf_user else emp,
        )
        emp.sf_user = user["Id"]
        if emp is head:
            user["CreatedById"] = user["LastModifiedById"] = user["Id"]
        if emp.left_at:
            gen.bump("salesforce", "User", user, emp.left_at, head)
        accounts.append({"crm": "salesforce", "user_id": emp.sf_user})
        gen.identity("salesforce", "User", emp.sf_user, "employee", emp.employee_id)
    if "hubspot" in emp.crms:
        seq = world.sequences["hubspot:owners"]
        world.sequences["hubspot:owners"] += 1
        # HubSpot users often sign up with a nickname and a personal alias.
        nick = rng.random() < 0.3
        first = emp.extra["nickname"] if nick else emp.first
        email = f"{ascii_slug(first)}.{ascii_slug(emp.last)}@{_DOMAIN}" if nick else emp.email
        owner_id = str(70_000_000 + seq * 7 + 3)
        world.hubspot_owners.append(
            {
                "id": owner_id,
                "email": email,
                "firstName": first,
                "lastName": emp.last,
                "userId": 9_100_000 + seq,
                "userIdIncludingInactive": 9_100_000 + seq,
                "type": "PERSON",
                "teams": [{"id": _TEAM_IDS[emp.team], "name": emp.team, "primary": True}],
                "createdAt": hired,
                "updatedAt": emp.left_at or hired,
                "archived": emp.left_at is not None,
            }
        )
        emp.hs_owner = owner_id
        accounts.append({"crm": "hubspot", "user_id": owner_id})
        gen.identity("hubspot", "owners", owner_id, "employee", emp.employee_id)
    if "zoho" in emp.crms:
        zid = world.mint("zoho", "users")
        first = strip_accents(emp.first) if rng.random() < 0.3 else emp.first
        email = (
            emp.email.replace(_DOMAIN, "altamira.es") if emp.team == "iberia_sales" else emp.email
        )
        world.zoho["users"].insert(
            {
                "id": zid,
                "first_name": first,
                "last_name": emp.last,
                "full_name": f"{first} {emp.last}",
                "email": email,
                "status": "disabled" if emp.left_at else "active",
                "role": "Manager" if emp.role == "manager" else "Standard",
                "profile": "Administrator" if emp is head else "Standard",
                "created_time": hired,
                "Modified_Time": emp.left_at or hired,
                "locale": "es_ES" if emp.team == "iberia_sales" else "en_US",
                "time_zone": "Europe/Madrid",
            }
        )
        emp.zoho_user = zid
        accounts.append({"crm": "zoho", "user_id": zid})
        gen.identity("zoho", "users", zid, "employee", emp.employee_id)
    world.truth.add(
        "employees",
        {
            "employee_id": emp.employee_id,
            "name": emp.name,
            "email": emp.email,
            "team": emp.team,
            "role": emp.role,
            "manager_id": emp.manager_id,
            "habits": emp.habits,
            "active": emp.left_at is None,
            "left_at": iso(emp.left_at),
            "accounts": accounts,
        },
    )
