"""How every use case runs: caller metadata, idempotency keys, retries on concurrent change."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import random
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable

from eventsourcing.domain import Aggregate

from tracker.domain.base import Caller, acting_as

MAX_ATTEMPTS = 40  # commutative commands only; others report the first conflict


# Commands that write a school's roll are decided and stored one at a time in each process, per
# school: eight threads enrolling at one school conflicted on its roll 2.9 times an enrolment, each
# conflict a fresh read of the roll and a new decision (6x the CPU of one thread's enrolment,
# docs/performance.md). Writers in other processes still conflict, and are decided again. The
# locks are striped (a school's is one of 64), so their number is fixed; re-entrant, so a command
# run inside another's stays safe.
_SCHOOL_LOCKS = tuple(threading.RLock() for _ in range(64))


def one_at_a_time(school: str | None) -> AbstractContextManager:
    """This process's lock for commands writing `school`'s roll (none for None)."""
    if school is None:
        return nullcontext()
    return _SCHOOL_LOCKS[hash(str(school)) % len(_SCHOOL_LOCKS)]


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


def use_case(*, commutative: bool, writes_roll: bool = False) -> Callable:
    """Make a method returning `Changes` into a use case returning `Written`.

    The wrapped method gains three keyword arguments, `caller`, `idempotency_key` and `dry_run`
    (decide, refusing as the command would, but store nothing: an import's preview).
    A commutative command (adding attendees, enrolling a pupil) is decided again on a
    fresh read when another writer got in first; any other reports the conflict. A command that
    `writes_roll` (of the school its `urn` argument names) runs one at a time with the others
    writing that school's roll in this process (`one_at_a_time`).
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
            school = (
                signature.bind(app, *args, **kwargs).arguments.get("urn") if writes_roll else None
            )
            return app.execute(
                lambda: decide(app, *args, **kwargs),
                school=school,
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
