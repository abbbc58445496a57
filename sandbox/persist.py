"""Saving a ``World`` to a state directory and loading it back, exactly.

Layout (all JSON via orjson, one record per line where it is a list)::

    world.json                      seed, scale, anchor, sequences, custom fields,
                                    deleted/purged ids with their times, table versions
    tables/<crm>/<object>.jsonl     records, values encoded by field type
    hubspot_owners.jsonl
    hubspot_associations.jsonl      [from_type, to_type, from_id, to_id, [type ids]]
    history.jsonl                   [crm, object, id, entry]: HubSpot and Zoho history
                                    (Salesforce's is in its history tables)
    truth/<name>.jsonl              ground truth files

Datetimes are written as ISO 8601 with offset and dates as ``YYYY-MM-DD``; on load the
schema's field types say which strings to turn back into ``datetime``/``date``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from sandbox.dynamics.schema import build_schemas as dynamics_schemas
from sandbox.hubspot.schema import build_schemas as hubspot_schemas
from sandbox.keap.schema import build_schemas as keap_schemas
from sandbox.oracle.schema import build_schemas as oracle_schemas
from sandbox.salesforce.schema import build_schemas as salesforce_schemas
from sandbox.salesforce.schema_currency import currency_schemas
from sandbox.schema import Field, ObjectSchema
from sandbox.store import Table
from sandbox.sugarcrm.schema import build_schemas as sugarcrm_schemas
from sandbox.world import World
from sandbox.zoho.schema import build_schemas as zoho_schemas

__all__ = ["load_world", "save_world"]

CRMS = ("salesforce", "hubspot", "zoho", "dynamics", "sugarcrm", "keap", "oracle")
_FRESH = {
    "salesforce": salesforce_schemas,
    "hubspot": hubspot_schemas,
    "zoho": zoho_schemas,
    "dynamics": dynamics_schemas,
    "sugarcrm": sugarcrm_schemas,
    "keap": keap_schemas,
    "oracle": oracle_schemas,
}
_OWNER_TIMES = ("createdAt", "updatedAt")


def _lines(rows: Any) -> bytes:
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


def _read_lines(path: Path) -> list[Any]:
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line]


def _optional(crm: str) -> dict[str, ObjectSchema]:
    """Objects an org has only with a feature on (Salesforce's dated exchange rates)."""
    return currency_schemas() if crm == "salesforce" else {}


def _custom_fields(crm: str, schemas: dict[str, Table]) -> dict[str, list[dict[str, Any]]]:
    fresh = _FRESH[crm]() | _optional(crm)
    added: dict[str, list[dict[str, Any]]] = {}
    for name, table in schemas.items():
        known = set(fresh[name].field_names)
        extra = [asdict(f) for f in table.schema.fields if f.name not in known]
        if extra:
            added[name] = extra
    return added


def save_world(world: World, directory: Path) -> None:
    """Write everything needed to rebuild ``world`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    with world.lock:
        tables_meta: dict[str, dict[str, Any]] = {}
        for crm in CRMS:
            folder = directory / "tables" / crm
            folder.mkdir(parents=True, exist_ok=True)
            tables_meta[crm] = {}
            for name, table in getattr(world, crm).items():
                (folder / f"{name}.jsonl").write_bytes(_lines(table.rows.values()))
                tables_meta[crm][name] = {
                    "version": table.version,
                    "deleted_at": table.deleted_at,
                    "purged": table.purged,
                }
        meta = {
            "seed": world.seed,
            "scale": world.scale,
            "anchor": world.anchor,
            "sequences": dict(world.sequences),
            "custom_fields": {crm: _custom_fields(crm, getattr(world, crm)) for crm in CRMS},
            "tables": tables_meta,
        }
        (directory / "world.json").write_bytes(orjson.dumps(meta))
        (directory / "hubspot_owners.jsonl").write_bytes(_lines(world.hubspot_owners))
        links = world.hubspot_associations.links
        rows = (
            [a, b, a_id, b_id, sorted(types)]
            for (a, b), by_id in links.items()
            for a_id, targets in by_id.items()
            for b_id, types in targets.items()
        )
        (directory / "hubspot_associations.jsonl").write_bytes(_lines(rows))
        (directory / "hubspot_rates.jsonl").write_bytes(_lines(world.hubspot_rates))
        history = (
            [crm, obj, rid, entry]
            for (crm, obj, rid), entries in world.history.entries.items()
            for entry in entries
        )
        (directory / "history.jsonl").write_bytes(_lines(history))
        truth_dir = directory / "truth"
        truth_dir.mkdir(exist_ok=True)
        for old in truth_dir.glob("*.jsonl"):
            old.unlink()
        for name, truth_rows in world.truth.files.items():
            (truth_dir / f"{name}.jsonl").write_bytes(_lines(truth_rows))


def _field_from(data: dict[str, Any]) -> Field:
    data = dict(data)
    data["ref"] = tuple(data.get("ref", ()))
    data["picklist"] = tuple(data.get("picklist", ()))
    return Field(**data)


def _decoders(schema: ObjectSchema) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for f in schema.fields:
        if f.type == "datetime":
            out.append((f.name, datetime.fromisoformat))
        elif f.type == "date":
            out.append((f.name, date.fromisoformat))
    return out


def _load_table(table: Table, path: Path, meta: dict[str, Any]) -> None:
    decoders = _decoders(table.schema)
    id_field = table.schema.id_field
    for record in _read_lines(path):
        for name, decode in decoders:
            value = record.get(name)
            if value is not None:
                record[name] = decode(value)
        table.rows[record[id_field]] = record
    table.deleted_at = {k: datetime.fromisoformat(v) for k, v in meta["deleted_at"].items()}
    table.purged = {k: datetime.fromisoformat(v) for k, v in meta["purged"].items()}
    table.version = meta["version"]


def load_world(directory: Path) -> World:
    """Rebuild a world saved by :func:`save_world`."""
    meta = orjson.loads((directory / "world.json").read_bytes())
    world = World.empty(meta["seed"], meta["scale"], datetime.fromisoformat(meta["anchor"]))
    world.sequences.update(meta["sequences"])
    for crm in CRMS:
        tables = getattr(world, crm)
        for name, fields in meta["custom_fields"].get(crm, {}).items():
            for data in fields:
                tables[name].schema.add_field(_field_from(data))
        optional = _optional(crm)
        for name in meta["tables"].get(crm, {}):  # older saves: no Keap
            if name not in tables and name in optional:
                tables[name] = Table(optional[name])  # an object the org turned on
        for name, table in tables.items():
            table_meta = meta["tables"].get(crm, {}).get(name)  # older saves: no Dynamics/SugarCRM
            if table_meta is not None:
                _load_table(table, directory / "tables" / crm / f"{name}.jsonl", table_meta)
    for owner in _read_lines(directory / "hubspot_owners.jsonl"):
        for key in _OWNER_TIMES:
            if owner.get(key) is not None:
                owner[key] = datetime.fromisoformat(owner[key])
        world.hubspot_owners.append(owner)
    links = world.hubspot_associations.links
    for a, b, a_id, b_id, types in _read_lines(directory / "hubspot_associations.jsonl"):
        links[(a, b)][a_id][b_id] = set(types)
    rates = directory / "hubspot_rates.jsonl"
    if rates.exists():  # a state saved before the settings API had rates has none
        world.hubspot_rates.extend(_read_lines(rates))
    _load_history(world, directory / "history.jsonl")
    truth_dir = directory / "truth"
    for path in sorted(truth_dir.glob("*.jsonl")):
        world.truth.files[path.stem] = _read_lines(path)
    return world


def _load_history(world: World, path: Path) -> None:
    decoders: dict[tuple[str, str], dict[str, Any]] = {}
    for crm, obj, rid, entry in _read_lines(path):
        if (crm, obj) not in decoders:
            decoders[(crm, obj)] = dict(_decoders(getattr(world, crm)[obj].schema))
        decode = decoders[(crm, obj)]
        entry["at"] = datetime.fromisoformat(entry["at"])
        for name, pair in entry["changes"].items():
            if name in decode:
                entry["changes"][name] = [None if v is None else decode[name](v) for v in pair]
        world.history.entries[(crm, obj, rid)].append(entry)
