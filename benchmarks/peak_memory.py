"""Peak memory of a process tree and of the embedded Postgres server, sampled from a separate process.

The sampler runs apart from the benchmark so its reads of /proc (every process, every interval) do not take
the benchmarked interpreter's GIL: sampled in a thread, they cost that interpreter ~5% of its samples.

Two figures per side, each the peak of the side's sum over its processes:
- RSS, summed: counts every page a process maps, so the server's shared buffers and shared libraries count
  once per backend (how the figure was printed before PSS);
- PSS (proportional set size, /proc/PID/smaps_rollup): each shared page split between the processes that map
  it, so the sum is what the processes hold together. The target is judged on it. Sampled every 2 s (RSS every
  0.5 s): reading it walks every process's page tables.

    python benchmarks/peak_memory.py PID [DATA_DIR] [--interval 0.5]
prints ``rss_own pss_own rss_server pss_server`` (MB) when its standard input closes.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterable

import psutil

PSS_EVERY = 4  # PSS on every 4th sample (2 s at the default interval): reading it costs the box a core's 15-20%


def _sums(processes: Iterable[psutil.Process], pss: bool) -> tuple[float, float]:
    """RSS and (when ``pss``) PSS summed over ``processes``, in MB. PSS walks each process's page tables
    (smaps_rollup): ~5-10 ms a process, so it is read every ``PSS_EVERY`` samples, RSS every sample."""
    total_rss = total_pss = 0
    for process in processes:
        try:
            if pss:
                info = process.memory_full_info()
                total_rss, total_pss = total_rss + info.rss, total_pss + info.pss
            else:
                total_rss += process.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            continue
    return total_rss / 2**20, total_pss / 2**20


def server_process(data_dir: str | None) -> psutil.Process | None:
    """The embedded server's postmaster: its command line names the data directory."""
    if not data_dir:
        return None
    return next((p for p in psutil.process_iter(["name", "cmdline"])
                 if (p.info["name"] or "").startswith("postgres") and data_dir in " ".join(p.info["cmdline"] or [])),
                None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pid", type=int)
    parser.add_argument("data_dir", nargs="?")
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    me, watched, server = psutil.Process(), psutil.Process(args.pid), server_process(args.data_dir)
    peaks = [0.0, 0.0, 0.0, 0.0]
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    sample = 0
    while not done.is_set():
        pss = sample % PSS_EVERY == 0
        try:
            own = _sums((p for p in [watched, *watched.children(recursive=True)] if p.pid != me.pid), pss)
            theirs = _sums([server, *server.children(recursive=True)], pss) if server else (0.0, 0.0)
        except psutil.Error:  # the watched process or the server ended
            break
        peaks = [max(a, b) for a, b in zip(peaks, (*own, *theirs))]
        sample += 1
        done.wait(args.interval)
    print(" ".join(f"{v:.1f}" for v in peaks), flush=True)


if __name__ == "__main__":
    main()
