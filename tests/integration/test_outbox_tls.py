"""SMTP security: STARTTLS and implicit TLS verified against a CA bundle, login with
credentials from the environment, and clear errors when any of it is wrong."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from mail_support import login_checker, self_signed, smtp_capture

from sync.config.mail import EmailConfig
from sync.mail.smtp import MailConfigError, SmtpTransport

MESSAGE = b"From: payroll@example.com\r\nTo: ana@example.com\r\nSubject: hi\r\n\r\n.hello\r\n"
ENV = {"SMTP_USER": "crmsync", "SMTP_PASSWORD": "s3cret"}


def _tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _email(port: int, security: str, cert: Path | None, **extra: object) -> EmailConfig:
    return EmailConfig(
        host="127.0.0.1",
        port=port,
        security=security,  # type: ignore[arg-type]
        from_address="payroll@example.com",
        ca_bundle=cert,
        username_env="SMTP_USER",
        password_env="SMTP_PASSWORD",
        **extra,  # type: ignore[arg-type]
    )


def test_starttls_with_login_from_the_environment(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    options = {
        "tls_context": _tls(cert, key),
        "require_starttls": True,
        "authenticator": login_checker("crmsync", "s3cret"),
        "auth_require_tls": True,
    }
    with smtp_capture(**options) as smtp:
        transport = SmtpTransport(_email(smtp.port, "starttls", cert), ENV)
        handed: list[bool] = []
        reply = transport.send(
            "payroll@example.com", "ana@example.com", MESSAGE, lambda: handed.append(True)
        )
        transport.close()
        assert reply.startswith("250")
        assert handed == [True]
        assert [r.data for r in smtp.received] == [MESSAGE]  # the leading dot survived
        wrong = SmtpTransport(_email(smtp.port, "starttls", cert), {**ENV, "SMTP_PASSWORD": "nope"})
        with pytest.raises(MailConfigError, match=r"refused the login \(535\)"):
            wrong.send("payroll@example.com", "ana@example.com", MESSAGE, lambda: None)


# aiosmtpd leaves its side of a failed handshake unclosed (a ResourceWarning at collection).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_implicit_tls_checks_the_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with smtp_capture(
        ssl_context=_tls(cert, key),
        authenticator=login_checker("crmsync", "s3cret"),
        auth_require_tls=False,  # aiosmtpd counts only STARTTLS as TLS; this is implicit TLS
    ) as smtp:
        transport = SmtpTransport(_email(smtp.port, "tls", cert), ENV)
        transport.send("payroll@example.com", "ana@example.com", MESSAGE, lambda: None)
        transport.close()
        assert len(smtp.received) == 1
        untrusted = SmtpTransport(_email(smtp.port, "tls", None), ENV)
        with pytest.raises(MailConfigError, match=r"not trusted \(self.signed certificate\)"):
            untrusted.send("payroll@example.com", "ana@example.com", MESSAGE, lambda: None)


def test_missing_credentials_and_missing_starttls_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(MailConfigError, match="environment variable SMTP_PASSWORD"):
        SmtpTransport(_email(2525, "starttls", None), {"SMTP_USER": "crmsync"})
    with smtp_capture() as smtp:
        transport = SmtpTransport(_email(smtp.port, "starttls", None), ENV)
        with pytest.raises(MailConfigError, match="does not offer STARTTLS"):
            transport.send("payroll@example.com", "ana@example.com", MESSAGE, lambda: None)
