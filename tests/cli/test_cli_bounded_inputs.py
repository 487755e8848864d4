"""Issue 16, section 3: bounded, contained inputs, each refused in one line (exit 2)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from brushbench.cli import main
from brushbench.cli.errors import EXIT_USAGE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenario"))
from scenario_helpers import BASE


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout and the lines of stderr of ``brushbench ARGV``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def one_line(capsys, *argv: str, code: int = EXIT_USAGE) -> str:
    """Run a command that must fail with ``code`` and exactly one line on stderr."""
    got, _, err = run(capsys, *argv)
    assert got == code, err
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


# --- extends: contained, never quoted ----------------------------------------------------------

SECRET = "root:$6$verysecret:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


@pytest.mark.parametrize("target", ["absolute", "dotdot", "link"])
def test_extends_outside_the_scenario_folder_is_refused_unquoted(tmp_path, capsys, target):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "shadow"
    secret.write_text(SECRET)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    value = {"absolute": str(secret), "dotdot": "../outside/shadow", "link": "link"}[target]
    if target == "link":
        (folder / "link").symlink_to(secret)
    (folder / "child.yaml").write_text(f"extends: {value}\nname: child\n")
    line = one_line(capsys, "generate", str(folder / "child.yaml"), "--out",
                    str(tmp_path / "out"))
    assert "outside" in line and "verysecret" not in line and "daemon" not in line
    got, out, err = run(capsys, "validate", str(folder / "child.yaml"))
    assert got == EXIT_USAGE and len(err + out.splitlines()) == 1
    assert "verysecret" not in out + "".join(err)


def test_extends_a_file_that_is_not_a_mapping_is_named_not_quoted(tmp_path, capsys):
    (tmp_path / "notes").write_text(SECRET)
    (tmp_path / "list.yaml").write_text("- " + SECRET.replace("\n", "\n- "))
    (tmp_path / "child.yaml").write_text("extends: notes\nname: child\n")
    line = one_line(capsys, "generate", str(tmp_path / "child.yaml"), "--out",
                    str(tmp_path / "out"))
    assert ".yaml" in line and "verysecret" not in line
    (tmp_path / "child.yaml").write_text("extends: list.yaml\nname: child\n")
    line = one_line(capsys, "generate", str(tmp_path / "child.yaml"), "--out",
                    str(tmp_path / "out"))
    assert "not one" in line and "verysecret" not in line


def test_extends_a_subfolder_and_a_bundled_scenario_still_work(tmp_path):
    from brushbench.scenario import load_scenario

    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "base.yaml").write_text(BASE)
    (tmp_path / "child.yaml").write_text("extends: parts/base.yaml\nname: child\n")
    assert load_scenario(tmp_path / "child.yaml").name == "child"
    (tmp_path / "b.yaml").write_text("extends: double11\nname: b\n")
    assert load_scenario(tmp_path / "b.yaml").name == "b"


def test_error_text_is_capped(tmp_path, capsys):
    long_name = "x" * 2_000_000
    many = "".join(f"  k{i}: 1\n" for i in range(500))
    (tmp_path / "big.yaml").write_text(BASE.replace("name: base", f"name: {long_name}")
                                       + "refunds:\n" + many)
    got, out, err = run(capsys, "validate", str(tmp_path / "big.yaml"))
    lines = out.splitlines() + err
    assert got == EXIT_USAGE
    assert all(len(line) < 1000 for line in lines)
    assert len(lines) <= 51 and "more issue" in lines[-1]
