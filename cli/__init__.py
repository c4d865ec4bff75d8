"""The `tracker` command: one entry point for running, projecting, checking and administering.

It stands above every room: it opens the write side (tracker/), the views (projections/) and the
server (api/). Its commands live by responsibility: cli/store.py (the event store and the views),
cli/tokens.py, cli/schools.py (rolls, years, erasure), cli/exports.py, cli/employers.py,
cli/serve.py (serving), cli/demo.py (the demo and how to sign in to it); cli/progress.py shows a
long command's progress; cli/parser.py reads the command line.
"""

from __future__ import annotations

import sys

from cli.parser import parser
from tracker.errors import TrackerError


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "la", "unset") is None:
        args.la = ["885"]
    if getattr(args, "outside", "unset") is None:
        args.outside = ["884"]  # Herefordshire, Worcestershire's neighbour
    try:
        return args.handler(args)
    except TrackerError as refused:
        print(f"error: {refused.message}", file=sys.stderr)
        return 2
