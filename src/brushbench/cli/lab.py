"""``brushbench lab new NAME``: a teaching lab, one withheld dataset per student."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ._choices import DIFFICULTIES, FORMATS
from .errors import UserError, user_errors, writing_folder

if TYPE_CHECKING:
    from ..teaching.lab import StudentDone


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lab", help="teaching labs: exercise datasets, keys and a handout",
                       description="Teaching labs (docs/teaching.md).")
    lab_sub = p.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    new = lab_sub.add_parser(
        "new", help="create a lab: one dataset per student, their keys, a handout",
        description="Create NAME/ with students/<id>/ (a dataset without its answer key and "
                    "the handout) for every student, and key/ for the teacher (every "
                    "student's key, the roster and seeds). Every student gets the same "
                    "scenario under a different seed. --difficulty picks the bundled teaching "
                    "scenario (teach_easy, teach_medium, teach_hard) when --scenario is not "
                    "given; with --scenario it only tells the handout what to expect.")
    new.add_argument("name", metavar="NAME", help="the lab folder to create")
    new.add_argument("--scenario", help="scenario file or bundled name (default: the teaching "
                                        "scenario of --difficulty)")
    new.add_argument("--difficulty", choices=tuple(DIFFICULTIES), default=None,
                     help="easy (default), medium or hard")
    who = new.add_mutually_exclusive_group(required=True)
    who.add_argument("--students", type=int, metavar="N", help="N students, s01 ... sNN")
    who.add_argument("--roster", metavar="FILE", help="student ids, one per line")
    new.add_argument("--seed", type=int, default=None,
                     help="the lab's seed (default: drawn at random and recorded in "
                          "key/lab.json; a small, guessable seed lets students make their "
                          "answer key)")
    new.add_argument("--format", dest="fmt", choices=FORMATS, default=None,
                     help="file format (default: CSV up to 50,000 orders, else Parquet)")
    new.add_argument("--scale", type=float, default=1.0, help="multiply the volume (default 1)")
    new.add_argument("--workers", type=int, default=1,
                     help="processes per dataset (default 1; 0 = one per core)")
    new.add_argument("--overwrite", action="store_true", help="replace an existing lab")
    new.set_defaults(run=run_new)


def _difficulty(args: argparse.Namespace, scenario_name: str) -> str | None:
    if args.difficulty is not None:
        return args.difficulty
    by_scenario = {v: k for k, v in DIFFICULTIES.items()}
    return by_scenario.get(scenario_name)


def run_new(args: argparse.Namespace) -> int:
    from ..market.drafts import CapacityError
    from ..scenario.limits import LimitError, check_scale
    from ..teaching.lab import LabError, create_lab, read_roster, student_ids
    from .scenarios import load_or_fail

    with user_errors(LimitError, prefix="--"):
        check_scale(args.scale)
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed must be >= 0, got {args.seed}")
    with user_errors(LabError):
        students = (student_ids(args.students) if args.roster is None
                    else read_roster(args.roster))
    scenario = load_or_fail(args.scenario or DIFFICULTIES[args.difficulty or "easy"])
    difficulty = _difficulty(args, scenario.name) if args.scenario else (args.difficulty
                                                                          or "easy")
    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)

    def progress(done: StudentDone) -> None:
        rows = done.withheld.rows
        print(f"  {done.student:<12} {rows['orders']:>9,} orders  "
              f"{done.withheld.seconds:5.1f}s   ({done.index + 1}/{done.total})", flush=True)

    print(f"lab {os.path.basename(os.path.abspath(args.name))}: {scenario.name}, "
          f"{len(students)} student(s)" + (f", {difficulty}" if difficulty else ""), flush=True)
    with writing_folder(LabError, CapacityError, LimitError):
        lab = create_lab(args.name, scenario, students, seed=args.seed, difficulty=difficulty,
                         fmt=args.fmt, scale=args.scale, workers=workers,
                         overwrite=args.overwrite, on_student=progress)
    root = args.name.rstrip("/")
    print(f"handed out:  {root}/students/<id>/ (data/ in {lab['format']}, handout.md)")
    print(f"teacher:     {root}/key/ (keep it: every key, the roster, lab seed {lab['seed']})")
    print(f"grade with:  brushbench grade SUBMISSION.csv --key {root}/key  "
          "(files named after the student, s01.csv)")
    return 0
