"""The benchmark commands the docs give collect the benchmarks they name.

Benchmarks are ``benchmarks/bench_*.py``, collected when ``benchmarks/`` (or one of its files) is
named on the command line (``python_files`` in pyproject.toml) and never by the default run,
which walks ``testpaths`` only. Every ``pytest benchmarks/...`` command quoted in README.md,
docs/*.md and the benchmarks' docstrings is collected here (``--collect-only``, nothing runs), in
one subprocess.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = re.compile(r"(?:[A-Z_]+=\S+ )*pytest (benchmarks/[^`\n]*)")

DRIVER = r"""
import json, sys
import pytest

class Count:
    def __init__(self):
        self.ids = []
    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]

out = {}
for args in json.loads(sys.argv[1]):
    count = Count()
    pytest.main([*args, "--collect-only", "-q", "-p", "no:cacheprovider"], plugins=[count])
    out[" ".join(args)] = count.ids
print("RESULT " + json.dumps(out))
"""


def documented_commands() -> set[str]:
    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "benchmarks").glob("*.py")]
    found: set[str] = set()
    for path in texts:
        for match in COMMAND.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1).split(" #")[0].strip().rstrip("`").strip())
    return found


def test_the_default_run_does_not_collect_benchmarks():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^testpaths = \["tests"\]$', pyproject, re.MULTILINE)
    assert not list((ROOT / "tests").rglob("bench_*.py"))


def test_documented_benchmark_commands_collect_what_they_name():
    commands = documented_commands()
    assert "benchmarks/ --benchmark-only" in commands                  # benchmarks/conftest.py
    assert len(commands) >= 10
    args = [[a for a in shlex.split(command) if a != "-s"] for command in sorted(commands)]
    run = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(args)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, run.stdout[-3000:] + run.stderr[-3000:]
    collected = json.loads(line.removeprefix("RESULT "))
    for command, ids in collected.items():
        target = command.split()[0]
        assert ids, f"pytest {command} collects nothing"
        assert all(i.startswith(target if target.endswith(".py") else "benchmarks/")
                   for i in ids), (command, ids)
        if " -k " in command:
            word = command.split(" -k ")[1].split()[0]
            assert all(word in i for i in ids), (command, ids)
    everything = collected["benchmarks/ --benchmark-only"]
    files = {i.split("::")[0] for i in everything}
    assert files == {str(p.relative_to(ROOT)) for p in (ROOT / "benchmarks").glob("bench_*.py")}
