"""A CPU hog at a fixed duty cycle: "other work takes 15 % of the machine", measured rather than hoped for.

``Hog(share=0.15).start()`` starts one process per core; each spends ``share`` of every 100 ms period
burning CPU and sleeps the rest. The burn is counted in the process's own CPU time (not wall time), so a hog
that the scheduler preempts keeps burning until it has had its share of the period (or the period is over):
on N cores, N × share of the machine, as long as the scheduler gives it that. ``stop()`` returns what it
measured: the CPU the hog processes actually used over the wall time, as a share of the whole machine
(``measured_share``; psutil, as the other probes). Run alone for a look:
``python -m bench.load.hog --share 0.15 --seconds 10`` prints that JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time

from . import probes

PERIOD_S = 0.1


def burn(share: float, stop, ready) -> None:
    """One hog process: busy ``share`` of every ``PERIOD_S`` (its own CPU time), asleep the rest, until ``stop``.

    Sets ``ready`` first, so that the interpreter's start is not counted as the hog's work."""
    ready.set()
    budget = share * PERIOD_S
    period_start = time.monotonic()
    while not stop.is_set():
        cpu_start = time.thread_time()
        period_end = period_start + PERIOD_S
        while time.thread_time() - cpu_start < budget and time.monotonic() < period_end:
            pass
        period_start = period_end
        time.sleep(max(0.0, period_start - time.monotonic()))
        if time.monotonic() > period_start + PERIOD_S:  # fell behind by a whole period (a paused VM): resync
            period_start = time.monotonic()


class Hog:
    """Hog processes taking ``share`` (0-1) of the whole machine: ``processes`` of them (default: one per core),
    each at a duty cycle of ``share × cores / processes`` of every 100 ms (so it must stay under 1)."""

    def __init__(self, *, share: float, processes: int | None = None):
        if not 0 < share < 1:
            raise ValueError("share must be between 0 and 1")
        self.share = share
        self.cpus = os.cpu_count() or 1
        self.count = processes or self.cpus
        self.duty = share * self.cpus / self.count
        if self.duty >= 1:
            raise ValueError(f"{self.count} processes cannot take {share:.0%} of {self.cpus} cores")
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._ready = [context.Event() for _ in range(self.count)]
        self._processes = [
            context.Process(target=burn, args=(self.duty, self._stop, ready), daemon=True) for ready in self._ready
        ]
        self._started = self._cpu_started = 0.0

    def _cpu(self) -> float:
        return sum(probes.process_cpu_seconds(p.pid) for p in self._processes)

    def start(self) -> Hog:
        for process in self._processes:
            process.start()
        for ready in self._ready:
            ready.wait(timeout=30)
        self._started, self._cpu_started = time.monotonic(), self._cpu()
        return self

    def stop(self) -> dict:
        """Stop the hog processes; the requested and measured share of the machine (0-1) and the wall time."""
        wall = time.monotonic() - self._started
        cpu = self._cpu() - self._cpu_started
        self._stop.set()
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        return {
            "requested_share": self.share,
            "processes": self.count,
            "duty_cycle_per_process": round(self.duty, 3),
            "cpus": self.cpus,
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 2),
            "measured_share": round(cpu / (wall * self.cpus), 3) if wall else None,
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--share", type=float, default=0.15, help="share of the whole machine, 0-1")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=None, help="default: one per core")
    args = parser.parse_args(argv)
    hog = Hog(share=args.share, processes=args.processes).start()
    time.sleep(args.seconds)
    print(json.dumps(hog.stop(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
