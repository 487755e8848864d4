"""Answer keys are their owner's alone (folders 0700, files 0600), whatever the umask."""

from __future__ import annotations

import os
import stat


def _modes(folder):
    found = {folder: stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[path] = stat.S_IMODE(path.stat().st_mode)
    return found


def _assert_private(folder):
    modes = _modes(folder)
    assert len(modes) > 2
    for path, mode in modes.items():
        expected = 0o700 if path.is_dir() else 0o600
        assert mode == expected, f"{path}: {oct(mode)}, expected {oct(expected)}"


def test_a_labs_key_folder_is_private(lab):
    _assert_private(lab / "key")
    # What the students get follows the umask, as before.
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((lab / "students").stat().st_mode) == 0o777 & ~umask


def test_a_withheld_key_folder_is_private(withheld):
    _, key = withheld
    _assert_private(key)


def test_a_key_is_private_even_under_an_open_umask(tmp_path):
    from brushbench.cli import main

    before = os.umask(0)
    try:
        code = main(["generate", "teach_easy", "--out", str(tmp_path / "data"), "--scale", "0.02",
                     "--seed", "3", "--withhold-labels", str(tmp_path / "key")])
    finally:
        os.umask(before)
    assert code == 0
    _assert_private(tmp_path / "key")
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o777
