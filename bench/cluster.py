"""The tracker as it runs in production, for load and fault runs: gunicorn (several workers) and a
`tracker project` worker on one PostgreSQL database, with the faults we inject into them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, seconds: float = 20) -> bool:
    """Whether the server at `base` answered `/healthz` within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return True
        except OSError:
            time.sleep(0.1)
    return False


class Cluster:
    """gunicorn and a projection worker; the worker is restarted when it dies, as a supervisor
    would."""

    def __init__(
        self, database_url: str, web_workers: int = 2, threads: int = 4, poll_seconds: float = 0.5
    ):
        self.database_url = database_url
        self.bind = f"127.0.0.1:{free_port()}"
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BIND": self.bind,
            "WEB_CONCURRENCY": str(web_workers),
            "THREADS": str(threads),
            "PROJECTIONS": "worker",
            "TIMEOUT": "30",
            "SECRET_KEY": os.urandom(32).hex(),
        }
        self.poll_seconds = poll_seconds
        self.logs = Path(tempfile.mkdtemp(prefix="tracker-cluster-"))
        self.gunicorn: subprocess.Popen | None = None
        self.projector: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{self.bind}"

    def start(self) -> "Cluster":
        self.gunicorn = self._spawn("gunicorn", [BIN / "gunicorn", "-c", "gunicorn.conf.py"])
        self.start_projector()
        self._wait_until_up()
        return self

    def start_projector(self) -> None:
        self.projector = self._spawn(
            "projector", [BIN / "tracker", "project", "--poll", str(self.poll_seconds)]
        )

    def stop(self) -> None:
        for process in (self.gunicorn, self.projector):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- faults ------------------------------------------------------------------------

    def web_worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's children, read from /proc."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.gunicorn.pid:
                    children.append(int(entry.name))
        return children

    def kill_web_worker(self) -> int:
        """SIGKILL one gunicorn worker mid-request; the master starts another."""
        victim = self.web_worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_projector(self, restart_after: float = 1.0) -> None:
        """SIGKILL the projection worker mid-page, then start it again (compose's `restart:` does
        this)."""
        self.projector.send_signal(signal.SIGKILL)
        self.projector.wait()
        time.sleep(restart_after)
        self.start_projector()

    @contextmanager
    def database_away(self) -> Iterator[None]:
        """What a PostgreSQL restart looks like to us, for our database only: every connection is
        dropped and new ones are refused until the block ends. Other databases on the server go
        on."""
        import psycopg

        name = urlsplit(self.database_url).path.lstrip("/")
        with psycopg.connect(_admin_url(self.database_url), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            try:
                yield
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    @staticmethod
    def restart_postgres() -> float:
        """A real restart of the local PostgreSQL server (Debian's cluster tools); seconds it
        took."""
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        began = time.perf_counter()
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                version,
                "main",
                "restart",
                "-m",
                "fast",
            ],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - began

    # --- plumbing ----------------------------------------------------------------------

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            for path in sorted(self.logs.glob("*.log"))
        )

    def _spawn(self, name: str, command: list) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        return subprocess.Popen(
            command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
        )

    def _wait_until_up(self) -> None:
        if not wait_until_up(self.base, 30):
            raise RuntimeError(f"gunicorn did not start\n{self.log_tail()}")


def _admin_url(database_url: str) -> str:
    return database_url.rsplit("/", 1)[0] + "/postgres"
