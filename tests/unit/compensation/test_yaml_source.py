"""The located YAML loader shared by plans, rates and the configuration: aliases and
merge keys a careful admin writes keep working under the limits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from compensation.yamlsource import YamlFileError, load_located


def test_merge_keys_and_aliases_load_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "base: &base {rate: '2%', from: 2026-01-01}\n"
        "tiers:\n"
        "  - <<: *base\n"
        "    rate: '3%'\n"
        "  - *base\n"
        "  - rate: '4%'\n"
        "    <<: *base\n"
    )
    data, located = load_located(path)
    assert data["tiers"] == [
        {"rate": "3%", "from": date(2026, 1, 1)},
        {"rate": "2%", "from": date(2026, 1, 1)},
        {"rate": "4%", "from": date(2026, 1, 1)},
    ]
    assert located.line_of(("tiers", 0, "rate")) == 4
    assert located.line_of(("tiers", 0, "from")) == 3  # merged: the line of its '<<'
    assert located.line_of(("tiers", 2, "rate")) == 6  # written before the '<<', kept
    assert located.line_of(("tiers", 1)) == 5  # where the alias is, not the anchor


def test_a_plan_file_with_an_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(YamlFileError) as caught:
        load_located(path)
    assert caught.value.problems == [
        f"{path}:4: a3[7]: aliases (*a2) expand to more than 10000 values; write the values "
        "out instead"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "a: !!python/object/apply:os.system [touch pwned]\n",
            "a: the tag tag:yaml.org,2002:python/object/apply:os.system is not supported",
        ),
        (
            "a: !!python/name:os.system x\n",
            "a: cannot read this value (could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system')",
        ),
        ("a: !custom {b: 1}\n", "a: the tag !custom is not supported"),
    ],
    ids=["python-apply", "python-name", "custom"],
)
def test_tags_that_build_objects_are_refused_with_their_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(YamlFileError) as caught:
        load_located(path)
    assert caught.value.problems == [f"{path}:1: {problem}"]


_PLAIN = (
    "# a configuration of the usual shape\n"
    "store:\n"
    "  url: sqlite:///crmsync.sqlite\n"
    "sources:\n"
    "  - name: salesforce\n"
    "    kind: salesforce\n"
    "    schedule: '*/15 * * * *'\n"
    '    fields: {owner: OwnerId, amount: "Total__c"}\n'
    "    streams: [leads, contacts]\n"
    "    since: 2026-01-01\n"
    "    rate: 2.5\n"
    "    enabled: yes\n"
    "    note: |\n"
    "      two lines\n"
    "      of text\n"
    "  - name: hubspot\n"
    "    kind: hubspot\n"
    "    empty:\n"
)


def _python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import compensation.yamlsource as source

    monkeypatch.setattr(source, "_compose_in_c", lambda text: None)


def test_libyaml_and_python_give_the_same_data_and_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compensation.yamlsource import _compose_in_c

    path = tmp_path / "c.yaml"
    path.write_text(_PLAIN)
    assert _compose_in_c(_PLAIN) is not None  # this file takes the fast way
    fast, fast_lines = load_located(path)
    _python_only(monkeypatch)
    slow, slow_lines = load_located(path)
    assert fast == slow
    assert fast["sources"][0]["schedule"] == "*/15 * * * *"
    assert fast["sources"][0]["since"] == date(2026, 1, 1)
    assert fast["sources"][0]["enabled"] is True
    assert fast_lines.lines == slow_lines.lines
    assert fast_lines.line_of(("sources", 0, "fields", "amount")) == 8
    assert fast_lines.line_of(("sources", 1, "empty")) == 18


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases: their names and lines
        "a: " + "[" * 60 + "]" * 60 + "\n",  # nesting past the limit
        "a: \x07\n",  # a character PyYAML's reader refuses
        "a: [1, 2\nb: 3\n",  # not YAML
    ],
)
def test_files_libyaml_leaves_to_the_python_composer(text: str) -> None:
    from compensation.yamlsource import _compose_in_c

    assert _compose_in_c(text) is None


def test_errors_are_worded_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {"deep": "a: " + "[" * 60 + "]" * 60 + "\n", "broken": "a: [1, 2\nb: 3\n"}
    found: dict[str, list[str]] = {}
    for name, text in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        with pytest.raises(YamlFileError) as caught:
            load_located(path)
        found[name] = caught.value.problems
    deep = f"{tmp_path / 'deep.yaml'}:1: not valid YAML: nested deeper than 50 levels"
    assert found["deep"] == [deep]
    assert found["broken"][0].startswith(f"{tmp_path / 'broken.yaml'}:")
    _python_only(monkeypatch)
    for name in cases:
        with pytest.raises(YamlFileError) as caught:
            load_located(tmp_path / f"{name}.yaml")
        assert caught.value.problems == found[name]


@pytest.mark.parametrize("lists", [48, 49, 50])
def test_the_nesting_limit_is_the_same_either_way(
    lists: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A value inside 49 lists is the 50th level (allowed), inside 50 the 51st (refused).
    path = tmp_path / "n.yaml"
    path.write_text("[" * lists + "x" + "]" * lists + "\n")

    def outcome() -> tuple[str, object]:
        try:
            return "loaded", load_located(path)[0]
        except YamlFileError as exc:
            return "refused", exc.problems

    fast = outcome()
    _python_only(monkeypatch)
    assert outcome() == fast
    assert fast[0] == ("loaded" if lists < 50 else "refused")
