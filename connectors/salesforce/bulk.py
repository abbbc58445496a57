"""Bulk API 2.0 ``queryAll`` jobs through simple-salesforce's bulk2 client.

Results come back as CSV pages (``Sforce-Locator``); each cell is turned back into the
value the REST API would have sent (booleans, numbers, nulls, nested parent fields), using
the describe types, so one mapper serves both paths. Job results stay readable with a new
session, so a refreshed token just retries the same page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from connectors.core.errors import ConnectorFatalError
from connectors.core.stopping import wait
from connectors.salesforce.describe import ObjectFields
from connectors.salesforce.http import SalesforceHttp

__all__ = ["BulkReader", "csv_rows"]

Row = dict[str, Any]
_FLOAT_TYPES = {"double", "currency", "percent"}


def _converter(kind: str) -> Callable[[str], Any]:
    if kind == "boolean":
        return lambda v: v == "true"
    if kind == "int":
        return int
    if kind in _FLOAT_TYPES:
        return float
    return str


def csv_rows(text: str, fields: ObjectFields) -> list[Row]:
    """CSV of a Bulk result page as REST-shaped rows (empty cell = null)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    plan = []
    for name in header:
        parent, _, child = name.partition(".")
        plan.append((name, parent, child, _converter(fields.types.get(name, "string"))))
    rows: list[Row] = []
    for cells in reader:
        row: Row = {}
        for (name, parent, child, convert), cell in zip(plan, cells, strict=False):
            value = None if cell == "" else convert(cell)
            if child:
                nested = row.get(parent)
                if value is not None:
                    if nested is None:
                        nested = row[parent] = {}
                    nested[child] = value
                elif parent not in row:
                    row[parent] = None
            else:
                row[name] = value
        rows.append(row)
    return rows


class BulkReader:
    """Runs one queryAll job and yields its result pages as rows."""

    def __init__(self, http: SalesforceHttp, sleep: Callable[[float], None] = wait) -> None:
        self._http = http
        self._sleep = sleep
        self.jobs = 0

    def rows(self, fields: ObjectFields, soql: str) -> Iterator[list[Row]]:
        from simple_salesforce.bulk2 import Operation  # loaded on use (start-up time)

        obj = fields.object_name
        settings = self._http.settings

        def client(sf: Any) -> Any:
            return getattr(sf.bulk2, obj)._client

        job = self._http.call(
            f"bulk job for {obj}",
            lambda sf: client(sf).create_job(Operation.query_all, soql),
        )
        job_id = str(job["id"])
        self.jobs += 1
        self._wait(job_id, obj, client, settings.bulk_poll_max_s)
        locator = ""
        while True:

            def results(sf: Any, locator: str = locator) -> Any:
                return client(sf).get_query_results(job_id, locator, settings.bulk_page_size)

            page = self._http.call(f"bulk results for {obj}", results)
            rows = csv_rows(page["records"], fields)
            if rows:
                yield rows
            locator = page["locator"]
            if not locator:
                return

    def _wait(self, job_id: str, obj: str, client: Callable[[Any], Any], limit: float) -> None:
        delay, waited = 0.05, 0.0
        while True:
            info = self._http.call(
                f"bulk job status for {obj}", lambda sf: client(sf).get_job(job_id, True)
            )
            state = info.get("state")
            if state == "JobComplete":
                return
            if state in ("Failed", "Aborted"):
                raise ConnectorFatalError(
                    f"Salesforce Bulk job for {obj} ended {state}: {info.get('errorMessage')}"
                )
            if waited >= limit:
                raise ConnectorFatalError(f"Salesforce Bulk job for {obj} still {state}")
            self._sleep(delay)
            waited += delay
            delay = min(delay * 2, 2.0)
