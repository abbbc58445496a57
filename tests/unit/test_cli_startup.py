"""The command line starts fast: heavy libraries load only with the command needing them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "hubspot", "simple_salesforce", "cheroot", "werkzeug")


def test_importing_the_cli_loads_no_client_or_database_library() -> None:
    code = f"import sys, sync.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
