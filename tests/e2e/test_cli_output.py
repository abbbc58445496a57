"""CLI output (issue 21): tables at 80 columns and piped keep key cells whole and cut
nothing with "…", the pipeline and service tables carry what their ``--json`` carries, and
the long steps show progress on stderr only on a terminal or with ``--progress``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from sandbox.clock import DEFAULT_ANCHOR
from sync.demo import run_demo
from tests import cli_process

AS_OF = "2026-10-31T00:00Z"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # All four CRMs: Dynamics's employee keys ("dynamics:" and a GUID, 45 characters) and
    # record links (over 100) are the longest values the tables show.
    result = run_demo(
        tmp_path_factory.mktemp("width-cli"),
        seed=3,
        scale="tiny",
        anchor=DEFAULT_ANCHOR,
    )
    assert result.ok
    return result.config_path


def _piped(config: Path, *args: str) -> str:
    """The command's stdout through a pipe, with COLUMNS=80."""
    done = cli_process.run(
        [sys.executable, "-m", "sync", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    if "--json" not in args:
        assert "…" not in done.stdout
        assert max(len(line) for line in done.stdout.splitlines()) <= 80
    return done.stdout


def _piped_wide(config: Path, *args: str) -> str:
    """Like :func:`_piped`, for output that may be wider than 80 columns (``--wide``)."""
    done = cli_process.run(
        [sys.executable, "-m", "sync", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _record_on_head(finding: dict[str, Any]) -> str:
    """The record after the rule on the finding's first line, or "" when it does not fit."""
    record = f"  {finding['source']} {finding['object']} {finding['remote_id']}"
    return record if len(finding["rule"]) + len(record) <= 80 else ""


def _json(config: Path, *args: str) -> Any:
    return orjson.loads(_piped(config, *args, "--json"))


def _rows(shown: str, title: str) -> list[list[str]]:
    """The body lines of the table titled ``title``, as stripped cells."""
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    body = lines[start + 1 :]
    head = next(i for i, line in enumerate(body) if "╇" in line)
    rows = []
    for line in body[head + 1 :]:
        if "│" not in line:
            break
        rows.append([c.strip() for c in line.strip().strip("│").split("│")])
    return rows


def _blocks(shown: str, title: str) -> list[dict[str, list[str]]]:
    """The rows of the table titled ``title`` shown expanded (one block per row, each
    header beside its cell): per row, each header's lines."""
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    blocks: list[dict[str, list[str]]] = []
    header = ""
    for line in lines[start + 1 :]:
        if "┼" in line:
            continue
        if "│" not in line:
            break
        left, right = (part.strip() for part in line.split("│", 1))
        if left == "#" or not blocks:
            blocks.append({})
        header = left or header
        blocks[-1].setdefault(header, []).append(right)
    return blocks


def _column(rows: list[list[str]], index: int) -> list[str]:
    return [r[index] for r in rows if r[index]]


def test_status_keeps_sources_streams_and_statuses_whole(config: Path) -> None:
    streams = _json(config, "status")["streams"]
    rows = _rows(_piped(config, "status"), "Sync status")
    # source over stream: two lines per row; a configured source that never ran shows "-"
    # where its JSON has null (no stream, no status)
    assert _column(rows, 0) == [x or "-" for s in streams for x in (s["source"], s["stream"])]
    assert _column(rows, 2) == [s["status"] or "-" for s in streams]
    records = " ".join(_column(rows, 3))  # wraps between words where the column is narrow
    assert records == " ".join(f"{s['fetched']} fetched" for s in streams)


def test_pipeline_table_carries_totals_and_churn(config: Path) -> None:
    report = _json(config, "report", "pipeline", "--as-of", AS_OF)
    shown = _piped(config, "report", "pipeline", "--as-of", AS_OF)
    rows = _rows(shown, "Weighted pipeline per customer")
    assert [r[1:] for r in rows if r[1]] == [r[1:] for r in report["rows"]]
    totals = _rows(shown, "Totals per currency")
    currencies = [s["currency"] for s in report["summary"]]
    assert [r[0] for r in totals] == [
        "open pipeline",
        "weighted pipeline",
        "open deals",
        "median age days",
        "avg won deal",
        "median days to close",
    ]
    key = {r[0]: r[1:] for r in totals}
    for i, summary in enumerate(report["summary"]):
        assert key["open pipeline"][i] == summary["open_pipeline"], currencies[i]
        assert key["weighted pipeline"][i] == summary["weighted_pipeline"]
        assert key["open deals"][i] == str(summary["open_deals"])
        assert key["avg won deal"][i] == (summary["avg_won_deal"] or "")
    churn = report["churn"]
    line = " ".join(shown[shown.index("Churn over") :].split())
    assert line.startswith(
        f"Churn over {churn['window_days']} days: {churn['churned']} of "
        f"{churn['customers_before']} customers"
    )


def test_service_table_carries_call_durations(config: Path) -> None:
    report = _json(config, "report", "service", "--as-of", AS_OF)
    shown = _piped(config, "report", "service", "--as-of", AS_OF)
    assert _rows(shown, "Case resolution") == [
        ["" if v is None else str(v) for v in row] for row in report["rows"]
    ]
    assert report["calls"]
    assert _rows(shown, "Call durations") == [
        [c["crm"], str(c["calls"]), str(c["median_minutes"])] for c in report["calls"]
    ]


def test_usage_and_channels_keep_ids_and_crms_whole(config: Path) -> None:
    board = _json(config, "report", "usage", "--as-of", AS_OF)
    shown = _piped(config, "report", "usage", "--as-of", AS_OF)
    # A Dynamics employee key (45 characters) does not fit beside the other columns: one
    # block per employee, the name over the whole key
    blocks = _blocks(shown, board["title"])
    assert [b["employee"] for b in blocks] == [[r[2], r[1]] for r in board["rows"]]
    assert any(r[1].startswith("dynamics:") and len(r[1]) == 45 for r in board["rows"])
    assert [b["#"] for b in blocks] == [[str(r[0])] for r in board["rows"]]
    channels = _json(config, "report", "channels", "--as-of", AS_OF)
    rows = _rows(_piped(config, "report", "channels", "--as-of", AS_OF), channels["title"])
    assert _column(rows, 1) == [r[1] for r in channels["rows"]]


def _stderr(config: Path, *args: str) -> tuple[Any, list[str]]:
    done = cli_process.run(
        [sys.executable, "-m", "sync", *args, "--json", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout), done.stderr.splitlines()


@pytest.mark.parametrize(
    ("args", "label", "message"),
    [
        (("reconcile", "run"), "reconciling", "employee: loading"),
        (("audit", "run", "--as-of", AS_OF), "auditing the store", "every rule and score as of"),
        (("plan", "run", "--period", "2026-10", "--dry-run"), "plan run 2026-10", "crediting"),
    ],
)
def test_long_steps_show_progress_on_stderr_only_when_asked(
    config: Path, args: tuple[str, ...], label: str, message: str
) -> None:
    _, quiet = _stderr(config, *args)  # piped and --json: no progress
    assert not [line for line in quiet if line.startswith(label)]
    _, lines = _stderr(config, *args, "--progress")  # stdout stays JSON
    shown = [line.split("] ", 1) for line in lines if line.startswith(f"{label} [")]
    assert shown[0][1] == "started"
    assert shown[1][1].startswith(message)
    assert shown[-1][1] == "done"


def test_findings_at_80_columns_keep_each_link_whole_on_its_own_line(config: Path) -> None:
    _piped(config, "audit", "run", "--as-of", AS_OF)
    found = _json(config, "audit", "findings")
    lines = _piped(config, "audit", "findings").splitlines()
    assert lines[0] == f"{len(found)} findings"
    # A link wider than the line (Dynamics' are over 100 characters) is named, and shown
    # whole with --wide
    links = [line.strip() for line in lines if line.startswith("  http")]
    assert links == [f["link"] for f in found if len(f["link"]) <= 78]
    long = [f["link"] for f in found if len(f["link"]) > 78]
    assert long and all(f["source"] == "dynamics" for f in found if len(f["link"]) > 78)
    named = [line for line in lines if line.startswith("  link: ")]
    assert named == [
        f"  link: {len(link)} characters, shown with --wide or --json" for link in long
    ]
    wide = _piped_wide(config, "audit", "findings", "--wide").splitlines()
    assert [line.strip() for line in wide if line.startswith("  http")] == [
        f["link"] for f in found
    ]
    # The rule in words with the record's CRM, object and id (under the rule when the id is
    # too long for one line); its name and the employee's (the usage score's, not the
    # identity id) on the lines below.
    heads = [line for line in lines[1:] if not line.startswith(" ")]
    assert heads == [f["rule"].replace("_", " ") + _record_on_head(f) for f in found]
    records = [line.strip() for line in lines if line.startswith("  dynamics ")]
    assert records == [
        f"{f['source']} {f['object']} {f['remote_id']}" for f in found if not _record_on_head(f)
    ]
    import yaml

    from sync.audit.audits import latest_usage_scores
    from sync.store import open_store

    url = yaml.safe_load(config.read_text())["store"]["url"]
    names = {k: s.name for k, s in latest_usage_scores(open_store(url)).items()}
    first = found[0]["employee"]
    end = next(i for i, line in enumerate(lines) if line.startswith(("  http", "  link: ")))
    block = lines[2:end]
    assert (
        f"  {names.get(first, first) if first else '-'}: {found[0]['message'][:20]}"
        in "\n".join(block)
    )
    assert len(block) >= 2  # the record's name, then who and why


def test_explain_heads_each_compared_pair_on_a_line_of_its_own(config: Path) -> None:
    from sqlalchemy import select

    from sync.config.loader import load_config
    from sync.store import open_store
    from sync.store.identities import ReconcilePairRow

    _json(config, "reconcile", "run")
    engine = open_store(load_config(config).store.url)
    pairs = ReconcilePairRow.__table__  # type: ignore[attr-defined]
    try:
        with engine.connect() as conn:
            record = conn.execute(
                select(pairs.c.a_key).where(pairs.c.kind == "person").order_by(pairs.c.id)
            ).first()
    finally:
        engine.dispose()
    assert record is not None
    data = _json(config, "reconcile", "explain", record[0])
    lines = _piped(config, "reconcile", "explain", record[0]).splitlines()
    assert data["pairs"]
    # As a table's title it was wrapped to the table's width and centred over it: the head
    # of each pair now starts a line of its own, wrapped at 80 columns where it is longer
    heads: list[str] = []
    for n, line in enumerate(lines):
        if line.startswith("vs "):
            rest = lines[n + 1 : next(k for k in range(n, len(lines)) if "┏" in lines[k])]
            heads.append(" ".join(" ".join([line, *rest]).split()))
    assert heads == [
        f"vs {p['other']}: score {p['score']} ({p['status']}, "
        f"{'linked' if p['linked'] else 'not linked'})"
        for p in data["pairs"]
    ]
