"""Identity review (admins): the pairs in reconcile's review band, each with its compared
fields and their weights, and link / unlink with a reason through the same decision code
as ``crmsync reconcile link|unlink`` (:func:`sync.reconcile.decide.decide`)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.store.record_key import RecordKey
from sync.web.http import require, state, template, verify_csrf
from sync.web.view import record_names, record_rows

__all__ = ["decide", "review"]

_LIMIT = 50


def review(request: Request) -> Response:
    viewer = require(request, "admin")
    web = state(request)
    from sync.reconcile.reports import review_pairs

    identities = web.view.identities()

    def identity_of(key: str) -> str | None:
        return identities.identity_of(*RecordKey.parse(key))

    with web.view.engine.connect() as connection:
        pairs = review_pairs(connection, None, _LIMIT, identity_of)
    names, rows = record_names(web.view), record_rows(web.view)
    for pair in pairs:
        found = {}
        for side in ("a", "b"):
            source, table, remote_id = RecordKey.parse(pair[side])
            pair[f"{side}_name"] = names.get((source, table, remote_id), remote_id)
            pair[f"{side}_where"] = f"{source} {table[:-1]}"
            found[side] = rows.get((source, table, remote_id), {})
        # Each compared field's value on both records, beside its weight.
        pair["comparisons"] = [
            dict(c, this=_value(found["a"], c["field"]), other=_value(found["b"], c["field"]))
            for c in pair["comparisons"]
        ]
    return template(
        request,
        "review.html.j2",
        viewer,
        pairs=pairs,
        done=request.query_params.get("done", ""),
    )


def _value(row: dict[str, object], name: str) -> str:
    value = row.get(name)
    if value is None and name == "name":
        value = " ".join(str(row[k]) for k in ("first_name", "last_name") if row.get(k))
    return "" if value is None else str(value)


async def decide(request: Request) -> Response:
    viewer = require(request, "admin")
    form = await request.form()
    verify_csrf(request, form)
    action, a, b = (str(form.get(k) or "") for k in ("action", "a", "b"))
    reason = str(form.get("reason") or "").strip()
    if action not in ("link", "unlink") or not a or not b:
        raise HTTPException(400, "Choose link or unlink for a pair.")
    if not reason:
        raise HTTPException(400, "Give a reason: it is kept with the decision.")
    web = state(request)
    from starlette.concurrency import run_in_threadpool

    from sync.reconcile.decide import DecisionRefused
    from sync.reconcile.decide import decide as save

    note = f"{reason} (by {viewer.principal} in crmsync serve)"
    try:
        await run_in_threadpool(
            save, web.view.engine, web.config.reconcile, action, a, b, note, web.now()
        )
    except DecisionRefused as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse(f"/review?done={action}", status_code=303)
