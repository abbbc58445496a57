"""The optional parts of crmsync (the extras of ``pyproject.toml``) and the one line that
says which to install when a command needs a missing one.

The core installs without them; the commands that need one import it when they run, so a
missing package surfaces as a ``ModuleNotFoundError`` naming it, which the CLI turns into
:class:`MissingExtra` through :func:`missing_extra`.
"""

from __future__ import annotations

from sync.errors import UsageError

__all__ = ["EXTRA_OF", "MissingExtra", "missing_extra"]

# Top-level module -> the extra that installs it.
EXTRA_OF = {
    "werkzeug": "sandbox",
    "cheroot": "sandbox",
    "cryptography": "sandbox",
    "psycopg": "postgres",
    "psycopg_binary": "postgres",
    "procrastinate": "workers",
    "splink": "linkage",
    "duckdb": "linkage",
    "pyspark": "spark",
    "starlette": "web",
    "uvicorn": "web",
    "itsdangerous": "web",
    "multipart": "web",
    "python_multipart": "web",
    "altair": "web",
    "vl_convert": "web",
    "msal": "dynamics",
}

_NEEDED_FOR = {
    "sandbox": "the CRM sandbox (crmsync sandbox, crmsync demo)",
    "postgres": "a PostgreSQL store",
    "workers": "queue workers (crmsync worker)",
    "linkage": "the Splink matcher (reconcile.engine: splink)",
    "spark": "the Splink matcher on Spark (reconcile.splink.backend: spark)",
    "web": "the dashboard and portal (crmsync serve)",
    "dynamics": "the Dynamics 365 connector",
}


class MissingExtra(UsageError):
    """A command needs an optional part of crmsync that is not installed."""


def missing_extra(exc: ModuleNotFoundError) -> MissingExtra | None:
    """The error to show for ``exc`` if an extra provides the missing module, else None."""
    module = (exc.name or "").split(".")[0]
    extra = EXTRA_OF.get(module)
    if extra is None:
        return None
    return MissingExtra(
        f"{_NEEDED_FOR[extra]} needs crmsync's {extra} extra ({module} is not installed): "
        f"pip install 'crmsync[{extra}]'"
    )
