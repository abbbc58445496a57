"""Hostile or damaged configuration files: each is a list of one-line problems with file,
line and key, raised as ConfigError (exit code 2), fast, with no value echoed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sync.config import ConfigError, load_config

BOMB = """\
store:
  url: sqlite:///x.sqlite
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _problems(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    assert caught.value.exit_code == 2
    return [p.replace(str(path), "FILE") for p in caught.value.problems]


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "crmsync.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_an_alias_bomb_is_refused_in_well_under_a_second(tmp_path: Path) -> None:
    path = _write(tmp_path, BOMB)
    started = time.monotonic()
    problems = _problems(path)
    assert time.monotonic() - started < 1.0
    assert problems == [
        "FILE:7: e[0]: aliases (*d) expand to more than 10000 values; write the values out instead"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("store:\n  url: " + "[" * 5000 + "]" * 5000 + "\n", "FILE:2: not valid YAML: nested "),
        ("a: &x\n  b: [*x]\n", "FILE:2: a.b[0]: the alias *x is inside its own anchor &x; "),
    ],
    ids=["deep", "self-reference"],
)
def test_deep_nesting_and_self_reference_are_problems_not_crashes(
    tmp_path: Path, text: str, expected: str
) -> None:
    (problem,) = _problems(_write(tmp_path, text))
    assert problem.startswith(expected)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b"store:\n  url: sqlite:///x.sqlite\nemail:\n  host: caf\xe9\n")
    assert _problems(path) == [
        "FILE:4: email.host: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"
    ]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"], ids=["nul", "bell", "escape"])
def test_a_control_character_is_a_config_error_naming_its_line(tmp_path: Path, char: str) -> None:
    # PyYAML raises ReaderError here, which is not a MarkedYAMLError: it used to escape
    # the loader (exit code 1, and a daemon reload died of it).
    path = _write(tmp_path, f"store:\n  url: sqlite:///x.sqlite{char}\n")
    assert _problems(path) == [
        f"FILE:2: store.url: not valid YAML: control character #x{ord(char):04x} is not "
        "allowed; remove it"
    ]


def test_a_5001_digit_integer_names_its_line_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "email:\n  host: smtp\n  port: " + "9" * 5001 + "\n")
    (problem,) = _problems(path)
    assert problem.startswith("FILE:3: email.port: cannot read this value (Exceeds the limit")


def test_a_key_written_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "store:\n  url: sqlite:///a.sqlite\nsources: []\nstore:\n  url: sqlite:///b.sqlite\n",
    )
    assert _problems(path) == ["FILE:4: store: the key is written twice (lines 1 and 4); keep one"]


@pytest.mark.parametrize("text", ["", "# only a comment\n"], ids=["empty", "comment"])
def test_an_empty_file_is_a_problem(tmp_path: Path, text: str) -> None:
    assert _problems(_write(tmp_path, text)) == [
        "FILE:1: the file is empty; start from `crmsync config example`"
    ]


def test_a_push_target_naming_an_unknown_source_and_a_missing_plans_dir(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
compensation:
  plans_dir: plans
push:
  targets:
    - {key: incentive_total, source: salesforse, object: deals, field: crmsync_total}
""",
    )
    assert _problems(path) == [
        f"FILE:2: compensation.plans_dir: no directory {tmp_path / 'plans'}; create it or "
        "correct the path (relative paths start at the configuration file's folder)",
        "FILE:5: push.targets[0].source: no source named 'salesforse' (sources: none "
        "configured); name one of the sources",
    ]


def test_a_secret_written_as_password_env_is_not_echoed(tmp_path: Path) -> None:
    path = _write(tmp_path, "email:\n  password_env: hunter2 with spaces!\n")
    assert _problems(path) == [
        "FILE:2: email.password_env: not an environment variable name: give the variable's "
        "name (e.g. SMTP_PASSWORD), never the secret itself"
    ]


def test_every_section_is_reported_with_the_sources_connector_keys(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
sources:
  - name: hubspot
    kind: hubspot
    base_urll: https://api.hubapi.com
schedule:
  default: {every: often}
""",
    )
    problems = _problems(path)
    assert [p.split(": ", 2)[:2] for p in problems] == [
        ["FILE:2", "sources[0].auth"],
        ["FILE:4", "sources[0].base_urll"],
        ["FILE:6", "schedule.default.every"],
    ]


@pytest.mark.parametrize(
    "address", ["crmsync@localhost", "payroll@mailhost", "pay.roll+x@mail.example.com"]
)
def test_a_sender_on_a_dotless_host_is_accepted(tmp_path: Path, address: str) -> None:
    path = _write(tmp_path, f"email:\n  from_address: {address}\n  reply_to: {address}\n")
    config = load_config(path, environ={})
    assert (config.email.from_address, config.email.reply_to) == (address, address)


@pytest.mark.parametrize(
    "address",
    [
        "crmsync",
        "a@b@c",
        "@localhost",
        "a@",
        "a@.host",
        "a@host.",
        "a b@host",
        "a@-x",
        "a@.example.com",
        "a@example..com",
        ".a@example.com",
    ],
)
def test_a_malformed_sender_is_refused(tmp_path: Path, address: str) -> None:
    path = _write(tmp_path, f"email:\n  from_address: '{address}'\n")
    assert _problems(path) == [
        f"FILE:2: email.from_address: {address!r} is not an e-mail address (write name@host)"
    ]


def test_a_secrets_file_that_is_not_utf8_names_its_line_and_no_value(tmp_path: Path) -> None:
    (tmp_path / "secrets.env").write_bytes(b"STORE_URL=sqlite:///x.sqlite\nTOKEN=s\xe9cret\n")
    path = _write(tmp_path, "secrets_file: secrets.env\nstore:\n  url: ${STORE_URL}\n")
    problems = _problems(path)
    assert problems[0] == (
        f"{tmp_path / 'secrets.env'}:2: the secrets file is not UTF-8 text; save it as UTF-8"
    )
    assert problems[1].startswith("FILE:3: store.url: ${STORE_URL} is not set")
    assert len(problems) == 2 and not any("TOKEN" in p or "\\xe9" in p for p in problems)


def test_a_bad_common_key_does_not_hide_the_connector_keys_of_the_same_source(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        """\
sources:
  - name: Hub Spot
    kind: hubspot
    auth: {flow: private_app, access_token: x}
    base_urll: https://api.hubapi.com
""",
    )
    assert [p.split(": ", 2)[:2] for p in _problems(path)] == [
        ["FILE:2", "sources[0].name"],
        ["FILE:5", "sources[0].base_urll"],
    ]
