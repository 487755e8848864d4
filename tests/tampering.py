"""Damaging a dataset folder the ways the verified-reads tests need (docs/harness.md,
"What is verified")."""

from __future__ import annotations

import json

import pyarrow.compute as pc
import pyarrow.parquet as pq


def invert_labels(folder):
    """``is_brushing`` flipped on every row of ``labels.parquet``: the scores' ROC-AUC would
    turn into 1 - AUC if it were scored."""
    path = folder / "labels.parquet"
    table = pq.read_table(path)
    i = table.schema.get_field_index("is_brushing")
    table = table.set_column(i, table.schema.field(i), pc.invert(table.column(i)))
    pq.write_table(table, path)
    return path


def flip_byte(path, offset=None):
    data = bytearray(path.read_bytes())
    offset = len(data) // 2 if offset is None else offset
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))  # same size: only the sha256 tells


def edit_manifest(folder, change):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))
