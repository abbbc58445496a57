"""``/crm/v3/pipelines/{deals|tickets}``: pipelines and their stages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error
from sandbox.hubspot.objects import resolve_type
from sandbox.hubspot.render import iso
from sandbox.hubspot.schema import DEAL_PIPELINES, TICKET_PIPELINES

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]

_PIPELINES = {"deals": DEAL_PIPELINES, "tickets": TICKET_PIPELINES}


def _stage(object_type: str, stage: tuple, order: int, stamp: str) -> dict[str, Any]:
    stage_id, label, probability, closed, _won = stage
    if object_type == "deals":
        metadata = {"isClosed": "true" if closed else "false", "probability": str(probability)}
    else:
        metadata = {"ticketState": "CLOSED" if closed else "OPEN"}
    return {
        "label": label,
        "displayOrder": order,
        "metadata": metadata,
        "id": stage_id,
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    }


def _pipeline(object_type: str, pipeline: tuple, order: int, stamp: str) -> dict[str, Any]:
    pipeline_id, label, stages = pipeline
    return {
        "label": label,
        "displayOrder": order,
        "id": pipeline_id,
        "stages": [_stage(object_type, s, i, stamp) for i, s in enumerate(stages)],
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }


def _all(app: HubSpotEmulator, raw: str) -> list[dict[str, Any]]:
    object_type = resolve_type(app.world.hubspot, raw)
    if object_type not in _PIPELINES:
        raise hs_error(400, f"Object type {raw} does not support pipelines", "VALIDATION_ERROR")
    stamp = iso(app.world.anchor.replace(year=app.world.anchor.year - 3))
    return [_pipeline(object_type, p, i, stamp) for i, p in enumerate(_PIPELINES[object_type])]


def _one(app: HubSpotEmulator, raw: str, pipeline_id: str) -> dict[str, Any]:
    for pipeline in _all(app, raw):
        if pipeline["id"] == pipeline_id:
            return pipeline
    raise hs_error(
        404,
        f"Unable to find pipeline {pipeline_id}",
        "OBJECT_NOT_FOUND",
        context={"pipelineId": [pipeline_id]},
    )


def register(app: HubSpotEmulator) -> None:
    base = "/crm/v3/pipelines/<object_type>"
    app.add_route(
        base,
        lambda request, object_type: json_response({"results": _all(app, object_type)}),
        ["GET"],
        endpoint="GET /crm/v3/pipelines/<type>",
    )
    app.add_route(
        f"{base}/<pipeline_id>",
        lambda request, object_type, pipeline_id: json_response(
            _one(app, object_type, pipeline_id)
        ),
        ["GET"],
        endpoint="GET /crm/v3/pipelines/<type>/<pipelineId>",
    )
    app.add_route(
        f"{base}/<pipeline_id>/stages",
        lambda request, object_type, pipeline_id: json_response(
            {"results": _one(app, object_type, pipeline_id)["stages"]}
        ),
        ["GET"],
        endpoint="GET /crm/v3/pipelines/<type>/<pipelineId>/stages",
    )
