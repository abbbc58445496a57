"""One record's path through crmsync, counted: the files and functions it crosses and the
shapes it takes, from the connector's read to the statement that names it.

    python bench/count_hops.py [--kind hubspot] [--seed 1] [--scale small] [--json] [--list]
                               [--record SRC:contacts:ID]

It runs the demo twice on the sandbox at the fixed anchor (2026-10-31): once to pick the
record, once to follow it.

1. The record: a contact of a ``--kind`` source that a plan result of the demo's period
   credits as an act (a lead source), so a statement line names it — the smallest such
   record key, so the choice is the same on every run.
2. Following it: a profile hook sees every call of a function of ``connectors/``,
   ``sync/`` or ``compensation/``, and looks through the call's arguments (``self``
   included) for the record's remote id: a string equal to it or holding it as one part
   of a key (``<source>:contacts:<id>``), an item of a tuple, list, set or dict (keys
   too), a field of an object — at most three levels deep, and never through a container
   of more than 256 items (a whole table or snapshot is the bulk, not the record).

Counted: **functions** (distinct functions called with the record in an argument),
**files** (the modules they are in), and **shapes**: the distinct forms the record's id
is carried in — the class of the object whose field holds it, a dict by its keys, a
Row by its columns, a key string by its pattern (``src:contacts:{id}``) — with
**re-shapes** = shapes − 1. ``--list`` prints them all.

The counts are a measure, not a proof: a function that receives the record only through
a container of more than 256 items, or only inside a closure, is not seen. They are
stable for a given code base, data and anchor, so a change's effect on them is real.
Run it from any checkout (``PYTHONPATH=<checkout>``) to compare two versions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import sync

ROOT = Path(sync.__file__).resolve().parents[1]
PACKAGES = tuple(str(ROOT / p) + "/" for p in ("connectors", "sync", "compensation"))
ANCHOR = datetime(2026, 10, 31, tzinfo=UTC)
MAX_ITEMS = 256
MAX_DEPTH = 3
_SPLIT = re.compile(r"[:/|#@ ]")
_SCALARS = (int, float, bool, bytes, Decimal, date, datetime, time_of_day, timedelta)


def _step_names() -> tuple[str, ...]:
    try:
        from sync.config.steps import STEP_NAMES
    except ImportError:  # a checkout from before the section models moved to sync/config/
        from sync.pipeline.names import STEP_NAMES  # type: ignore[import-not-found,no-redef]
    return STEP_NAMES


def _demo(workspace: Path, seed: int, scale: str) -> Any:
    from sync.demo import run_demo

    return run_demo(workspace, seed, scale, steps=_step_names(), anchor=ANCHOR)


def pick_record(seed: int, scale: str, kind: str) -> tuple[str, str, str]:
    """(source, remote id, period) of the contact a plan result credits, smallest key first."""
    from sync.compute.history import latest_run
    from sync.config import load_config
    from sync.store import open_store

    with tempfile.TemporaryDirectory(prefix="crmsync-hops-") as folder:
        result = _demo(Path(folder), seed, scale)
        config = load_config(result.config_path)
        sources = {s.name for s in config.sources if s.kind == kind}
        engine = open_store(result.store_url)
        try:
            period = next(s.summary["period"] for s in result.steps if s.step == "compute")
            stored = latest_run(engine, period)
        finally:
            engine.dispose()
    assert stored is not None, "the demo's compute step stored no plan result"
    keys = sorted(
        act
        for employee in stored.result.employees
        for line in employee.lines
        for act in line.acts
        if act.count(":") == 2 and act.split(":")[0] in sources and ":contacts:" in act
    )
    if not keys:
        raise SystemExit(f"no contact of a {kind} source is credited in {period}")
    source, _, remote_id = keys[0].split(":")
    return source, remote_id, period


@dataclasses.dataclass
class Trail:
    """What the profile hook saw of the record."""

    marker: str
    functions: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> file
    shapes: dict[str, str] = dataclasses.field(default_factory=dict)  # shape -> first function

    def holds(self, value: Any, depth: int = 0) -> Iterator[str]:
        """The shapes in which ``value`` carries the marker."""
        if isinstance(value, str):
            if value == self.marker:
                yield "id"
            elif self.marker in value and self.marker in _SPLIT.split(value):
                yield "key " + _pattern(value, self.marker)
            return
        if depth >= MAX_DEPTH or isinstance(value, bytes | int | float | bool) or value is None:
            return
        if isinstance(value, dict):
            yield from self._dict_holds(value, depth)
            return
        if isinstance(value, tuple | list | set | frozenset):
            yield from self._collection_holds(value, depth)
            return
        attrs = _attributes(value)
        if attrs is None:
            return
        if any(self._direct(v) for v in attrs.values()):
            yield f"{type(value).__module__}.{type(value).__qualname__}"
        for v in attrs.values():
            yield from self.holds(v, depth + 1)

    def _dict_holds(self, value: dict[Any, Any], depth: int) -> Iterator[str]:
        if len(value) > MAX_ITEMS:
            return
        for k, v in value.items():
            if self._direct(k) or self._direct(v):
                yield "dict{" + ",".join(sorted(map(str, value)))[:120] + "}"
                break
        for k, v in value.items():
            yield from self.holds(k, depth + 1)
            yield from self.holds(v, depth + 1)

    def _collection_holds(
        self, value: tuple[Any, ...] | list[Any] | set[Any] | frozenset[Any], depth: int
    ) -> Iterator[str]:
        if len(value) > MAX_ITEMS:
            return
        items = list(value)
        fields = getattr(value, "_fields", None)  # named tuples and SQLAlchemy rows
        if any(self._direct(v) for v in items):
            if fields is not None:
                yield f"{type(value).__name__}({','.join(map(str, fields))[:120]})"
            elif isinstance(value, tuple):  # a fixed structure, e.g. (source, table, id)
                yield f"tuple/{len(value)}"
            else:
                yield type(value).__name__
        for v in items:
            yield from self.holds(v, depth + 1)

    def _direct(self, value: Any) -> bool:
        return isinstance(value, str) and (
            value == self.marker or self.marker in _SPLIT.split(value)
        )

    def mentions(self, value: Any, depth: int = 0) -> bool:
        """A fast first look (a substring will do): could ``value`` hold the marker?"""
        kind = type(value)
        if kind is str:
            return self.marker in value
        if depth >= MAX_DEPTH or kind in _SCALARS or value is None:
            return False
        if kind is dict:
            return len(value) <= MAX_ITEMS and any(
                self.mentions(k, depth + 1) or self.mentions(v, depth + 1) for k, v in value.items()
            )
        if isinstance(value, tuple | list | set | frozenset):
            return len(value) <= MAX_ITEMS and any(self.mentions(v, depth + 1) for v in value)
        attrs = _attributes(value)
        return attrs is not None and any(self.mentions(v, depth + 1) for v in attrs.values())

    def see(self, frame: FrameType) -> None:
        code = frame.f_code
        if not code.co_filename.startswith(PACKAGES):
            return
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        values = [frame.f_locals.get(name) for name in names]
        found = [s for value in values if self.mentions(value) for s in self.holds(value)]
        if not found:
            return
        path = Path(code.co_filename).relative_to(ROOT).as_posix()
        name = f"{path}::{code.co_qualname}"
        self.functions.setdefault(name, path)
        for shape in found:
            self.shapes.setdefault(shape, name)


def _attributes(value: Any) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
    state = getattr(value, "__dict__", None)
    if isinstance(state, dict) and type(value).__module__.split(".")[0] in (
        "connectors",
        "sync",
        "compensation",
    ):
        return {k: v for k, v in state.items() if not k.startswith("_sa_")}
    return None


def _pattern(text: str, marker: str) -> str:
    parts = _SPLIT.split(text)
    seps = _SPLIT.findall(text)
    shown = ["{id}" if p == marker else ("{n}" if p.isdigit() else p) for p in parts]
    if len(shown) > 4:  # a key inside a longer text: its neighbours only
        at = shown.index("{id}")
        shown, seps = shown[max(0, at - 2) : at + 2], seps[max(0, at - 2) : at + 1]
    return "".join(p + (seps[i] if i < len(seps) else "") for i, p in enumerate(shown))


def follow(seed: int, scale: str, source: str, remote_id: str) -> Trail:
    """Run the demo again with the profile hook on, following ``remote_id``."""
    trail = Trail(remote_id)

    def hook(frame: FrameType, event: str, _arg: Any) -> None:
        # A global trace function sees only calls of Python functions; returning None
        # leaves their lines untraced, so the run slows down far less than under a profiler.
        if event == "call":
            trail.see(frame)

    with tempfile.TemporaryDirectory(prefix="crmsync-hops-") as folder:
        threading.settrace(hook)
        sys.settrace(hook)
        try:
            _demo(Path(folder), seed, scale)
        finally:
            sys.settrace(None)
            threading.settrace(None)
    return trail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", default="hubspot", help="connector kind of the record")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", default="small")
    parser.add_argument(
        "--record",
        help="follow this contact (SOURCE:contacts:ID) instead of picking one (saves a run)",
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--list", action="store_true", help="list functions and shapes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.record:
        source, _, remote_id = args.record.split(":")
        period = "(given)"
    else:
        source, remote_id, period = pick_record(args.seed, args.scale, args.kind)
    trail = follow(args.seed, args.scale, source, remote_id)
    counts = {
        "record": f"{source}:contacts:{remote_id}",
        "period": period,
        "files": len(set(trail.functions.values())),
        "functions": len(trail.functions),
        "shapes": len(trail.shapes),
        "reshapes": max(0, len(trail.shapes) - 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        detail = {"function_list": list(trail.functions), "shape_list": trail.shapes}
        print(json.dumps({**counts, **(detail if args.list else {})}, indent=2))
        return 0
    print(
        f"{counts['record']} ({period}): {counts['files']} files, "
        f"{counts['functions']} functions, {counts['shapes']} shapes "
        f"({counts['reshapes']} re-shapes) [{counts['seconds']} s]"
    )
    if args.list:
        print("\nfunctions, in the order the record reached them:")
        for name in trail.functions:
            print(f"  {name}")
        print("\nshapes (first function that received it):")
        for shape, name in trail.shapes.items():
            print(f"  {shape}  <- {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
