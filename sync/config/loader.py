"""Load and validate the configuration, reporting every problem at once.

Each problem is one line: ``FILE:LINE: key.path: what is wrong, what to do``. Values are
never echoed (they may be secrets).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from connectors.core.errors import ConnectorConfigError
from sync.config.models import CrmsyncConfig, SourceConfig
from sync.config.references import check_references
from sync.config.secrets import MissingSecret, SecretSource, interpolate
from sync.config.yamlsource import Locations, YamlError, load_yaml
from sync.errors import UsageError

__all__ = ["ConfigError", "format_path", "load_config"]


class ConfigError(UsageError):
    """The configuration has problems; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        if count == 1:  # one problem, one line (for terminals and log lines alike)
            super().__init__(f"the configuration has 1 problem: {problems[0]}")
        else:
            header = f"the configuration has {count} problems:"
            super().__init__("\n".join([header, *(f"  {p}" for p in problems)]))
        self.problems = problems


def format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def load_config(
    file: Path, environ: dict[str, str] | None = None, connectors: bool = True
) -> CrmsyncConfig:
    """The configuration in ``file``, every problem reported at once (ConfigError).

    ``connectors=False`` leaves each source's connector settings unchecked (``None``):
    for commands that only read the store (``crmsync status``), which then load no
    connector and its HTTP client.
    """
    try:
        data, where = load_yaml(file)
    except YamlError as exc:
        raise ConfigError(exc.problems) from exc
    if data is None:
        # Defaults alone would still open ./crmsync.sqlite: an empty file is a mistake.
        raise ConfigError([f"{file}:1: the file is empty; start from `crmsync config example`"])
    if not isinstance(data, dict):
        raise ConfigError([f"{file}:1: the file must be a mapping of keys (store, sources...)"])
    secrets_path = _secrets_path(data, file, environ)
    secrets = SecretSource(environ, secrets_path)
    missing: list[MissingSecret] = []
    data = interpolate(data, secrets, (), missing)
    problems = [
        f"{where.where(m.path)}: {format_path(m.path)}: ${{{m.name}}} is not set (looked in "
        f"{secrets.describe()}); export it or add it to the secrets file"
        for m in missing
    ]
    if secrets.problem is not None:
        problems.append(secrets.problem)
    unresolved = {m.path for m in missing}
    problems += check_references(data, file, where)
    # Connector keys are checked on each source as written, so neither a broken section
    # nor a broken common key of the same source hides them.
    raw_sources = data.get("sources")
    connector_problems: list[str] = []
    settings = [
        _connector_settings(item, index, where, connector_problems) if connectors else None
        for index, item in enumerate(raw_sources if isinstance(raw_sources, list) else [])
    ]
    try:
        config = CrmsyncConfig.model_validate(data)
    except ValidationError as exc:
        problems += _describe(exc, (), CrmsyncConfig, where, skip=unresolved)
        raise ConfigError(_by_line(problems + connector_problems)) from exc
    if problems or connector_problems:
        raise ConfigError(_by_line(problems + connector_problems))
    sources = [
        source.model_copy(update={"settings": checked})
        for source, checked in zip(config.sources, settings, strict=True)
    ]
    return _anchor_paths(config.model_copy(update={"sources": sources}), file.parent)


def _anchor_paths(config: CrmsyncConfig, base: Path) -> CrmsyncConfig:
    """Relative folders and files in the configuration are relative to the file itself (like
    ``secrets_file``), so the daemon finds them whatever its working directory."""

    def anchored(path: Path | None) -> Path | None:
        return path if path is None or path.is_absolute() else base / path

    compensation = config.compensation.model_copy(
        update={
            "plans_dir": anchored(config.compensation.plans_dir),
            "rates_file": anchored(config.compensation.rates_file),
        }
    )
    statements = config.statements.model_copy(
        update={"template_dir": anchored(config.statements.template_dir)}
    )
    return config.model_copy(update={"compensation": compensation, "statements": statements})


def _secrets_path(data: dict[str, Any], file: Path, environ: dict[str, str] | None) -> Path | None:
    env = os.environ if environ is None else environ
    raw = data.get("secrets_file") or env.get("CRMSYNC_SECRETS_FILE")
    if not raw:
        return None
    path = Path(str(raw))
    return path if path.is_absolute() else file.parent / path


def _connector_settings(raw: Any, index: int, where: Locations, problems: list[str]) -> Any:
    """The connector's settings of one source as written, or None (problems appended)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
        return None  # the source model reports a missing or mistyped kind
    base: tuple[str | int, ...] = ("sources", index)
    from connectors.core.registry import load_connector  # imports the connector's client

    try:
        connector = load_connector(raw["kind"])
    except ConnectorConfigError as exc:
        path = (*base, "kind")
        problems.append(f"{where.where(path)}: {format_path(path)}: {exc.user_message}")
        return None
    model: type[BaseModel] = connector.settings_model  # type: ignore[attr-defined]
    keys = {k: v for k, v in raw.items() if k not in SourceConfig.model_fields}
    try:
        return model.model_validate(keys)
    except ValidationError as exc:
        problems.extend(_describe(exc, base, model, where, extra_known=SourceConfig))
        return None


def _by_line(problems: list[str]) -> list[str]:
    """Problems in file order (stable for problems on the same line)."""

    def line(problem: str) -> int:
        number = problem.split(": ", 1)[0].rsplit(":", 1)[-1]
        return int(number) if number.isdigit() else 0

    return sorted(problems, key=line)


def _describe(
    exc: ValidationError,
    base: tuple[str | int, ...],
    model: type[BaseModel],
    where: Locations,
    extra_known: type[BaseModel] | None = None,
    skip: set[tuple[str | int, ...]] | None = None,
) -> list[str]:
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = tuple(error["loc"])
        path = (*base, *loc)
        if skip and path in skip:
            continue  # already reported as an unset ${VARIABLE}
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            known = _field_names(model, loc[:-1])
            if extra_known is not None and len(loc) == 1:
                known |= set(extra_known.model_fields)
            close = difflib.get_close_matches(str(loc[-1]), sorted(known), n=1)
            message = "unknown key" + (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; known keys: {', '.join(sorted(known))}"
            )
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{where.where(path)}: {format_path(path)}: {message}")
    return lines


def _field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return set()
        current = _model_in(fields[part].annotation)
        if current is None:
            return set()
    return set(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None or get_args(annotation):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
