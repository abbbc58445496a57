"""Sign-in by a one-time link e-mailed through the configured SMTP server.

``POST /signin`` with an address sends a link to it if the address is an employee's (or
an admin's) and says the same either way, so the page tells nobody who works here. The
link holds a signed, time-limited token; opening it shows a button (mail scanners that
follow links do not press it) whose POST uses the token once and starts the session. The
session is a signed cookie (HttpOnly, SameSite=Lax, Secure behind https) holding the
principal and the CSRF token, never pay or other data.

What must hold across server processes and restarts lives in the store
(:mod:`sync.store.web_signin`): the links already used, so a link works exactly once
whichever process opens it, and the recent requests, so sign-in e-mails are limited per
address and per client (``web.signin_limit``); a limited request gets the same answer.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync.store.web_signin import (
    digest,
    record_signin_request,
    signin_requests_since,
    use_link_once,
)
from sync.web.access import principal_for
from sync.web.http import state, template, verify_csrf

__all__ = ["confirm", "signin_form", "signin_link", "signin_send", "signout"]

log = logging.getLogger("crmsync.web")
_SALT = "crmsync-signin"


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state(request).secret, salt=_SALT)


def signin_form(request: Request) -> Response:
    return template(request, "signin.html.j2", None, sent=False)


async def signin_send(request: Request) -> Response:
    form = await request.form()
    verify_csrf(request, form)
    web = state(request)
    web.view.refresh()
    address = str(form.get("email") or "")
    principal = principal_for(address, web.view.people(), web.config.web.admins)
    if principal is not None and _within_limit(request, address):
        token = _serializer(request).dumps({"p": principal, "n": secrets.token_urlsafe(16)})
        link = f"{web.config.web.base_url.rstrip('/')}/signin/{token}"
        minutes = web.config.web.link_minutes
        body = (
            f"Open this link to sign in to {web.config.statements.company_name or 'crmsync'} "
            f"(it works once, for {minutes} minutes):\n\n{link}\n\n"
            "If you did not ask for it, ignore this message.\n"
        )
        web.send_mail("Your sign-in link", body, [address.strip()])
        log.info("sign-in link sent")
    return template(request, "signin.html.j2", None, sent=True)


def _within_limit(request: Request, address: str) -> bool:
    """Count this request against ``web.signin_limit``; False (nothing sent) past it."""
    web = state(request)
    limit = web.config.web.signin_limit
    now = web.now()
    window = timedelta(minutes=limit.window_minutes)
    who = digest("address:" + address.strip().casefold(), web.secret)
    client = digest("client:" + (request.client.host if request.client else "-"), web.secret)
    engine = web.view.engine
    by_address, by_client = signin_requests_since(engine, who, client, now - window)
    if by_address >= limit.per_address or by_client >= limit.per_client:
        log.warning("sign-in e-mail not sent: rate limit reached")
        return False
    record_signin_request(engine, who, client, now, window)
    return True


def signin_link(request: Request) -> Response:
    """The page the e-mailed link opens: one button that signs in."""
    token = request.path_params["token"]
    return template(request, "confirm.html.j2", None, token=token)


async def confirm(request: Request) -> Response:
    form = await request.form()
    verify_csrf(request, form)
    web = state(request)
    token = str(form.get("token") or "")
    lifetime = web.config.web.link_minutes * 60
    try:
        data, signed = _serializer(request).loads(token, max_age=lifetime, return_timestamp=True)
    except BadSignature:
        return template(request, "signin.html.j2", None, status=400, sent=False, expired=True)
    expires = signed.astimezone(UTC) + timedelta(seconds=lifetime)
    used = digest("link:" + str(data["n"]), web.secret)
    if not use_link_once(web.view.engine, used, datetime.now(UTC), expires):
        return template(request, "signin.html.j2", None, status=400, sent=False, expired=True)
    request.session.clear()
    request.session["who"] = data["p"]
    request.session["csrf"] = secrets.token_urlsafe(24)
    return RedirectResponse("/", status_code=303)


async def signout(request: Request) -> Response:
    form = await request.form()
    verify_csrf(request, form)
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)
