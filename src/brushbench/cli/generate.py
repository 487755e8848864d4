"""``brushbench generate SCENARIO --out DIR``: write a labelled dataset."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ._choices import AUTO_PARTITION_ORDERS, ENGINES, FORMATS
from .errors import UserError, user_errors, writing_folder
from .progress import ProgressBar

if TYPE_CHECKING:
    from ..scenario.model import Scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate a dataset from a scenario",
                       description="Generate a labelled order log from a scenario file or the "
                                   "name of a bundled scenario (see `brushbench scenarios`).")
    p.add_argument("scenario", help="scenario file, or bundled scenario name")
    p.add_argument("--out", required=True,
                   help="dataset folder to create, or an fsspec URL (s3://bucket/ds: the files "
                        "are uploaded as they are done, manifest.json last)")
    p.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default=FORMATS[0],
                   help=f"file format (default: {FORMATS[0]})")
    p.add_argument("--scale", type=float, default=1.0, help="multiply the volume (default 1)")
    p.add_argument("--workers", type=int, default=1,
                   help="processes (default 1; 0 = one per core), or Dask workers of the "
                        "LocalCluster of --engine dask; the output is the same")
    p.add_argument("--partition", choices=("auto", "yes", "no"), default="auto",
                   help="write each table as a folder of parts (orders/part-00000.parquet, "
                        "...) rather than one file; auto (the default): when the scenario "
                        f"expects more than {AUTO_PARTITION_ORDERS:,} orders (scale included). "
                        "Workers write parts themselves, so they speed up a partitioned run "
                        "most")
    p.add_argument("--engine", choices=ENGINES, default=ENGINES[0],
                   help="where the work runs: local processes (default) or Dask, a "
                        "dask.distributed LocalCluster unless --scheduler is given "
                        "(pip install 'brushbench[dask]'); the output is the same")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="with --engine dask: the address of a running Dask scheduler "
                        "(tcp://host:8786); its workers must see the --out folder, or write to its "
                        "URL")
    p.add_argument("--overwrite", action="store_true", help="replace an existing dataset")
    p.add_argument("--withhold-labels", metavar="KEYDIR", default=None,
                   help="write the dataset without labels, entity_labels and campaigns, and "
                        "that answer key to KEYDIR (each names the other by hash; see "
                        "docs/teaching.md)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError
    from ..generator.engines import EngineError
    from ..generator.run import generate_to
    from ..market.drafts import CapacityError
    from ..scenario.limits import LimitError, check_scale
    from .scenarios import load_or_fail

    with user_errors(LimitError, prefix="--"):
        check_scale(args.scale)
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed must be >= 0, got {args.seed}")
    if args.workers < 0:
        raise UserError(f"--workers must be >= 0, got {args.workers}")
    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)
    if args.scheduler is not None and args.engine != "dask":
        raise UserError("--scheduler needs --engine dask")
    partition = {"auto": None, "yes": True, "no": False}[args.partition]
    scenario = load_or_fail(args.scenario)
    if args.engine == "dask":
        from ..generator.engines import EngineError, check_engine

        with user_errors(EngineError):
            check_engine(args.engine)
    bar = ProgressBar(label="generate", unit="shards")
    if args.withhold_labels is not None:
        if partition or args.engine != "local":
            raise UserError("--withhold-labels writes one file per table with the local "
                            "engine: drop --partition yes and --engine dask")
        return _withheld(args, scenario, workers, bar)
    try:
        with writing_folder(CapacityError, LimitError, EngineError, DatasetError):
            summary = generate_to(args.out, scenario, seed=args.seed, scale=args.scale,
                                  fmt=args.fmt, workers=workers, overwrite=args.overwrite,
                                  progress=bar, partition=partition, engine=args.engine,
                                  scheduler=args.scheduler)
    finally:
        bar.finish()
    m = summary.manifest
    print(f"{scenario.name} (seed {m['seed']}, scale {m['scale']:g}) -> {summary.out}")
    for name, rows in summary.rows.items():
        print(f"  {name:<14}{rows:>12,}")
    print(f"  {summary.seconds:.1f}s, {summary.orders_per_second:,.0f} orders/s")
    return 0


def _withheld(args: argparse.Namespace, scenario: Scenario, workers: int,
              bar: ProgressBar) -> int:
    """``--withhold-labels``: the dataset without its answer key, the key to KEYDIR."""
    from ..market.drafts import CapacityError
    from ..scenario.limits import LimitError
    from ..teaching.withheld import DestinationError, generate_withheld

    try:
        with writing_folder(DestinationError, CapacityError, LimitError):
            done = generate_withheld(args.out, args.withhold_labels, scenario, seed=args.seed,
                                     scale=args.scale, fmt=args.fmt, workers=workers,
                                     overwrite=args.overwrite, progress=bar)
    finally:
        bar.finish()
    print(f"{scenario.name} (scale {args.scale:g}) -> {done.dataset}, without its answer key")
    for name, rows in done.rows.items():
        print(f"  {name:<14}{rows:>12,}")
    summary = done.key_manifest["summary"]
    print(f"answer key -> {done.key}: {summary['campaigns']} campaign(s), "
          f"{summary['brushing_orders']:,} brushing orders (keep it from the students)")
    print(f"  {done.seconds:.1f}s")
    return 0
