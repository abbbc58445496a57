"""Conformance checks for discovery and admin-mapped custom objects.

::

    from connectors.testing import check_custom_stream, check_discovery

    objects = check_discovery(connector)
    ids = check_custom_stream(connector, mapping, expected={"Visit/1", "Visit/2"})
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from connectors.core.custom import CustomObjectMapping, MapsCustomObjects
from connectors.core.discovery import Discovers, ObjectInfo
from connectors.testing.conformance import ConformanceError, check_pull

__all__ = ["check_custom_stream", "check_discovery"]


def check_discovery(connector: Any) -> dict[str, ObjectInfo]:
    """``discover()`` names each object once (aliases included), every object has fields,
    its cursor field is one of them, and the whole answer is JSON-able. Returns the
    objects by name and by alias."""
    problems: list[str] = []
    if not isinstance(connector, Discovers):
        raise ConformanceError(type(connector).__name__, ["has no discover() method"])
    objects = connector.discover()
    by_name: dict[str, ObjectInfo] = {}
    for info in objects:
        if not isinstance(info, ObjectInfo):
            problems.append(f"{info!r} is not an ObjectInfo")
            continue
        for name in (info.name, *info.aliases):
            if name in by_name:
                problems.append(f"object name {name!r} is given twice")
            by_name[name] = info
        if not info.fields:
            problems.append(f"{info.name}: no fields")
        names = [f.name for f in info.fields]
        if len(set(names)) != len(names):
            problems.append(f"{info.name}: a field is listed twice")
        if info.cursor_field is not None and info.cursor_field not in names:
            problems.append(f"{info.name}: cursor field {info.cursor_field} is not a field")
        try:
            json.dumps(info.to_json())
        except (TypeError, ValueError) as exc:
            problems.append(f"{info.name}: not JSON-able ({exc})")
    if not objects:
        problems.append("discover() found no object")
    if problems:
        raise ConformanceError(f"{type(connector).__name__} discovery", problems)
    return by_name


def check_custom_stream(
    connector: Any, mapping: CustomObjectMapping, expected: Collection[str] | None = None
) -> set[str]:
    """The mapped object is discovered with every field the mapping reads; once added, its
    stream is listed with the mapping's record type and an id prefix that every id read
    carries; and it passes ``check_pull`` (ids equal to ``expected`` where given)."""
    problems: list[str] = []
    objects = check_discovery(connector)
    info = objects.get(mapping.object)
    if info is None:
        problems.append(f"discover() lacks {mapping.object}")
    else:
        for path, field in mapping.remote_fields():
            if info.field(field) is None:
                problems.append(f"{mapping.object} has no field {field} ({path})")
    if not isinstance(connector, MapsCustomObjects):
        problems.append("has no add_custom_streams() method")
    if problems:
        raise ConformanceError(f"{type(connector).__name__} custom objects", problems)
    connector.add_custom_streams([mapping])
    stream = mapping.stream_name
    infos = {s.name: s for s in connector.streams()}
    info_stream = infos.get(stream)
    if info_stream is None or info_stream.record_type != mapping.record_type:
        problems.append(f"streams() lacks {stream} of record type {mapping.record_type}")
    elif not info_stream.id_prefix:
        problems.append(f"stream {stream} has no id_prefix")
    if problems:
        raise ConformanceError(f"{type(connector).__name__} custom objects", problems)
    assert info_stream is not None and info_stream.id_prefix
    wanted = None if expected is None else {stream: expected}
    ids = check_pull(connector, wanted, streams=[stream])[stream]
    stray = sorted(i for i in ids if not i.startswith(info_stream.id_prefix))
    if stray:
        problems.append(f"{stream}: ids without the prefix {info_stream.id_prefix}: {stray[:5]}")
    if problems:
        raise ConformanceError(f"{type(connector).__name__} custom objects", problems)
    return ids
