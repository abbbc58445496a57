"""Dataverse's paging cookies and delta tokens, as opaque to clients as the real ones.

A next page is ``$skiptoken=<cookie pagenumber="2" pagingcookie="..." istracking="False" />``
with the last row's id inside the (URL-encoded) paging cookie, so the next page starts
after it (keyset, stable while rows change). A tracked read's cookie also holds the
version the read started at, which its delta link carries on. A delta token is
``<version>!<MM/dd/yyyy HH:mm:ss>`` (the version of the data it covers and when it was
issued), as Dataverse's are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from sandbox.dynamics.errors import BAD_QUERY, ODataError

__all__ = ["Cursor", "delta_token", "parse_delta_token", "parse_skiptoken", "skiptoken"]

_COOKIE = re.compile(
    r'<cookie pagenumber="(\d+)" pagingcookie="([^"]*)" istracking="(True|False)" />'
)
_INNER = re.compile(r'<cookie page="(\d+)" version="(\d+)" after="(\d+)"><\w+ last="([^"]*)"')


@dataclass(frozen=True)
class Cursor:
    page: int  # the page this token asks for (2 for the first next link)
    last: str  # the last key of the previous page (an id, or an offset for $orderby)
    version: int  # the version the (tracked) read started at
    after: int  # a delta read: the version after which changes are listed
    tracking: bool


def skiptoken(cursor: Cursor, id_field: str) -> str:
    inner = (
        f'<cookie page="{cursor.page - 1}" version="{cursor.version}" after="{cursor.after}">'
        f'<{id_field} last="{cursor.last}" /></cookie>'
    )
    return (
        f'<cookie pagenumber="{cursor.page}" pagingcookie="{quote(quote(inner))}" '
        f'istracking="{cursor.tracking}" />'
    )


def parse_skiptoken(raw: str) -> Cursor:
    outer = _COOKIE.fullmatch(raw.strip())
    inner = _INNER.match(unquote(unquote(outer.group(2)))) if outer else None
    if outer is None or inner is None:
        raise ODataError(400, BAD_QUERY, "The $skiptoken is not valid.")
    return Cursor(
        page=int(outer.group(1)),
        last=inner.group(4),
        version=int(inner.group(2)),
        after=int(inner.group(3)),
        tracking=outer.group(3) == "True",
    )


def delta_token(version: int, now: datetime) -> str:
    return f"{version}!{now.astimezone(UTC):%m/%d/%Y %H:%M:%S}"


def parse_delta_token(raw: str) -> tuple[int, datetime]:
    version, _, when = raw.partition("!")
    try:
        issued = datetime.strptime(when, "%m/%d/%Y %H:%M:%S").replace(tzinfo=UTC)
        return int(version), issued
    except ValueError:
        raise ODataError(400, BAD_QUERY, "The $deltatoken is not valid.") from None
