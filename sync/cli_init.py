"""``crmsync init``: write a commented configuration for the CRMs an admin picks."""

from __future__ import annotations

from pathlib import Path

import typer

from sync.cli_common import out
from sync.errors import UsageError
from sync.init_config import CRM_BLOCKS, render_init, secret_names

__all__ = ["init"]


def init(
    crm: list[str] = typer.Option(
        [], "--crm", help=f"A CRM to connect (repeat): {', '.join(CRM_BLOCKS)}. Default: all."
    ),
    path: Path = typer.Option(Path("crmsync.yaml"), "--out", help="Where to write the config."),
    store: str = typer.Option("sqlite:///crmsync.sqlite", "--store", help="Store URL."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
    example_plans: bool = typer.Option(
        False, "--example-plans", help="Copy the example plans and rates into plans/."
    ),
) -> None:
    """Write a commented config with ${ENV} placeholders for secrets, a
    secrets.env.example listing them, and the custom fields to create in each CRM."""
    crms = list(dict.fromkeys(crm)) or list(CRM_BLOCKS)
    unknown = [name for name in crms if name not in CRM_BLOCKS]
    if unknown:
        raise UsageError(f"--crm {', '.join(unknown)}: choose from {', '.join(CRM_BLOCKS)}")
    secrets = path.with_name("secrets.env.example")
    plans = path.parent / "plans"
    copies = [(f, plans / f.name) for f in _example_plan_files()] if example_plans else []
    for target in (path, secrets, *(copy for _, copy in copies)):
        if target.exists() and not force:
            raise UsageError(f"{target} exists: pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_init(crms, store, str(path), _fields_section(crms)))
    # compensation.plans_dir must exist for the file to validate; plans are added later.
    plans.mkdir(exist_ok=True)
    for source, copy in copies:
        copy.write_bytes(source.read_bytes())
    lines = [f"{name}=" for name in secret_names(crms)]
    secrets.write_text(
        "# Copy to secrets.env (chmod 600, never commit it) and fill in.\n"
        + "\n".join(lines)
        + "\n"
    )
    if copies:
        out.print(f"wrote {path}, {secrets} and {len(copies)} example plan files in {plans}")
    else:
        out.print(f"wrote {path}, {secrets} and the empty folder {plans}")
    out.print(f"next: fill secrets.env, then `crmsync connectors check --config {path}`")


def _example_plan_files() -> list[Path]:
    from crmsync_data import example_plans

    return sorted(p for p in example_plans().iterdir() if p.suffix == ".yaml")


def _fields_section(crms: list[str]) -> str:
    return ""
