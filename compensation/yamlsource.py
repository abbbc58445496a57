"""YAML loading that remembers the line of every key, so errors name file and line.

Plain PyYAML safe loading (no custom tags), hardened for files written by hand or by
someone hostile: nesting is capped while composing, aliases may add only a bounded number of
values (a "billion laughs" file fails in milliseconds instead of eating the memory), an alias
inside its own anchor is refused, a key written twice is refused with both lines, and bytes
that are not UTF-8, control characters and unreadable values (a 5,000-digit integer) become
``FILE:LINE`` problems. ``Located.line_of(path)`` gives the line of a key path such as
``("components", 0, "tiers", 1, "from")``, or of its nearest parent. The configuration
loader of the application reuses this module, so both file kinds get the same limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "KeyPath",
    "Located",
    "YamlFileError",
    "format_path",
    "load_located",
]

KeyPath = tuple[str | int, ...]

MAX_DEPTH = 50  # the deepest real file (a plan's tier) nests 6 levels
MAX_ALIAS_VALUES = 10_000  # values that aliases may add to a file, all aliases together
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_UNPRINTABLE = yaml.reader.Reader.NON_PRINTABLE  # what PyYAML's reader refuses


class YamlFileError(ValueError):
    """The file cannot be read or is not valid YAML; ``problems`` holds one
    ``FILE:LINE: ...`` line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
    """Parse ``file``; return plain data (dates stay :class:`datetime.date`) and lines.

    Raises :class:`YamlFileError` for every input it cannot turn into data, never another
    exception.
    """
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise YamlFileError([f"{file}: cannot read the file ({exc.strerror})"]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        key = _key_on(file, raw.decode("utf-8", errors="replace"), line)
        raise YamlFileError(
            [f"{file}:{line}: {key}the file is not UTF-8 text (byte {raw[exc.start]:#04x}); "
             "save it as UTF-8"]
        ) from exc  # fmt: skip
    node, anchors = _compose(file, text)
    located = Located(file)
    if node is None:
        return None, located
    converter = _Converter(file, located, anchors)
    data = converter.convert(node, ())
    if converter.problems:
        raise YamlFileError(converter.problems)
    return data, located


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than :data:`MAX_DEPTH` and keeps
    the anchor names (PyYAML forgets them at the end of the document)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.anchor_names: dict[int, str] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            event = self.peek_event()
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            node = super().compose_node(parent, index)
            if isinstance(event, yaml.AliasEvent):
                return _at_alias(node, event)
            if event.anchor is not None:
                self.anchor_names[_identity(node)] = event.anchor
            return node
        finally:
            self._depth -= 1


def _identity(node: yaml.Node) -> int:
    """The same for an anchored value and every alias of it: collections share ``value``."""
    return id(node.value) if isinstance(node, yaml.CollectionNode) else id(node)


def _at_alias(node: yaml.Node, event: yaml.AliasEvent) -> yaml.Node:
    """The aliased node, placed where the alias was written (so lines point at the alias),
    sharing its content."""
    if isinstance(node, yaml.CollectionNode):
        return type(node)(node.tag, node.value, event.start_mark, event.end_mark)
    return node


def _compose(file: Path, text: str) -> tuple[yaml.Node | None, dict[int, str]]:
    fast = _compose_in_c(text)
    if fast is not None:
        return fast, {}
    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(text)  # the reader checks every character here
        return loader.get_single_node(), loader.anchor_names
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlFileError([f"{file}:{line}: not valid YAML: {exc.problem}"]) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        key = _key_on(file, _UNPRINTABLE.sub(" ", text), line)
        raise YamlFileError(
            [f"{file}:{line}: {key}not valid YAML: control character #x{exc.character:04x} "
             "is not allowed; remove it"]
        ) from exc  # fmt: skip
    except (yaml.YAMLError, RecursionError) as exc:
        raise YamlFileError([f"{file}:1: not valid YAML: {exc}"]) from exc
    finally:
        if loader is not None:
            loader.dispose()


# libyaml's parser and composer, where PyYAML has them built in (its wheels do).
_C_LOADER: Any = getattr(yaml, "CSafeLoader", None)
_COLLECTION_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_COLLECTION_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _compose_in_c(text: str) -> yaml.Node | None:
    """The file's node tree composed by libyaml, about ten times faster than PyYAML's own
    composer (a 400-line configuration: 2 ms against 28 ms of every command's start-up);
    ``None`` where the Python composer must run: libyaml missing, a character PyYAML's
    reader refuses, an anchor or an alias (their names and lines are kept there), nesting
    past ``MAX_DEPTH`` (refused there; libyaml's composer recurses in C), or any error (said
    there, in PyYAML's words). For a file both accept the nodes are the same: the same
    resolver tags them, and their marks give the same lines. (libyaml is the reference
    parser PyYAML's Python one follows; where they differ on an edge of the syntax, a file
    libyaml refuses still goes to PyYAML.)"""
    if _C_LOADER is None or _UNPRINTABLE.search(text):
        return None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_C_LOADER):  # libyaml's parser keeps no C stack
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None
            if isinstance(event, _COLLECTION_START):
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif isinstance(event, _COLLECTION_END):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and depth + 1 > MAX_DEPTH:
                return None  # a value counts as a level, as ``_LimitedLoader`` counts it
        loader = _C_LOADER(text)
        try:
            node: yaml.Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return None
    return node


def _key_on(file: Path, readable: str, line: int) -> str:
    """``"key.path: "`` of the deepest key written on ``line``, found by parsing the file
    with its unreadable characters replaced; empty when even that cannot say."""
    located = Located(file)
    try:
        node, anchors = _compose(file, readable)
        if node is not None:
            _Converter(file, located, anchors).convert(node, ())
    except YamlFileError:
        pass  # the lines recorded before the problem still locate the key
    paths = [path for path, at in located.lines.items() if at == line and path]
    return f"{format_path(max(paths, key=len))}: " if paths else ""


class _Converter:
    """Nodes → plain data, recording lines, collecting problems, bounding alias expansion."""

    def __init__(self, file: Path, located: Located, anchors: dict[int, str]) -> None:
        self.file = file
        self.located = located
        self.anchors = anchors
        self.problems: list[str] = []
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()
        self.alias_values = 0
        self.open: list[int] = []  # nodes being converted, outermost first
        self.repeating = 0  # > 0 inside a value an alias repeats (counted once, at the alias)
        self.sizes: dict[int, int] = {}

    def _say(self, line: int, path: KeyPath, message: str) -> str:
        return f"{self.file}:{line}: {format_path(path)}: {message}"

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        line = node.start_mark.line + 1
        self.located.lines.setdefault(path, line)
        identity = _identity(node)
        name = self.anchors.get(identity, "")
        if identity in self.open:
            raise YamlFileError(
                [self._say(line, path, f"the alias *{name} is inside its own anchor &{name}; "
                           "an alias can only repeat a finished value")]
            )  # fmt: skip
        repeat = identity in self.seen and not self.repeating
        if repeat:
            # An alias: count every value it repeats before building any of them, so a
            # "billion laughs" file stops at its first oversized alias.
            self.alias_values += self._size(node)
            if self.alias_values > MAX_ALIAS_VALUES:
                raise YamlFileError(
                    [self._say(line, path, f"aliases (*{name}) expand to more than "
                               f"{MAX_ALIAS_VALUES} values; write the values out instead")]
                )  # fmt: skip
        self.seen.add(identity)
        if len(self.open) >= MAX_DEPTH:
            raise YamlFileError([self._say(line, path, f"nested deeper than {MAX_DEPTH} levels")])
        if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_TAGS:
            # e.g. !!python/object/apply: never built, and not silently read as a list
            self.problems.append(self._say(line, path, f"the tag {node.tag} is not supported"))
            return None
        self.open.append(identity)
        self.repeating += repeat
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node, path)
        finally:
            self.open.pop()
            self.repeating -= repeat

    def _size(self, node: yaml.Node) -> int:
        """Values in ``node``, itself included (memoised: aliases share nodes)."""
        size = self.sizes.get(_identity(node))
        if size is None:
            children: list[yaml.Node] = []
            if isinstance(node, yaml.MappingNode):
                children = [value for _, value in node.value]
            elif isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            size = 1 + sum(self._size(child) for child in children)
            self.sizes[_identity(node)] = size
        return size

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merged: list[tuple[int, Any]] = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                # its own path, so the merged keys' lines cannot overwrite the keys written
                # here; errors inside fall back to the line of the '<<'
                merged.append((line, self.convert(value_node, (*path, "<<"))))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(self._say(line, path, "a key must be a plain name"))
                continue
            key = str(self._scalar(key_node, path))
            child = (*path, key)
            if key in first_line:
                self.problems.append(
                    self._say(line, child, f"the key is written twice (lines "
                              f"{first_line[key]} and {line}); keep one")
                )  # fmt: skip
                continue
            first_line[key] = line
            self.located.lines[child] = line
            result[key] = self.convert(value_node, child)
        # ``<<: *defaults`` (or a list of them): keys written here win, then earlier merges
        for line, value in merged:
            for part in value if isinstance(value, list) else [value]:
                if not isinstance(part, dict):
                    self.problems.append(self._say(line, path, "'<<' merges only mappings"))
                    continue
                for key, item in part.items():
                    if key not in result:
                        result[key] = item
                        self.located.lines[(*path, key)] = line
        return result

    def _scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        try:
            return self.constructor.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self.constructor.recursive_objects.clear()  # PyYAML leaves the failed node there
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            line = node.start_mark.line + 1
            self.problems.append(self._say(line, path, f"cannot read this value ({reason})"))
            return None
