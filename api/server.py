"""`tracker serve`: gunicorn inside the process, the same app factory the container runs."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    """gunicorn with settings given in code; the Flask app is still built in each worker."""

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        from api import create_app

        return create_app()


def serve(bind: str = "127.0.0.1:8000", workers: int = 1, threads: int = 4) -> None:
    Server({"bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
            "timeout": 60, "preload_app": False, "accesslog": None}).run()
