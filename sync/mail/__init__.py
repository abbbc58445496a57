"""E-mail: plan statements through an outbox, over SMTP.

Submodules (imported where needed, so ``import sync.mail`` stays light): ``settings``
(config sections), ``message`` (MIME building), ``smtp`` (the transport), ``enqueue`` and
``outbox`` (queue operations), ``sender`` (the delivery loop), ``service`` (what the CLI
and the daemon call), ``source`` (statements of a period).
"""

from sync.config.mail import EmailConfig, StatementsConfig

__all__ = ["EmailConfig", "StatementsConfig"]
