"""Read a directory of JSON-lines exports incrementally: by file, and by byte offset in it.

Exports are append-only files (``*.jsonl``), written by a collector, an object-store sync or
crmsync's own HTTP endpoint. The cursor keeps, for every file, the offset after the last
whole line read, so a file that grows is read on from there and a new file, whatever its
name, is read from the start. A last line without its newline is still being written: it
is left for the next read. A line longer than the size limit is not decoded at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import orjson

__all__ = ["Line", "read_lines"]

_CHUNK = 1 << 20


class Line(NamedTuple):
    """One line of an export: the decoded message, or why it could not be decoded (a
    tuple: a million lines are read in one sync, and a tuple is the cheapest record)."""

    file: str
    number: int  # 1-based line number in its file
    end: int  # byte offset after the line: where the next read starts
    message: Any
    problem: str | None = None


def read_lines(
    directory: Path, pattern: str, offsets: Mapping[str, Any], max_bytes: int
) -> Iterator[Line]:
    """Every whole line after ``offsets`` ({file name: [offset, lines read]}), file by file
    in name order."""
    for path in sorted(directory.glob(pattern)):
        if not path.is_file():
            continue
        offset, number = offsets.get(path.name, (0, 0))
        if path.stat().st_size <= offset:
            continue
        yield from _file_lines(path, int(offset), int(number), max_bytes)


def _file_lines(path: Path, offset: int, number: int, max_bytes: int) -> Iterator[Line]:
    """The lines of ``path`` after ``offset``, read 1 MiB at a time. A line longer than
    ``max_bytes`` is not kept while it is read: only its length is counted, so a file of
    one endless line holds no more than a chunk and the limit in memory."""
    name, loads = path.name, orjson.loads
    with path.open("rb") as handle:
        handle.seek(offset)
        pending = b""
        skipping = 0  # bytes read so far of a line already over the limit
        while chunk := handle.read(_CHUNK):
            if skipping:
                cut = chunk.find(b"\n")
                if cut < 0:
                    skipping += len(chunk)
                    continue
                number += 1
                offset += skipping + cut + 1
                yield _too_long(name, number, offset, skipping + cut, max_bytes)
                skipping, chunk = 0, chunk[cut + 1 :]
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()  # no newline yet: still being written, or in the next chunk
            for text in lines:
                number += 1
                offset += len(text) + 1
                if len(text) > max_bytes:
                    yield _too_long(name, number, offset, len(text), max_bytes)
                    continue
                try:
                    message = loads(text)
                except orjson.JSONDecodeError as exc:
                    yield _not_json(name, number, offset, text, exc)
                    continue
                yield Line(name, number, offset, message)
            if len(pending) > max_bytes:
                skipping, pending = len(pending), b""


def _too_long(name: str, number: int, end: int, length: int, max_bytes: int) -> Line:
    problem = f"{name} line {number}: {length} bytes, over the {max_bytes}-byte limit"
    return Line(name, number, end, {"file": name, "line": number}, problem)


def _not_json(name: str, number: int, end: int, text: bytes, exc: Exception) -> Line:
    if not text.strip():
        return Line(name, number, end, None)  # a blank line: nothing to read, nothing wrong
    preview = text[:200].decode("utf-8", "replace")
    return Line(name, number, end, {"line": preview}, f"{name} line {number}: not JSON ({exc})")
