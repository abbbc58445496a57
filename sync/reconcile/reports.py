"""Read side of reconciliation: explain a record, the review band, duplicate reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, or_, select

from connectors.core.profile import CrmProfile
from connectors.core.registry import profile_of
from sync.reconcile.golden import provenance_read
from sync.reconcile.model_store import AnyModel, models_of_runs
from sync.reconcile.persist import IDENTITIES, MEMBERS, PAIRS
from sync.store.record_key import RecordKey
from sync.store.records import AccountRow, ContactRow, LeadRow, UserRow
from sync.store.table_model import table_of
from sync.store.view.identity_map import IdentityMap

__all__ = [
    "Duplicate",
    "RecordCreators",
    "UnknownRecord",
    "duplicates",
    "explain_record",
    "resolve_record",
    "review_pairs",
]

_MODELS = {"users": UserRow, "accounts": AccountRow, "leads": LeadRow, "contacts": ContactRow}


class UnknownRecord(LookupError):
    """A record reference that matches no record or identity (or several)."""


def resolve_record(connection: Connection, ref: str) -> str:
    """A record key from ``source:table:id``, a bare remote id, or an identity id (its
    earliest member)."""
    if ref.count(":") >= 2:
        return ref
    members = select(MEMBERS.c.source, MEMBERS.c.table_name, MEMBERS.c.remote_id)
    rows = connection.execute(members.where(MEMBERS.c.remote_id == ref)).all()
    if not rows:
        rows = connection.execute(
            members.where(MEMBERS.c.identity_id == ref).order_by(MEMBERS.c.id).limit(1)
        ).all()
    if len(rows) != 1:
        what = "no record" if not rows else f"{len(rows)} records"
        raise UnknownRecord(f"{what} known as {ref!r}; write it as source:table:id")
    return str(RecordKey(*rows[0]))


def explain_record(connection: Connection, key: str) -> dict[str, Any]:
    """The identity of a record, its members, and every stored comparison involving it."""
    source, table, remote_id = RecordKey.parse(key)
    row = connection.execute(
        select(MEMBERS.c.identity_id, MEMBERS.c.method, MEMBERS.c.score).where(
            MEMBERS.c.source == source,
            MEMBERS.c.table_name == table,
            MEMBERS.c.remote_id == remote_id,
        )
    ).first()
    if row is None:
        raise UnknownRecord(f"{key} is not reconciled; run `crmsync reconcile run` first")
    identity_id, method, _score = row
    members = [
        str(RecordKey(*m))
        for m in connection.execute(
            select(MEMBERS.c.source, MEMBERS.c.table_name, MEMBERS.c.remote_id)
            .where(MEMBERS.c.identity_id == identity_id)
            .order_by(MEMBERS.c.source, MEMBERS.c.table_name, MEMBERS.c.remote_id)
        )
    ]
    golden = connection.execute(
        select(IDENTITIES.c.golden, IDENTITIES.c.provenance).where(
            IDENTITIES.c.identity_id == identity_id
        )
    ).first()
    pairs = connection.execute(
        select(
            PAIRS.c.a_key,
            PAIRS.c.b_key,
            PAIRS.c.score,
            PAIRS.c.status,
            PAIRS.c.detail,
            PAIRS.c.kind,
            PAIRS.c.run_id,
        )
        .where(or_(PAIRS.c.a_key == key, PAIRS.c.b_key == key))
        .order_by(PAIRS.c.score.desc(), PAIRS.c.a_key, PAIRS.c.b_key)
    ).all()
    kind = pairs[0][5] if pairs else None
    models = models_of_runs(connection, kind, {p[6] for p in pairs}) if kind else {}
    return {
        "record": key,
        "kind": kind,
        "identity": identity_id,
        "joined_by": method,
        "members": members,
        "golden": golden[0] if golden else {},
        "provenance": provenance_read(golden[1]) if golden else {},
        "pairs": [
            {
                "other": b if a == key else a,
                "score": s,
                "status": status,
                "linked": (b if a == key else a) in members,
                "comparisons": _oriented((detail or {}).get("comparisons", []), a == key),
                **_model_terms(models.get(run_id), s),
            }
            for a, b, s, status, detail, _kind, run_id in pairs
        ],
    }


def _model_terms(model: AnyModel | None, score: float) -> dict[str, Any]:
    """With a trained model: its version, its prior and the pair's probability of being one
    (the score plus the prior, as log2 odds)."""
    if model is None:
        return {}
    return {
        "model": model.version,
        "prior": model.prior,
        "probability": round(1.0 / (1.0 + 2.0 ** -(score + model.prior)), 6),
    }


def _oriented(comparisons: list[dict[str, Any]], mine_first: bool) -> list[dict[str, Any]]:
    """Comparisons with ``this`` (the explained record) and ``other`` values."""
    return [
        {
            "field": c["field"],
            "level": c["level"],
            "weight": c["weight"],
            "this": c["a"] if mine_first else c["b"],
            "other": c["b"] if mine_first else c["a"],
        }
        for c in comparisons
    ]


def review_pairs(
    connection: Connection,
    kind: str | None = None,
    limit: int = 100,
    identity_of: Callable[[str], str | None] | None = None,
) -> list[dict[str, Any]]:
    """Pairs in the review band, highest score first. ``identity_of`` (a record key's
    identity, from a loaded identity map) saves a query per pair."""
    query = select(PAIRS.c.kind, PAIRS.c.a_key, PAIRS.c.b_key, PAIRS.c.score, PAIRS.c.detail).where(
        PAIRS.c.status == "review"
    )
    if kind:
        query = query.where(PAIRS.c.kind == kind)
    query = query.order_by(PAIRS.c.score.desc(), PAIRS.c.a_key, PAIRS.c.b_key)
    found: list[dict[str, Any]] = []
    for k, a, b, s, d in connection.execute(query):
        if len(found) >= limit:
            break
        same = identity_of or (lambda key: _identity(connection, key))
        if same(a) == same(b):
            continue  # already one identity through other links: nothing to decide
        found.append(
            {"kind": k, "a": a, "b": b, "score": s, "comparisons": (d or {}).get("comparisons", [])}
        )
    return found


def _identity(connection: Connection, key: str) -> str | None:
    source, table, remote_id = RecordKey.parse(key)
    return connection.execute(
        select(MEMBERS.c.identity_id).where(
            MEMBERS.c.source == source,
            MEMBERS.c.table_name == table,
            MEMBERS.c.remote_id == remote_id,
        )
    ).scalar_one_or_none()


@dataclass
class Duplicate:
    """Records of one identity inside one CRM (``scope`` within) or across CRMs."""

    scope: str  # within | across
    kind: str
    identity_id: str
    source: str
    records: list[str]
    later_record: str | None = None
    created_by: str | None = None
    created_by_name: str | None = None
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def duplicates(
    engine: Engine,
    identities: IdentityMap,
    kinds: Iterable[str] = ("person", "organisation"),
    source_kinds: Mapping[str, str] | None = None,
) -> list[Duplicate]:
    """Duplicates within each CRM (with who created the later record) and across CRMs.

    ``source_kinds`` gives each source's connector kind, whose profile says who created a
    record (a source not in it is taken to be of the kind it is named after).
    """
    found: list[Duplicate] = []
    with engine.connect() as connection:
        creators = RecordCreators(connection, source_kinds or {})
        query = select(
            MEMBERS.c.identity_id,
            MEMBERS.c.kind,
            MEMBERS.c.source,
            MEMBERS.c.table_name,
            MEMBERS.c.remote_id,
        ).where(MEMBERS.c.kind.in_(list(kinds)))
        groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for identity_id, kind, source, table, remote_id in connection.execute(query):
            groups.setdefault((identity_id, kind), []).append((source, table, remote_id))
        employees = identities.employees()
        for (identity_id, kind), members in sorted(groups.items()):
            if len(members) < 2:
                continue
            sources = sorted({m[0] for m in members})
            if len(sources) > 1:
                found.append(
                    Duplicate(
                        "across",
                        kind,
                        identity_id,
                        ",".join(sources),
                        sorted(str(RecordKey(*m)) for m in members),
                        sources=sources,
                    )
                )
            for source in sources:
                for group in _same_object([m for m in members if m[0] == source]):
                    if len(group) < 2:
                        continue
                    dated = sorted((_created(connection, m), str(RecordKey(*m)), m) for m in group)
                    later = dated[-1]
                    creator = creators.creator(later[2])
                    ident = identities.employee_of(source, creator) if creator else None
                    found.append(
                        Duplicate(
                            "within",
                            kind,
                            identity_id,
                            source,
                            [d[1] for d in dated],
                            later_record=later[1],
                            created_by=ident or creator,
                            created_by_name=employees[ident].name if ident in employees else None,
                            sources=[source],
                        )
                    )
    return found


def _same_object(members: list[tuple[str, str, str]]) -> list[list[tuple[str, str, str]]]:
    # A lead and the contact it was converted into are not duplicates; two leads are.
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for member in members:
        by_table.setdefault(member[1], []).append(member)
    return [by_table[t] for t in sorted(by_table)]


def _created(connection: Connection, member: tuple[str, str, str]) -> str:
    columns = table_of(_MODELS[member[1]]).c
    value = connection.execute(
        select(columns.remote_created_at).where(
            columns.source == member[0], columns.remote_id == member[2]
        )
    ).scalar_one_or_none()
    return value.isoformat() if value else ""


class RecordCreators:
    """Who created a record, by its source's connector profile (``CrmProfile.creator_of``),
    else its owner. Where a creator field names users by another key than their remote
    id, that key of every user of the source is read once (``CrmProfile.user_refs``)."""

    def __init__(self, connection: Connection, source_kinds: Mapping[str, str]) -> None:
        self._connection = connection
        self._kinds = source_kinds
        self._known: dict[str, tuple[CrmProfile, dict[str, str]]] = {}

    def _profile(self, source: str) -> tuple[CrmProfile, dict[str, str]]:
        if source not in self._known:
            profile = profile_of(self._kinds.get(source, source))
            refs: dict[str, str] = {}
            if profile.creator_user_key is not None:
                users = table_of(UserRow).c
                rows = self._connection.execute(
                    select(users.remote_id, users.raw).where(users.source == source)
                ).all()
                refs = profile.user_refs(
                    [(r[0], r[1] if isinstance(r[1], dict) else None) for r in rows]
                )
            self._known[source] = (profile, refs)
        return self._known[source]

    def creator(self, member: tuple[str, str, str]) -> str | None:
        """The creator of (source, table, remote id); ``None`` for no such record."""
        columns = table_of(_MODELS[member[1]]).c
        row = self._connection.execute(
            select(columns.raw, columns.owner_id).where(
                columns.source == member[0], columns.remote_id == member[2]
            )
        ).first()
        if row is None:
            return None
        raw, owner = row
        profile, refs = self._profile(member[0])
        return profile.creator_of(raw if isinstance(raw, dict) else None, refs) or owner
