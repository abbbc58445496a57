"""Deliver daemon alerts through the SMTP server of the ``email:`` section."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sync.config.mail import EmailConfig
from sync.daemon.alerts import AlertSender
from sync.mail.smtp import SmtpTransport

__all__ = ["smtp_alert_sender"]


def smtp_alert_sender(email: EmailConfig) -> AlertSender:
    """A sender for :class:`~sync.daemon.alerts.Alerter`: one message per recipient,
    over one connection per alert (alerts are rare)."""

    def send(subject: str, body: str, recipients: Sequence[str]) -> None:
        transport = SmtpTransport(email)
        try:
            for recipient in recipients:
                message = EmailMessage()
                message["From"] = formataddr((email.from_name, email.from_address))
                message["To"] = recipient
                message["Subject"] = subject
                message["Date"] = formatdate(usegmt=True)
                message["Message-ID"] = make_msgid(domain=email.from_address.rpartition("@")[2])
                message.set_content(body)
                transport.send(email.from_address, recipient, message.as_bytes(), lambda: None)
        finally:
            transport.close()

    return send
