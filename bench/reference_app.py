"""The API with one more route, for `bench.http` only: the physical reference for recording an
activity. It stores the request's body as one row shaped as the event log's (an id, a version, a
topic, the state's bytes, a numbered position) with one INSERT through a psycopg pool, and answers
201: no token read, no validation, no domain, no lock on the log. What a record costs beyond this is
ours.

    gunicorn -c gunicorn.conf.py bench.reference_app:app
"""

from __future__ import annotations

import os
import threading
import uuid

from flask import request

from api import create_app
from bench.http_writes import REFERENCE, REFERENCE_INSERT

app = create_app()
_pool = None
_made = threading.Lock()


def pool():
    """Made on first use, in the worker: nothing connects at import time."""
    global _pool
    with _made:
        if _pool is None:
            from psycopg_pool import ConnectionPool

            _pool = ConnectionPool(os.environ["DATABASE_URL"], min_size=1, max_size=4, open=True)
    return _pool


@app.post(REFERENCE)
def reference_record():
    """Store the body as one event-shaped row; answer its id and position."""
    body = request.get_data()
    identifier = uuid.uuid4()
    with pool().connection() as connection:
        position = connection.execute(REFERENCE_INSERT, (identifier, body)).fetchone()[0]
    return {"id": str(identifier), "position": position}, 201
