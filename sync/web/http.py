"""What every page handler shares: the application's state, the signed-in viewer, CSRF
checks and rendering a template.

Handlers are plain functions: Starlette runs them in its thread pool, so reading the store
never blocks the server's event loop.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sync.config import CrmsyncConfig
from sync.web.access import Viewer, viewer_for
from sync.web.view import StoreView

__all__ = ["SignIn", "WebState", "csrf_token", "require", "state", "template", "verify_csrf"]

SendMail = Callable[[str, str, Sequence[str]], None]


class SignIn(Exception):
    """No (valid) session: the handler sends the browser to the sign-in page."""


@dataclass
class WebState:
    """The application's collaborators, injected (clock, mailer, store) for tests."""

    config: CrmsyncConfig
    view: StoreView
    env: Environment
    now: Callable[[], datetime]
    send_mail: SendMail
    secret: str
    used_links: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def state(request: Request) -> WebState:
    return request.app.state.web


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); every form carries it."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def verify_csrf(request: Request, form: FormData) -> None:
    """403 unless the form's token is the session's."""
    sent = str(form.get("csrf") or "")
    known = str(request.session.get("csrf") or "")
    if not known or not hmac.compare_digest(sent.encode(), known.encode()):
        raise HTTPException(403, "The form expired or did not come from this site: reload it.")


def require(request: Request, role: str = "employee") -> Viewer:
    """The signed-in viewer, refreshed against the store; 403 below ``role``."""
    web = state(request)
    principal = request.session.get("who")
    if not principal:
        raise SignIn()
    web.view.refresh()
    viewer = viewer_for(
        str(principal),
        web.view.people(),
        web.config.web.admins,
        web.view.spans(),
        web.now().date(),
    )
    if viewer is None:
        request.session.clear()
        raise SignIn()
    if (role == "manager" and not viewer.is_manager) or (role == "admin" and not viewer.is_admin):
        raise HTTPException(
            403, "This page is for " + ("admins." if role == "admin" else "managers.")
        )
    return viewer


def template(
    request: Request, name: str, viewer: Viewer | None, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render ``templates/web/NAME`` with the viewer, the CSRF token and the nav."""
    web = state(request)
    body = web.env.get_template(name).render(
        viewer=viewer,
        csrf=csrf_token(request),
        path=request.url.path,
        company=web.config.statements.company_name,
        **values,
    )
    return HTMLResponse(body, status_code=status)
