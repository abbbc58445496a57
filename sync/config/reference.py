"""The configuration reference (Markdown), generated from the configuration's JSON Schema so
it cannot drift from the code: ``crmsync config reference > docs/configuration.md``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

__all__ = ["render_reference"]

_HEADER = """\
# Configuration reference

Generated from the configuration schema by `crmsync config reference`; do not edit by hand.
`config/crmsync.example.yaml` shows every key in context with comments, and
`crmsync config validate --config FILE` checks a file. Secrets are `${VARIABLE}` references,
resolved from the environment, then from `secrets_file`.

Every problem is reported at once, one line each as `FILE:LINE: key.path: what to do`, with
exit code 2 and nothing written; values are never echoed. Besides the keys below, the file
is refused when it is empty, when a key is written twice (both lines are named), when it
nests deeper than 50 levels, when its aliases add more than 10,000 values or an alias sits
inside its own anchor, when it is not UTF-8 or holds a control character, when a value
cannot be read (an integer of thousands of digits), when a push target names a source that
is not configured, or when a `compensation.plans_dir` written in the file does not exist.
Merge keys (`<<: *defaults`) work.
"""


def render_reference(schema: dict[str, Any]) -> str:
    defs = schema.get("$defs", {})
    lines = [_HEADER]
    for key, prop in schema["properties"].items():
        if key == "sources":
            lines += _sources(prop, defs)
            continue
        lines += [f"## `{key}`", ""]
        description = _resolve(prop, defs).get("description") or prop.get("description")
        if description:
            lines += [description, ""]
        rows = list(_rows(key, prop, defs, depth=0))
        lines += _table(rows)
    return "\n".join(lines).rstrip() + "\n"


def _sources(prop: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    lines = ["## `sources`", "", "A list; each item is one CRM, shaped by its connector kind.", ""]
    for variant in prop.get("items", {}).get("oneOf", []):
        lines += [f"### {variant['title']}", ""]
        rows = []
        for key, sub in variant["properties"].items():
            rows += list(_rows(key, sub, defs, depth=0, required=key in variant["required"]))
        lines += _table(rows)
    return lines


def _rows(
    path: str, prop: dict[str, Any], defs: dict[str, Any], depth: int, required: bool = False
) -> Iterator[tuple[str, str, str, str]]:
    target = _resolve(prop, defs)
    nested = (
        target.get("properties")
        if target.get("type") == "object" or "properties" in target
        else None
    )
    kind = _type(prop, defs)
    default = prop.get("default", target.get("default"))
    shown = "required" if required else _default(default)
    description = prop.get("description") or target.get("description") or ""
    if nested and depth < 4:
        if depth > 0 or description:
            yield (path, kind, shown, description)
        for key, sub in nested.items():
            yield from _rows(f"{path}.{key}", sub, defs, depth + 1)
        return
    yield (path, kind, shown, description)


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in prop:
        return defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
    for option in prop.get("anyOf", []) + prop.get("allOf", []):
        if "$ref" in option:
            return defs.get(option["$ref"].rsplit("/", 1)[-1], {})
    return prop


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "oneOf" in prop:
        names = [_resolve(option, defs).get("title", "object") for option in prop["oneOf"]]
        return "one of " + ", ".join(names)
    if "anyOf" in prop:
        return " or ".join(_type(option, defs) for option in prop["anyOf"])
    if "$ref" in prop:
        target = _resolve(prop, defs)
        return "enum" if "enum" in target else "object"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}), defs)}"
    if kind == "object" and "additionalProperties" in prop:
        values = prop["additionalProperties"]
        return f"map of {_type(values, defs) if isinstance(values, dict) else 'any'}"
    if prop.get("format") == "duration":
        return "duration"
    return str(kind)


def _default(value: Any) -> str:
    if value is None:
        return ""
    return f"`{orjson.dumps(value).decode()}`"


def _table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for path, kind, default, description in rows:
        text = description.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{path}` | {kind} | {default} | {text} |")
    return [*lines, ""]
