"""The serve command: the API and dashboard under gunicorn, said to be served once they are."""

from __future__ import annotations

import os

from tracker.config import database_url


def cmd_serve(args) -> int:
    """Serve the API and dashboard (embedded: projections kept up to date in-process)."""
    from api.server import secret_key, serve

    # One signing key for every worker (and, beside a SQLite store, every restart), so a
    # dashboard session survives whichever worker answers.
    os.environ["SECRET_KEY"] = secret_key(database_url())
    serve(args.bind, args.workers, args.threads, when_serving=_say_serving)
    return 0


def _say_serving(address: str) -> None:
    # Said by the first worker once its app is loaded and it is about to accept: a script (or a
    # person) that waits for this line finds the port answering, not refusing or still loading.
    print(f"serving on {address} (API docs at /api/docs)", flush=True)
