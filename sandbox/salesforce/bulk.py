"""Bulk API 2.0 query jobs: create, poll, page CSV results, abort, delete.

The result is materialised when the job is created (a snapshot, as a real job's result
set is). The state machine moves one step per status poll (``UploadComplete`` ->
``InProgress`` -> ``JobComplete``), so a client exercises its polling loop without the
test waiting on wall-clock time.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.salesforce.errors import NOT_FOUND_MESSAGE, sf_error
from sandbox.salesforce.render import Projection, format_datetime, write_csv
from sandbox.salesforce.soql import Query, SoqlError, caret_message, parse
from sandbox.salesforce.soql_eval import Resolver, compile_query

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["BulkJob", "register"]

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
_STATES = ("UploadComplete", "InProgress", "JobComplete")


@dataclass
class BulkJob:
    info: dict[str, Any]
    header: list[str]
    rows: list[list[str]]
    polls: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int:
    try:
        return int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())
    except ValueError as exc:
        raise sf_error(400, "INVALIDLOCATOR", f"Invalid locator: {locator}") from exc


def _job_request(request: Request) -> tuple[str, str, str, Query]:
    """A query job's operation, column delimiter, line ending and parsed query, or the
    400 Salesforce answers."""
    try:
        body = json_body(request) or {}
    except ValueError as exc:
        raise sf_error(400, "JSON_PARSER_ERROR", str(exc)) from exc
    operation = body.get("operation")
    if operation not in ("query", "queryAll"):
        raise sf_error(400, "INVALIDJOB", f"Invalid operation: {operation}")
    delimiter = body.get("columnDelimiter", "COMMA")
    line_ending = body.get("lineEnding", "LF")
    if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
        raise sf_error(400, "INVALIDJOB", "Invalid columnDelimiter or lineEnding")
    text = str(body.get("query") or "")
    try:
        query = parse(text)
    except SoqlError as exc:
        raise sf_error(400, "MALFORMED_QUERY", caret_message(text, exc.pos, exc.message)) from exc
    if query.count:
        raise sf_error(400, "INVALIDJOB", "Aggregate queries are not supported by Bulk API")
    return operation, delimiter, line_ending, query


def register(app: SalesforceEmulator) -> None:
    jobs: dict[str, BulkJob] = {}
    lock = threading.Lock()

    def find(job_id: str) -> BulkJob:
        with lock:
            job = jobs.get(job_id)
        if job is None:
            raise sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
        return job

    def create(request: Request, version: str) -> Response:
        operation, delimiter, line_ending, query = _job_request(request)
        session = app.session_of(request)
        now = format_datetime(app.clock.now())
        with app.world.lock:
            tables = app.world.salesforce
            plan = compile_query(query, tables, app.clock.now().date())
            projection = Projection(plan.object_name, plan.select, Resolver(tables))
            rows = projection.to_csv_rows(plan.run(operation == "queryAll"))
        job_id = f"7505g{secrets.token_hex(7)[:13]}"
        info = {
            "id": job_id,
            "operation": operation,
            "object": plan.object_name,
            "createdById": session.user_id,
            "createdDate": now,
            "systemModstamp": now,
            "state": "UploadComplete",
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(version.lstrip("v")),
            "lineEnding": line_ending,
            "columnDelimiter": delimiter,
        }
        with lock:
            jobs[job_id] = BulkJob(info, projection.columns, rows)
        return json_response(info)

    def status(request: Request, version: str, job_id: str) -> Response:
        job = find(job_id)
        with lock:
            if job.info["state"] in _STATES[:-1]:
                job.polls += 1
                job.info["state"] = _STATES[min(job.polls, len(_STATES) - 1)]
            if job.info["state"] == "JobComplete":
                job.info.update(
                    jobType="V2Query",
                    numberRecordsProcessed=len(job.rows),
                    retries=0,
                    totalProcessingTime=len(job.rows) // 100,
                )
            return json_response(dict(job.info))

    def listing(request: Request, version: str) -> Response:
        with lock:
            records = [dict(j.info) for j in jobs.values()]
        return json_response({"done": True, "records": records, "nextRecordsUrl": None})

    def abort(request: Request, version: str, job_id: str) -> Response:
        job = find(job_id)
        body = json_body(request) or {}
        if body.get("state") != "Aborted":
            raise sf_error(400, "INVALIDJOBSTATE", "Only Aborted is a valid state for query jobs")
        with lock:
            if job.info["state"] == "JobComplete":
                raise sf_error(400, "INVALIDJOBSTATE", "Job is already JobComplete")
            job.info["state"] = "Aborted"
            return json_response(dict(job.info))

    def delete(request: Request, version: str, job_id: str) -> Response:
        find(job_id)
        with lock:
            jobs.pop(job_id, None)
        return json_response(None, 204)

    def results(request: Request, version: str, job_id: str) -> Response:
        job = find(job_id)
        if job.info["state"] != "JobComplete":
            raise sf_error(
                400,
                "INVALIDJOBSTATE",
                f"Cannot get results for job {job_id} in state {job.info['state']}",
            )
        locator = request.args.get("locator")
        start = _offset(locator) if locator and locator != "null" else 0
        max_records = request.args.get("maxRecords", type=int) or len(job.rows) or 1
        end = min(start + max_records, len(job.rows))
        body = write_csv(
            job.header,
            job.rows[start:end],
            DELIMITERS[job.info["columnDelimiter"]],
            LINE_ENDINGS[job.info["lineEnding"]],
        )
        response = Response(body, status=200, content_type="text/csv")
        response.headers["Sforce-Locator"] = _locator(end) if end < len(job.rows) else "null"
        response.headers["Sforce-NumberOfRecords"] = str(end - start)
        return response

    base = "/services/data/<version>/jobs/query"
    for rule, handler, method in (
        (base, create, "POST"),
        (base, listing, "GET"),
        (f"{base}/<job_id>", status, "GET"),
        (f"{base}/<job_id>", abort, "PATCH"),
        (f"{base}/<job_id>", delete, "DELETE"),
        (f"{base}/<job_id>/results", results, "GET"),
    ):
        app.add_route(rule, handler, (method,), endpoint=f"{method} {rule}")
