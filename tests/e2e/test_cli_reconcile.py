"""``crmsync reconcile ...`` and ``crmsync journey`` as a user runs them.

The first and the error cases run as subprocesses (exit codes and stderr as a shell sees
them); the rest run in-process through the same Typer app to keep the suite quick.
"""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from connectors.core.contract import Page
from connectors.core.records import Lead
from sandbox.clock import DEFAULT_ANCHOR
from sync.cli import app
from sync.demo import run_demo
from sync.reconcile.training import NOTHING_LEARNED
from sync.store import open_store
from sync.store.pages import write_page
from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("cli-reconcile")
    result = run_demo(workspace, seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    assert result.ok
    return result.config_path


def _json(*args: str) -> object:
    result = CliRunner().invoke(app, [*args, "--json"], prog_name="crmsync")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_run_explain_unlink_review_duplicates_and_journey(config: Path) -> None:
    c = str(config)
    done = cli_process.run(
        [*CLI, "reconcile", "run", "--config", c, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    first = orjson.loads(done.stdout)
    assert first["mode"] == "full"
    assert set(first["kinds"]) == {"employee", "organisation", "person"}
    assert _json("reconcile", "run", "--config", c)["mode"] == "incremental"

    across = _json("reconcile", "duplicates", "--scope", "across", "--config", c)
    person = next(d for d in across if d["kind"] == "person")
    a, b = person["records"][:2]
    explained = _json("reconcile", "explain", a, "--config", c)
    assert explained["identity"] == person["identity_id"]
    assert b in explained["members"]

    unlinked = _json("reconcile", "unlink", a, b, "--note", "not the same", "--config", c)
    assert unlinked["a_identity"] != unlinked["b_identity"]
    # The decision survives a full re-run.
    _json("reconcile", "run", "--full", "--config", c)
    assert b not in _json("reconcile", "explain", a, "--config", c)["members"]

    assert isinstance(_json("reconcile", "review", "--config", c), list)
    timeline = _json("journey", a, "--config", c)
    assert timeline["identity"] == unlinked["a_identity"]
    assert timeline["touches"] == sorted(
        timeline["touches"], key=lambda t: (t["at"] is None, t["at"] or "")
    )
    table = CliRunner().invoke(app, ["reconcile", "run", "--config", c], prog_name="crmsync")
    assert table.exit_code == 0 and "identities" in table.stdout


def test_errors_are_one_line_with_exit_code_2(config: Path) -> None:
    done = cli_process.run(
        [*CLI, "reconcile", "explain", "nobody:leads:404", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
    flags = CliRunner().invoke(
        app, ["reconcile", "run", "--full", "--incremental", "--config", str(config)]
    )
    assert flags.exit_code != 0


def test_a_run_reports_the_blocking_keys_it_capped(config: Path, tmp_path: Path) -> None:
    # The same store, with a cap so low that shared keys of the tiny sandbox pass it.
    capped = tmp_path / "capped.yaml"
    capped.write_text(config.read_text() + "reconcile:\n  max_key_records: 2\n")
    report = _json("reconcile", "run", "--full", "--config", str(capped))
    counts = {kind: stats["capped_keys"] for kind, stats in report["kinds"].items()}
    assert counts["person"] > 0 and counts["organisation"] > 0
    shown = CliRunner().invoke(
        app, ["reconcile", "run", "--full", "--config", str(capped)], prog_name="crmsync"
    )
    assert shown.exit_code == 0, shown.output
    line = (
        f"{sum(counts.values())} blocking keys were shared by more than 2 records and paired "
        "no one (reconcile.max_key_records)"
    )
    assert line in " ".join(shown.stdout.split())
    uncapped = _json("reconcile", "run", "--full", "--config", str(config))
    assert all(stats["capped_keys"] == 0 for stats in uncapped["kinds"].values())


def test_train_on_too_few_people_learns_nothing_and_saves_nothing(
    config: Path, tmp_path: Path
) -> None:
    # The tiny company's people are too few for any comparison level to be estimated.
    own = _own_store(config, tmp_path)
    found = _json("reconcile", "train", "--config", str(own))
    assert found == {"saved": False, "records": found["records"], "reason": NOTHING_LEARNED}
    assert found["records"] > 0
    missing = cli_process.run(
        [*CLI, "reconcile", "model", "--config", str(own)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: no trained model: run `crmsync reconcile train`")
    said = CliRunner().invoke(app, ["reconcile", "train", "--config", str(own)])
    assert said.exit_code == 0 and "nothing saved" in " ".join(said.stdout.split())
    # A first run set to train on so few people tries, learns nothing and says so.
    own.write_text(own.read_text() + "reconcile:\n  learning:\n    min_records: 2\n")
    ran = CliRunner().invoke(app, ["reconcile", "run", "--full", "--config", str(own)])
    assert ran.exit_code == 0, ran.output
    assert f"person: trained on {found['records']} records: {NOTHING_LEARNED}" in " ".join(
        ran.stdout.split()
    )


def _own_store(config: Path, tmp_path: Path, learnable: bool = False) -> Path:
    """A copy of the synced tiny store and its configuration; with ``learnable``, 200 more
    people, each second one a copy of the one before (every other copy with a typo in the
    surname), enough for training to estimate weights."""
    own = tmp_path / "own.yaml"
    store = tmp_path / "own.sqlite"
    shutil.copy(_store_url(config).removeprefix("sqlite:///"), store)  # a synced store
    own.write_text(config.read_text().replace(_store_url(config), f"sqlite:///{store}"))
    if learnable:
        engine = open_store(f"sqlite:///{store}")
        try:
            with engine.begin() as conn:
                write_page(conn, "salesforce", _copies(), "lead", None, DEFAULT_ANCHOR)
        finally:
            engine.dispose()
    return own


def _copies() -> Page:
    firsts = ("anna", "ben", "carla", "dev", "emil", "fay", "gus", "hana", "ivo", "jana")
    lasts = ("lyle", "moss", "novak", "ortiz", "park", "quinn", "reyes", "sato", "tan", "urban")
    leads = []
    for n in range(200):
        person, copy = divmod(n, 2)
        last = lasts[(person // 10) % 10]
        leads.append(
            Lead(
                source="salesforce",
                remote_id=f"00Qtrain{n:04d}",
                first_name=firsts[person % 10].title(),
                last_name=(last[:-1] + last[-1] * 2 if copy and person % 2 else last).title(),
                street=f"{person % 90 + 1} {('Oak', 'Elm', 'Pine', 'Ash')[person % 4]} Street",
                postal_code=f"{20000 + person}",
                city=f"Town {person % 13}",
            )
        )
    return Page("leads", leads, {})


def test_train_keeps_a_model_that_runs_use_and_stores_can_share(
    config: Path, tmp_path: Path
) -> None:
    # Fewer people than learning.min_records: no model until asked.
    own = _own_store(config, tmp_path, learnable=True)
    assert (
        _json("reconcile", "run", "--full", "--config", str(own))["kinds"]["person"].get("model")
        is None
    )
    trained = _json("reconcile", "train", "--config", str(own))
    assert trained["kind"] == "person" and trained["records"] > 200
    assert "first_name/exact" in trained["learned"] and "street/exact" in trained["learned"]
    assert trained["match_threshold"] == round(math.log2(0.99 / 0.01) - trained["prior"], 2)
    saved = tmp_path / "model.json"
    shown = _json("reconcile", "model", "--save", str(saved), "--config", str(own))
    assert shown == trained
    run = _json("reconcile", "run", "--full", "--config", str(own))
    assert run["kinds"]["person"]["model"] == trained["version"]
    assert run["kinds"]["person"]["trained_s"] is None  # it used the stored model

    # Another store takes the model from the file, byte for byte the same parameters.
    other = tmp_path / "other.yaml"
    other.write_text(
        config.read_text().replace(_store_url(config), f"sqlite:///{tmp_path / 'o.sqlite'}")
    )
    loaded = _json("reconcile", "model", "--load", str(saved), "--config", str(other))
    assert loaded["version"] == trained["version"]
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    refused = cli_process.run(
        [*CLI, "reconcile", "model", "--load", str(broken), "--config", str(other)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "not a model written by `crmsync reconcile model --save`" in refused.stderr


def _store_url(config: Path) -> str:
    import yaml

    return yaml.safe_load(config.read_text())["store"]["url"]


def test_explain_writes_a_page_with_each_pairs_waterfall(config: Path, tmp_path: Path) -> None:
    c = str(config)
    _json("reconcile", "run", "--config", c)
    across = _json("reconcile", "duplicates", "--scope", "across", "--config", c)
    record = next(d for d in across if d["kind"] == "person")["records"][0]
    page = tmp_path / "explain.html"
    data = _json("reconcile", "explain", record, "--html", str(page), "--config", c)
    html = page.read_text(encoding="utf-8")
    assert data["pairs"]
    assert html.count('<svg class="waterfall"') == len(data["pairs"])
    bars = sum(len(p["comparisons"]) + 1 + ("prior" in p) for p in data["pairs"])
    assert html.count("<rect") == bars
    browser = next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    if browser is None:
        pytest.skip("no chromium on PATH: the page was checked as text only")
    done = cli_process.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("<rect") == bars  # the browser parsed every bar
