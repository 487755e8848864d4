"""A teaching lab: one withheld dataset per student, one key folder for the teacher, a handout.

::

    NAME/
      handout.md                  the teacher's copy of the handout
      students/<id>/handout.md    what each student gets: the handout ...
      students/<id>/data/         ... and their own log, without its answer key
      key/lab.json                teacher only: the roster, seeds and hashes
      key/scenario.yaml           the scenario, to make the lab again
      key/<id>/                   each student's answer key

Every student's log is the same scenario under a different seed, so answers cannot be copied.
A student's seed is derived from the lab's seed and the student's id (a 63-bit key), and the
lab's seed, when not given, comes from the operating system's entropy: a guessable seed would
let a student generate their own log again, answer key included. It is recorded in
``key/lab.json``, so the teacher can make the same lab again with ``--seed``.

The whole ``NAME`` folder is built under a hidden sibling name and renamed into place once
complete: a lab never appears half-written.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .._version import GENERATOR_VERSION
from ..dataset._fs import fresh_sibling, fsync_dir, make_private
from ..dataset.manifest import dumps_manifest
from ..market.seeds import integer_key
from ..scenario.canonical import scenario_hash, to_plain
from ..scenario.model import Scenario
from ._publish import check_replaceable, publish_together
from .handout import render_handout
from .keys import KEY_FILE, AnswerKeyError, not_a_key
from .withheld import Withheld, generate_withheld, promotions_of

__all__ = [
    "CSV_MAX_ORDERS",
    "DIFFICULTIES",
    "LAB_FILE",
    "LabError",
    "create_lab",
    "default_format",
    "read_lab",
    "read_roster",
    "resolve_key",
    "student_ids",
    "student_seed",
]

LAB_FILE = "lab.json"
LAB_KIND = "brushbench-lab"
LAB_SCHEMA_VERSION = 1
#: ``--difficulty`` -> the bundled teaching scenario it stands for.
DIFFICULTIES = {"easy": "teach_easy", "medium": "teach_medium", "hard": "teach_hard"}
#: Up to this many orders a lab is written as CSV (it opens in a spreadsheet); Parquet above.
CSV_MAX_ORDERS = 50_000
_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class LabError(ValueError):
    """A lab that cannot be made or read as asked; one line."""


# -- students --------------------------------------------------------------------------------------


def student_ids(n: int) -> list[str]:
    """``s01`` ... ``sNN`` (zero-padded so that they sort)."""
    if n < 1:
        raise LabError(f"a lab needs at least one student, got {n}")
    width = max(2, len(str(n)))
    return [f"s{i:0{width}d}" for i in range(1, n + 1)]


def read_roster(path: str | os.PathLike[str]) -> list[str]:
    """Student ids from a text file: one per line; blank lines and ``#`` comments skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise LabError(f"{path}: cannot read the roster ({exc.strerror or exc})") from None
    ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not _STUDENT_ID.fullmatch(text):
            raise LabError(f"{path}:{number}: {text!r} is not a usable student id (letters, "
                           "digits, '_' and '-', starting with a letter or digit, at most 64): "
                           "it names the student's folder and submission file")
        if text in ids:
            raise LabError(f"{path}:{number}: student {text!r} is listed again (first at line "
                           f"{ids[text]})")
        ids[text] = number
    if not ids:
        raise LabError(f"{path}: no student ids (one per line)")
    return list(ids)


def student_seed(lab_seed: int, student: str) -> int:
    """The seed of a student's log: a 63-bit key of the lab's seed and the student's id."""
    return integer_key(int(lab_seed), "lab-student", student) >> 1


def default_format(scenario: Scenario, scale: float) -> str:
    """CSV when the log is small enough for a spreadsheet (:data:`CSV_MAX_ORDERS`), else
    Parquet."""
    return "csv" if scenario.traffic.orders * scale <= CSV_MAX_ORDERS else "parquet"


# -- making a lab ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentDone:
    """What the progress callback of :func:`create_lab` receives after each student."""

    index: int
    total: int
    student: str
    withheld: Withheld


def _window(manifest: dict[str, Any], timezone: str) -> tuple[str, str]:
    window = manifest["window"]
    start, end = (pd.Timestamp(window[k], unit="s", tz="UTC").tz_convert(timezone)
                  for k in ("start", "end"))
    return start.isoformat(), end.isoformat()


def create_lab(root: str | os.PathLike[str], scenario: Scenario, students: Sequence[str], *,
               seed: int | None = None, difficulty: str | None = None, fmt: str | None = None,
               scale: float = 1.0, workers: int = 1, overwrite: bool = False,
               on_student: Callable[[StudentDone], None] | None = None) -> dict[str, Any]:
    """Make a lab folder (layout in the module docs).

    Parameters
    ----------
    root : path
        The lab folder to create; its name is the lab's name.
    scenario : Scenario
        The same for every student.
    students : sequence of str
        Student ids (:func:`student_ids`, :func:`read_roster`).
    seed : int, optional
        The lab's seed; drawn from the system's entropy when not given.
    difficulty : {"easy", "medium", "hard"}, optional
        Recorded, and tells the handout what to say about the fake orders.
    fmt : {"csv", "parquet"}, optional
        Default: :func:`default_format`.
    scale, workers
        As :func:`brushbench.generator.run.generate_to`.
    overwrite : bool
        Replace an existing lab folder (one holding ``key/lab.json``).
    on_student : callable, optional
        Called after each student's dataset is written.

    Returns
    -------
    dict
        ``key/lab.json`` as written.
    """
    root = Path(root).absolute()
    if not students:
        raise LabError("a lab needs at least one student")
    bad = [s for s in students if not _STUDENT_ID.fullmatch(s)]
    if bad or len(set(students)) != len(students):
        raise LabError(f"student ids must be distinct folder names; got {bad or 'duplicates'}")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise LabError(f"unknown difficulty {difficulty!r}; expected one of "
                       f"{', '.join(DIFFICULTIES)}")
    lab_seed = int(seed) if seed is not None else secrets.randbits(63)
    if lab_seed < 0:
        raise LabError(f"--seed must be >= 0, got {lab_seed}")
    fmt = fmt or default_format(scenario, scale)
    name = root.name
    check_replaceable(root, f"key/{LAB_FILE}", "a brushbench lab", overwrite)
    root.parent.mkdir(parents=True, exist_ok=True)
    stage = fresh_sibling(root, "tmp")
    try:
        stage.mkdir()
        (stage / "key").mkdir(mode=0o700)  # the teacher's alone, whatever the umask
        roster: dict[str, Any] = {}
        first: Withheld | None = None
        for i, student in enumerate(students):
            s_seed = student_seed(lab_seed, student)
            done = generate_withheld(stage / "students" / student / "data",
                                     stage / "key" / student, scenario, seed=s_seed,
                                     scale=scale, fmt=fmt, workers=workers,
                                     key_fields={"lab": name, "student": student})
            first = first or done
            roster[student] = {
                "seed": s_seed,
                "dataset": f"students/{student}/data",
                "key": f"key/{student}",
                "dataset_manifest_sha256": done.key_manifest["dataset"]["manifest_sha256"],
                "key_sha256": done.dataset_manifest["answer_key"]["sha256"],
                "orders": done.rows["orders"],
                "brushing_orders": done.key_manifest["summary"]["brushing_orders"],
            }
            if on_student is not None:
                on_student(StudentDone(i, len(students), student, done))
        assert first is not None
        tz = first.dataset_manifest["timezone"]
        handout = render_handout(title=name, fmt=fmt, timezone=tz,
                                 window=_window(first.dataset_manifest, tz),
                                 promotions=promotions_of(scenario), difficulty=difficulty)
        (stage / "handout.md").write_text(handout, encoding="utf-8")
        for student in students:
            (stage / "students" / student / "handout.md").write_text(handout, encoding="utf-8")
        (stage / "key" / "scenario.yaml").write_text(
            f"# The scenario of lab {name}: brushbench lab new --scenario key/scenario.yaml\n"
            + yaml.safe_dump(to_plain(scenario), sort_keys=False, allow_unicode=True),
            encoding="utf-8")
        lab = {
            "kind": LAB_KIND, "lab_schema_version": LAB_SCHEMA_VERSION, "name": name,
            "generator_version": GENERATOR_VERSION,
            "scenario": {"name": scenario.name, "hash": scenario_hash(scenario),
                         "file": "scenario.yaml"},
            "difficulty": difficulty, "scale": float(scale), "format": fmt, "seed": lab_seed,
            "students": roster,
        }
        (stage / "key" / LAB_FILE).write_text(dumps_manifest(lab), encoding="utf-8")
        make_private(stage / "key")
        fsync_dir(stage / "key")
        check_replaceable(root, f"key/{LAB_FILE}", "a brushbench lab", overwrite)
        publish_together([(stage, root)])
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return lab


# -- finding a student's key -----------------------------------------------------------------------


def read_lab(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """``lab.json`` of a lab's key folder (``NAME/key``)."""
    path = Path(folder) / LAB_FILE
    try:
        lab = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LabError(f"{path}: cannot read the lab's roster ({exc})") from None
    if not isinstance(lab, dict) or lab.get("kind") != LAB_KIND:
        raise LabError(f"{path}: not a brushbench lab roster")
    return lab


def _student_of(lab: dict[str, Any], folder: Path, student: str) -> Path:
    if student not in lab["students"]:
        listed = list(lab["students"])
        shown = ", ".join(listed[:6]) + (", ..." if len(listed) > 6 else "")
        raise LabError(f"no student {student!r} in lab {lab['name']!r} (students: {shown})")
    return folder / student


def resolve_key(path: str | os.PathLike[str], *, student: str | None = None,
                submission: str | os.PathLike[str] | None = None,
                dataset_manifest_sha256: str | None = None) -> Path:
    """The key folder ``path`` stands for.

    ``path`` is a key folder (holding ``key.json``), a lab's key folder (``NAME/key``, holding
    ``lab.json``) or a lab folder (``NAME``). For a lab, the student is ``student``, else the
    one whose dataset's manifest has ``dataset_manifest_sha256``, else the stem of the
    ``submission`` file (``s07.csv`` is student ``s07``).
    """
    folder = Path(path)
    if (folder / KEY_FILE).is_file():
        return folder
    if not (folder / LAB_FILE).is_file() and (folder / "key" / LAB_FILE).is_file():
        folder = folder / "key"
    if not (folder / LAB_FILE).is_file():
        if not folder.exists():
            raise AnswerKeyError(f"{folder}: no such answer-key folder")
        raise AnswerKeyError(not_a_key(folder))
    lab = read_lab(folder)
    if student is not None:
        return _student_of(lab, folder, student)
    if dataset_manifest_sha256 is not None:
        for sid, entry in lab["students"].items():
            if entry.get("dataset_manifest_sha256") == dataset_manifest_sha256:
                return folder / sid
        raise LabError(f"no student of lab {lab['name']!r} has this dataset: pass a key "
                       "folder, or --student")
    if submission is not None:
        stem = Path(submission).name.split(".")[0]
        if stem in lab["students"]:
            return folder / stem
        raise LabError(f"{submission}: name it after its student ({stem!r} is not a student "
                       f"of lab {lab['name']!r}), or pass --student ID")
    raise LabError(f"{folder} is a lab's key folder: pass --student ID")
