"""``${VARIABLE}`` references in configuration, resolved from the environment or a
secrets file (``KEY=value`` lines, ``#`` comments), never from the YAML itself."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["MissingSecret", "SecretSource", "interpolate"]

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class MissingSecret(LookupError):
    def __init__(self, name: str, path: tuple[str | int, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.path = path


class SecretSource:
    """Environment first, then the secrets file."""

    def __init__(
        self, environ: Mapping[str, str] | None = None, secrets_file: Path | None = None
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.secrets_file = secrets_file
        # A missing file is no error while the environment provides every value; a
        # reference found nowhere says where it was looked for, this file included.
        present = secrets_file is not None and secrets_file.is_file()
        self.problem: str | None = None  # why the file could not be read (never its content)
        self._file_values: dict[str, str] = {}
        if secrets_file is not None and present:
            try:
                self._file_values = _read_secrets_file(secrets_file)
            except OSError as exc:
                self.problem = f"{secrets_file}: cannot read the secrets file ({exc.strerror})"
            except UnicodeDecodeError as exc:
                raw = secrets_file.read_bytes()
                line = raw.count(b"\n", 0, exc.start) + 1
                self.problem = (
                    f"{secrets_file}:{line}: the secrets file is not UTF-8 text; save it as UTF-8"
                )
        self._missing_file = secrets_file is not None and not present

    def get(self, name: str) -> str | None:
        value = self.environ.get(name)
        return value if value is not None else self._file_values.get(name)

    def describe(self) -> str:
        places = "the environment"
        if self.secrets_file is not None:
            places += f" and the secrets file {self.secrets_file}"
            if self._missing_file:
                places += " (which does not exist)"
        return places


def _read_secrets_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def interpolate(
    data: Any,
    secrets: SecretSource,
    path: tuple[str | int, ...] = (),
    missing: list[MissingSecret] | None = None,
) -> Any:
    """Replace every ``${NAME}`` in string values; collect every missing name."""
    missing = [] if missing is None else missing
    if isinstance(data, dict):
        return {k: interpolate(v, secrets, (*path, k), missing) for k, v in data.items()}
    if isinstance(data, list):
        return [interpolate(v, secrets, (*path, i), missing) for i, v in enumerate(data)]
    if isinstance(data, str) and "${" in data:

        def replace(match: re.Match[str]) -> str:
            value = secrets.get(match.group(1))
            if value is None:
                missing.append(MissingSecret(match.group(1), path))
                return ""
            return value

        return _REFERENCE.sub(replace, data)
    return data
