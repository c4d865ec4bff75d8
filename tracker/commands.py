"""How every use case runs: caller metadata, idempotency keys, retries on concurrent change."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from eventsourcing.domain import Aggregate

from tracker.domain.base import Caller, acting_as

MAX_ATTEMPTS = 40  # commutative commands only; others report the first conflict


def back_off(attempt: int) -> None:
    """A short random pause, growing with each attempt, so racing writers fall out of step."""
    time.sleep(random.uniform(0, 0.001 * attempt))


@dataclass(frozen=True)
class Written:
    """What a write returns: the id it made or touched, and the log position of its last event."""

    id: str | None
    position: int


@dataclass
class Changes:
    """What a use case decided: the aggregates to save together, and the id to return."""

    aggregates: list[Aggregate] = field(default_factory=list)
    id: str | None = None


def fingerprint(name: str, arguments: dict[str, Any]) -> str:
    """A digest of one command, so a reused idempotency key can be told apart."""
    canonical = json.dumps([name, arguments], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def keyed_fingerprint(
    name: str, signature: inspect.Signature, app: Any, args: tuple, kwargs: dict[str, Any]
) -> str:
    bound = signature.bind(app, *args, **kwargs)
    return fingerprint(name, {k: v for k, v in bound.arguments.items() if k != "self"})


def use_case(*, commutative: bool) -> Callable:
    """Make a method returning `Changes` into a use case returning `Written`.

    The wrapped method gains three keyword arguments, `caller`, `idempotency_key` and `dry_run`
    (decide, refusing as the command would, but store nothing: an import's preview).
    A commutative command (adding attendees, enrolling a pupil) is decided again on a
    fresh read when another writer got in first; any other reports the conflict.
    """

    def decorate(decide: Callable[..., Changes]) -> Callable[..., Written]:
        signature = inspect.signature(decide)

        @functools.wraps(decide)
        def run(
            app,
            *args: Any,
            caller=None,
            idempotency_key: str | None = None,
            dry_run: bool = False,
            **kwargs: Any,
        ):
            if dry_run:
                with acting_as(caller or Caller()):
                    return Written(decide(app, *args, **kwargs).id, 0)
            return app.execute(
                lambda: decide(app, *args, **kwargs),
                caller=caller,
                idempotency_key=idempotency_key,
                # Read only beside a key: binding and hashing the arguments was a twentieth of an
                # unkeyed record's CPU (bench/record_cpu.py).
                fingerprint=keyed_fingerprint(decide.__name__, signature, app, args, kwargs)
                if idempotency_key
                else "",
                commutative=commutative,
            )

        return run

    return decorate
