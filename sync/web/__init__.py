"""``crmsync serve``: the managers' dashboard and the employees' portal in the browser.

An ASGI application (Starlette) over the store: server-rendered Jinja2 pages from
``templates/web``, charts drawn on the server as inline SVG (Vega-Lite through altair and
vl-convert), no script to build. It needs crmsync's ``web`` extra; this package's
``__init__`` imports none of it, so the CLI loads without it (the ``web:`` section of the
configuration is ``sync.config.web``).

Modules: ``app`` (routes, sessions, errors), ``http`` (what handlers share), ``auth``
(sign-in by e-mailed one-time link, CSRF), ``access`` (who sees what), ``view`` (what the
pages read from the store, cached per store state), ``figures`` (the channels and pipeline
figures), ``charts``, ``fmt`` (numbers, dates, headings) and one ``pages_*`` per page group.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The ASGI application (see :func:`sync.web.app.create_app`)."""
    from sync.web.app import create_app as build

    return build(*args, **kwargs)
