"""write_file_atomic: whole file or the old one, shareable mode, no temporary left behind."""

from __future__ import annotations

import stat

import pytest

from brushbench.dataset._fs import write_file_atomic


def test_writes_text_and_bytes_with_a_shareable_mode(tmp_path):
    target = tmp_path / "sub" / "results.json"
    write_file_atomic(target, "première\n")
    assert target.read_text(encoding="utf-8") == "première\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_file_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_file_atomic(target, "bad \udc80 surrogate")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
