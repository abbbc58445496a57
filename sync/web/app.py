"""The ASGI application of ``crmsync serve``: routes, the signed session, error pages.

:func:`create_app` takes its edges as arguments (the store's engine, the clock, the
mailer, the signing key) so tests run it against a sandbox store with a fixed day and a
local SMTP server.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from crmsync_data import templates
from sync.config import CrmsyncConfig
from sync.errors import UsageError
from sync.web import auth, pages_manage, pages_pay, pages_people, pages_review, pages_simulate
from sync.web.fmt import FILTERS
from sync.web.http import SendMail, SignIn, WebState, require, template
from sync.web.view import StoreView

__all__ = ["create_app", "read_secret"]

log = logging.getLogger("crmsync.web")


def read_secret(config: CrmsyncConfig) -> str:
    """The signing key from the environment variable ``web.secret_env`` names."""
    name = config.web.secret_env
    value = os.environ.get(name, "")
    if len(value) < 32:
        raise UsageError(
            f"crmsync serve needs a signing key of 32+ characters in ${name} (web.secret_env): "
            'for example export CRMSYNC_WEB_SECRET="$(python -c '
            "'import secrets; print(secrets.token_urlsafe(32))')\""
        )
    return value


def _home(request: Request) -> Response:
    viewer = require(request)
    return RedirectResponse("/channels" if viewer.is_manager else "/pay", status_code=303)


def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


ROUTES = [
    Route("/", _home),
    Route("/healthz", _health),
    Route("/signin", auth.signin_form, methods=["GET"]),
    Route("/signin", auth.signin_send, methods=["POST"]),
    Route("/signin/confirm", auth.confirm, methods=["POST"]),
    Route("/signin/{token}", auth.signin_link, methods=["GET"]),
    Route("/signout", auth.signout, methods=["POST"]),
    Route("/pay", pages_pay.my_pay),
    Route("/pay/simulate", pages_simulate.simulate),
    Route("/pay/{period}/{employee}", pages_pay.statement),
    Route("/channels", pages_manage.channels),
    Route("/pipeline", pages_manage.pipeline),
    Route("/usage", pages_people.usage),
    Route("/usage/{employee}", pages_people.usage_person),
    Route("/journey", pages_people.journey),
    Route("/review", pages_review.review, methods=["GET"]),
    Route("/review/decide", pages_review.decide, methods=["POST"]),
]


async def _signin(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/signin", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {403: "Not allowed", 404: "Not found", 405: "Not allowed", 400: "Bad request"}
    detail = exc.detail if exc.status_code != 404 else "There is no such page."
    return template(
        request,
        "error.html.j2",
        None,
        status=exc.status_code,
        title=titles.get(exc.status_code, "Error"),
        detail=detail,
    )


# Pages load nothing from elsewhere and run no script: the policy says so to the browser,
# and keeps a sign-in page's token out of any Referer.
_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        b"frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Adds :data:`_HEADERS` to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    config: CrmsyncConfig,
    engine: Engine,
    *,
    now: Callable[[], datetime],
    send_mail: SendMail | None = None,
    secret: str | None = None,
    warm: bool = True,
) -> Starlette:
    """The application over ``engine``'s store; ``send_mail(subject, body, recipients)``
    defaults to the ``email:`` section's SMTP server; ``warm`` loads the pages' data in the
    background whenever a run lands (tests that count queries turn it off)."""
    if send_mail is None:
        from sync.daemon.alert_mail import smtp_alert_sender

        send_mail = smtp_alert_sender(config.email)
    key = secret if secret is not None else read_secret(config)
    env = Environment(
        loader=FileSystemLoader(str(templates("web"))),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    https = config.web.base_url.startswith("https://")
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=key,
                session_cookie="crmsync_session",
                max_age=config.web.session_hours * 3600,
                same_site="lax",
                https_only=https,
            ),
        ],
        exception_handlers={SignIn: _signin, HTTPException: _http_error},
    )
    app.state.web = WebState(config, StoreView(config, engine, warm), env, now, send_mail, key)
    return app


def serve(app: Any, host: str, port: int) -> None:
    """Run ``app`` with uvicorn until SIGINT/SIGTERM. Uvicorn's access log is off: a
    sign-in link's token is in its path; the application logs what it needs."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
