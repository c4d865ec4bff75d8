"""What the benchmarks ran on, printed at the top of every run."""

from __future__ import annotations

import os
import platform
import statistics
from importlib.metadata import version


def describe(postgres_url: str | None = None) -> str:
    lines = [
        f"cpu: {_cpu()} x {os.cpu_count()}",
        f"memory: {_memory_gib():.1f} GiB",
        f"python: {platform.python_version()}",
        "libraries: "
        + ", ".join(f"{p} {version(p)}" for p in ("eventsourcing", "psycopg", "flask")),
    ]
    if postgres_url:
        lines.append(f"postgresql: {_postgres_version(postgres_url)}")
    return "\n".join(lines)


def median(values: list[float]) -> float:
    return statistics.median(values)


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def _postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def cpu_seconds_by_process(reaped: bool = False) -> dict[int, tuple[int, str, float]]:
    """Every process's parent, command line and CPU seconds so far (user + system), from /proc;
    with `reaped`, also that of its children that have exited (a PostgreSQL server's backends)."""
    tick, found = os.sysconf("SC_CLK_TCK"), {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with (
                open(f"/proc/{entry}/stat") as stat,
                open(f"/proc/{entry}/cmdline", "rb") as cmdline,
            ):
                fields = stat.read().rsplit(")", 1)[1].split()
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone while we looked
            continue
        ticks = sum(int(field) for field in fields[11 : 15 if reaped else 13])
        found[int(entry)] = (int(fields[1]), command, ticks / tick)
    return found


def postgres_cpu_seconds() -> float:
    """CPU used so far by every PostgreSQL process on this machine (so: an otherwise idle server),
    counting backends that have exited, through the server process that reaped them."""
    return sum(
        seconds
        for _, command, seconds in cpu_seconds_by_process(reaped=True).values()
        if command.startswith("postgres") or command.startswith("/usr/lib/postgresql")
    )


def server_settings(
    url: str,
    names: tuple[str, ...] = (
        "shared_buffers",
        "max_wal_size",
        "checkpoint_timeout",
        "autovacuum",
        "jit",
    ),
) -> dict[str, str]:
    """The PostgreSQL settings a large bench's figures depend on, to print beside them."""
    import psycopg

    with psycopg.connect(url) as connection:
        return {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in names}
