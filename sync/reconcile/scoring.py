"""Fellegi–Sunter-style scoring: each field comparison lands on a level with a log2 weight.

The weight of a level is log2(m/u): m the chance the level is seen when two records are the
same real entity, u the chance for two different entities. ``WEIGHTS`` are hand-set from
those rates on CRM data of this kind; a trained model (``learn.py``) replaces them by its
estimates. The total is the sum of the levels' weights, compared with the kind's match
threshold and review band. A phone or e-mail shared by more people than ``shared_limit``
(a company switchboard, info@...) only counts as a weak agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from sync.reconcile.entities import Entity
from sync.reconcile.holders import email_holders, people
from sync.reconcile.mailnames import spells_name
from sync.reconcile.nicknames import same_first_name
from sync.reconcile.normalize import email_domain, is_free_mail
from sync.reconcile.places import add_address, add_city, most_specific_place
from sync.reconcile.typos import domain_typo, email_typo
from sync.reconcile.weights import WEIGHTS

__all__ = [
    "TYPO_LEVELS",
    "WEIGHTS",
    "Comparison",
    "Raw",
    "ScoreContext",
    "build_context",
    "contradicts",
    "explain",
    "score_pair",
    "weighed",
    "weight_of",
]


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field's comparison: its level and weight, with the two values compared."""

    field: str
    level: str
    weight: float
    left: str
    right: str


@dataclass
class ScoreContext:
    """Frequencies and the organisation identity of each record, shared by all pairs."""

    phone_people: Counter[str] = field(default_factory=Counter)
    email_people: Counter[str] = field(default_factory=Counter)
    org_of: dict[str, str] = field(default_factory=dict)
    shared_limit: int = 1
    # A trained model's weights (``learn.Model.weights``); the hand-set WEIGHTS without one.
    weights: dict[tuple[str, str], float] = field(default_factory=lambda: WEIGHTS)
    # A trained model's term-frequency weights (``frequencies.TermWeights``).
    terms: dict[str, tuple[str, dict[str, float], float]] = field(default_factory=dict)
    # Count only the most specific agreeing place (learned models; the hand-set weights
    # were set for street, postal code, city and state adding up).
    nested_places: bool = False


def build_context(
    entities: Sequence[Entity],
    org_of: dict[str, str] | None = None,
    shared_limit: int = 1,
    weights: dict[tuple[str, str], float] | None = None,
    terms: dict[str, tuple[str, dict[str, float], float]] | None = None,
    nested_places: bool | None = None,
) -> ScoreContext:
    """Count how many different people use each phone and e-mail."""
    phone_names: dict[str, list[tuple[str, ...]]] = {}
    email_names: dict[str, list[tuple[str, ...]]] = {}
    for entity in entities:
        if entity.kind == "organisation":
            names: tuple[str, ...] = (entity.company,) if entity.company else ()
        else:
            names = tuple(part for part in (entity.first, entity.last) if part)
        for phone in entity.phones:
            phone_names.setdefault(phone, []).append(names)
        for email in entity.emails:
            email_names.setdefault(email, []).append(names)
    return ScoreContext(
        phone_people=Counter({k: people(v) for k, v in phone_names.items() if len(v) > 1}),
        email_people=email_holders(email_names),
        org_of=org_of or {},
        shared_limit=shared_limit,
        weights=weights or WEIGHTS,
        terms=terms or {},
        nested_places=weights is not None if nested_places is None else nested_places,
    )


def weighed(
    ctx: ScoreContext,
    weights: dict[tuple[str, str], float] | None = None,
    terms: dict[str, tuple[str, dict[str, float], float]] | None = None,
    nested_places: bool | None = None,
) -> ScoreContext:
    """``ctx``'s counts and organisations with these weights: ``build_context`` on the
    same records without counting them again."""
    return replace(
        ctx,
        weights=weights or WEIGHTS,
        terms=terms or {},
        nested_places=weights is not None if nested_places is None else nested_places,
    )


Raw = tuple[str, str, str, str]  # field, level, left, right


def _cmp(result: list[Raw], name: str, level: str, left: str, right: str) -> None:
    result.append((name, level, left, right))


def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def _emails(a: Entity, b: Entity, ctx: ScoreContext, out: list[Raw]) -> None:
    if not a.emails or not b.emails:
        return
    left, right = ", ".join(a.emails), ", ".join(b.emails)
    common = set(a.emails) & set(b.emails)
    if common:
        shared = min(ctx.email_people.get(e, 1) for e in common) > ctx.shared_limit
        _cmp(out, "email", "shared" if shared else "exact", left, right)
        return
    if a.kind == "employee" and _local_alias(a.emails, b.emails):
        _cmp(out, "email", "local_alias", left, right)
        return
    if a.kind == "person" and any(email_typo(x, y) for x in a.emails for y in b.emails):
        _cmp(out, "email", "fuzzy", left, right)
        return
    free_a = all(is_free_mail(email_domain(e)) for e in a.emails)
    free_b = all(is_free_mail(email_domain(e)) for e in b.emails)
    if a.kind == "person" and free_a != free_b:
        # A personal address next to a work address says little: people use both.
        _cmp(out, "email", "personal_vs_work", left, right)
        return
    _cmp(out, "email", "different", left, right)


def _conversion(a: Entity, b: Entity, out: list[Raw]) -> None:
    """A converted lead and the contact its system created at the conversion instant."""
    if a.source != b.source or a.table == b.table:
        return
    lead, contact = (a, b) if a.table == "leads" else (b, a)
    if lead.converted_at is None or contact.created_at is None:
        return
    if abs((lead.converted_at - contact.created_at).total_seconds()) <= 60:
        _cmp(out, "conversion", "exact", lead.key, contact.key)


def _local_alias(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """chris.hall@x.com ~ christopher.hall@x.es: same local part up to nicknames."""
    for a in left:
        for b in right:
            la, lb = a.split("@")[0].split("."), b.split("@")[0].split(".")
            if len(la) == len(lb) and all(
                same_first_name(x, y) for x, y in zip(la, lb, strict=True)
            ):
                return True
    return False


def _phones(a: Entity, b: Entity, ctx: ScoreContext, out: list[Raw]) -> None:
    if not a.phones or not b.phones:
        return
    left, right = ", ".join(a.phones), ", ".join(b.phones)
    common = set(a.phones) & set(b.phones)
    if not common:
        # An organisation has one main number: two different ones are branches or namesakes.
        level = "different_main" if a.kind == "organisation" else "different"
        _cmp(out, "phone", level, left, right)
        return
    if a.kind == "organisation":
        _cmp(out, "phone", "exact", left, right)
        return
    shared = min(ctx.phone_people.get(p, 1) for p in common) > ctx.shared_limit
    _cmp(out, "phone", "shared" if shared else "exact", left, right)


def _first_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    short, long = sorted((a, b), key=len)
    # A short form the nickname table lacks is mostly the name's start ("franci").
    if same_first_name(a, b) or (len(short) >= 3 and long.startswith(short)):
        return "nickname"
    if _jw(a, b) >= 0.88 or _one_edit(a, b):
        return "fuzzy"
    if (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
        return "initial"
    return "similar" if _similar(a, b) else "different"


def _last_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    if _jw(a, b) >= 0.9 or (a.replace(" ", "") == b.replace(" ", "")) or _one_edit(a, b):
        return "fuzzy"
    return "similar" if _similar(a, b) else "different"


def _similar(a: str, b: str) -> bool:
    """Alike past one typo: two slips or a name spelt by ear ("kingsbury" / "kinesiury",
    "raphael" / "rafael": Jaro-Winkler >= 0.8, the lowest rung of the usual name ladder),
    or a name too short for a typo to keep it alike, one edit off ("rui" / "riu")."""
    return _jw(a, b) >= 0.8 or DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1


def _one_edit(a: str, b: str) -> bool:
    """One letter typed wrong, added, dropped or two swapped ("joze" / "jose"), in a name
    long enough for that to be a typo rather than another name."""
    return min(len(a), len(b)) >= 4 and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1


def _names(a: Entity, b: Entity, out: list[Raw], ctx: ScoreContext) -> None:
    first = _first_level(a.first, b.first) if a.first and b.first else None
    last = _last_level(a.last, b.last) if a.last and b.last else None
    if a.first and a.last and b.first and b.last and (first, last) != ("exact", "exact"):
        swapped = _swapped(a, b, ctx)
        if _rank((swapped[0][1], swapped[1][1])) > _rank((first, last)):
            out.extend(swapped)
            return
    if _lone_name_in_other_column(a, b, out) or _lone_name_in_other_column(b, a, out):
        return
    if last in ("different", "similar") and (
        spells_name(a.emails, b.first, b.last) or spells_name(b.emails, a.first, a.last)
    ):
        last = "fuzzy"  # one's address spells the other's name: a surname mistyped or changed
    if first:
        _cmp(out, "first_name", first, a.first, b.first)
    if last:
        _cmp(out, "last_name", last, a.last, b.last)


def _swapped(a: Entity, b: Entity, ctx: ScoreContext) -> tuple[Raw, Raw]:
    """The names compared across the columns, in the likelier reading: ``b``'s names in the
    wrong columns or ``a``'s; the one agreeing best, and on a tie ("smith rachel" / "rachel
    smith") the one putting each name where it is common (weighed as the common surname
    "smith", not as a first name never seen)."""
    readings = (
        (("first_name", _first_level(a.first, b.last), a.first, b.last),
         ("last_name", _last_level(a.last, b.first), a.last, b.first)),
        (("first_name", _first_level(a.last, b.first), a.last, b.first),
         ("last_name", _last_level(a.first, b.last), a.first, b.last)),
    )  # fmt: skip
    return min(
        readings,
        key=lambda r: (-_rank((r[0][1], r[1][1])), _weight(r[0], ctx.weights, ctx.terms)
                       + _weight(r[1], ctx.weights, ctx.terms)),
    )  # fmt: skip


def _lone_name_in_other_column(a: Entity, b: Entity, out: list[Raw]) -> bool:
    """``b`` holds one name, ``a`` both: when it differs from its own column in ``a`` but
    agrees with the other one (the columns swapped and one left blank: "dreckow toby" /
    "toby"), it is compared there."""
    if not (a.first and a.last) or bool(b.first) == bool(b.last):
        return False
    usual: tuple[str | None, str | None]
    other: tuple[str | None, str | None]
    if b.first:
        usual, other = (_first_level(a.first, b.first), None), (None, _last_level(a.last, b.first))
    else:
        usual, other = (None, _last_level(a.last, b.last)), (_first_level(a.first, b.last), None)
    if "different" not in usual or _rank(other) <= _rank(usual):
        return False
    if other[0]:
        _cmp(out, "first_name", other[0], a.first, b.last)
    else:
        _cmp(out, "last_name", other[1] or "", a.last, b.first)
    return True


def _rank(levels: tuple[str | None, str | None]) -> float:
    first, last = levels
    return (WEIGHTS[("first_name", first)] if first else 0.0) + (
        WEIGHTS[("last_name", last)] if last else 0.0
    )


def _organisation(a: Entity, b: Entity, ctx: ScoreContext, out: list[Raw]) -> None:
    org_a, org_b = ctx.org_of.get(a.org_ref or ""), ctx.org_of.get(b.org_ref or "")
    label_a = a.company or a.domain or ""
    label_b = b.company or b.domain or ""
    if org_a and org_a == org_b:
        _cmp(out, "organisation", "exact", org_a, org_b)
    elif a.domain and a.domain == b.domain:
        _cmp(out, "organisation", "exact", a.domain, b.domain)
    elif a.domain and b.domain:
        level = "fuzzy" if domain_typo(a.domain, b.domain) else "different"
        _cmp(out, "organisation", level, a.domain, b.domain)
    elif a.company and b.company:
        if a.company == b.company:
            _cmp(out, "organisation", "exact", label_a, label_b)
        elif (
            token_set_ratio(a.company, b.company) >= 90
            or _abbreviates(a.company, b.company)
            or _abbreviates(b.company, a.company)
        ):
            _cmp(out, "organisation", "fuzzy", label_a, label_b)
        else:
            _cmp(out, "organisation", "different", label_a, label_b)
    elif org_a and org_b:
        _cmp(out, "organisation", "different", org_a, org_b)
    if out and out[-1][0] == "organisation" and out[-1][1] != "different":
        # The switchboard colleagues share says nothing the organisation did not.
        out[:] = [c for c in out if c[:2] != ("phone", "shared")]


def _org_fields(a: Entity, b: Entity, out: list[Raw]) -> None:
    if a.domain and b.domain:
        _cmp(out, "domain", "exact" if a.domain == b.domain else "different", a.domain, b.domain)
    if a.company and b.company:
        if a.company == b.company:
            level = "exact"
        elif token_set_ratio(a.company, b.company) >= 90 or _jw(a.company, b.company) >= 0.93:
            level = "fuzzy"
        elif _abbreviates(a.company, b.company) or _abbreviates(b.company, a.company):
            level = "abbreviation"
        else:
            level = "different"
        _cmp(out, "name", level, a.company, b.company)
    if a.city and b.city:
        _cmp(out, "city", "exact" if a.city == b.city else "different", a.city, b.city)


def _abbreviates(short: str, long: str) -> bool:
    words = long.split()
    return len(words) >= 2 and " " not in short and short == "".join(w[0] for w in words)


def score_pair(a: Entity, b: Entity, ctx: ScoreContext) -> tuple[float, list[Raw]]:
    """The total weight of a pair and its raw comparisons (see :func:`explain`)."""
    out: list[Raw] = []
    if a.kind == "organisation":
        _org_fields(a, b, out)
        _phones(a, b, ctx, out)
    else:
        _emails(a, b, ctx, out)
        _names(a, b, out, ctx)
        if a.kind == "employee" and a.team and b.team:
            _cmp(out, "team", "exact" if a.team == b.team else "different", a.team, b.team)
        if a.kind == "person":
            _conversion(a, b, out)
            _phones(a, b, ctx, out)
            _organisation(a, b, ctx, out)
            if a.title and b.title:  # a job title: namesake colleagues mostly differ
                _cmp(out, "title", "exact" if a.title == b.title else "other", a.title, b.title)
            add_city(a, b, out)
            add_address(a, b, out)
            if ctx.nested_places:
                out = most_specific_place(out)
    weights, terms = ctx.weights, ctx.terms
    return round(sum(_weight(c, weights, terms) for c in out), 2), out


def contradicts(a: Entity, b: Entity, ctx: ScoreContext) -> bool:
    """Whether a pair holds evidence against being one person: a comparison of negative
    weight (a different name, e-mail or town), as against fields one side lacks."""
    weights, terms = ctx.weights, ctx.terms
    return any(_weight(c, weights, terms) < 0 for c in score_pair(a, b, ctx)[1])


def _weight(
    comparison: Raw,
    weights: dict[tuple[str, str], float],
    terms: dict[str, tuple[str, dict[str, float], float]],
) -> float:
    return weight_of(comparison[0], comparison[1], comparison[2], weights, terms, comparison[3])


# Levels that agree up to a typo or a short form: with term frequencies, never more
# evidence than the exact agreement on either value would be.
TYPO_LEVELS = frozenset({"fuzzy", "nickname", "similar"})


def weight_of(
    fld: str,
    level: str,
    value: str,
    weights: dict[tuple[str, str], float],
    terms: dict[str, tuple[str, dict[str, float], float]],
    other: str = "",
) -> float:
    """The weight of one comparison: its value's term-frequency weight where the model
    adjusts that level, else the level's. A typo of a common value weighs no more than
    the value itself: "smiht" / "smith" is no rarer than "smith" / "smith", and an
    office's street typed with a typo no more a home's than the office's own. Where the
    two values agree without being the same text ("152 maple ave" / "maple ave"), the
    commoner one's weight (as Splink takes the greater term frequency): a pair scores
    the same whichever record comes first."""
    adjusted = terms.get(fld)
    if adjusted is None:
        return weights[(fld, level)]
    _, by_value, default = adjusted
    if adjusted[0] == level:
        found = by_value.get(value, default)
        return found if not other or other == value else min(found, by_value.get(other, default))
    if level in TYPO_LEVELS:
        return min(
            weights[(fld, level)], by_value.get(value, default), by_value.get(other, default)
        )
    return weights[(fld, level)]


def explain(
    raw: list[Raw],
    weights: dict[tuple[str, str], float] | None = None,
    terms: dict[str, tuple[str, dict[str, float], float]] | None = None,
) -> list[Comparison]:
    """Comparisons with their weights (a trained model's, else the hand-set ones)."""
    table, adjusted = weights or WEIGHTS, terms or {}
    return [Comparison(c[0], c[1], _weight(c, table, adjusted), c[2], c[3]) for c in raw]
