"""Clustering: union-find over accepted links, with guards against over-merging.

Links are applied strongest first: admin ``link`` decisions, then the CRMs' own evidence
(lead conversions, merges), then scored matches by descending score. A link is refused
when an admin ``unlink`` separates the two sides, when the merged cluster would exceed the
maximum size, or when it would hold conflicting strong identifiers (two users of one CRM
for an employee; two different domains for an organisation; two different work e-mails on
one company domain for a person). Admin links override every guard but ``unlink``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sync.reconcile.entities import Entity
from sync.reconcile.normalize import email_domain, is_free_mail
from sync.reconcile.typos import email_typo

__all__ = ["ClusterResult", "Link", "cluster"]


@dataclass(frozen=True, slots=True)
class Link:
    """A proposed link between entities ``i`` and ``j``: method admin|must_link|match."""

    i: int
    j: int
    method: str
    score: float = 0.0


@dataclass
class ClusterResult:
    """Clusters as sorted index lists, how each member joined (records that joined nobody
    have no entry: read them with ``.get(index, ("single", None))``), and what was refused."""

    clusters: list[list[int]]
    method: dict[int, tuple[str, float | None]]
    refused: list[tuple[Link, str]] = field(default_factory=list)


class _Summary:
    """What a cluster's guards read: its members, and per kind the CRMs of its employees,
    the domains of its organisations or the work e-mails of its people (each left ``None``
    where its kind has none: a few hundred thousand merged clusters held three empty
    containers each, 140 MB at 1 M people)."""

    __slots__ = ("domains", "members", "sources", "work")

    def __init__(self, entity: Entity) -> None:
        self.members = [0]
        self.sources: set[str] | None = {entity.source} if entity.kind == "employee" else None
        self.domains: set[str] | None = None
        if entity.kind == "organisation" and entity.domain:
            self.domains = {entity.domain}
        self.work: dict[str, set[str]] | None = None
        if entity.kind == "person":
            for email in entity.emails:
                domain = email_domain(email)
                if domain and not is_free_mail(domain):
                    if self.work is None:
                        self.work = {}
                    self.work.setdefault(domain, set()).add(email)

    def conflict(self, other: _Summary, kind: str) -> str | None:
        if kind == "employee" and self.sources and other.sources:
            return "two users of one CRM" if self.sources & other.sources else None
        if kind == "organisation" and self.domains and other.domains:
            return None if self.domains & other.domains else "different domains"
        if kind == "person" and self.work and other.work:
            for domain, emails in self.work.items():
                theirs = other.work.get(domain)
                if theirs and not emails & theirs and not _typed_twice(emails, theirs):
                    return f"different work e-mails at {domain}"
        return None

    def absorb(self, other: _Summary) -> None:
        self.members.extend(other.members)
        self.sources = _union(self.sources, other.sources)
        self.domains = _union(self.domains, other.domains)
        if other.work:
            if self.work is None:
                self.work = {}
            for domain, emails in other.work.items():
                self.work.setdefault(domain, set()).update(emails)


def _typed_twice(mine: set[str], theirs: set[str]) -> bool:
    """One address typed twice ("scarlett.payne88@morton.info" / "scarlett.payn88@...",
    ``typos.email_typo``) is one person's, not two colleagues': on Splink's fake_1000 this
    guard kept such pairs, scored as matches, apart (F1 0.7358 -> 0.7627 without it)."""
    return any(email_typo(a, b) for a in mine for b in theirs)


def _union(mine: set[str] | None, theirs: set[str] | None) -> set[str] | None:
    if not theirs:
        return mine
    if mine is None:
        return set(theirs)
    mine |= theirs
    return mine


def cluster(
    entities: Sequence[Entity],
    links: Iterable[Link],
    unlinks: Iterable[tuple[int, int]] = (),
    max_size: int = 50,
    agrees: Callable[[Sequence[int], Sequence[int]], bool] | None = None,
) -> ClusterResult:
    """Apply ``links`` in order of strength under the guards; every entity ends in a cluster.
    ``agrees(members, members)``: whether two clusters a scored match would join agree as
    wholes (see ``agreement.cluster_agreement``); without it, any two may."""
    parent = list(range(len(entities)))
    # Summaries only for records a link touches: most records stay single, and a million
    # summaries would cost more memory than the records.
    summaries: dict[int, _Summary] = {}

    def summary_of(root: int) -> _Summary:
        found = summaries.get(root)
        if found is None:
            found = summaries[root] = _Summary(entities[root])
            found.members = [root]
        return found

    apart: dict[int, set[int]] = {}
    for i, j in unlinks:
        apart.setdefault(i, set()).add(j)
        apart.setdefault(j, set()).add(i)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = {"admin": 0, "must_link": 1, "match": 2}
    method: dict[int, tuple[str, float | None]] = {}
    refused: list[tuple[Link, str]] = []

    def strength(link: Link) -> tuple[int, float, str, str]:
        # Equal scores are taken in the order of the records' keys, not of their places in
        # ``entities``: an increment holds the records in another order than a full run,
        # and a record with two equal matches joined one cluster in one, the other in the
        # other (Splink's fake_1000).
        a, b = entities[link.i].key, entities[link.j].key
        return (order[link.method], -link.score, *((a, b) if a <= b else (b, a)))

    for link in sorted(links, key=strength):
        a, b = find(link.i), find(link.j)
        if a == b:
            continue
        first, second = summary_of(a), summary_of(b)
        small, large = (a, b) if len(first.members) <= len(second.members) else (b, a)
        reason = _refusal(link, summaries[small], summaries[large], large, apart, find, max_size)
        if reason is None and link.method != "admin":
            reason = summaries[small].conflict(summaries[large], entities[link.i].kind)
        if (
            reason is None
            and agrees is not None
            and link.method == "match"
            and len(summaries[small].members) + len(summaries[large].members) > 2
            and not agrees(summaries[small].members, summaries[large].members)
        ):
            reason = "the clusters disagree"
        if reason:
            refused.append((link, reason))
            continue
        parent[small] = large
        summaries[large].absorb(summaries.pop(small))
        for end in (link.i, link.j):
            method.setdefault(end, (link.method, link.score if link.method == "match" else None))
    clusters = sorted(
        sorted(summaries[n].members) if n in summaries else [n]
        for n in range(len(entities))
        if parent[n] == n
    )
    # A record in no merged cluster joined nobody: no entry, read as ("single", None).
    return ClusterResult(clusters, method, refused)


def _refusal(
    link: Link,
    small: _Summary,
    large: _Summary,
    large_root: int,
    apart: dict[int, set[int]],
    find: object,
    max_size: int,
) -> str | None:
    for member in small.members:
        for other in apart.get(member, ()):
            if find(other) == large_root:  # type: ignore[operator]
                return "admin unlink"
    if link.method != "admin" and len(small.members) + len(large.members) > max_size:
        return "cluster too large"
    return None
