"""load_detector: every target form, and a one-line reason for every way it can fail."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from brushbench.harness import DetectorLoadError, load_detector

from harness_helpers import DETECTORS, detector_file


def write(folder: Path, name: str, source: str) -> str:
    path = folder / name
    path.write_text(source)
    return str(path)


def load_error(target: str) -> str:
    with pytest.raises(DetectorLoadError) as info:
        load_detector(target)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(target)
    return message


class TestForms:
    def test_function_form_by_module_path(self, import_paths):
        spec = load_detector("function_form")
        assert (spec.kind, spec.name, spec.source) == ("function", "function_form", "module")
        assert spec.has_score and not spec.has_fit and not spec.has_predict
        assert spec.file == str(Path(detector_file("function_form")).resolve())
        source = Path(detector_file("function_form")).read_bytes()
        assert spec.file_sha256 == hashlib.sha256(source).hexdigest()
        assert hasattr(spec.build(), "score")

    def test_function_form_by_file_path(self):
        spec = load_detector(detector_file("random_scores"))
        assert (spec.kind, spec.name, spec.source) == ("function", "random_scores", "file")

    def test_function_by_module_attr(self, import_paths):
        spec = load_detector("random_scores:score")
        assert spec.kind == "function" and spec.name == "random_scores"

    def test_class_form_by_module_attr(self, import_paths):
        spec = load_detector("class_form:ClassForm")
        assert (spec.kind, spec.name, spec.attr) == ("class", "ClassForm", "ClassForm")
        assert spec.has_fit and spec.has_score and spec.has_predict
        assert not spec.has_score_stream
        assert type(spec.build()).__name__ == "ClassForm"

    def test_class_found_in_module_without_score_function(self, import_paths):
        # class_form also defines Unrelated (no score) and imports Scores: neither counts.
        assert load_detector("class_form").name == "ClassForm"
        assert load_detector("oracle_train").kind == "class"

    def test_class_form_by_file_and_attr(self):
        spec = load_detector(detector_file("class_form") + ":ClassForm")
        assert (spec.kind, spec.source, spec.name) == ("class", "file", "ClassForm")

    def test_file_module_gets_a_private_name(self, tmp_path):
        # A file named like a standard module must not replace it.
        spec = load_detector(write(tmp_path, "random.py", "def score(data):\n    return []\n"))
        assert spec.module.startswith("_brushbench_detector_random_")
        import random

        assert hasattr(random, "shuffle")

    def test_file_can_import_its_neighbours(self, tmp_path):
        write(tmp_path, "helper_for_detector_xyz.py", "WEIGHT = 2.0\n")
        target = write(tmp_path, "uses_helper.py",
                       "from helper_for_detector_xyz import WEIGHT\n\n"
                       "def score(data):\n    return [WEIGHT]\n")
        assert load_detector(target).kind == "function"

    def test_module_in_current_folder(self, tmp_path, monkeypatch):
        write(tmp_path, "cwd_detector_xyz.py", "def score(data):\n    return []\n")
        monkeypatch.chdir(tmp_path)
        assert load_detector("cwd_detector_xyz").name == "cwd_detector_xyz"

    def test_entry_point(self, import_paths):
        spec = load_detector("fake-class")
        assert (spec.kind, spec.name, spec.source) == ("class", "fake-class", "entry_point")
        assert spec.version == "1.0"
        assert spec.file == str(Path(detector_file("class_form")).resolve())

    def test_entry_point_used_when_no_module_has_the_name(self, import_paths):
        spec = load_detector("fake_random")
        assert (spec.kind, spec.source, spec.name) == ("function", "entry_point", "fake_random")

    def test_score_stream_only_class_loads(self, tmp_path):
        target = write(tmp_path, "streamer.py",
                       "class Streamer:\n    def score_stream(self, batches):\n"
                       "        yield from ()\n")
        spec = load_detector(target)
        assert spec.kind == "class" and spec.has_score_stream and not spec.has_score

    def test_identity_is_json_able(self, import_paths):
        identity = load_detector("class_form:ClassForm").identity()
        assert set(identity) >= {"target", "name", "kind", "file", "file_sha256"}
        assert all(isinstance(v, str | type(None)) for v in identity.values())


class TestErrors:
    def test_no_such_module(self):
        message = load_error("no_such_detector_xyz")
        assert "no module named 'no_such_detector_xyz'" in message
        assert "no installed detector" in message

    def test_no_such_module_with_attr(self):
        assert "no module named 'no_such_detector_xyz'" in load_error("no_such_detector_xyz:C")

    def test_no_such_attribute(self, import_paths):
        message = load_error("class_form:Missing")
        assert "module 'class_form' has no attribute 'Missing'" in message

    def test_no_such_attribute_in_file(self):
        assert "has no attribute 'Missing'" in load_error(detector_file("class_form") +
                                                          ":Missing")

    def test_file_not_found(self):
        assert "file not found" in load_error(str(DETECTORS / "no_such_file.py"))

    def test_not_a_python_file(self, tmp_path):
        assert "not a Python file" in load_error(write(tmp_path, "notes.txt", "hello"))

    def test_neither_score_nor_class(self, tmp_path):
        message = load_error(write(tmp_path, "empty_det.py", "X = 1\n"))
        assert "module defines neither score() nor a detector class" in message

    def test_several_classes(self, tmp_path):
        source = ("class A:\n    def score(self, data): ...\n\n"
                  "class B:\n    def score(self, data): ...\n")
        message = load_error(write(tmp_path, "two_det.py", source))
        assert "several detector classes (A, B)" in message and ":A" in message

    def test_class_needing_arguments(self, tmp_path):
        source = ("class Needy:\n    def __init__(self, window):\n        self.window = window\n"
                  "    def score(self, data): ...\n")
        message = load_error(write(tmp_path, "needy.py", source) + ":Needy")
        assert "Needy() needs argument(s) window" in message

    def test_class_without_score(self, import_paths):
        assert "class Unrelated has no score() method" in load_error("class_form:Unrelated")

    def test_instance_instead_of_class(self, tmp_path):
        source = "class D:\n    def score(self, data): ...\n\ndetector = D()\n"
        message = load_error(write(tmp_path, "inst.py", source) + ":detector")
        assert "an instance of D, not a class" in message

    def test_score_with_wrong_signature(self, tmp_path):
        message = load_error(write(tmp_path, "two_args.py", "def score(data, other):\n"
                                                            "    return []\n"))
        assert "must take one argument" in message

    def test_import_error_names_the_exception_and_line(self, tmp_path):
        source = "import numpy\n\nraise RuntimeError('broken at import')\n"
        message = load_error(write(tmp_path, "broken.py", source))
        assert "RuntimeError: broken at import (broken.py:3)" in message

    def test_syntax_error(self, tmp_path):
        message = load_error(write(tmp_path, "bad_syntax.py", "def score(data)\n    return 1\n"))
        assert "SyntaxError" in message and "bad_syntax.py:1" in message

    def test_missing_dependency_is_not_a_missing_module(self, tmp_path, monkeypatch):
        write(tmp_path, "needs_dep_xyz.py", "import not_installed_dep_xyz\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        message = load_error("needs_dep_xyz")
        assert "importing 'needs_dep_xyz' failed" in message
        assert "not_installed_dep_xyz" in message

    def test_broken_entry_point(self, import_paths):
        message = load_error("broken-entry")
        assert "loading entry point broken-entry" in message and "no_such_module_abc" in message

    def test_unknown_entry_point_lists_installed(self, import_paths):
        message = load_error("not-a-detector")
        assert "fake-class" in message and "brushbench.detectors" in message

    def test_empty_target(self):
        with pytest.raises(DetectorLoadError, match="empty detector target"):
            load_detector("  ")
