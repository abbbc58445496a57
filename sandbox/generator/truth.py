"""Writing the ground truth to a directory, one JSON-lines file per name."""

from __future__ import annotations

from pathlib import Path

import orjson

from sandbox.world import World

__all__ = ["truth_summary", "write_ground_truth"]


def truth_summary(world: World) -> dict[str, dict[str, dict[str, int]]]:
    """Live and deleted (soft or purged) record counts per CRM and object."""
    summary: dict[str, dict[str, dict[str, int]]] = {}
    for crm in ("salesforce", "hubspot", "zoho", "dynamics", "sugarcrm", "keap", "oracle"):
        summary[crm] = {
            name: {
                "live": len(table),
                "deleted": len(table.deleted_at),
                "purged": len(table.purged),
            }
            for name, table in getattr(world, crm).items()
        }
    summary["hubspot"]["owners"] = {
        "live": sum(1 for o in world.hubspot_owners if not o["archived"]),
        "deleted": sum(1 for o in world.hubspot_owners if o["archived"]),
        "purged": 0,
    }
    return summary


def write_ground_truth(world: World, directory: Path) -> None:
    """``<name>.jsonl`` per ground-truth file plus ``summary.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    with world.lock:
        for name, rows in world.truth.files.items():
            with (directory / f"{name}.jsonl").open("wb") as out:
                for row in rows:
                    out.write(orjson.dumps(row))
                    out.write(b"\n")
        meta = {
            "seed": world.seed,
            "scale": world.scale,
            "anchor": world.anchor.isoformat(),
            "counts": truth_summary(world),
        }
    (directory / "summary.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
