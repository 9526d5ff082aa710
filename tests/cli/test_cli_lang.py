"""`--lang ja` for `analyze --format table` and `catalog show`: the same message catalogs as the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from obligraph.app.cli.commands import app
from tests.web.test_i18n import compile_catalogs

runner = CliRunner(env={"COLUMNS": "200"})
GUIDELINE = Path(__file__).resolve().parents[2] / "seed_data" / "examples" / "guideline-chain.yaml"


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    compile_catalogs()


def test_analyze_table_in_japanese():
    args = ["analyze", str(GUIDELINE), "--as-of", "2026-11-26", "--controls", "10.5.1", "--format", "table"]
    english = runner.invoke(app, args)
    japanese = runner.invoke(app, [*args, "--lang", "ja"])
    assert english.exit_code == japanese.exit_code == 0
    assert "Information back-up" in english.output and "root cause and path" in english.output
    assert "情報のバックアップ" in japanese.output and "根本原因と経路" in japanese.output
    assert "一部実施" in japanese.output and "partial" not in japanese.output.split("\n", 1)[1]


def test_catalog_show_in_japanese():
    result = runner.invoke(app, ["catalog", "show", "meti-2011", "--control", "10.5.1", "--lang", "ja"])
    assert result.exit_code == 0
    assert "自組織で行うこと" in result.output and "提供者に求めること" in result.output
    table = runner.invoke(app, ["catalog", "show", "meti-2011", "--lang", "ja"])
    assert table.exit_code == 0 and "名称" in table.output and "情報" in table.output  # titles in Japanese (cut to fit)


def test_an_unknown_language_is_refused():
    result = runner.invoke(app, ["catalog", "show", "meti-2011", "--lang", "fr"])
    assert result.exit_code == 2 and "'fr' is not a language" in result.output
