"""docs/dataset.md is generated from the table and format declarations and never drifts."""

from __future__ import annotations

from pathlib import Path

from brushbench.dataset import TABLES, formats, table_schema
from brushbench.dataset.docs import render_markdown
from brushbench.dataset.tables import table_spec

DOC = Path(__file__).resolve().parents[2] / "docs" / "dataset.md"


def test_docs_file_is_generated_from_the_declarations():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/dataset.md is stale: run `python -m brushbench.dataset.docs > docs/dataset.md`")


def test_docs_list_every_table_column_and_format():
    text = render_markdown()
    for name in formats.names():
        assert f"| `{name}` | `orders{formats.get(name).suffix}` |" in text
    for table in TABLES:
        assert f"### `{table}`" in text
        for field in table_schema(table, "UTC"):
            description = table_spec(table).column(field.name).description
            assert f"| `{field.name}` | " in text and f" | {description} |" in text
