"""E-mail: plan statements through an outbox, over SMTP.

Submodules (imported where needed, so ``import sync.mail`` stays light): ``message`` (MIME
building), ``smtp`` (the transport), ``enqueue`` and ``outbox`` (queue operations),
``sender`` (the delivery loop), ``service`` (what the CLI and the daemon call). The config
sections live in ``sync.config.mail``; the ``statements`` step, which has compute build a
period's statements and this package send them, in ``sync.pipeline.statements``.
"""

from sync.config.mail import EmailConfig, StatementsConfig

__all__ = ["EmailConfig", "StatementsConfig"]
