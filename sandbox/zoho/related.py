"""Related lists: ``GET /crm/{version}/{module}/{record_id}/{related_list}``.

The sandbox serves the one relation its company uses, a deal's products
(``/Deals/{id}/Products``): the products sold on the deal, rendered as Products records
with the ``fields`` asked for (mandatory from v3 on, as for lists), paged with ``page`` and
``per_page`` (at most 200). A deal without products answers 204; another relation name is
Zoho's 400 ``INVALID_DATA`` "The relation name given seems to be invalid".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.zoho.errors import zoho_error
from sandbox.zoho.params import int_param, module_table, parse_fields
from sandbox.zoho.schema import DEAL_PRODUCTS_KEY

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["RELATIONS", "register"]

# (parent module, related list api name) -> (related module, key on the parent record)
RELATIONS = {("Deals", "Products"): ("Products", DEAL_PRODUCTS_KEY)}


def register(app: ZohoEmulator) -> None:
    world = app.world

    def related(
        request: Request, version: str, module: str, record_id: str, relation: str
    ) -> Response:
        with world.lock:
            parent = module_table(world, module)
            target = RELATIONS.get((parent.name, relation))
            if target is None:
                raise zoho_error(
                    400,
                    "INVALID_DATA",
                    "The relation name given seems to be invalid",
                    {"api_name": relation},
                )
            table = world.zoho[target[0]]
            fields = parse_fields(request.args, table.schema, required=version != "v2")
            per_page = int_param(request.args, "per_page", 200, 1, 200)
            page = int_param(request.args, "page", 1, 1, 10**9)
            record = parent.get(record_id)
            if record is None:
                raise zoho_error(
                    400,
                    "INVALID_DATA",
                    "the related id given seems to be invalid",
                    {"id": record_id},
                )
            rows = [r for r in (table.get(i) for i in record.get(target[1]) or ()) if r]
            window = rows[(page - 1) * per_page : page * per_page]
            if not window:
                return json_response(None, 204)
            app.renderer.refresh()
            plan = app.renderer.plan(table.schema, fields or table.schema.field_names)
            data = app.renderer.render(window, plan)
        info = {
            "per_page": per_page,
            "count": len(data),
            "page": page,
            "more_records": page * per_page < len(rows),
        }
        return json_response({"data": data, "info": info})

    app.api_route("GET", "/<module>/<record_id>/<relation>", related, "/<module>/<id>/<related>")
