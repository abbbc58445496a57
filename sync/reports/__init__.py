"""Manager reports: channels, pipeline, service and usage, as tables, CSV, JSON or HTML."""

from sync.reports.figures import channel_report, pipeline_report, service_report, usage_report
from sync.reports.render import render_csv, render_html, render_json

__all__ = [
    "channel_report",
    "pipeline_report",
    "render_csv",
    "render_html",
    "render_json",
    "service_report",
    "usage_report",
]
