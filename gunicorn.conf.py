"""gunicorn settings: the app is built in each worker after the fork (no preload), so no connection
is shared."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("THREADS", "4"))
worker_class = (
    "api.server.Worker"  # gthread, answering what it cannot parse in the API's JSON error body
)
timeout = int(os.environ.get("TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
preload_app = False
accesslog = None  # the app logs one JSON line per request instead
errorlog = "-"
wsgi_app = "wsgi:app"


def on_starting(server):
    # Each worker would otherwise sign sessions with a key of its own: refuse before forking any.
    from api.config import require_secret_key

    require_secret_key(os.environ)
