"""Sign-in by a one-time link e-mailed through the configured SMTP server.

``POST /signin`` with an address sends a link to it if the address is an employee's (or
an admin's) and says the same either way, so the page tells nobody who works here. The
link holds a signed, time-limited token; opening it shows a button (mail scanners that
follow links do not press it) whose POST uses the token once and starts the session. The
session is a signed cookie (HttpOnly, SameSite=Lax, Secure behind https) holding the
principal and the CSRF token, never pay or other data.
"""

from __future__ import annotations

import logging
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

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
    if principal is not None:
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


def signin_link(request: Request) -> Response:
    """The page the e-mailed link opens: one button that signs in."""
    token = request.path_params["token"]
    return template(request, "confirm.html.j2", None, token=token)


async def confirm(request: Request) -> Response:
    form = await request.form()
    verify_csrf(request, form)
    web = state(request)
    token = str(form.get("token") or "")
    try:
        data = _serializer(request).loads(token, max_age=web.config.web.link_minutes * 60)
    except BadSignature:
        return template(request, "signin.html.j2", None, status=400, sent=False, expired=True)
    with web.lock:
        if data["n"] in web.used_links:
            return template(request, "signin.html.j2", None, status=400, sent=False, expired=True)
        web.used_links.add(data["n"])
    request.session.clear()
    request.session["who"] = data["p"]
    request.session["csrf"] = secrets.token_urlsafe(24)
    return RedirectResponse("/", status_code=303)


async def signout(request: Request) -> Response:
    form = await request.form()
    verify_csrf(request, form)
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)
