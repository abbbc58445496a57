"""YAML loading that remembers where every value came from.

``load_yaml`` returns plain Python data plus ``Locations``: for each key path
(``("sources", 0, "auth", "client_secret")``) the line it was written on, so every
configuration error can name file, line and path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Locations", "YamlError", "load_yaml"]

Path_ = tuple[str | int, ...]


class YamlError(ValueError):
    """The file is not valid YAML (message names file and line)."""


@dataclass
class Locations:
    file: Path
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest parent that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def where(self, path: Path_) -> str:
        line = self.line_of(path)
        return f"{self.file}:{line}" if line is not None else str(self.file)


def load_yaml(file: Path) -> tuple[Any, Locations]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlError(f"{file}: cannot read the file ({exc.strerror})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else "?"
        raise YamlError(f"{file}:{line}: invalid YAML: {exc.problem}") from exc
    locations = Locations(file)
    if node is None:
        return {}, locations
    return _convert(node, (), locations), locations


def _convert(node: yaml.Node, path: Path_, locations: Locations) -> Any:
    locations.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            child = (*path, str(key))
            locations.lines[child] = key_node.start_mark.line + 1
            result[str(key)] = _convert(value_node, child, locations)
            locations.lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), locations) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))
