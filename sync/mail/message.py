"""Build the e-mail of a rendered statement: multipart/alternative (text, then HTML with
its chart as a related inline image), deterministic Message-ID and MIME boundaries.

The same statement version rendered the same way gives the same bytes, and a resend
carries the same Message-ID, so mail stores can recognise it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

from compensation.statements import RenderedStatement
from sync.config.mail import EmailConfig

__all__ = ["RecipientRefused", "build_message", "check_address", "statement_message_id"]

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class RecipientRefused(ValueError):
    """The statement has no usable address of its own employee (it is not queued)."""


def check_address(address: str | None, domains: list[str] | tuple[str, ...] = ()) -> str:
    """``address`` normalised (domain lower-cased), or :class:`RecipientRefused`."""
    if not address or not _ADDRESS.match(address.strip()):
        raise RecipientRefused(f"no valid e-mail address ({address!r})")
    local, domain = address.strip().rsplit("@", 1)
    domain = domain.lower()
    if domains and domain not in {d.lower() for d in domains}:
        raise RecipientRefused(
            f"{local}@{domain} is outside statements.recipient_domains ({', '.join(domains)})"
        )
    return f"{local}@{domain}"


def statement_message_id(statement_id: str, version: int, recipient: str, domain: str) -> str:
    """``<hash.statement@domain>`` from the statement id, version and recipient."""
    key = f"{statement_id}\x1f{version}\x1f{recipient}".encode()
    return f"<{hashlib.sha256(key).hexdigest()[:40]}.statement@{domain}>"


def _header(name: str, value: str) -> bytes:
    if value.isascii() and len(name) + len(value) < 76:
        return f"{name}: {value}\r\n".encode()
    folded = Header(value, "utf-8" if not value.isascii() else "us-ascii", header_name=name)
    return f"{name}: {folded.encode(linesep=chr(13) + chr(10))}\r\n".encode()


def _body(text: str) -> bytes:
    normal = text.replace("\r\n", "\n").encode()
    return binascii.b2a_qp(normal).replace(b"\n", b"\r\n")


def _part(content_type: str, payload: bytes, extra: tuple[str, ...] = ()) -> bytes:
    head = [f"Content-Type: {content_type}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


def build_message(
    rendered: RenderedStatement,
    recipient: str,
    recipient_name: str,
    email: EmailConfig,
    now: datetime,
) -> tuple[str, bytes]:
    """The Message-ID and RFC 5322 bytes (CRLF line ends) of ``rendered`` for ``recipient``.

    Written by hand rather than with :class:`email.message.EmailMessage`, which takes
    ~20 ms per statement (5,000 statements must go out in under two minutes): 7-bit
    only (quoted-printable bodies, RFC 2047 headers), so any server accepts it.
    """
    domain = email.from_address.rsplit("@", 1)[1]
    message_id = statement_message_id(rendered.statement_id, rendered.version, recipient, domain)
    seed = hashlib.sha256(message_id.encode() + rendered.content_hash.encode()).hexdigest()
    alt, rel = f"=_alt_{seed[:24]}", f"=_rel_{seed[24:48]}"
    headers = [
        _header("From", formataddr((email.from_name, email.from_address), "utf-8")),
        _header("To", formataddr((recipient_name, recipient), "utf-8")),
        *([_header("Reply-To", email.reply_to)] if email.reply_to else []),
        _header("Subject", rendered.subject),
        _header("Date", format_datetime(now)),
        _header("Message-ID", message_id),
        _header("Auto-Submitted", "auto-generated"),
        _header("X-Crmsync-Statement", f"{rendered.statement_id}; version={rendered.version}"),
        b"MIME-Version: 1.0\r\n",
        f'Content-Type: multipart/alternative; boundary="{alt}"\r\n'.encode(),
    ]
    qp = ("Content-Transfer-Encoding: quoted-printable",)
    text = _part('text/plain; charset="utf-8"', _body(rendered.text), qp)
    html = _part('text/html; charset="utf-8"', _body(rendered.html), qp)
    if rendered.images:
        parts = [html]
        for image in rendered.images:
            data = base64.encodebytes(image.data).replace(b"\n", b"\r\n")
            parts.append(
                _part(
                    image.mime_type,
                    data,
                    (
                        "Content-Transfer-Encoding: base64",
                        f"Content-ID: <{image.content_id}>",
                        f'Content-Disposition: inline; filename="{image.filename}"',
                    ),
                )
            )
        html = _part(f'multipart/related; boundary="{rel}"', _multipart(rel, parts))
    body = _multipart(alt, [text, html])
    return message_id, b"".join(headers) + b"\r\n" + body


def _multipart(boundary: str, parts: list[bytes]) -> bytes:
    out = b""
    for part in parts:
        # The CRLF before a boundary belongs to the boundary, not to the part.
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()
