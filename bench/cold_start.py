"""Cold start to first paint: spawn `orderdesk` in a pseudo-terminal, time until the order list
is drawn. Prints each run and the median (default 5 runs).

    python bench/cold_start.py                 # on a demo store made once in a temp dir
    python bench/cold_start.py --db PATH_OR_URL --runs 9

Run on a quiet machine; the figure includes the interpreter, imports and the first query.
"""

import argparse
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Text that only appears once the order list has painted its rows' count.
MARKER = b"orders"


def one_run(db: str, env: dict[str, str], timeout: float = 30.0) -> float:
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "orderdesk_tui.cli", "--db", db],  # as this OS login
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if MARKER in seen and b"Find" in seen:
                return time.perf_counter() - started
        raise TimeoutError(f"no first paint within {timeout} s; output tail: {seen[-300:]!r}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="store to open (default: a demo store in a temp dir)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="orderdesk-bench-"))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160", LINES="45")
    env.setdefault("ORDERDESK_CONFIG_DIR", str(work / "config"))
    env.setdefault("ORDERDESK_DATA_DIR", str(work / "data"))
    db = args.db
    if db is None:
        db = str(work / "demo.sqlite3")
        subprocess.run(
            [sys.executable, "-m", "orderdesk_tui.cli", "--db", db, "seed", "--demo"],
            env=env,
            check=True,
            capture_output=True,
        )
    one_run(db, env)  # warm the OS file cache; not counted
    times = []
    for n in range(1, args.runs + 1):
        seconds = one_run(db, env)
        times.append(seconds)
        print(f"run {n}: {seconds * 1000:.0f} ms")
    print(
        f"cold start to first paint, median of {args.runs}: "
        f"{statistics.median(times) * 1000:.0f} ms (store: {db})"
    )


if __name__ == "__main__":
    main()
