"""Cheat (b): walk the Python stack (and the heap) to the harness's job["test_dir"]."""

import gc
import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _cheat_common import base_rate_scores, first_match


def _folders():
    seen = []
    for frame in inspect.stack():
        for scope in (frame.frame.f_locals, frame.frame.f_globals):
            for value in list(scope.values()):
                if isinstance(value, dict) and "test_dir" in value:
                    seen.append(value["test_dir"])
    for obj in gc.get_objects():
        if isinstance(obj, dict) and isinstance(obj.get("test_dir"), str):
            seen.append(obj["test_dir"])
    return [Path(f) for f in seen if f]


def score(data):
    files = [f for folder in _folders() if folder.is_dir() for f in folder.glob("*labels*")]
    found = first_match(files, data)
    return base_rate_scores(data) if found is None else found
