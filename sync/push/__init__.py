"""Write-back: computed values (incentives, commissions, scores) into CRM fields.

Computing steps publish what they want written (``publish``); ``push`` diffs it against
what crmsync last wrote, settles conflicts with CRM edits per target policy, and writes
the changes in each API's largest batches. Only the config models (``sync.config.push``)
load eagerly; the rest loads on first use, keeping ``crmsync --help`` light.
"""

from importlib import import_module
from typing import Any

from sync.config.push import PushConfig, PushTarget

__all__ = ["DesiredValue", "PushConfig", "PushPlan", "PushReport", "PushTarget", "publish", "push"]

_LAZY = {
    "DesiredValue": "sync.store.view.published",
    "publish": "sync.store.view.published",
    "PushPlan": "sync.push.results",
    "PushReport": "sync.push.results",
    "push": "sync.push.write_back",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sync.push' has no attribute {name!r}")
