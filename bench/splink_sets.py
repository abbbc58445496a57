"""Splink's public person sets as benchmark people, beside FEBRL.

``fake_1000`` (1,000 records of 251 people, each field missing for about a fifth of them,
typos in names, towns and e-mail addresses) and ``historical_50k`` (50,578 records of 5,156
historical figures, names written many ways) are the labelled sets Splink's own tutorials
use. Neither was looked at while crmsync's matcher was built; they check it on data it was
not made for.

What a CRM's lead or contact would hold is kept, mapped to the benchmark's person fields:
names, town and e-mail of ``fake_1000``; names, postcode and birth place (as the town) of
``historical_50k``. Dates of birth, gender and occupation are dropped, as a CRM's leads
rarely hold them.

The files come from Splink's data repository (github.com/moj-analytical-services/
splink_datasets, ``data/``): ``--data-dir`` names a folder holding ``fake_1000.csv`` and
``historical_figures_with_errors_50k.parquet``; without it, ``splink.datasets`` downloads
them.
"""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path
from typing import Any

__all__ = ["SETS", "load"]

Person = dict[str, str | None]

FILES = {
    "fake_1000": "fake_1000.csv",
    "historical_50k": "historical_figures_with_errors_50k.parquet",
}
SETS = tuple(FILES)


def load(name: str, data_dir: Path | None) -> tuple[dict[str, Person], set[tuple[str, str]]]:
    """unique_id -> person, and the true links (every pair of records in one cluster)."""
    rows = _rows(name, data_dir)
    people: dict[str, Person] = {}
    clusters: dict[str, list[str]] = {}
    for row in rows:
        rec_id = str(row["unique_id"])
        people[rec_id] = _person(name, row)
        clusters.setdefault(str(row["cluster"]), []).append(rec_id)
    links = {
        (a, b) if a <= b else (b, a)
        for members in clusters.values()
        for a, b in combinations(members, 2)
    }
    return people, links


def _person(name: str, row: dict[str, Any]) -> Person:
    from febrl_load import FIELDS  # the benchmark's person fields (it imports this module)

    person: Person = dict.fromkeys((*FIELDS, "email"))
    person["given_name"] = _text(row.get("first_name"))
    person["surname"] = _text(row.get("surname"))
    if name == "fake_1000":
        person["suburb"] = _text(row.get("city"))
        person["email"] = _text(row.get("email"))
        person["country"] = "United Kingdom"
    else:
        person["suburb"] = _text(row.get("birth_place"))
        person["postcode"] = _text(row.get("postcode_fake"))
        person["country"] = "United Kingdom"
    return person


def _rows(name: str, data_dir: Path | None) -> list[dict[str, Any]]:
    if name not in FILES:
        raise SystemExit(f"unknown set {name!r}: one of {', '.join(SETS)}")
    if data_dir is None:
        try:
            from splink.datasets import splink_datasets
        except ImportError as exc:
            raise SystemExit(
                f"{name}: pass --data-dir with {FILES[name]} (from Splink's splink_datasets "
                "repository) or install splink to download it"
            ) from exc
        frame = getattr(splink_datasets, "fake_1000" if name == "fake_1000" else name)
        return list(frame.to_dict("records"))
    path = data_dir / FILES[name]
    if not path.exists():
        raise SystemExit(f"{path}: no such file; --data-dir must hold {FILES[name]}")
    import duckdb

    relation = duckdb.sql(f"SELECT * FROM '{path}' ORDER BY unique_id")
    columns = relation.columns
    return [dict(zip(columns, values, strict=True)) for values in relation.fetchall()]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
