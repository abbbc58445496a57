"""The SMTP transport: one connection reused for a batch, STARTTLS or implicit TLS, login
from environment variables, and a hook just before the end of the message data.

smtplib's exceptions are translated here, and only here, into what the sender does next::

    MailError                    root
    ├── MailConfigError          fix the config or the environment (a UsageError)
    ├── TransientMailError       4xx, connection lost before the end of data: retry later
    ├── PermanentMailError       5xx: the server refused this message (a bounce)
    └── UnconfirmedDelivery      lost after the end of data: the server may have it

The DATA command is driven by hand so that ``on_handover`` runs (and the outbox commits)
after the whole message but before the final ``.``: a server only delivers a message
once it has that dot (RFC 5321 §4.1.1.4), so a crash before the hook never delivers.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping

from sync.config.mail import EmailConfig
from sync.errors import OperationFailed, UsageError

__all__ = [
    "MailConfigError",
    "MailError",
    "PermanentMailError",
    "SmtpTransport",
    "TransientMailError",
    "UnconfirmedDelivery",
]

_LEADING_DOT = re.compile(rb"(?m)^\.")


class MailError(OperationFailed):
    """Root of mail errors; ``code`` is the SMTP reply code when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class MailConfigError(UsageError):
    """The e-mail settings or their environment variables are wrong."""


class TransientMailError(MailError):
    """Try again later (the message was certainly not delivered)."""


class PermanentMailError(MailError):
    """The server refused the message for good (a bounce)."""


class UnconfirmedDelivery(MailError):
    """The connection failed after the end of data: delivery is unknown."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:500]


class SmtpTransport:
    """Sends messages to one SMTP server; connects lazily and reconnects after errors."""

    def __init__(self, config: EmailConfig, environ: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.environ = os.environ if environ is None else environ
        self._smtp: smtplib.SMTP | None = None
        self._credentials = self._read_credentials()

    def copy(self) -> SmtpTransport:
        """Another transport with the same settings (its own connection)."""
        return SmtpTransport(self.config, self.environ)

    def _read_credentials(self) -> tuple[str, str] | None:
        cfg = self.config
        if cfg.username_env is None:
            return None
        user = self.environ.get(cfg.username_env)
        password = self.environ.get(cfg.password_env or "")
        if not user or password is None:
            missing = cfg.username_env if not user else cfg.password_env or "email.password_env"
            raise MailConfigError(
                f"SMTP login needs the environment variable {missing}: export it "
                "(email.username_env / email.password_env name the variables)"
            )
        return user, password

    def _context(self) -> ssl.SSLContext:
        cafile = str(self.config.ca_bundle) if self.config.ca_bundle else None
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        timeout = cfg.timeout.total_seconds()
        smtp: smtplib.SMTP
        if cfg.security == "tls":
            smtp = smtplib.SMTP_SSL(timeout=timeout, context=self._context())
        else:
            smtp = smtplib.SMTP(timeout=timeout)
        smtp._host = cfg.host  # type: ignore[attr-defined]  # TLS checks this name; set by
        # the constructor only when it also connects, which would leak the socket on failure
        try:
            self._open(smtp)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _open(self, smtp: smtplib.SMTP) -> None:
        cfg = self.config
        where = f"{cfg.host}:{cfg.effective_port}"
        try:
            smtp.connect(cfg.host, cfg.effective_port)
            smtp.ehlo()
            if cfg.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailConfigError(
                        f"{where} does not offer STARTTLS; set email.security to tls or "
                        "(on a trusted network only) none"
                    )
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self._credentials is not None:
                smtp.login(*self._credentials)
            # The end of data goes in its own small write after the outbox commit; without
            # NODELAY, Nagle's algorithm holds it back until the server's delayed ACK.
            if smtp.sock is not None:  # always set once connected
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except ssl.SSLCertVerificationError as exc:
            raise MailConfigError(
                f"the certificate of {where} is not trusted ({exc.verify_message}): set "
                "email.ca_bundle to the CA that signed it"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise MailConfigError(
                f"the SMTP server refused the login ({exc.smtp_code}): check the "
                f"credentials in ${cfg.username_env} / ${cfg.password_env}"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailConfigError(
                f"{where} does not offer login (AUTH) on this connection: {exc}; check "
                "email.security, or unset email.username_env"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientMailError(f"cannot reach the SMTP server {where}: {exc}") from exc

    def send(
        self, sender: str, recipient: str, data: bytes, on_handover: Callable[[], None]
    ) -> str:
        """Send ``data`` to ``recipient`` only; returns the server's final reply."""
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        handed_over = False
        try:
            for command, expected in (
                (lambda: smtp.mail(sender), (250,)),
                (lambda: smtp.rcpt(recipient), (250, 251)),
            ):
                code, text = command()
                if code not in expected:
                    self._reset()
                    raise self._refusal(code, text)
            smtp.putcmd("data")
            code, text = smtp.getreply()
            if code != 354:
                self._reset()
                raise self._refusal(code, text)
            body = _LEADING_DOT.sub(b"..", data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body)
            on_handover()
            handed_over = True
            smtp.send(b".\r\n")
            code, text = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self.close()
            if handed_over:
                raise UnconfirmedDelivery(f"connection lost after the message: {exc}") from exc
            raise TransientMailError(f"connection lost: {exc}") from exc
        if code != 250:
            raise self._refusal(code, text)
        return _reply(code, text)

    def _refusal(self, code: int, text: bytes) -> MailError:
        reply = _reply(code, text)
        if 400 <= code < 500 or code < 0:
            return TransientMailError(f"the SMTP server deferred the message: {reply}", code)
        return PermanentMailError(f"the SMTP server refused the message: {reply}", code)

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        """Say QUIT if the connection is alive; never raises."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
