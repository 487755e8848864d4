"""cli/errors.py: the one way a command turns a mistake into one line and an exit code."""

from __future__ import annotations

import pytest

from brushbench.cli import main
from brushbench.cli.errors import (
    EXIT_FAILURE,
    EXIT_USAGE,
    UserError,
    message,
    user_errors,
    writing_file,
    writing_folder,
)


class LibraryError(ValueError):
    pass


def test_message_prefixes_plain_errors_and_keeps_located_ones():
    assert message(UserError("bad")) == "brushbench: error: bad"
    assert message(UserError("f.yaml:3:1: seed: bad", located=True)) == "f.yaml:3:1: seed: bad"


def test_user_errors_maps_only_the_errors_named():
    with pytest.raises(UserError) as caught, user_errors(LibraryError, prefix="data: "):
        raise LibraryError("no manifest")
    assert str(caught.value) == "data: no manifest"
    assert caught.value.exit_code == EXIT_USAGE and not caught.value.located
    assert caught.value.__suppress_context__  # no "during handling" traceback chain
    with pytest.raises(KeyError), user_errors(LibraryError):
        raise KeyError("other")


def test_user_errors_located_and_exit_code():
    with pytest.raises(UserError) as caught, user_errors(
            LibraryError, located=lambda text: text.startswith("f:"), exit_code=EXIT_FAILURE):
        raise LibraryError("f:1: x")
    assert caught.value.located and caught.value.exit_code == EXIT_FAILURE


@pytest.mark.parametrize(("error", "expected"), [
    (FileExistsError("out: exists"), "out: exists (use --overwrite to replace it)"),
    (PermissionError("out: denied"), "out: denied"),
    (NotADirectoryError("out: not a folder"), "out: not a folder"),
    (LibraryError("too many shops"), "too many shops"),
])
def test_writing_folder(error, expected):
    with pytest.raises(UserError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")
                       + "$"), writing_folder(LibraryError):
        raise error


def test_writing_file():
    with pytest.raises(UserError, match=r"^out\.md: cannot write: Permission denied$"), \
            writing_file("out.md"):
        raise PermissionError(13, "Permission denied")


def test_generate_into_a_folder_that_is_not_a_dataset(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code = main(["generate", "flash_sale", "--out", str(tmp_path), "--scale", "0.01",
                 "--overwrite"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.startswith("brushbench: error: ") and len(err.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_leaderboard_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code = main(["leaderboard", "build", "--out", str(blocker / "board")])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.startswith(f"brushbench: error: {blocker / 'board'}: cannot write: ")


@pytest.mark.parametrize("command", ["check", "eval"])
def test_an_unwritable_dataset_cache_is_one_line(command, tmp_path, monkeypatch, capsys):
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(in_the_way))
    assert main([command, "examples/ten_line_detector.py"]) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the dataset cache" in err[0]
    assert "BRUSHBENCH_CACHE" in err[0]
