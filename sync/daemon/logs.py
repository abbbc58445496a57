"""The daemon's logs: one human line per event by default, one JSON object with a flag.

With ``--json-logs`` every line the process writes is JSON: library loggers (Alembic's
migrations, APScheduler, procrastinate) go through the same root handler, Python warnings
are routed into logging, and the CLI reports its final error as a JSON log line too
(:func:`json_logs_enabled`). Commands configure logging before importing the store, so
nothing logged while importing escapes in the human format.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import UTC, datetime

import orjson

__all__ = ["JsonFormatter", "configure_logging", "json_logs_enabled"]

HUMAN = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_state = {"json": False}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message"}`` plus ``exc`` when there is a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure_logging(json_logs: bool, debug: bool = False) -> None:
    """Replace the root handlers with one on stderr; INFO, APScheduler quieter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter(HUMAN))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    _state["json"] = json_logs
    logging.captureWarnings(True)  # a warning would otherwise print a bare text line
    threading.excepthook = _log_thread_exception  # and so would a thread's traceback
    # APScheduler logs every job start at INFO and every coalesced tick at WARNING; our
    # jobs log their own outcome and the daemon counts skipped ticks in /metrics.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if debug else logging.ERROR)


def json_logs_enabled() -> bool:
    """True once :func:`configure_logging` chose JSON lines for this process."""
    return _state["json"]


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return  # what the default hook does too
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("crmsync").error(
        "uncaught error in thread %s",
        name,
        exc_info=args.exc_value,  # logging takes the type and traceback from the exception
    )
