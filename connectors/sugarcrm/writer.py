"""Write-back through Sugar's bulk API, and the custom fields it writes.

Updates go as ``PUT /v11/<Module>/<id>`` requests inside ``POST /rest/v11/bulk``
(``write_batch_size`` per call); Sugar answers each request on its own, in order, so one
bad record fails alone: a 404 or 422 is that record's error, a 429 or 5xx makes it
retriable. A bulk call that fails as a whole fails every update of its batch.

Custom fields end in ``_c``. ``ensure_fields`` reads the module's field metadata
(``GET /rest/v11/metadata``); a missing field is created through the Administration API
(``POST /rest/v11/Administration/fields/<Module>``, what Studio does) when allowed, or
else the answer says how to create it in Studio.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorError, RetriableError
from connectors.sugarcrm.http import SugarHttp
from connectors.sugarcrm.profile import PROFILE, wire

__all__ = ["SugarWriter", "module_of"]

_TYPES = {
    "text": "varchar",
    "number": "decimal",
    "currency": "currency",
    "percent": "decimal",
    "date": "date",
    "datetime": "datetime",
}


def module_of(object_name: str) -> str:
    """The module of a stream name (``deals``) or of a module name (``Opportunities``)."""
    return PROFILE.object_names.get(object_name, object_name)


class SugarWriter:
    def __init__(self, http: SugarHttp, batch_size: int) -> None:
        self.http = http
        self.batch_size = batch_size

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        module = module_of(object_name)
        results: list[WriteResult] = []
        for start in range(0, len(updates), self.batch_size):
            batch = updates[start : start + self.batch_size]
            results += self._batch(module, batch)
        return results

    def _batch(self, module: str, batch: Sequence[FieldUpdate]) -> list[WriteResult]:
        requests = [
            {
                "url": f"/v11/{module}/{u.remote_id}",
                "method": "PUT",
                "data": orjson.dumps({k: wire(v) for k, v in u.values.items()}).decode(),
            }
            for u in batch
        ]
        try:
            answers = self.http.call("POST", "bulk", json={"requests": requests}) or []
        except ConnectorError as exc:
            retriable = isinstance(exc, RetriableError)
            return [WriteResult(u.remote_id, False, exc.user_message, retriable) for u in batch]
        results = []
        for index, update in enumerate(batch):
            answer: dict[str, Any] = answers[index] if index < len(answers) else {}
            status = int(answer.get("status") or 0)
            if status == 200:
                results.append(WriteResult(update.remote_id, True))
                continue
            contents = answer.get("contents") or {}
            message = contents.get("error_message") if isinstance(contents, dict) else None
            error = f"SugarCRM answered {status or 'nothing'}: {message or contents}"
            results.append(
                WriteResult(update.remote_id, False, error, status == 429 or status >= 500)
            )
        return results

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        module = module_of(object_name)
        params = {"type_filter": "modules", "module_filter": module}
        meta = self.http.call("GET", "metadata", params=params) or {}
        existing = set(((meta.get("modules") or {}).get(module) or {}).get("fields") or {})
        statuses = []
        for spec in fields:
            name = PROFILE.custom_field_name(spec.name)
            if name in existing:
                statuses.append(FieldStatus(module, name, True))
                continue
            if create:
                data: dict[str, Any] = {
                    "name": spec.name.removesuffix("_c"),
                    "label": spec.label,
                    "type": _TYPES[spec.type],
                }
                if data["type"] == "decimal":
                    data.update({"len": "18", "precision": 2})
                body = {"data": data}
                self.http.call("POST", f"Administration/fields/{module}", json=body)
                statuses.append(FieldStatus(module, name, True, created=True))
                continue
            how = (
                f"In Sugar, Admin > Studio > {module} > Fields > Add Field: type "
                f"{_TYPES[spec.type]}, name {spec.name.removesuffix('_c')} (Sugar adds _c), "
                f"label {spec.label!r}; or let crmsync create it (create_fields: true) with "
                "an admin user"
            )
            statuses.append(FieldStatus(module, name, False, instructions=how))
        return statuses
