"""What the CLI and the daemon call: render statements, queue them, write previews.

Recipients are checked here before anything is queued: a statement goes only to its own
employee's address; a missing or malformed address, one outside
``statements.recipient_domains``, or one shared by two employees (a shared mailbox would
show one employee's pay to another) is refused with its reason. Sharing is checked within
the call here and, because ``--only`` sends one employee per call, against the outbox too
(``sync.mail.enqueue`` holds such a row; a dry run reports it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from compensation.statements import Renderer, RenderError, Statement
from compensation.statements.model import language
from sync.config import CrmsyncConfig
from sync.errors import UsageError
from sync.mail.enqueue import NewMessage, enqueue
from sync.mail.message import RecipientRefused, build_message, check_address
from sync.mail.outbox import address_users, shared_refusal

__all__ = ["QueueReport", "make_renderer", "prepare", "queue_statements", "write_previews"]


@dataclass
class QueueReport:
    rendered: int = 0
    queued: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    messages: list[NewMessage] = field(default_factory=list)


def make_renderer(config: CrmsyncConfig) -> Renderer:
    """The renderer the configuration asks for (override templates run sandboxed)."""
    try:
        return Renderer(
            override_dir=config.statements.template_dir,
            company=config.statements.company_name,
            reply_to=config.email.reply_to,
            default_locale=config.statements.locale_default,
        )
    except RenderError as exc:
        raise UsageError(f"statements.template_dir: {exc}") from exc


def _recipients(
    statements: Sequence[Statement], domains: list[str], report: QueueReport
) -> dict[str, str]:
    """employee id -> checked address, for the statements that may be sent."""
    addresses: dict[str, str] = {}
    for s in statements:
        try:
            addresses[s.recipient.employee_id] = check_address(s.recipient.email, domains)
        except RecipientRefused as exc:
            report.refused.append(f"{s.statement_id} ({s.recipient.employee_id}): {exc}")
    owners: dict[str, set[str]] = defaultdict(set)
    for employee, address in addresses.items():
        owners[address.lower()].add(employee)
    for address, employees in sorted(owners.items()):
        if len(employees) > 1:
            for employee in sorted(employees):
                del addresses[employee]
            report.refused.append(
                f"{address} belongs to several employees ({', '.join(sorted(employees))}); "
                "none of their statements is sent until each has an address of their own"
            )
    return addresses


def _shared_in_outbox(
    engine: Engine, statements: Sequence[Statement], addresses: dict[str, str]
) -> list[str]:
    """Refuse (drop from ``addresses``) the statements whose address another employee's
    row of the same period in the outbox uses; returns the refusals."""
    sendable = [s for s in statements if s.recipient.employee_id in addresses]
    keys = [(s.period.key, addresses[s.recipient.employee_id].lower()) for s in sendable]
    with engine.connect() as conn:
        users = address_users(conn, keys)
    refused = []
    for s, key in zip(sendable, keys, strict=True):
        employee = s.recipient.employee_id
        others = users.get(key, set()) - {employee}
        if others:
            address = addresses.pop(employee)
            refused.append(shared_refusal(s.statement_id, employee, address, others, key[0]))
    return refused


def _message(
    renderer: Renderer, config: CrmsyncConfig, now: datetime, s: Statement, address: str
) -> NewMessage | str:
    """The queued e-mail of ``s``, or why it cannot be rendered."""
    try:
        rendered = renderer.render(s)
    except RenderError as exc:
        return f"{s.statement_id}: {exc}"
    message_id, data = build_message(rendered, address, s.recipient.name, config.email, now)
    return NewMessage(
        statement_id=s.statement_id,
        version=s.version,
        recipient=address,
        employee_id=s.recipient.employee_id,
        period=s.period.key,
        locale=language(s.recipient.locale, config.statements.locale_default),
        subject=rendered.subject,
        message_id=message_id,
        content_hash=rendered.content_hash,
        message=data,
    )


def prepare(
    statements: Sequence[Statement],
    config: CrmsyncConfig,
    now: datetime,
    on_rendered: Callable[[int], None] | None = None,
    outbox: Engine | None = None,
) -> QueueReport:
    """Check recipients and render each sendable statement into an e-mail; with
    ``outbox``, also refuse addresses other employees' statements there already use."""
    report = QueueReport()
    renderer = make_renderer(config)  # also checks override templates before any work
    addresses = _recipients(statements, config.statements.recipient_domains, report)
    if outbox is not None:
        report.refused += _shared_in_outbox(outbox, statements, addresses)
    for s in statements:
        address = addresses.get(s.recipient.employee_id)
        if address is None:
            continue
        item = _message(renderer, config, now, s, address)
        if isinstance(item, str):
            report.refused.append(item)
            continue
        report.messages.append(item)
        report.rendered += 1
        if on_rendered is not None:
            on_rendered(report.rendered)
    return report


def queue_statements(
    engine: Engine,
    statements: Sequence[Statement],
    config: CrmsyncConfig,
    now: datetime,
    on_rendered: Callable[[int], None] | None = None,
) -> QueueReport:
    """Render and queue ``statements`` (approved at once unless approval is required)."""
    report = prepare(statements, config, now, on_rendered)
    result = enqueue(engine, report.messages, now, approved=not config.statements.approval_required)
    report.queued, report.unchanged, report.conflicts = (
        result.queued,
        result.unchanged,
        result.conflicts,
    )
    report.refused += result.held
    return report


def write_previews(statements: Sequence[Statement], config: CrmsyncConfig, out: Path) -> list[Path]:
    """Write ``<employee>.html`` (+ chart PNG) and ``<employee>.txt`` per statement, and an
    ``index.html`` linking them by display name; returns the files written."""
    renderer = make_renderer(config)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    links = []
    for s in sorted(statements, key=lambda s: (s.recipient.employee_id, s.statement_id)):
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in s.recipient.employee_id)
        rendered = renderer.render(s, chart_src=f"{stem}.png")
        for image in rendered.images:
            (out / f"{stem}.png").write_bytes(image.data)
            written.append(out / f"{stem}.png")
        (out / f"{stem}.html").write_text(rendered.html, encoding="utf-8")
        (out / f"{stem}.txt").write_text(f"{rendered.subject}\n\n{rendered.text}", encoding="utf-8")
        written += [out / f"{stem}.html", out / f"{stem}.txt"]
        links.append((s.recipient.name, s.recipient.employee_id, stem, rendered.subject))
    from html import escape

    # A reviewer looks people up by name; the key tells two namesakes apart.
    links.sort(key=lambda link: (link[0].casefold(), link[1]))
    items = "\n".join(
        f'<li><a href="{escape(stem)}.html">{escape(name)}</a> ({escape(key)}) · '
        f"{escape(subject)}</li>"
        for name, key, stem, subject in links
    )
    index = out / "index.html"
    index.write_text(
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Statements</title></head>'
        f"<body><h1>Statements</h1><ul>\n{items}\n</ul></body></html>\n",
        encoding="utf-8",
    )
    return [*written, index]
