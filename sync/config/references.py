"""Checks that span sections of the configuration, run on the file's data as written so
they report even when another section is broken: source names are unique, push targets
and the sources of ``compensation.crm_rates`` name configured sources (the latter with
``exchange_rates`` on), and folders written in the file exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compensation.yamlsource import format_path
from sync.config.yamlsource import Locations

__all__ = ["check_references"]


def check_references(data: dict[str, Any], file: Path, where: Locations) -> list[str]:
    """One ``FILE:LINE: key: problem`` line per broken reference."""
    return (
        _unique_names(data, where)
        + _push_sources(data, where)
        + _rate_sources(data, where)
        + _folders(data, file, where)
    )


def _unique_names(data: dict[str, Any], where: Locations) -> list[str]:
    sources = data.get("sources")
    problems: list[str] = []
    first: dict[str, int] = {}
    for index, source in enumerate(sources if isinstance(sources, list) else []):
        name = source.get("name") if isinstance(source, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            path = ("sources", index, "name")
            problems.append(
                f"{where.where(path)}: {format_path(path)}: sources[{first[name]}] is also "
                f"named {name!r}; give each source its own name"
            )
        first.setdefault(name, index)
    return problems


def _push_sources(data: dict[str, Any], where: Locations) -> list[str]:
    sources = data.get("sources", [])
    push = data.get("push")
    if not isinstance(sources, list) or not isinstance(push, dict):
        return []
    names = sorted({s["name"] for s in sources if isinstance(s, dict) and "name" in s})
    targets = push.get("targets")
    problems = []
    for index, target in enumerate(targets if isinstance(targets, list) else []):
        if not isinstance(target, dict) or not isinstance(target.get("source"), str):
            continue  # the model reports a missing or mistyped source
        if target["source"] not in names:
            path = ("push", "targets", index, "source")
            known = ", ".join(names) or "none configured"
            problems.append(
                f"{where.where(path)}: {format_path(path)}: no source named "
                f"{target['source']!r} (sources: {known}); name one of the sources"
            )
    return problems


def _rate_sources(data: dict[str, Any], where: Locations) -> list[str]:
    sources = data.get("sources", [])
    compensation = data.get("compensation")
    if not isinstance(sources, list) or not isinstance(compensation, dict):
        return []
    listed = compensation.get("crm_rates")
    reading = {
        s["name"]: bool(s.get("exchange_rates"))
        for s in sources
        if isinstance(s, dict) and isinstance(s.get("name"), str)
    }
    problems = []
    for index, name in enumerate(listed if isinstance(listed, list) else []):
        path = ("compensation", "crm_rates", index)
        if not isinstance(name, str):
            continue  # the model reports a mistyped entry
        if name not in reading:
            known = ", ".join(sorted(reading)) or "none configured"
            problems.append(
                f"{where.where(path)}: {format_path(path)}: no source named {name!r} "
                f"(sources: {known}); name one of the sources"
            )
        elif not reading[name]:
            problems.append(
                f"{where.where(path)}: {format_path(path)}: source {name!r} does not read its "
                f"CRM's exchange rates; set exchange_rates: true on it"
            )
    return problems


def _folders(data: dict[str, Any], file: Path, where: Locations) -> list[str]:
    # Only folders written in the file: the default config/plans may legitimately be
    # absent for an installation that does not compute pay.
    compensation = data.get("compensation")
    if not isinstance(compensation, dict) or not isinstance(compensation.get("plans_dir"), str):
        return []
    folder = Path(compensation["plans_dir"])
    folder = folder if folder.is_absolute() else file.parent / folder
    if folder.is_dir():
        return []
    path = ("compensation", "plans_dir")
    return [
        f"{where.where(path)}: {format_path(path)}: no directory {folder}; create it or "
        "correct the path (relative paths start at the configuration file's folder)"
    ]
