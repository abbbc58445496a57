"""Check a source's custom-object mappings against what discovery found in the CRM.

Run when the source is reachable (``crmsync connectors check``): each problem is one line
``FILE:LINE: key.path: what is wrong; did you mean …?``, like every configuration error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from connectors.core.custom import CustomObjectMapping
from connectors.core.discovery import ObjectInfo, closest
from sync.config.loader import format_path
from sync.config.yamlsource import Locations, YamlError, load_yaml

__all__ = ["check_mappings", "mapping_problems"]


def mapping_problems(
    mappings: Sequence[CustomObjectMapping], objects: Sequence[ObjectInfo]
) -> list[tuple[int, str, str]]:
    """(mapping index, key path within it, message) for every mapping that does not fit."""
    by_name: dict[str, ObjectInfo] = {}
    for each in objects:
        for name in (each.name, *each.aliases):
            by_name.setdefault(name, each)
    problems: list[tuple[int, str, str]] = []
    for index, mapping in enumerate(mappings):
        info = by_name.get(mapping.object)
        if info is None:
            hint = closest(mapping.object, sorted(by_name))
            tail = (
                f"; did you mean {hint}?" if hint else "; `crmsync connectors discover` lists them"
            )
            problems.append((index, "object", f"the CRM has no object {mapping.object}{tail}"))
            continue
        names = [f.name for f in info.fields]
        for path, field in mapping.remote_fields():
            if info.field(field) is not None:
                continue
            hint = closest(field, names)
            tail = f"; did you mean {hint}?" if hint else ""
            problems.append((index, path, f"object {info.name} has no field {field}{tail}"))
        if not info.incremental:
            message = f"object {info.name} has no modified-time field: it cannot be synced"
            problems.append((index, "object", message))
        elif mapping.cursor_field not in (None, info.cursor_field):
            message = (
                f"object {info.name} is read incrementally on {info.cursor_field}; "
                "leave cursor_field out or set it to that field"
            )
            problems.append((index, "cursor_field", message))
    return problems


def check_mappings(
    file: Path, source: str, mappings: Sequence[CustomObjectMapping], objects: Sequence[ObjectInfo]
) -> list[str]:
    """One ``FILE:LINE: path: message`` line per problem of ``source``'s mappings."""
    problems = mapping_problems(mappings, objects)
    if not problems:
        return []
    try:
        data, where = load_yaml(file)
    except YamlError:
        data, where = None, Locations(file)
    sources = data.get("sources") if isinstance(data, dict) else None
    index = next(
        (i for i, s in enumerate(sources or []) if isinstance(s, dict) and s.get("name") == source),
        0,
    )
    lines = []
    for mapping_index, key, message in problems:
        path: tuple[str | int, ...] = (
            "sources",
            index,
            "custom_objects",
            mapping_index,
            *key.split("."),
        )
        lines.append(f"{where.where(path)}: {format_path(path)}: {message}")
    return lines
