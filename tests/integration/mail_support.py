"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Capture", "Received", "login_checker", "self_signed", "smtp_capture"]


@dataclass(frozen=True)
class Received:
    """One message as the server got it: envelope and parsed content."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None
        return body.get_content()


@dataclass
class Capture:
    """What the server received; ``on_data`` runs after storing each message and may
    return an SMTP reply to send instead of 250 (e.g. ``"550 no such user"``)."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    on_data: Callable[[Received], str | None] | None = None
    on_rcpt: Callable[[str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, options: list
    ) -> str:
        if self.on_rcpt is not None:
            self.on_rcpt(address)
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        item = Received(
            envelope.mail_from,  # type: ignore[attr-defined]
            tuple(envelope.rcpt_tos),  # type: ignore[attr-defined]
            envelope.original_content,  # type: ignore[attr-defined]
        )
        reply = self.on_data(item) if self.on_data is not None else None
        if reply is None or reply.startswith("250"):
            with self.lock:
                self.received.append(item)
        return reply or "250 OK queued"

    def by_recipient(self) -> dict[str, list[Received]]:
        found: dict[str, list[Received]] = {}
        with self.lock:
            for item in self.received:
                for rcpt in item.rcpt_tos:
                    found.setdefault(rcpt, []).append(item)
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files in ``directory``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def login_checker(user: str, password: str) -> Callable[..., AuthResult]:
    def check(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_capture(**smtp_options: Any) -> Iterator[Capture]:
    """Serve SMTP on 127.0.0.1 on a free port for the duration of the block;
    ``smtp_options`` go to aiosmtpd (``tls_context``, ``authenticator``...)."""
    capture = Capture(port=_free_port())
    # aiosmtpd's Controller checks it is up by connecting to its port, so port 0 will not do
    controller = Controller(capture, hostname=capture.host, port=capture.port, **smtp_options)
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()
