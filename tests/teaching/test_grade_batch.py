"""Issue 16: ``grade`` of several files grades every one it can, says why for the others in one
line each, exits 2 at the end; ``--json`` always prints; a decompression bomb is refused."""

from __future__ import annotations

import csv
import gzip
import json
import os

import pytest

from brushbench.cli import main
from brushbench.teaching import submission


def _good(lab, path):
    with open(lab / "students" / "s01" / "data" / "orders.csv", newline="") as f:
        ids = [row["order_id"] for _, row in zip(range(20), csv.DictReader(f), strict=False)]
    path.write_text("order_id\n" + "\n".join(ids) + "\n")
    return path


def _bomb(path, megabytes):
    with gzip.open(path, "wb") as f:
        f.write(b"order_id\n")
        for _ in range(megabytes):
            f.write(b"0" * (1 << 20))
    return path


@pytest.fixture
def batch(lab, tmp_path, monkeypatch):
    """s01 good, s02 binary, s03 a .csv.gz expanding past the (lowered) cap."""
    monkeypatch.setattr(submission, "MAX_SUBMISSION_BYTES", 4 << 20)
    good = _good(lab, tmp_path / "s01.csv")
    binary = tmp_path / "s02.csv"
    binary.write_bytes(b"order_id\n" + os.urandom(4000))
    bomb = _bomb(tmp_path / "s03.csv.gz", 8)
    return [good, binary, bomb]


def test_one_bad_submission_does_not_stop_the_others(lab, batch, capsys):
    code = main(["grade", *map(str, batch), "--key", str(lab)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(str(batch[1]))
    assert "MiB once decompressed" in lines[1]
    assert "s01.csv" in out and "2 submission(s) could not be graded" in out


def test_json_of_a_batch_lists_grades_and_errors(lab, batch, capsys):
    code = main(["grade", *map(str, batch), "--key", str(lab), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and not err
    doc = json.loads(out)
    assert [g["student"] for g in doc["grades"]] == ["s01"]
    assert [e["submission"] for e in doc["errors"]] == [str(p) for p in batch[1:]]


def test_json_is_never_empty(lab, batch, capsys):
    code = main(["grade", str(batch[2]), "--key", str(lab), "--json"])
    out, _ = capsys.readouterr()
    assert code == 2 and "decompressed" in json.loads(out)["error"]
    code = main(["grade", *map(str, batch), "--key", str(lab), "--student", "s01", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and len(err.splitlines()) == 1 and json.loads(out)["error"]
