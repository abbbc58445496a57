"""Configuration errors: every problem, one line each, with file, line and key path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sync.config import ConfigError, load_config, parse_duration


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crmsync.yaml"
    path.write_text(text)
    return path


def test_all_problems_are_reported_at_once_with_locations(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
store:
  url: mysql://db
sourcs: []
sources:
  - name: Bad Name
    kind: salesforce
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.problems == [
        f"{path}:2: store.url: the store must be sqlite:///FILE or postgresql://...",
        f"{path}:3: sourcs: unknown key; did you mean 'sources'?",
        f"{path}:5: sources[0].name: use lower-case letters, digits, - or _, starting with a "
        "letter (at most 40 characters)",
        # the connector's keys are checked although a common key of the source is broken
        f"{path}:5: sources[0].instance_url: required key is missing",
        f"{path}:5: sources[0].auth: required key is missing",
    ]
    assert caught.value.exit_code == 2


def test_missing_secret_says_where_it_was_looked_for(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("# comment\nOTHER=1\n")
    path = _write(
        tmp_path,
        """\
secrets_file: secrets.env
store:
  url: ${STORE_URL}
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.problems == [
        f"{path}:3: store.url: ${{STORE_URL}} is not set (looked in the environment and the "
        f"secrets file {secrets}); export it or add it to the secrets file"
    ]


def test_secrets_come_from_the_environment_first_then_the_file(tmp_path: Path) -> None:
    (tmp_path / "secrets.env").write_text("export STORE_FILE=from-file.sqlite\n")
    path = _write(tmp_path, "secrets_file: secrets.env\nstore:\n  url: sqlite:///${STORE_FILE}\n")
    assert load_config(path, environ={}).store.url == "sqlite:///from-file.sqlite"
    env = {"STORE_FILE": "from-env.sqlite"}
    assert load_config(path, environ=env).store.url == "sqlite:///from-env.sqlite"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "store:\n  url: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}:3: not valid YAML")


def test_unknown_connector_kind_suggests_the_closest(tmp_path: Path) -> None:
    path = _write(tmp_path, "sources:\n  - name: crm\n    kind: hubspt\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    (problem,) = caught.value.problems
    assert problem.startswith(
        f"{path}:3: sources[0].kind: unknown connector kind 'hubspt'. Did you mean 'hubspot'?"
    )


def test_duplicate_source_names_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "sources:\n  - {name: a, kind: x}\n  - {name: a, kind: y}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    # The unknown kinds are reported too: one broken section hides no other problem.
    assert [p.split(": ", 2)[:2] for p in caught.value.problems] == [
        [f"{path}:2", "sources[0].kind"],
        [f"{path}:3", "sources[1].name"],
        [f"{path}:3", "sources[1].kind"],
    ]
    assert caught.value.problems[1].endswith(
        "sources[0] is also named 'a'; give each source its own name"
    )


def test_a_secret_value_is_never_echoed_in_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "store:\n  url: ${SECRET_URL}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"SECRET_URL": "mysql://user:hunter2@db"})
    assert "hunter2" not in caught.value.user_message
    assert caught.value.problems == [
        f"{path}:2: store.url: the store must be sqlite:///FILE or postgresql://..."
    ]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("90s", 90), ("2h", 7200), ("1d", 86400), (15, 15), ("250ms", 0.25)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_bad_duration_is_explained() -> None:
    with pytest.raises(ValueError, match=r"is not a duration: write e\.g\. 30s, 10m, 2h or 1d"):
        parse_duration("ten minutes")


def test_relative_plan_and_template_folders_are_relative_to_the_config_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "conf"
    (folder / "plans").mkdir(parents=True)
    path = folder / "crmsync.yaml"
    path.write_text(
        "compensation:\n  plans_dir: plans\n  rates_file: /srv/rates.yaml\n"
        "statements:\n  template_dir: mail\n"
    )
    config = load_config(path, environ={})
    assert config.compensation.plans_dir == folder / "plans"
    assert config.compensation.rates_file == Path("/srv/rates.yaml")
    assert config.statements.template_dir == folder / "mail"


def test_without_connectors_the_sources_settings_are_left_unchecked(tmp_path: Path) -> None:
    """What ``crmsync status`` loads: the store and the sources' names, no connector."""
    path = _write(
        tmp_path,
        """\
store:
  url: sqlite:///crm.sqlite
sources:
  - name: sf
    kind: salesforce
""",
    )
    with pytest.raises(ConfigError):  # instance_url and auth are missing
        load_config(path, environ={})
    config = load_config(path, environ={}, connectors=False)
    assert [(s.name, s.kind, s.settings) for s in config.sources] == [("sf", "salesforce", None)]
    assert config.store.url == "sqlite:///crm.sqlite"


def test_crm_rates_name_sources_that_read_their_rates(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
sources:
  - {name: sf, kind: x, exchange_rates: true}
  - {name: hs, kind: y}
compensation:
  crm_rates: [sf, hs, salesforce]
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    rates = [p for p in caught.value.problems if ": compensation.crm_rates[" in p]
    assert rates == [
        f"{path}:5: compensation.crm_rates[1]: source 'hs' does not read its CRM's exchange "
        "rates; set exchange_rates: true on it",
        f"{path}:5: compensation.crm_rates[2]: no source named 'salesforce' (sources: hs, sf); "
        "name one of the sources",
    ]
