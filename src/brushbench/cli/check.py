"""``brushbench check TARGET``: run the protocol on a tiny dataset and say what is wrong."""

from __future__ import annotations

import argparse

from .errors import EXIT_FAILURE, user_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="check a detector on a tiny dataset in seconds",
                       description="Load TARGET, fit and score it twice on a tiny dataset, and "
                                   "report in plain words what is wrong (ids, non-finite "
                                   "scores, types, exceptions, timeouts, non-determinism). "
                                   "Exit 0 when it is fine, 1 otherwise.")
    p.add_argument("target", metavar="TARGET")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per run (default 30)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit per run, in MB, as for eval (default: min(8 GiB, "
                        "75%% of RAM), or $BRUSHBENCH_MEMORY_MB; 0: no limit)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError
    from ..harness.check import check_detector
    from .evaluate import memory_limit

    memory_mb = memory_limit(args.memory)
    with user_errors(DatasetError):  # the dataset cache cannot be written
        report = check_detector(args.target, timeout=args.timeout, memory_mb=memory_mb)
    print(report)
    return 0 if report.ok else EXIT_FAILURE
