"""Open-loop load: requests sent on a schedule whatever the answers do, each request's latency
measured from the time it was scheduled (so a slow server is charged for the queue it causes, which
a closed loop of clients waiting on their answers hides); and a rate stepped up until it is not
held.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from bench.queries import percentiles

SENDERS = 64  # far more than the server answers at once: a late answer never delays a send


def open_loop(rate: float, seconds: float, call: Callable[[int], int]) -> dict:
    """`call(n)` (returning an HTTP status) sent `rate` times a second for `seconds`."""
    count, latencies, statuses, lock = int(rate * seconds), [], {}, threading.Lock()
    finished: list[float] = []

    def send(n: int, scheduled: float) -> None:
        status = call(n)
        done = time.perf_counter()
        with lock:
            latencies.append(done - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
            finished.append(done)

    start = time.perf_counter() + 0.05
    with ThreadPoolExecutor(SENDERS, thread_name_prefix="open-loop") as senders:
        for n in range(count):
            scheduled = start + n / rate
            if (delay := scheduled - time.perf_counter()) > 0:
                time.sleep(delay)
            senders.submit(send, n, scheduled)
    return {
        "offered_per_s": rate,
        "answered_per_s": round(count / (max(finished) - start), 1),
        **percentiles(latencies),
        "statuses": statuses,
    }


def highest_rate_held(
    rates: list[float],
    seconds: float,
    call: Callable[[int], int],
    p99_ms: float,
    between: Callable[[], None] = lambda: None,
) -> dict:
    """Each rate in turn (`between` runs before each) until one's p99 goes over `p99_ms` or any
    answer is not a success; the highest held, and every step."""
    steps, held, sent = [], None, 0
    for rate in rates:
        between()
        step = open_loop(rate, seconds, lambda n, offset=sent: call(offset + n))
        sent += int(rate * seconds)
        steps.append(step)
        ok = all(200 <= status < 300 for status in step["statuses"])
        if step["p99_ms"] > p99_ms or not ok:
            break
        held = rate
    return {"highest_rate_held": held, "p99_limit_ms": p99_ms, "steps": steps}
