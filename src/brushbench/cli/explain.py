"""``brushbench explain DATASET --order ID``: why an order is, or is not, brushing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .errors import UserError, user_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="why an order is or is not brushing: its traces in the log",
        description="Show one order's traces (parcel weight, accounts sharing its device, "
                    "address and payment account, account age, orders around it, refund, "
                    "review, timing) against the marketplace's usual values. With the answer "
                    "key (a labelled dataset, or --key for a withheld one) also what it is: "
                    "its pattern and campaign, or its kind of legitimate traffic.")
    p.add_argument("dataset", metavar="DATASET", help="dataset folder")
    p.add_argument("--order", required=True, type=int, metavar="ID", help="the order id")
    p.add_argument("--key", metavar="KEYDIR",
                   help="the answer key of a withheld dataset: a key folder or a lab (the "
                        "student is found from the dataset)")
    p.add_argument("--student", metavar="ID", help="with a lab's --key: the student's id")
    p.add_argument("--all", dest="show_all", action="store_true",
                   help="print the usual traces in full too")
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError, load
    from ..dataset.manifest import MANIFEST_NAME, sha256_file
    from ..teaching.explain import explain_order
    from ..teaching.keys import AnswerKeyError, load_key, load_with_key
    from ..teaching.lab import LabError, resolve_key
    from ..teaching.render import render_explanation

    with user_errors(DatasetError, AnswerKeyError, LabError):
        data = load(args.dataset)
        if args.key is not None:
            if data.has_answer_key:
                raise UserError(f"{args.dataset}: carries its own answer key; --key is for a "
                                "dataset written without it (--withhold-labels, lab new)")
            digest = sha256_file(Path(args.dataset) / MANIFEST_NAME)
            folder = resolve_key(args.key, student=args.student,
                                 dataset_manifest_sha256=digest)
            data = load_with_key(args.dataset, load_key(folder), verify=False)
    try:
        explanation = explain_order(data, args.order)
    except KeyError as exc:
        raise UserError(f"{args.dataset}: {exc.args[0]}") from None
    if args.json:
        print(json.dumps(explanation, indent=2, ensure_ascii=False))
    else:
        print(render_explanation(explanation, show_usual=args.show_all))
    return 0
