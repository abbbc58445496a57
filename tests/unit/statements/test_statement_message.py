"""The statement e-mail: structure, deterministic bytes and Message-ID, e-mail settings."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest
from pydantic import ValidationError

from compensation.statements import Renderer
from compensation.statements.samples import sample_statement
from sync.config.mail import EmailConfig
from sync.mail.message import RecipientRefused, build_message, check_address
from sync.mail.sender import retry_delay

NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
EMAIL = EmailConfig(
    from_address="payroll@example.com", from_name="Payroll", reply_to="comp-team@example.com"
)


def test_the_message_is_multipart_with_an_inline_chart_and_a_stable_id() -> None:
    rendered = Renderer().render(sample_statement(4, locale="fr"))
    message_id, data = build_message(rendered, "e000004@example.com", "Emma Dubois", EMAIL, NOW)
    assert message_id == build_message(rendered, "e000004@example.com", "x", EMAIL, NOW)[0]
    assert (message_id, data) == build_message(
        rendered, "e000004@example.com", "Emma Dubois", EMAIL, NOW
    )
    assert message_id.endswith(".statement@example.com>")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    msg = BytesParser(policy=policy.default).parsebytes(data)
    assert msg["To"] == "Emma Dubois <e000004@example.com>"
    assert msg["From"] == "Payroll <payroll@example.com>"
    assert msg["Reply-To"] == "comp-team@example.com"
    assert msg["Subject"] == rendered.subject
    assert msg["Date"] == "Mon, 02 Nov 2026 08:30:00 +0000"
    assert msg["Message-ID"] == message_id
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content().replace("\r\n", "\n") == rendered.html
    assert image["Content-ID"] == "<attainment-chart>"
    assert image.get_content() == rendered.images[0].data
    other = build_message(rendered, "someone@example.com", "Emma Dubois", EMAIL, NOW)[0]
    assert other != message_id


def test_addresses_are_checked() -> None:
    assert check_address(" Ana.Lopez@Example.COM ") == "Ana.Lopez@example.com"
    for bad in (None, "", "ana", "ana@localhost", "a b@example.com", "<a@example.com>"):
        with pytest.raises(RecipientRefused, match="no valid e-mail address"):
            check_address(bad)
    with pytest.raises(RecipientRefused, match="outside"):
        check_address("ana@gmail.com", ["example.com"])


def test_email_settings_name_variables_never_secrets() -> None:
    config = EmailConfig(
        username_env="SMTP_USER",
        password_env="SMTP_PASSWORD",
        timeout="10s",
        retry_initial="1m",
        retry_max="5m",
    )
    assert config.effective_port == 587
    assert EmailConfig(security="tls").effective_port == 465
    assert [retry_delay(config, n).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        60,
        120,
        240,
        300,
        300,
    ]
    with pytest.raises(ValidationError, match="never the secret itself"):
        EmailConfig(password_env="hunter2!")
    with pytest.raises(ValidationError, match="not an e-mail address"):
        EmailConfig(from_address="payroll")
