"""YAML loading that remembers where every value came from.

``load_yaml`` returns plain Python data plus ``Locations``: for each key path
(``("sources", 0, "auth", "client_secret")``) the line it was written on, so every
configuration error can name file, line and path. Parsing is the hardened loader plans
use (:mod:`compensation.yamlsource`: nesting, alias and duplicate-key limits), so a
hostile or damaged file is a list of ``FILE:LINE`` problems, never a hang or a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compensation.yamlsource import YamlFileError, load_located

__all__ = ["Locations", "YamlError", "load_yaml"]

Path_ = tuple[str | int, ...]


class YamlError(ValueError):
    """The file cannot be read or is not valid YAML; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
    """Parse ``file``: ``(None, ...)`` for a file with no document (empty or comments)."""
    try:
        data, located = load_located(file)
    except YamlFileError as exc:
        raise YamlError(exc.problems) from exc
    return data, Locations(file, located.lines)
