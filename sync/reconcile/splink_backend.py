"""Where the Splink engine scores people: DuckDB in process, the store's PostgreSQL, or Spark.

``reconcile.splink.backend`` chooses (``auto``: PostgreSQL when the store is PostgreSQL,
else DuckDB). Training always runs in DuckDB in process, seeded, so the model — m, u,
term frequencies and the thresholds read off its first scores — is the same whichever
backend scores with it; the backend runs the prediction over every blocked pair, the part
that grows with the store. Each backend gets the trained settings in its own SQL
(``splink_sql.to_dialect``) and scores a pair as DuckDB does.

- **duckdb**: a fresh in-process database per run, capped at 2 GB (it spills past that).
- **postgres**: Splink's PostgresAPI on the store's database, in a schema of the run's own
  (``crmsync_splink_<random>``, dropped when the run ends, also when it fails), so its
  tables and functions never meet the store's; tables are loaded with ``COPY``. Needs the
  right to create a schema; no extension.
- **spark**: Splink's SparkAPI on a Spark session (``reconcile.splink.spark_master``,
  ``local[*]`` by default): ``splink_spark.py``. Needs ``crmsync[spark]``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sync.errors import UsageError
from sync.reconcile.splink_sql import postgres_functions, to_dialect

__all__ = ["BACKENDS", "Backend", "Session", "choose_backend", "open_session", "python_values"]

BACKENDS = ("duckdb", "postgres", "spark")
_MEMORY_LIMIT = "2GB"
_CTE_HEAD = re.compile(r"^(\w+) as \(", re.MULTILINE)  # Splink's CTE pipeline: "name as ("


@dataclass(frozen=True)
class Backend:
    """Which backend scores, and what it needs: the store's URL (postgres), the Spark
    master (spark)."""

    name: str = "duckdb"
    url: Any = None  # a SQLAlchemy URL or URL string
    spark_master: str = "local[*]"


def choose_backend(setting: str, store_url: Any, spark_master: str = "local[*]") -> Backend:
    """The backend ``setting`` (``auto`` or a name) means for a store at ``store_url``."""
    postgres = str(store_url).startswith("postgresql")
    name = ("postgres" if postgres else "duckdb") if setting == "auto" else setting
    if name == "postgres" and not postgres:
        raise UsageError(
            "reconcile.splink.backend: postgres scores in the store's database, and the"
            " store is not PostgreSQL; use duckdb (or auto)"
        )
    return Backend(name, store_url if name == "postgres" else None, spark_master)


class Session:
    """An open backend: builds linkers on it and reads query results as pandas."""

    dialect = "duckdb"

    def linker(self, frame: Any, settings: dict[str, Any]) -> Any:
        from splink import Linker

        return Linker(frame, to_dialect(settings, self.dialect), self.api())

    def api(self) -> Any:
        raise NotImplementedError

    def table(self, linker: Any, sql: str) -> Any:
        return linker.misc.query_sql(sql, output_type="pandas")

    def close(self) -> None:
        """Drop what the session created."""


class _DuckDB(Session):
    def __init__(self) -> None:
        import duckdb

        self.connection = duckdb.connect()
        # DuckDB spills to disk past this rather than taking most of the machine's memory.
        self.connection.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
        self.connection.execute("SET preserve_insertion_order = false")

    def api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.connection)

    def table(self, linker: Any, sql: str) -> Any:
        return self.connection.sql(sql).df()

    def close(self) -> None:
        self.connection.close()


class _Postgres(Session):
    dialect = "postgres"

    def __init__(self, url: Any) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import SQLAlchemyError

        self.schema = f"crmsync_splink_{uuid.uuid4().hex[:12]}"
        # Every pooled connection searches the run's schema first, before pg_catalog too
        # (its float8 product: ``splink_sql.py``).
        path = f"{self.schema},pg_catalog,public"
        self.engine = create_engine(url, connect_args={"options": f"-c search_path={path}"})
        try:
            with self.engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
                for statement in postgres_functions(self.schema):
                    connection.execute(text(statement))
        except SQLAlchemyError as exc:
            self.engine.dispose()
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise UsageError(
                "reconcile.splink.backend: postgres could not prepare its schema in the"
                f" store's database ({reason}); grant CREATE on the database or use duckdb"
            ) from exc

    def api(self) -> Any:
        return _postgres_api(self.engine, self.schema)

    def close(self) -> None:
        from sqlalchemy import text

        try:
            with self.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        finally:
            self.engine.dispose()


def _postgres_api(engine: Any, schema: str) -> Any:
    import pandas as pd
    from splink.backends.postgres import PostgresAPI
    from sqlalchemy import text

    class _API(PostgresAPI):
        def _create_splink_schema(self, other_schemas_to_search: Any) -> None:
            """The session made the schema, and its connections search it."""

        def _create_log2_function(self) -> None:
            # Splink's goes through numeric (a millisecond a pair); the match weight only
            # pre-filters here (``splink_engine._match_weight`` makes the exact cut).
            self._execute_sql_against_backend(
                "CREATE OR REPLACE FUNCTION log2(n float8) RETURNS float8 LANGUAGE sql"
                " IMMUTABLE PARALLEL SAFE AS $$ SELECT ln(n) / ln(2::float8) $$"
            )

        def _register_extensions(self) -> None:
            """Splink would create fuzzystrmatch; the model's functions are the schema's."""

        def _setup_for_execute_sql(self, sql: str, physical_name: str) -> str:
            # PostgreSQL inlines a CTE read once, so each of the many reads of a comparison
            # level (``gamma_x``) recomputed its string functions: 137 s for 5,780 pairs.
            sql = _CTE_HEAD.sub(r"\1 AS MATERIALIZED (", sql)
            return str(super()._setup_for_execute_sql(sql, physical_name))

        def table_exists_in_database(self, table_name: str) -> bool:
            sql = (
                "SELECT 1 FROM information_schema.tables"
                f" WHERE table_schema = '{schema}' AND table_name = '{table_name}'"
            )
            return bool(self._execute_sql_against_backend(sql).fetchall())

        def _table_registration(self, input: Any, table_name: str) -> None:
            frame = input if isinstance(input, pd.DataFrame) else pd.DataFrame(input)
            _copy_frame(engine, text, frame, f'"{schema}"."{table_name}"')

    return _API(engine, schema=schema)


def _sql_type(dtype: Any) -> str:
    if dtype.kind in "iu":
        return "bigint"
    return "float8" if dtype.kind == "f" else "text"


def _copy_frame(engine: Any, text: Any, frame: Any, name: str) -> None:
    columns = ", ".join(f'"{c}" {_sql_type(frame[c].dtype)}' for c in frame.columns)
    values = [python_values(frame[c]) for c in frame.columns]
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
        connection.execute(text(f"CREATE TABLE {name} ({columns})"))
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {name} FROM STDIN") as copy:
            for row in zip(*values, strict=True):
                copy.write_row(row)


def python_values(column: Any) -> list[Any]:
    # pandas marks a missing value NaN in float and string columns alike: NULL here.
    return [None if v != v else v for v in column.tolist()]


@contextmanager
def open_session(backend: Backend) -> Iterator[Session]:
    """A session on ``backend``, closed (its tables dropped) however the block ends."""
    session: Session
    if backend.name == "postgres":
        session = _Postgres(backend.url)
    elif backend.name == "spark":
        from sync.reconcile.splink_spark import SparkSession

        session = SparkSession(backend.spark_master)
    else:
        session = _DuckDB()
    try:
        yield session
    finally:
        session.close()
