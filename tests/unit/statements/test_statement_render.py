"""Rendering: hostile data stays text, overrides run sandboxed, the model adds up."""

from __future__ import annotations

import dataclasses
import random
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from compensation.statements import Renderer, RenderError, StatementError
from compensation.statements.chart import CHART_HEIGHT, CHART_WIDTH, COLORS, attainment_png
from compensation.statements.locale import Words
from compensation.statements.model import language
from compensation.statements.samples import sample_statement

EVIL = "<script>alert(1)</script>{{ 7*7 }}{% raw %}"


def _evil_statement():  # type: ignore[no-untyped-def]
    s = sample_statement(1, locale="en")
    line = dataclasses.replace(s.payable[0], deal_name=EVIL, rule="{{ s.recipient.email }}")
    recipient = dataclasses.replace(s.recipient, name="<b>Bruno</b> {{ 7*7 }}")
    return dataclasses.replace(s, payable=(line, *s.payable[1:]), recipient=recipient)


def test_a_malicious_deal_name_is_shown_as_text_never_executed() -> None:
    rendered = Renderer().render(_evil_statement())
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}{% raw %}" in rendered.html
    assert "&lt;b&gt;Bruno&lt;/b&gt; {{ 7*7 }}" in rendered.html
    assert "49" not in rendered.html.replace("2,049", "")
    assert "Rule: {{ s.recipient.email }}" in rendered.text  # not evaluated
    assert f"* {EVIL}: " in rendered.text  # plain text shows it verbatim


def test_override_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text(
        "Pay for {{ s.recipient.name }}: {{ w.money(s.total_payable) }}"
    )
    renderer = Renderer(override_dir=tmp_path)
    rendered = renderer.render(sample_statement(3, locale="en"))
    assert rendered.subject == "Pay for Diego García: €2,705.53"
    assert "Statement for October 2026" in rendered.html  # the defaults fill the rest
    (tmp_path / "subject.txt.j2").write_text("{{ s.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(RenderError, match="refused by the sandbox"):
        Renderer(override_dir=tmp_path).render(sample_statement(3))
    (tmp_path / "subject.txt.j2").write_text("{{ w.messages.clear() }}")
    with pytest.raises(RenderError, match="refused by the sandbox"):
        Renderer(override_dir=tmp_path).render(sample_statement(3))


def test_undefined_names_and_bad_folders_fail_loudly(tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text("{{ s.no_such_field }}")
    with pytest.raises(RenderError, match="no_such_field"):
        Renderer(override_dir=tmp_path).render(sample_statement(0))
    (tmp_path / "subject.txt.j2").write_text("{% if %}")
    with pytest.raises(RenderError, match=r"subject\.txt\.j2:1"):
        Renderer(override_dir=tmp_path)
    with pytest.raises(RenderError, match="does not exist"):
        Renderer(override_dir=tmp_path / "missing")


def test_a_statement_that_does_not_add_up_is_refused() -> None:
    s = sample_statement(0)
    with pytest.raises(StatementError, match=r"total 0 is not the sum of its parts \(1584.24\)"):
        dataclasses.replace(s, total_payable=Decimal(0))
    with pytest.raises(StatementError, match="version must be 1 or more"):
        dataclasses.replace(s, version=0)


def test_locales_fall_back_to_a_language_statements_are_written_in() -> None:
    codes = ("fr_CA", "es-MX", "EN", "de_CH", "it_IT")
    assert [language(x) for x in codes] == ["fr", "es", "en", "de", "en"]
    assert language("it", default="fr") == "fr"
    s = sample_statement(0)
    italian = dataclasses.replace(s, recipient=dataclasses.replace(s.recipient, locale="it_IT"))
    assert Renderer(default_locale="fr").render(italian).subject.startswith("Votre relevé")
    swiss = dataclasses.replace(s, recipient=dataclasses.replace(s.recipient, locale="de_CH"))
    assert Renderer(default_locale="fr").render(swiss).subject.startswith("Ihre Provisions")


@pytest.mark.parametrize(
    ("locale", "money", "pct", "one", "many"),
    [
        ("en", "-€1,234.50", "79.8%", "1 deal", "1,000,000 deals"),
        ("fr", "-1\u202f234,50\xa0€", "79,8\xa0%", "1 affaire", "1\u202f000\u202f000 affaires"),
        ("es", "-1.234,50\xa0€", "79,8\xa0%", "1 oportunidad", "1.000.000 oportunidades"),
    ],
)
def test_words_format_money_percentages_and_plurals(
    locale: str, money: str, pct: str, one: str, many: str
) -> None:
    w = Words(locale, "EUR")
    assert w.money(Decimal("-1234.5")) == money
    assert w.pct(Decimal("0.79790")) == pct
    assert w.t("deal_count", count=1) == one
    assert w.t("deal_count", count=1_000_000) == many


def _decode(png: bytes) -> tuple[int, int, list[bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, (width, height) = zlib.decompress(idat), size
    rows = [raw[y * (width * 3 + 1) + 1 : (y + 1) * (width * 3 + 1)] for y in range(height)]
    return width, height, rows


def test_the_chart_is_a_valid_png_showing_attainment() -> None:
    width, height, rows = _decode(attainment_png(Decimal("0.75"), (Decimal("1.2"),)))
    assert (width, height) == (CHART_WIDTH, CHART_HEIGHT)
    middle = rows[height // 2]
    pixel = lambda x: tuple(middle[x * 3 : x * 3 + 3])  # noqa: E731
    # 0..150 % over 588 px from x=6: 75 % ends at x=300, quota (100 %) is the dark mark.
    assert pixel(10) == pixel(299) == COLORS["mid"]
    assert pixel(301) == COLORS["track"]
    assert pixel(397) == pixel(398) == pixel(399) == COLORS["quota"] != pixel(400)
    assert pixel(476) == COLORS["tier"]
    assert tuple(rows[0][:3]) == COLORS["background"]
    assert _decode(attainment_png(Decimal("1.3")))[2][height // 2][30:33] == bytes(COLORS["high"])
    assert attainment_png(Decimal("0.75")) == attainment_png(Decimal("0.75"))


def test_fast_money_formatting_matches_babel_exactly() -> None:
    from babel.numbers import format_currency

    rng = random.Random(7)
    values = [Decimal(v) for v in ("0", "-0.005", "0.015", "-1234.565", "999.995", "1E+7")]
    values += [Decimal(rng.randint(-(10**9), 10**9)).scaleb(-rng.randint(0, 4)) for _ in range(300)]
    for locale in ("en", "fr", "es", "de"):
        for currency in ("EUR", "USD", "JPY", "GBP", "BHD", "CHF"):
            w = Words(locale, currency)
            assert [w.money(v) for v in values] == [
                format_currency(v, currency, locale=locale) for v in values
            ], (locale, currency)
