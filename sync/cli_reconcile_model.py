"""``crmsync reconcile train`` and ``crmsync reconcile model``: the matcher's learned weights."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, err, out, utc_now
from sync.cli_reconcile import _print_json, _store, reconcile_app
from sync.errors import UsageError
from sync.terminal_text import Table, safe, text

if TYPE_CHECKING:
    from sync.config.reconcile import ReconcileConfig
    from sync.reconcile.learn import Model
    from sync.reconcile.splink_engine import SplinkModel

__all__ = ["model", "train"]

KIND = "person"


def _summary(found: Model | SplinkModel, config: ReconcileConfig) -> dict[str, Any]:
    learning = config.learning
    body = found.body()
    body.pop("tf", None)  # a Splink model's term frequencies: thousands of values
    return {
        "version": found.version,
        **body,
        "prior": found.prior,
        "match_threshold": found.threshold(learning.precision),
        "review_threshold": found.threshold(learning.review_probability),
        "precision_target": learning.precision,
    }


def _show_splink(summary: dict[str, Any]) -> None:
    settings = summary["settings"]
    out.print(
        text(
            f"{summary['kind']} Splink model {summary['version']}, trained "
            f"{summary['trained_at']} on {summary['records']:,} records in "
            f"{summary['seconds']} s; prior {summary['prior']:+.2f} (log2 odds); a pair links "
            f"at score >= {summary['match_threshold']}, is reviewed from "
            f"{summary['review_threshold']}"
        )
    )
    table = Table(title="Splink comparisons: match weight log2(m/u) per level")
    for column in ("comparison", "level", "m", "u", "weight"):
        table.add_column(column, justify="left" if column in ("comparison", "level") else "right")
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not m or not u:
                continue
            table.add_row(
                comparison["output_column_name"],
                level["label_for_charts"],
                f"{m:.4f}",
                f"{u:.6f}",
                f"{math.log2(m / u):+.2f}",
            )
    out.print(table)


def _show(summary: dict[str, Any]) -> None:
    if summary.get("engine") == "splink":
        _show_splink(summary)
        return
    out.print(
        text(
            f"{summary['kind']} model {summary['version']}, trained {summary['trained_at']} on "
            f"{summary['records']:,} records ({summary['candidate_pairs']:,} candidate pairs, "
            f"{summary['sampled_pairs']:,} read; {summary['random_pairs']:,} random pairs)"
        )
    )
    out.print(
        text(
            f"prior {summary['prior']:+.2f} (log2 odds); a pair links at score "
            f">= {summary['match_threshold']} (probability {summary['precision_target']}), "
            f"is reviewed from {summary['review_threshold']}"
        )
    )
    table = Table(title="weights (log2 m/u); levels without enough data keep the defaults")
    for column in ("field", "level", "m", "u", "weight"):
        table.add_column(column, justify="left" if column in ("field", "level") else "right")
    for name, weight in sorted(summary["learned"].items()):
        field, level = name.split("/", 1)
        table.add_row(
            field,
            level,
            f"{summary['m'][field][level]:.4f}",
            f"{summary['u'][field][level]:.6f}",
            f"{weight:+.2f}",
        )
    out.print(table)


@reconcile_app.command("train")
def train(config: Path | None = ConfigOption, json_output: bool = JsonOption) -> None:
    """Estimate the people matcher's weights from this store's records and keep them as a
    new model version; the next full run (``reconcile run --full``) applies it everywhere."""
    from sync.reconcile.entities import load_entities
    from sync.reconcile.model_store import save_model
    from sync.reconcile.persist import crosswalk
    from sync.reconcile.splink_engine import train_splink
    from sync.reconcile.training import NOTHING_LEARNED, train_kind

    cfg, engine = _store(config)
    with err.status("loading people...") as status:
        entities = load_entities(engine, KIND)
        if len(entities) < 2:
            raise UsageError("the store holds fewer than two people: run `crmsync sync` first")
        with engine.connect() as connection:
            org_of = crosswalk(connection, "organisation")
        status.update(safe(f"training on {len(entities):,} people..."))
        rc = cfg.reconcile
        found: Model | SplinkModel | None = (
            train_splink(KIND, entities, utc_now(), rc.learning.seed, rc.max_key_records)
            if rc.person_engine() == "splink"
            else train_kind(KIND, entities, rc, org_of, utc_now())
        )
    if found is None:
        if json_output:
            _print_json({"saved": False, "records": len(entities), "reason": NOTHING_LEARNED})
            return
        out.print(safe(f"trained on {len(entities):,} people: {NOTHING_LEARNED}; nothing saved"))
        return
    with engine.begin() as connection:
        save_model(connection, found)
    summary = _summary(found, cfg.reconcile)
    if json_output:
        _print_json(summary)
        return
    _show(summary)
    out.print("run `crmsync reconcile run --full` to score every pair with it")


@reconcile_app.command("model")
def model(
    config: Path | None = ConfigOption,
    save: Path | None = typer.Option(None, "--save", help="Write the model in use to this file."),
    load_file: Path | None = typer.Option(
        None, "--load", help="Use the model in this file (written by --save) from now on."
    ),
    json_output: bool = JsonOption,
) -> None:
    """Show the people model in use; copy it between stores with --save and --load."""
    from sync.reconcile.model_store import latest_model, model_from_body, save_model

    cfg, engine = _store(config)
    if load_file is not None:
        try:
            body = orjson.loads(load_file.read_bytes())
            loaded = model_from_body(body, str(body.get("version", "")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"{load_file}: not a model written by `crmsync reconcile model --save` ({exc})"
            ) from exc
        with engine.begin() as connection:
            save_model(connection, loaded)
    with engine.connect() as connection:
        found = latest_model(connection, KIND)
    if found is None:
        raise UsageError(
            "no trained model: run `crmsync reconcile train` (or a first full run with "
            f"at least {cfg.reconcile.learning.min_records} people)"
        )
    if save is not None:
        saved = {**found.body(), "version": found.version}
        save.write_bytes(orjson.dumps(saved, option=orjson.OPT_INDENT_2))
    summary = _summary(found, cfg.reconcile)
    if json_output:
        _print_json(summary)
    else:
        _show(summary)
