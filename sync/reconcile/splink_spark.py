"""The Splink engine's Spark backend: Splink's SparkAPI on a Spark session built for a run.

The session has Splink's jar and crmsync's (``spark/crmsync-spark.jar``: DuckDB's
Jaro–Winkler and one-edit test, ``splink_sql.py``) on its class path. Splink writes its
intermediate tables as parquet under a temporary directory, removed when the run ends.

Spark's own settings (driver memory, master...) come the Spark way (``PYSPARK_SUBMIT_ARGS``,
``spark-defaults.conf``). A session the run starts also gets ``JVM_DEFAULTS`` and, for
each SQL setting left unset there, ``SQL_DEFAULTS``; a session already active in the
process (a notebook's) is used as it is. Splink's predictions are not shuffled a second
time before they are written (``_API``), and on one machine (a ``local`` master) the
scored pairs come back through a parquet file DuckDB reads.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from sync.reconcile.splink_backend import Session, python_values
from sync.reconcile.splink_sql import SPARK_JARO_WINKLER, SPARK_ONE_EDIT

__all__ = ["JAR", "SQL_DEFAULTS", "SparkSession"]

JAR = Path(__file__).with_name("spark") / "crmsync-spark.jar"
# A run's SQL settings where Spark's configuration leaves them unset (name -> value, or a
# function of the cores of a local master).
SQL_DEFAULTS: dict[str, Any] = {
    # Spark's 200 shuffle partitions are 200 tasks a step on a few cores.
    "spark.sql.shuffle.partitions": lambda cores: str(4 * cores),
}


# Options of the JVMs a run starts (Spark's "default" options, which the ``extra`` ones the
# user may set add to): HotSpot does not compile a method of more than 8,000 bytes of
# bytecode, and Spark's generated code scoring a pair is longer; interpreted, it took
# twice the CPU.
JVM_DEFAULTS = {
    "spark.driver.defaultJavaOptions": "-XX:-DontCompileHugeMethods",
    "spark.executor.defaultJavaOptions": "-XX:-DontCompileHugeMethods",
}


class SparkSession(Session):
    dialect = "spark"

    def __init__(self, master: str) -> None:
        from pyspark.sql import SparkSession as Builder
        from pyspark.sql import types
        from splink.backends.spark import similarity_jar_location

        self.started = Builder.getActiveSession() is None
        self.local = master.startswith("local")
        builder = Builder.builder.master(master).appName("crmsync reconcile")
        builder = builder.config("spark.jars", f"{similarity_jar_location()},{JAR}")
        if self.started:
            for name, value in JVM_DEFAULTS.items():
                builder = builder.config(name, value)
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        if self.started:
            self._defaults()
        for name, java, kind in (
            (SPARK_JARO_WINKLER, "JaroWinkler", types.DoubleType()),
            (SPARK_ONE_EDIT, "WithinOneEdit", types.BooleanType()),
        ):
            self.spark.udf.registerJavaFunction(name, f"crmsync.spark.{java}", kind)
        self.scratch = tempfile.mkdtemp(prefix="crmsync-splink-")
        self.spark.sparkContext.setCheckpointDir(self.scratch)

    def _defaults(self) -> None:
        given = self.spark.sparkContext.getConf()
        cores = self.spark.sparkContext.defaultParallelism
        for name, value in SQL_DEFAULTS.items():
            if not given.contains(name):
                self.spark.conf.set(name, value(cores) if callable(value) else value)

    def api(self) -> Any:
        return _spark_api(self.spark)

    def table(self, linker: Any, sql: str) -> Any:
        if not self.local:
            return super().table(linker, sql)
        # Through a parquet file DuckDB reads: Spark's toPandas (pyarrow is not a
        # dependency) pickles each of the ~90 values of every pair, one by one.
        import duckdb

        path = os.path.join(self.scratch, f"result_{uuid.uuid4().hex[:8]}")
        found = self.spark.sql(sql)
        found.write.parquet(path)
        if not glob.glob(os.path.join(path, "*.parquet")):
            return super().table(linker, sql)
        with duckdb.connect() as connection:
            return connection.sql(f"SELECT * FROM read_parquet('{path}/*.parquet')").df()

    def close(self) -> None:
        for table in self.spark.catalog.listTables():
            if table.isTemporary and table.name.startswith("__splink"):
                self.spark.catalog.dropTempView(table.name)
        if self.started:
            self.spark.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _spark_api(spark: Any) -> Any:
    import pandas as pd
    from pyspark.sql import types
    from splink.backends.spark import SparkAPI

    kinds = {"i": types.LongType(), "u": types.LongType(), "f": types.DoubleType()}

    class _API(SparkAPI):
        def _table_registration(self, input: Any, table_name: str) -> None:
            # Typed from pandas: Spark cannot infer a column that is NULL on every row
            # (no e-mail anywhere in FEBRL-like data).
            if isinstance(input, dict | list):
                input = pd.DataFrame(input)
            if isinstance(input, pd.DataFrame):
                schema = types.StructType(
                    [
                        types.StructField(c, kinds.get(input[c].dtype.kind, types.StringType()))
                        for c in input.columns
                    ]
                )
                rows = zip(*(python_values(input[c]) for c in input.columns), strict=True)
                input = self.spark.createDataFrame(list(rows), schema)
            input.createOrReplaceTempView(table_name)

        def _repartition_if_needed(self, spark_df: Any, templated_name: str) -> Any:
            # The predictions keep the blocked pairs' partitions, which Splink has already
            # repartitioned to as many: a second round robin shuffled every pair's ~90
            # columns again.
            if templated_name == "__splink__df_predict":
                return spark_df
            return super()._repartition_if_needed(spark_df, templated_name)

    return _API(spark_session=spark, break_lineage_method="parquet")
