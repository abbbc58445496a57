"""Plan statements: the view model and its rendering (Jinja2, Babel, a PNG chart).

Pure code: the caller passes statements in and gets subject, text, HTML and images out;
sending lives in ``sync.mail``.
"""

from compensation.statements.chart import attainment_png
from compensation.statements.model import (
    Adjustment,
    Attainment,
    Clawback,
    DrawBalance,
    OtherLine,
    PastPeriod,
    PayableLine,
    Period,
    PipelineDeal,
    PlanRef,
    Recipient,
    Statement,
    StatementError,
    UsageComponent,
    UsageScore,
    WhatIf,
    WithheldLine,
)
from compensation.statements.render import InlineImage, RenderedStatement, Renderer, RenderError

__all__ = [
    "Adjustment",
    "Attainment",
    "Clawback",
    "DrawBalance",
    "InlineImage",
    "OtherLine",
    "PastPeriod",
    "PayableLine",
    "Period",
    "PipelineDeal",
    "PlanRef",
    "Recipient",
    "RenderError",
    "RenderedStatement",
    "Renderer",
    "Statement",
    "StatementError",
    "UsageComponent",
    "UsageScore",
    "WhatIf",
    "WithheldLine",
    "attainment_png",
]
