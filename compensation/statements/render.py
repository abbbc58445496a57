"""Render a :class:`Statement` into a subject, a plain-text part, an HTML part and a chart.

Templates are Jinja2 with autoescaping (HTML templates) and ``StrictUndefined`` (a typo
in a template fails loudly instead of printing nothing). The default templates are trusted
files of this project; when an admin sets an override folder, every template is loaded
through an ``ImmutableSandboxedEnvironment`` (override first, defaults behind it), so an
override can reshape the statement but cannot reach Python internals or mutate data.

Statement data is only ever *inserted* into templates, never compiled as one: a deal
named ``{{ 7*7 }}`` prints as those characters, and ``<script>`` prints escaped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from compensation.statements.chart import CHART_HEIGHT, CHART_WIDTH, attainment_png
from compensation.statements.locale import Words
from compensation.statements.model import Statement, language
from crmsync_data import templates

__all__ = ["InlineImage", "RenderError", "RenderedStatement", "Renderer"]

TEMPLATES = ("subject.txt.j2", "statement.txt.j2", "statement.html.j2")
CHART_CID = "attainment-chart"


class RenderError(Exception):
    """A template failed (syntax error, undefined name, forbidden access in a sandbox)."""


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image the HTML part shows through ``cid:`` (``content_id`` without brackets)."""

    content_id: str
    filename: str
    data: bytes
    mime_type: str = "image/png"


@dataclass(frozen=True, slots=True)
class RenderedStatement:
    """A statement ready to be put in an e-mail (or written as preview files)."""

    statement_id: str
    version: int
    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...]

    @property
    def content_hash(self) -> str:
        """SHA-256 of everything the employee will read (for send-once checks)."""
        digest = hashlib.sha256()
        for part in (self.subject, self.text, self.html):
            digest.update(part.encode())
            digest.update(b"\0")
        for image in self.images:
            digest.update(image.content_id.encode() + b"\0" + image.data)
        return digest.hexdigest()


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html", ".htm"))


def default_template_dir() -> Path:
    """The shipped ``templates/statements``."""
    return templates("statements")


class Renderer:
    """Renders statements with the default templates, or an admin's overrides in a sandbox.

    ``company`` and ``reply_to`` are shown in the header and footer. ``chart_src`` maps
    a statement to the ``src`` of its chart image (default ``cid:attainment-chart``, for
    e-mail; previews on disk use a file name).
    """

    def __init__(
        self,
        template_dir: Path | None = None,
        override_dir: Path | None = None,
        company: str = "",
        reply_to: str | None = None,
        default_locale: str = "en",
    ) -> None:
        base = FileSystemLoader(str(template_dir or default_template_dir()))
        loader: BaseLoader = base
        kind: type[Environment] = Environment
        if override_dir is not None:
            if not override_dir.is_dir():
                raise RenderError(f"the statement template folder {override_dir} does not exist")
            loader = ChoiceLoader([FileSystemLoader(str(override_dir)), base])
            kind = ImmutableSandboxedEnvironment
        self.env = kind(
            loader=loader,
            autoescape=_autoescape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.default_locale = default_locale
        self.company = company
        self.reply_to = reply_to
        try:
            self._templates = {name: self.env.get_template(name) for name in TEMPLATES}
        except TemplateError as exc:
            raise RenderError(f"statement template {_where(exc)}: {exc}") from exc

    def render(self, statement: Statement, chart_src: str | None = None) -> RenderedStatement:
        """Render ``statement``; raises :class:`RenderError` if a template fails."""
        words = Words(language(statement.recipient.locale, self.default_locale), statement.currency)
        images: tuple[InlineImage, ...] = ()
        if statement.attainment is not None and statement.attainment.quota:
            png = attainment_png(statement.attainment.ratio, statement.attainment.thresholds)
            images = (InlineImage(CHART_CID, "attainment.png", png),)
        context = {
            "s": statement,
            "w": words,
            "t": words.t,
            "company": self.company,
            "reply_to": self.reply_to,
            "chart_src": chart_src or f"cid:{CHART_CID}",
            "chart_width": CHART_WIDTH // 2,
            "chart_height": CHART_HEIGHT // 2,
            "has_chart": bool(images),
            "payable": sorted(
                statement.payable,
                key=lambda p: (p.deal_name.casefold(), p.deal_key, p.slot, p.rule),
            ),
            "withheld": sorted(
                statement.withheld, key=lambda w: (w.deal_name.casefold(), w.deal_key, w.gate)
            ),
            "deal_count": len({p.deal_key for p in statement.payable}),
        }
        try:
            subject, text, html = (self._templates[n].render(context) for n in TEMPLATES)
        except SecurityError as exc:
            raise RenderError(f"statement template refused by the sandbox: {exc}") from exc
        except TemplateError as exc:
            raise RenderError(f"statement template {_where(exc)}: {exc}") from exc
        return RenderedStatement(
            statement_id=statement.statement_id,
            version=statement.version,
            subject=" ".join(subject.split()),
            text=text,
            html=html,
            images=images,
        )


def _where(exc: TemplateError) -> str:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "?"
    line = getattr(exc, "lineno", None)
    return f"{name}:{line}" if line else str(name)
