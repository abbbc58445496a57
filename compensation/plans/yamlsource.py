"""YAML loading that remembers the line of every key, so plan errors name file and line.

Plain PyYAML safe loading (no custom tags); ``Located.line_of(path)`` gives the line of a
key path such as ``("components", 0, "tiers", 1, "from")``, or of its nearest parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["KeyPath", "Located", "YamlFileError", "format_path", "load_located"]

KeyPath = tuple[str | int, ...]


class YamlFileError(ValueError):
    """The file cannot be read or is not valid YAML (the message names file and line)."""


@dataclass
class Located:
    """Where each key path of one loaded file was written."""

    file: Path
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``, or of its nearest parent that has one (1 at worst)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def where(self, path: KeyPath) -> str:
        """``FILE:LINE`` for ``path``."""
        return f"{self.file}:{self.line_of(path)}"


def format_path(path: KeyPath) -> str:
    """``("tiers", 1, "from")`` → ``tiers[1].from``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def load_located(file: Path) -> tuple[Any, Located]:
    """Parse ``file``; return plain data (dates stay :class:`datetime.date`) and lines."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlFileError(f"{file}: cannot read the file ({exc.strerror})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlFileError(f"{file}:{line}: not valid YAML: {exc.problem}") from exc
    located = Located(file)
    if node is None:
        return None, located
    return _convert(node, (), located), located


def _convert(node: yaml.Node, path: KeyPath, located: Located) -> Any:
    located.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(yaml.safe_load(yaml.serialize(key_node)))
            child = (*path, key)
            located.lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, child, located)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), located) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))
