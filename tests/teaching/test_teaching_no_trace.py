"""What the students get carries no trace of the answer key: no key table, no key column, no
value or name of the key in any file's bytes, a manifest that says nothing of the key or of how
to make the data again, and the same handout whatever the key."""

from __future__ import annotations

import json
from hashlib import sha256
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from brushbench import patterns
from brushbench.dataset import ANSWER_KEY_TABLES, OBSERVED_TABLES, load, table_schema
from brushbench.dataset.tables import LEGIT_KINDS
from brushbench.teaching.keys import PROVENANCE_FIELDS, load_key

#: Every manifest key a withheld dataset may carry.
ALLOWED_MANIFEST_KEYS = {"schema_version", "format", "timezone", "tables", "has_answer_key",
                         "generator_version", "window", "promotions", "answer_key"}
KEY_COLUMNS = {f.name for t in ANSWER_KEY_TABLES for f in table_schema(t, "UTC")} - {
    "order_id", "shops", "start", "end", "orders", "created_at"}
#: Names of the key that must appear in no file's bytes: its identifiers (English words such as
#: "pattern" or "role" may well occur in a review's text, so only snake_case names are checked).
KEY_WORDS = {*(c for c in KEY_COLUMNS if "_" in c), *patterns.names(), "entity_labels",
             "split_order", "fake_buyer", "camouflage"}


def _student_sets(lab, withheld):
    """(folder handed out, its key folder) pairs: the lab's students, and the Parquet one."""
    sets = [(lab / "students" / s, lab / "key" / s) for s in ("s01", "s02", "s03")]
    data, key = withheld
    return [*sets, (data, key)]


@pytest.fixture(scope="module")
def handed_out(lab, withheld):
    return _student_sets(lab, withheld)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_no_answer_key_table_or_column_in_what_students_get(handed_out):
    for folder, _ in handed_out:
        data_dir = folder / "data" if (folder / "data").is_dir() else folder
        names = {p.name.split(".")[0] for p in _files(folder)}
        assert not names & set(ANSWER_KEY_TABLES), folder
        data = load(data_dir)
        assert not data.has_answer_key and data.table_names == OBSERVED_TABLES
        for table in OBSERVED_TABLES:
            columns = set(data.arrow(table).column_names)
            assert not columns & (KEY_COLUMNS | {"campaign", "pattern", "is_brushing"}), table
        for path in data_dir.glob("*.parquet"):   # nor in the files' own metadata
            schema = pq.read_schema(path)
            assert not set(schema.names) & KEY_COLUMNS
            assert not (schema.metadata or {}).keys() - {b"ARROW:schema"}


def test_no_key_value_or_name_in_any_file_handed_out(handed_out):
    for folder, key_dir in handed_out:
        key = load_key(key_dir)
        seed = str(key.manifest["provenance"]["seed"])
        secrets = {*KEY_WORDS, *key.campaigns.campaign_id,
                   key.manifest["provenance"]["scenario_hash"],
                   key.manifest["provenance"]["scenario"],
                   *([seed] if len(seed) >= 9 else [])}  # a lab's seeds are 63-bit numbers
        # The key's own files, byte for byte, are not there either (under another name).
        key_digests = {e["sha256"] for e in key.manifest["tables"].values()}
        for path in _files(folder):
            raw = path.read_bytes()
            text = raw.decode("utf-8", errors="replace")
            found = sorted(s for s in secrets if s in text)
            assert not found, f"{path} holds {found}"
            assert sha256(raw).hexdigest() not in key_digests


def test_manifests_carry_nothing_of_the_key(handed_out):
    for folder, key_dir in handed_out:
        data_dir = folder / "data" if (folder / "data").is_dir() else folder
        manifest = json.loads((data_dir / "manifest.json").read_text())
        assert set(manifest) <= ALLOWED_MANIFEST_KEYS
        assert not set(manifest) & set(PROVENANCE_FIELDS)     # no scenario, hash, seed, scale
        assert manifest["has_answer_key"] is False
        assert sorted(manifest["tables"]) == sorted(OBSERVED_TABLES)
        # The key is named by a hash only, and it is the hash of this student's key.
        assert set(manifest["answer_key"]) == {"withheld", "sha256"}
        assert manifest["answer_key"]["sha256"] == load_key(key_dir).sha256


def test_the_handout_is_the_same_whatever_the_key(lab):
    handouts = {(lab / "students" / s / "handout.md").read_text() for s in ("s01", "s02",
                                                                           "s03")}
    assert len(handouts) == 1
    text = handouts.pop()
    for table in OBSERVED_TABLES:
        assert f"`{table}`" in text
    assert not any(kind in text for kind in LEGIT_KINDS if kind != "bulk")
