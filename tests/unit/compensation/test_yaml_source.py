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
