"""`rendez serve` under yappi (every thread, CPU time), for bench/embedded.py --profile: not a dependency of
Rendez; point PYTHONPATH at a directory where yappi is installed (`pip install --target DIR yappi`).

    python bench/_profiled_serve.py OUT.pstat serve --host ... --port ...

On SIGTERM the server stops as usual, then the profile is written as pstats (every thread merged) and the
functions with the most CPU are printed, by thread name, to OUT.txt.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import yappi


def main() -> None:
    out, args = sys.argv[1], sys.argv[2:]
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)
    from rendez.cli import main as rendez_main

    try:
        rendez_main(["rendez", *args])
    finally:
        yappi.stop()
        write(out)


def write(out: str) -> None:
    threads = yappi.get_thread_stats()
    by_kind: dict[str, float] = defaultdict(float)
    for thread in threads:
        # werkzeug names request threads "Thread-N (process_request_thread)"
        kind = "request" if "process_request" in thread.name else thread.name
        by_kind[kind] += thread.ttot
    stats = yappi.get_func_stats()
    stats.save(out, type="pstat")
    with open(out + ".txt", "w") as text:
        for kind, seconds in sorted(by_kind.items(), key=lambda item: -item[1]):
            print(f"{seconds:9.2f} s  {kind}", file=text)
        print(file=text)
        import pstats

        pstats.Stats(out, stream=text).sort_stats("cumulative").print_stats(80)
        pstats.Stats(out, stream=text).sort_stats("tottime").print_stats(60)


if __name__ == "__main__":
    main()
