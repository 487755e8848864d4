"""Every fenced ```bash and ```python block of README.md and docs/*.md runs as written.

The blocks of one file run in order, as one bash script (python blocks through
``python - <<EOF``) in one subprocess (the files' subprocesses run side by side), in a fresh
folder that looks like a checkout of the repository (``examples/`` and ``baselines/`` copied
in) and holds the files a reader is assumed to have (``USER_FILES``: ``mydetector.py`` is the
ten-line example, ``mydet.py`` the same as a class that also streams, ``my_scenario.yaml`` a
small scenario).
``brushbench`` and ``python`` are this interpreter's; every command must exit 0 (``bash -e``).
The dataset cache is the test session's (``tests/conftest.py``).

Two rewrites, so that the blocks run at test scale (``small``): ``brushbench generate`` is
given ``--scale 0.05`` when the text asks for more or names no scale (``SMALL_SCALE``), and
``brushbench eval`` is given ``--seeds 1`` when it names no seeds nor ``--data`` (half the runs
of the quick suite). Nothing else is changed.

A block that cannot run here is preceded by ``<!-- not run: reason -->`` (a long benchmark, an
install, a file only the reader has); the reason is required and such blocks are kept few.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SMALL_SCALE = 0.05
FENCE = re.compile(r"^```(\w*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(.*?)\s*-->\s*$")

TEN_LINES = (ROOT / "examples" / "ten_line_detector.py").read_text(encoding="utf-8")
#: The reader's detector for docs/harness.md: the ten-line example as a class that also streams
#: (the streaming part is that page's DeviceCounts).
MYDET = TEN_LINES.replace("def score(data):", "def _score(data):") + '''

import pandas as pd


class MyDetector:
    def score(self, data):
        return _score(data)

    def score_stream(self, batches):
        counts = pd.Series(dtype="float64")
        for batch in batches:
            devices = batch.data.orders["device_id"]
            counts = counts.add(devices.value_counts(), fill_value=0)
            yield counts.reindex(devices).to_numpy()
'''
USER_FILES = {
    "mydetector.py": TEN_LINES,
    "mydet.py": MYDET,
    "my_scenario.yaml": "extends: double11\nname: my-scenario\nmarketplace:\n  shops: 300\n",
}


def blocks(path: Path) -> list[tuple[int, str, str, str | None]]:
    """(line, language, text, not-run reason or None) of each fenced block of ``path``."""
    found: list[tuple[int, str, str, str | None]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, language = i, match.group(1)
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marker = NOT_RUN.match(before)
        found.append((start + 1, language, "\n".join(lines[start + 1:end]) + "\n",
                      marker.group(1) if marker else None))
        i = end + 1
    return found


def small(command: str) -> str:
    """The rewrite rules: ``brushbench generate`` at ``--scale`` SMALL_SCALE at most,
    ``brushbench eval`` with one seed unless it names its seeds or ``--data``."""
    def one(line: str) -> str:
        code, sep, comment = line.partition("  #")
        # --data scores one given dataset once: seeds do not apply to it.
        if re.match(r"\s*brushbench eval\b", code) and "--seeds" not in code \
                and "--data" not in code:
            return code.rstrip().removesuffix("\\").rstrip() + " --seeds 1" + (
                " \\" if code.rstrip().endswith("\\") else "") + (
                " " + sep + comment if sep else "")
        if not re.match(r"\s*brushbench generate\b", code):
            return line
        scale = re.search(r"--scale[ =]([0-9.]+)", code)
        if scale is None:
            code = code.rstrip() + f" --scale {SMALL_SCALE}"
        elif float(scale.group(1)) > SMALL_SCALE:
            code = code[:scale.start(1)] + str(SMALL_SCALE) + code[scale.end(1):]
        return code + (" " + sep + comment if sep else "")
    return "\n".join(one(line) for line in command.split("\n"))


def script(path: Path) -> tuple[str, int]:
    """The bash script running the runnable blocks of ``path``, and how many there are."""
    parts, n = [], 0
    for line, language, text, reason in blocks(path):
        if language not in ("bash", "python") or reason is not None:
            continue
        n += 1
        parts.append(f"echo '### {path.name}:{line}'")
        if language == "bash":
            parts.append(small(text))
        else:
            parts.append(f"python - <<'BRUSHBENCH_DOC_BLOCK'\n{text}BRUSHBENCH_DOC_BLOCK")
    return "\n".join(parts) + "\n", n


RUNNABLE = [path for path in DOCS if script(path)[1]]
CITED = ("src", "scenarios", "docs", "tests", "benchmarks", "README.md")


def test_every_citation_of_the_sources_page_names_an_anchor_of_it():
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', (ROOT / "docs" / "sources.md").read_text(
        encoding="utf-8")))
    cited: dict[str, list[str]] = {}
    for top in CITED:
        for path in [ROOT / top] if top.endswith(".md") else (ROOT / top).rglob("*"):
            if path.suffix not in (".py", ".md", ".yaml") or not path.is_file():
                continue
            for anchor in re.findall(r"sources\.md#([A-Za-z0-9_-]+)", path.read_text(
                    encoding="utf-8")):
                cited.setdefault(anchor, []).append(str(path.relative_to(ROOT)))
    assert {"scl-rule", "scl-log", "p1-self-purchase", "p6-distributor-fake"} <= set(cited)
    missing = {anchor: where for anchor, where in cited.items() if anchor not in anchors}
    assert not missing, missing


def test_every_not_run_marker_gives_a_reason_and_precedes_a_block():
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").splitlines()
        marked = {i for i, line in enumerate(lines) if line.lstrip().startswith("<!-- not run")}
        for i in marked:
            assert NOT_RUN.match(lines[i]) and NOT_RUN.match(lines[i]).group(1), (
                f"{path.name}:{i + 1}: a not-run marker needs a reason")
            following = next(line for line in lines[i + 1:] if line.strip())
            assert FENCE.match(following), f"{path.name}:{i + 1}: marker not before a block"


def test_the_rewrite_rule_only_lowers_the_scale_of_generate():
    assert small("brushbench generate a --out o --scale 0.5 --seed 3") == (
        "brushbench generate a --out o --scale 0.05 --seed 3")
    assert small("brushbench generate a --out o   # note") == (
        "brushbench generate a --out o --scale 0.05   # note")
    assert small("brushbench generate a --scale 0.01") == "brushbench generate a --scale 0.01"
    assert small("brushbench audit out/a --scale 3") == "brushbench audit out/a --scale 3"
    assert small("brushbench eval d.py --out r.json   # quick") == (
        "brushbench eval d.py --out r.json --seeds 1   # quick")
    assert small("brushbench eval d.py --seeds 3") == "brushbench eval d.py --seeds 3"
    assert small("brushbench eval d.py --data log") == "brushbench eval d.py --data log"


@pytest.fixture(scope="module")
def doc_runs(tmp_path_factory):
    """Every file's script, all started at once in their own folders (one subprocess per file;
    they share the machine's cores and the session's dataset cache, which is safe for
    concurrent processes). Output goes to files, so a long one never blocks on a pipe."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
           "PYTHONDONTWRITEBYTECODE": "1"}
    runs = {}
    for path in RUNNABLE:
        folder = tmp_path_factory.mktemp(path.stem)
        shutil.copytree(ROOT / "examples", folder / "examples")
        shutil.copytree(ROOT / "baselines", folder / "baselines")
        for name, text in USER_FILES.items():
            (folder / name).write_text(text, encoding="utf-8")
        out = (folder / "_stdout.txt").open("w")
        err = (folder / "_stderr.txt").open("w")
        process = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script(path)[0]],
                                   cwd=folder, env=env, stdout=out, stderr=err, text=True)
        runs[path] = (process, folder, out, err)
    yield runs
    for process, _, out, err in runs.values():
        if process.poll() is None:
            process.kill()
            process.wait()
        out.close()
        err.close()


@pytest.mark.slow
@pytest.mark.parametrize("path", RUNNABLE, ids=[p.name for p in RUNNABLE])
def test_the_blocks_run_as_written(path, doc_runs):
    process, folder, _, _ = doc_runs[path]
    returncode = process.wait(timeout=300)
    stdout = (folder / "_stdout.txt").read_text(encoding="utf-8")
    stderr = (folder / "_stderr.txt").read_text(encoding="utf-8")
    assert returncode == 0, (
        f"{path.name}: a block failed (the last '###' line names it)\n"
        f"{stdout[-4000:]}\n{stderr[-4000:]}")
