"""The Splink model's SQL on PostgreSQL and Spark, computing what DuckDB computes.

A model is trained, and its settings written, in DuckDB's SQL (``splink_settings.py``).
Scoring it elsewhere needs the two string functions its levels call, with DuckDB's results
to the last bit, or a pair near a Jaro–Winkler threshold lands on another level and two
backends give other identities:

- ``jaro_winkler_similarity``: DuckDB's (the jarowinkler-cpp algorithm: window
  ``max(len)/2 - 1``, prefix of up to 4 at weight 0.1 above a Jaro of 0.7), whose last
  step is a fused multiply-add (``sim + prefix * 0.1 * (1 - sim)`` rounded once: a plain
  one differs in the last bit on one pair in a hundred). Splink's own Spark jar and
  PostgreSQL's extensions compute other variants (the jar's disagreed with DuckDB's on
  0.8% of random name pairs at the model's thresholds).
- ``damerau_levenshtein(a, b) <= 1`` (the only distance test the model makes): a linear
  test for one edit (``within_one_edit``); Splink's jar's distance on Spark equals DuckDB's
  but took eight times a Jaro–Winkler.

PostgreSQL gets them as PL/pgSQL functions in the run's own schema (no extension needed);
Spark gets both as compiled Java functions (``spark/*.java``, in ``spark/crmsync-spark.jar``):
the Jaro–Winkler written out as one Spark SQL expression of higher-order functions gave
the same results, but Spark interprets those, at about 0.35 ms a call, and a pair makes up
to eleven calls (100,000 people did not finish in 15 minutes); the Java one takes 0.4 µs.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, localcontext
from typing import Any

__all__ = ["SPARK_JARO_WINKLER", "SPARK_ONE_EDIT", "postgres_functions", "to_dialect"]

_COLUMN = re.compile(r'"(\w+)"')
_JW = re.compile(r'jaro_winkler_similarity\("(\w+)", "(\w+)"\)')
_DL = re.compile(r'damerau_levenshtein\(("\w+"), ("\w+")\) <= (\d+)')
# DuckDB's Jaro–Winkler and one-edit test on Spark: Java functions (``spark/*.java``,
# registered by ``splink_spark.py``).
SPARK_JARO_WINKLER = "crmsync_jaro_winkler"
SPARK_ONE_EDIT = "crmsync_within_one_edit"


def _exact_power(exponent: int) -> str:
    with localcontext() as context:
        context.prec = 200
        return format(Decimal(2) ** exponent, "f")


# sim + q * r rounded once: sim = S/2^53, q = Q/2^56, r = R/2^53 exactly (sim > 0.7,
# 0.1 <= q <= 0.4, r = 1 - sim), so the exact sum is an integer over 2^109, and numeric
# to float8 is correctly rounded (float8in).
_JARO_WINKLER = f"""
CREATE OR REPLACE FUNCTION {{schema}}.jaro_winkler_similarity(a text, b text)
RETURNS float8 LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    la int := char_length(a);
    lb int := char_length(b);
    ac text[] := regexp_split_to_array(a, '');
    bc text[] := regexp_split_to_array(b, '');
    taken bool[];
    matched text[] := '{{}}';
    bound int;
    common int;
    half int := 0;
    k int := 1;
    prefix int := 0;
    sim float8;
    q float8;
BEGIN
    IF la = 0 OR lb = 0 THEN
        RETURN 0.0;
    END IF;
    bound := greatest(greatest(la, lb) / 2 - 1, 0);
    taken := array_fill(false, ARRAY[lb]);
    FOR i IN 1..la LOOP
        FOR j IN greatest(1, i - bound)..least(lb, i + bound) LOOP
            IF NOT taken[j] AND bc[j] = ac[i] THEN
                taken[j] := true;
                matched := matched || ac[i];
                EXIT;
            END IF;
        END LOOP;
    END LOOP;
    common := coalesce(array_length(matched, 1), 0);
    IF common = 0 THEN
        RETURN 0.0;
    END IF;
    FOR j IN 1..lb LOOP
        IF taken[j] THEN
            IF bc[j] <> matched[k] THEN
                half := half + 1;
            END IF;
            k := k + 1;
        END IF;
    END LOOP;
    sim := ((common::float8 / la + common::float8 / lb)
            + (common - half / 2)::float8 / common) / 3.0::float8;
    IF sim <= 0.7::float8 THEN
        RETURN sim;
    END IF;
    WHILE prefix < least(la, lb, 4) AND ac[prefix + 1] = bc[prefix + 1] LOOP
        prefix := prefix + 1;
    END LOOP;
    q := prefix::float8 * 0.1::float8;
    RETURN least(
        ((sim * {2**53}::float8)::bigint::numeric * {2**56}::numeric
         + (q * {2**56}::float8)::bigint::numeric
           * ((1.0::float8 - sim) * {2**53}::float8)::bigint::numeric)
        * {_exact_power(-109)}::numeric,
        1.0::numeric
    )::float8;
END
$fn$;
"""

# DuckDB's ``damerau_levenshtein(a, b) <= 1``: equal, or one insertion, deletion,
# substitution or swap of neighbours. Linear, where the distance itself took 0.4-0.8 ms
# a pair of street or company names in PL/pgSQL.
_ONE_EDIT = """
CREATE OR REPLACE FUNCTION {schema}.within_one_edit(a text, b text)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    la int := char_length(a);
    lb int := char_length(b);
    i int := 1;
BEGIN
    IF a = b THEN
        RETURN true;
    END IF;
    IF abs(la - lb) > 1 THEN
        RETURN false;
    END IF;
    WHILE i <= least(la, lb) AND substr(a, i, 1) = substr(b, i, 1) LOOP
        i := i + 1;
    END LOOP;
    IF la > lb THEN
        RETURN substr(a, i + 1) = substr(b, i);
    ELSIF la < lb THEN
        RETURN substr(a, i) = substr(b, i + 1);
    END IF;
    RETURN substr(a, i + 1) = substr(b, i + 1)
        OR (substr(a, i, 1) = substr(b, i + 1, 1) AND substr(a, i + 1, 1) = substr(b, i, 1)
            AND substr(a, i + 2) = substr(b, i + 2));
END
$fn$;
"""


# PostgreSQL raises on a float8 product that underflows to zero, where DuckDB and Spark
# give 0: a pair with several near-impossible levels (m near 0, a Bayes factor of 1e-300)
# stopped the prediction. The run's schema, searched before pg_catalog, has a float8 ``*``
# giving 0 there and the built-in product everywhere else.
_TIMES = """
CREATE OR REPLACE FUNCTION {schema}.times(a float8, b float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE
        WHEN abs(a) >= 1 OR abs(b) >= 1 OR a = 0 OR b = 0 THEN a OPERATOR(pg_catalog.*) b
        -- exact scaling by 2^1000: below 2^-75 after it, the product is below 2^-1075
        WHEN abs((a OPERATOR(pg_catalog.*) 2::float8 ^ 1000) OPERATOR(pg_catalog.*) b)
             < 2::float8 ^ -75 THEN 0::float8
        ELSE a OPERATOR(pg_catalog.*) b
    END
$fn$;
CREATE OPERATOR {schema}.* (LEFTARG = float8, RIGHTARG = float8, FUNCTION = {schema}.times);
"""


def postgres_functions(schema: str) -> list[str]:
    """The statements creating the model's functions in ``schema`` (which the session
    searches before ``pg_catalog``)."""
    statements = (_JARO_WINKLER, _ONE_EDIT, _TIMES)
    return [sql.replace("{schema}", f'"{schema}"') for sql in statements]


def _one_edit(function: str) -> Any:
    def written(match: re.Match[str]) -> str:
        if match[3] != "1":
            raise ValueError(f"damerau_levenshtein <= {match[3]}: only <= 1 is written out")
        return f"{function}({match[1]}, {match[2]})"

    return written


def _condition(sql: str, dialect: str) -> str:
    if dialect == "postgres":
        sql = _DL.sub(_one_edit("within_one_edit"), sql)
    if dialect == "spark":
        sql = _DL.sub(_one_edit(SPARK_ONE_EDIT), sql)
        sql = _JW.sub(rf'{SPARK_JARO_WINKLER}("\1", "\2")', sql)
        sql = _COLUMN.sub(r"`\1`", sql)
    return sql


def to_dialect(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model's settings (DuckDB's SQL) for another backend: the same m, u and
    levels, each condition written for ``dialect`` (``duckdb``, ``postgres``, ``spark``)."""
    if dialect == "duckdb":
        return settings
    found = copy.deepcopy(settings)
    for comparison in found["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = _condition(level["sql_condition"], dialect)
    for rule in found["blocking_rules_to_generate_predictions"]:
        rule.pop("sql_dialect", None)
    return found
