"""Cheat (c): glob the run folders' job.json and read the key of the test_dir they name."""

import glob
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _cheat_common import base_rate_scores, first_match


def score(data):
    files = []
    for job_file in glob.glob(str(Path(tempfile.gettempdir()) / "brushbench-run-*" / "job.json")):
        try:
            job = json.loads(Path(job_file).read_text())
        except (OSError, ValueError):
            continue
        for key in ("test_dir", "train_dir"):
            if job.get(key):
                files += Path(job[key]).glob("labels.parquet")
                files += Path(job[key]).parent.glob("*/labels.parquet")
    found = first_match(files, data)
    return base_rate_scores(data) if found is None else found
