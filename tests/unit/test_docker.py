"""The container files name only paths and commands the project has."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_path_the_dockerfile_copies_exists():
    copied = re.findall(r"^COPY (.+) \S+$", (ROOT / "docker/Dockerfile").read_text(), re.M)
    paths = [p for line in copied for p in line.split()]
    assert paths and all((ROOT / path).exists() for path in paths), paths


def test_every_command_the_containers_run_is_the_projects_own():
    compose = (ROOT / "docker/compose.yaml").read_text()
    commands = re.findall(r'command: \["([^"]+)", "([^"]+)"', compose)
    assert ("gunicorn", "-c") in commands and ("tracker", "project") in commands
    assert (ROOT / "gunicorn.conf.py").exists() and "wsgi_app" in (
        ROOT / "gunicorn.conf.py"
    ).read_text()
    entry = (ROOT / "setup.cfg").read_text()
    assert "tracker = cli:main" in entry
    assert "dockerfile: docker/Dockerfile" in compose and (ROOT / ".dockerignore").exists()


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="no docker compose CLI here")
def test_the_compose_file_validates_where_the_docker_cli_is_present():
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker/compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
