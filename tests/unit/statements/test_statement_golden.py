"""Rendered statements match the reviewed golden files, in English, French, Spanish and German.

After an intended change, regenerate with ``CRMSYNC_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compensation.statements import Renderer
from compensation.statements.chart import attainment_png
from compensation.statements.samples import sample_statement

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "statements"


@pytest.mark.parametrize("locale", ["en", "fr", "es", "de"])
def test_statement_matches_the_golden_files(locale: str) -> None:
    renderer = Renderer(company="Example Corp", reply_to="payroll@example.com")
    statement = sample_statement(1, locale=locale)
    rendered = renderer.render(statement)
    files = {
        f"{locale}.subject.txt": rendered.subject + "\n",
        f"{locale}.txt": rendered.text,
        f"{locale}.html": rendered.html,
    }
    if os.environ.get("CRMSYNC_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (GOLDEN / name).write_text(content, encoding="utf-8")
    for name, content in files.items():
        assert content == (GOLDEN / name).read_text(encoding="utf-8"), name
    assert [i.data for i in rendered.images] == [
        attainment_png(statement.attainment.ratio, statement.attainment.thresholds)
    ]
    assert renderer.render(statement) == rendered  # byte-identical on a second run
