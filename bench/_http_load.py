"""A light HTTP load for the benchmarks: keep-alive `http.client` connections in a few forked processes.

Each client is a thread with one connection, sending its list of prepared requests (bodies encoded before the
fork) one after the other; the clients are spread over `processes` processes so the load is not held to one
GIL. All start together; the result has the wall time, every latency, the failures and the CPU time the
client processes spent (user + system, from os.times), so its cost per request can be printed beside the
server's.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import threading
import time as clock
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    expect: int = 200


@dataclass
class Load:
    elapsed: float
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0

    @property
    def client_cpu_ms_per_request(self) -> float:
        return round(self.client_cpu_s * 1000 / max(len(self.latencies), 1), 3)


def run(port: int, headers: dict[str, str], work: list[list[Request]], processes: int = 4) -> Load:
    """Send each client's requests (`work[i]` for client i) from `processes` forked processes."""
    processes = max(1, min(processes, len(work)))
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    groups = [work[i::processes] for i in range(processes)]
    children = [
        context.Process(target=_child, args=(port, headers, group, barrier, results)) for group in groups
    ]
    for child in children:
        child.start()
    barrier.wait()
    began = clock.perf_counter()
    load = Load(0.0)
    for _ in children:
        latencies, failures, cpu = results.get()
        load.latencies.extend(latencies)
        load.failures.extend(failures)
        load.client_cpu_s += cpu
    load.elapsed = clock.perf_counter() - began
    for child in children:
        child.join()
    return load


def _child(port, headers, group, barrier, results) -> None:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(requests: list[Request]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        for request in requests:
            sent = {**headers, "Content-Type": "application/json"} if request.body else headers
            began = clock.perf_counter()
            connection.request(request.method, request.path, body=request.body or None, headers=sent)
            response = connection.getresponse()
            data = response.read()
            mine.append(clock.perf_counter() - began)
            if response.status != request.expect:
                with lock:
                    failures.append(f"{response.status} {data[:200]!r}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(requests,)) for requests in group]
    barrier.wait()
    cpu_before = _cpu()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, failures, _cpu() - cpu_before))
    results.close()
    results.join_thread()
    # No interpreter shutdown: the parent's database connections, inherited by the fork, stay untouched.
    os._exit(0)


def _cpu() -> float:
    times = os.times()
    return times.user + times.system
