"""CPU per request in one process, through Flask's test client on the worked example (memory
store): what the API's own code costs, apart from the network, the database and other load.

    python -m bench.api_cpu 2>/dev/null     # the request log goes to stderr

Process CPU time, not wall time: on a shared machine it moves less with what else is running.
Compare two checkouts by running each, alternately, a few times, and take medians.
"""

from __future__ import annotations

import json
import statistics
import time

from tests.api.conftest import make_world

ROUNDS, CALLS = 7, 100


def cpu_rounds(call, rounds: int = ROUNDS, calls: int = CALLS) -> list[float]:
    """The CPU milliseconds per call in each of `rounds` rounds of `calls`, after a warm-up of 20
    calls (`call` may raise to stop a run whose answers are wrong)."""
    for _ in range(20):
        call()
    samples = []
    for _ in range(rounds):
        began = time.process_time()
        for _ in range(calls):
            call()
        samples.append(1000 * (time.process_time() - began) / calls)
    return samples


def per_request_ms(call) -> float:
    """Median over `ROUNDS` of the CPU milliseconds per call, after a warm-up."""
    return round(statistics.median(cpu_rounds(call)), 3)


def main() -> None:
    world = make_world()
    client = world.client

    def get(path: str, who: str | None = None):
        headers = {"Authorization": f"Bearer {world.tokens[who]}"} if who else {}
        return lambda: client.get(path, headers=headers)

    calls = {
        "hub_metrics": get("/api/v1/hubs/DEMO/metrics", "hub"),
        "school_status": get("/api/v1/schools/900001/status", "school"),
        "pupil_status": get("/api/v1/pupils/V885400112003", "school"),
        "school_pupils": get("/api/v1/schools/900001/pupils", "school"),
        "healthz": get("/healthz"),
    }
    for name, call in calls.items():
        status = call().status_code
        if status != 200:
            raise SystemExit(f"{name}: {status}")
    print(json.dumps({name: per_request_ms(call) for name, call in calls.items()}))


if __name__ == "__main__":
    main()
