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


# --- sizes: refused before allocating, with what they would cost -------------------------------

def scenario(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("orders: 5000", "orders: 1000000000000", "traffic.orders: expected an integer between"),
    ("  buyers: 1000", "  buyers: 1000\n  cities: 100000000", "marketplace.cities"),
    ("duration: 3d", "duration: 3650d", "at most 730d"),
    ("  promotions:", "  reranking: {interval: 1m}\n  promotions:", "re-ranking slices"),
    ("2024-11-10 00:00:00", "9999-12-31 00:00:00", "expected a window from 1970"),
    ("name: base", "name: base\nlocale: xx_YY", "expected a Faker locale"),
])
def test_sizes_and_values_are_refused_at_load(tmp_path, capsys, old, new, expected):
    text = BASE.replace(old, new)
    if "9999" in new:
        text = text.replace("2024-11-11", "9999-12-31").replace("duration: 3d", "duration: 12h")
        text = text.replace("9999-12-31 12:00:00", "9999-12-31 06:00:00")
    if "1m}" in new:
        text = text.replace("duration: 3d", "duration: 700d")
    path = scenario(tmp_path, text)
    line = one_line(capsys, "generate", path, "--out", str(tmp_path / "out"))
    assert expected in line and line.startswith(path)
    assert not (tmp_path / "out").exists()
    got, out, _ = run(capsys, "validate", path)
    assert got == EXIT_USAGE and expected in out


def test_a_slice_table_too_large_says_its_memory(tmp_path, capsys):
    text = BASE.replace("duration: 3d", "duration: 700d").replace(
        "  promotions:", "  reranking: {interval: 1m}\n  promotions:")
    line = one_line(capsys, "generate", scenario(tmp_path, text), "--out", str(tmp_path / "o"))
    assert "GiB" in line


@pytest.mark.parametrize(("law", "expected"), [
    ("logistics:\n  handling_hours: {dist: zipf, a: 1.1}\n", "mean of inf hours"),
    ("marketplace:\n  categories:\n    toys: {share: 1, weight_g: 300, price: -500}\n",
     "drew"),
])
def test_laws_that_would_run_for_minutes_or_clamp_are_refused(tmp_path, capsys, law, expected):
    text = BASE.replace("marketplace:\n", "marketplace:\n  categories:\n    toys: "
                        "{share: 1, weight_g: 300, price: -500}\n") if "price" in law else \
        BASE + law
    line = one_line(capsys, "generate", scenario(tmp_path, text), "--out", str(tmp_path / "o"))
    assert expected in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("scale", ["nan", "inf", "1e300", "0", "-1", "-inf"])
def test_scale_must_be_positive_and_finite(tmp_path, capsys, scale):
    line = one_line(capsys, "generate", "teach_easy", f"--scale={scale}", "--out",
                    str(tmp_path / "o"))
    assert "--scale" in line
    line = one_line(capsys, "lab", "new", str(tmp_path / "lab"), "--students", "2",
                    f"--scale={scale}")
    assert "--scale" in line and not (tmp_path / "lab").exists()


def test_a_huge_scale_says_what_it_would_cost(tmp_path, capsys):
    line = one_line(capsys, "generate", scenario(tmp_path, BASE), "--scale", "1e6", "--out",
                    str(tmp_path / "o"))
    assert "orders at scale 1e+06 is more than the limit" in line
    assert "GiB of memory" in line
    assert not (tmp_path / "o").exists()


def test_out_in_proc_is_one_line(tmp_path, capsys):
    line = one_line(capsys, "generate", scenario(tmp_path, BASE), "--out", "/proc/x")
    assert "cannot write" in line


def test_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    import errno

    from brushbench.dataset import DatasetWriter

    def full(self, name, table):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "o"))

    monkeypatch.setattr(DatasetWriter, "write", full)
    line = one_line(capsys, "generate", scenario(tmp_path, BASE), "--out", str(tmp_path / "o"))
    assert line.endswith("cannot write: No space left on device")
    assert not (tmp_path / "o").exists()


# --- users' files: one line, never their bytes -------------------------------------------------

NULL = str(Path(__file__).resolve().parents[2] / "baselines" / "null.py")
HEADER = b"order_id,shop_id,buyer_id,created_at\n"


@pytest.mark.parametrize(("content", "expected"), [
    (HEADER, "no orders"),
    (b"\xef\xbb\xbf" + HEADER, "no orders"),
    (HEADER + bytes(range(256)) * 8, "cannot read it as CSV"),
    (HEADER + b"1,\xff\xfe,3,2024-01-01 00:00:00\n", "cannot read it as CSV"),
])
def test_eval_data_header_only_binary_or_not_utf8(tmp_path, capsys, content, expected):
    path = tmp_path / "log.csv"
    path.write_bytes(content)
    line = one_line(capsys, "eval", NULL, "--data", str(path))
    assert expected in line and line.isascii() and line.isprintable()


GOLDEN = Path(__file__).resolve().parents[1] / "compare" / "golden" / "base.json"


def _results(tmp_path: Path, edit) -> str:
    import json

    doc = json.loads(GOLDEN.read_text())
    edit(doc)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["runs"][0].update(scenario=5), "runs[0].scenario must be a string"),
    (lambda d: d["runs"][0].update(scenario=[]), "runs[0].scenario must be a string"),
    (lambda d: d["runs"][0]["cost"].update(score_seconds=1e308), "magnitude below"),
    (lambda d: d.update(generator_version="v" * 100_000), "more characters"),
])
def test_compare_on_wrong_typed_json(tmp_path, capsys, edit, expected):
    path = _results(tmp_path, edit)
    for a, b in ((path, str(GOLDEN)), (str(GOLDEN), path)):
        line = one_line(capsys, "compare", a, b)
        assert expected in line and len(line) < 1200


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_compare_on_deep_json(tmp_path, capsys, text):
    path = tmp_path / "deep.json"
    path.write_text(text)
    assert "nested" in one_line(capsys, "compare", str(path), str(GOLDEN))
