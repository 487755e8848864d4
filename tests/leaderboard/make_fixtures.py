"""Regenerate the committed fixture results of the leaderboard tests (a few seconds):

    python tests/leaderboard/make_fixtures.py

Each fixture is what ``brushbench eval`` writes on ``fixtures/tiny.yaml``, minus the ``summary``
(the leaderboard reads the runs; the summary is most of a file's size), written compactly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DETECTORS = {
    "ten_line": ROOT / "examples" / "ten_line_detector.py",
    "random_scores": HERE / "detectors" / "random_scores.py",
    "null_scores": HERE / "detectors" / "null_scores.py",
    "careful_fails": HERE / "detectors" / "careful_fails.py",
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in DETECTORS.items():
            out = Path(tmp) / f"{name}.json"
            # Relative paths keep the fixtures free of this machine's folders.
            subprocess.run([sys.executable, "-m", "brushbench.cli", "eval",
                            str(path.relative_to(ROOT)), "--suite",
                            str((HERE / "fixtures" / "tiny.yaml").relative_to(ROOT)),
                            "--out", str(out), "--timeout", "120"], cwd=ROOT, check=False)
            doc = json.loads(out.read_text(encoding="utf-8"))
            doc.pop("summary", None)
            if doc["detector"].get("file"):
                doc["detector"]["file"] = str(Path(doc["detector"]["file"]).relative_to(ROOT))
            for run in doc["runs"]:
                if run.get("traceback"):  # absolute paths of this machine: keep the last line
                    run["traceback"] = run["traceback"].strip().splitlines()[-1]
            (HERE / "fixtures" / f"{name}.json").write_text(
                json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
