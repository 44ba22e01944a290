"""The idle-memory phase: what ``N`` open, silent sockets cost one server process, and whether it is given back.

Issue 17's target: per 1,000 idle candidate sockets, the chat's daphne process grows by at most 1.2 × what a
bare echo consumer's does, and the memory comes back after the sockets close (or the report says why not).

For one server process (the first of a ``ServerSet``): a warm-up round first (``warmup`` sockets opened,
held a moment and closed, so that one-time costs, the executor's threads, their database connections, lazy
imports, are not charged to the sockets), then RSS before; ``N`` sockets opened by the client processes
(each ``target`` one socket: a chat's hello read, or one echo round trip done), held ``hold`` seconds and
until the server is quiet, RSS, ``settle`` more seconds, RSS again; every socket closed, ``after_close``
seconds and until the server is quiet again (its disconnect work done), RSS after close.

With ``probe`` (the server started with ``PROBE_PREAMBLE``) the server also reports, at each reading, its
Python heap (``sys.getallocatedblocks``, objects gc tracks, by type), and at the end it runs ``gc.collect()``
and glibc's ``malloc_trim(0)`` and RSS and the heap are read once more: objects still there were referenced
(a leak if they grow per socket); memory RSS still holds then was freed but kept by the allocators.

The client side (``client_main``) needs no Django, like ``bench.load.client``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from collections import Counter

import psutil

from . import probes
from .client import RECV_TIMEOUT, raise_nofile
from .servers import LOG_DIR

HANDSHAKES_IN_FLIGHT = 32  # per client process: a thousand handshakes at once would queue past daphne's timeout
MB = 1024 * 1024

# Run in the daphne process before daphne (``ServerSet(preamble=...)``): SIGUSR1 writes the Python heap's
# figures to var/bench/probe-<pid>.json, SIGUSR2 runs gc.collect() and glibc's malloc_trim(0). Bench only.
PROBE_PREAMBLE = """
import signal as _s
def _probe_dump(signum, frame):
    import collections, gc, json, os, sys
    counts = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
    data = {"blocks": sys.getallocatedblocks(), "gc_objects": sum(counts.values()), "types": dict(counts)}
    path = os.path.join("var", "bench", f"probe-{os.getpid()}.json")
    with open(path + ".tmp", "w") as out:
        json.dump(data, out)
    os.replace(path + ".tmp", path)
def _probe_trim(signum, frame):
    import ctypes, gc
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
_s.signal(_s.SIGUSR1, _probe_dump)
_s.signal(_s.SIGUSR2, _probe_trim)
"""


def chat_targets(chats: list[dict], port: int) -> list[dict]:
    """One candidate socket per seeded chat (``{"token"}``, ``bench.load.seeding.seed``) to ``port``."""
    return [{"kind": "chat", "port": port, "path": f"/ws/chat/{chat['token']}/"} for chat in chats]


def echo_targets(count: int, port: int) -> list[dict]:
    return [{"kind": "echo", "port": port, "path": "/ws/echo/"}] * count


# The client processes --------------------------------------------------------------------------------------


async def _open(target: dict, gate: asyncio.Semaphore, errors: list[str], connect_ms: list[float]):
    """One socket open and past its first frames (the chat's hello, or one echo round trip); None on failure."""
    from websockets.asyncio.client import connect

    port = target["port"]
    async with gate:
        started = time.time()
        try:
            ws = await connect(
                f"ws://127.0.0.1:{port}{target['path']}", origin=f"http://127.0.0.1:{port}", compression=None,
                ping_interval=None, open_timeout=RECV_TIMEOUT, max_queue=16,
            )  # fmt: skip
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return None
        try:
            async with asyncio.timeout(RECV_TIMEOUT):
                if target["kind"] == "echo":
                    await ws.send('{"v": 1, "type": "ping", "id": "idle"}')
                    await ws.recv()
                else:
                    hello = json.loads(await ws.recv())
                    if hello.get("type") != "hello":
                        raise ValueError(f"first frame {hello.get('type')}")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
            await ws.close()
            return None
        connect_ms.append((time.time() - started) * 1000)
        return ws


async def _hold(targets: list[dict], conn) -> dict:
    loop = asyncio.get_running_loop()
    errors: list[str] = []
    connect_ms: list[float] = []
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    sockets = [ws for ws in await asyncio.gather(*(_open(t, gate, errors, connect_ms) for t in targets)) if ws]
    conn.send({"opened": len(sockets)})
    await loop.run_in_executor(None, conn.recv)  # the parent's "close", once it has read the RSS
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"opened": len(sockets), "errors": errors, "connect_ms": connect_ms}


def client_main(targets: list[dict], conn) -> None:
    """A load-generator process: open ``targets``, say how many opened, wait for "close", close, report."""
    raise_nofile()
    conn.send(asyncio.run(_hold(targets, conn)))
    conn.close()


# The parent ------------------------------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    return round(probes.rss([pid]).get(pid, 0) / MB, 1)


def _server_nofile(pid: int, needed: int) -> int:
    """The server's open-files soft limit, raised (prlimit) towards its hard limit when under ``needed``."""
    process = psutil.Process(pid)
    soft, hard = process.rlimit(psutil.RLIMIT_NOFILE)
    if soft != psutil.RLIM_INFINITY and soft < needed:
        process.rlimit(psutil.RLIMIT_NOFILE, (needed if hard == psutil.RLIM_INFINITY else min(needed, hard), hard))
    return process.rlimit(psutil.RLIMIT_NOFILE)[0]


def _wait_quiet(pid: int, *, at_least: float, limit: float = 60.0, busy_share: float = 0.03) -> float:
    """Sleep ``at_least`` seconds, then until the server uses under ``busy_share`` of a core for a second
    (it has done the work the sockets left it: the chat's disconnects write to the database, slowly when a
    thousand arrive at once); at most ``limit`` seconds. Returns the seconds waited."""
    started = time.time()
    time.sleep(at_least)
    while time.time() - started < limit:
        before = probes.process_cpu_seconds(pid)
        time.sleep(1.0)
        if probes.process_cpu_seconds(pid) - before < busy_share:
            break
    return round(time.time() - started, 1)


def _probe(pid: int) -> dict | None:
    """The server's Python heap figures (``PROBE_PREAMBLE``), asked by SIGUSR1; None if it did not answer."""
    path = LOG_DIR / f"probe-{pid}.json"
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.time() + 10
    while time.time() < deadline:
        if path.exists():
            data = json.loads(path.read_text())
            path.unlink()
            return data
        time.sleep(0.05)
    return None


def _round(pid: int, targets: list[dict], *, clients: int, hold: float, settle: float, after_close: float,
           probe: bool) -> dict:  # fmt: skip
    """Open ``targets`` from ``clients`` processes, read the server's RSS open and after close (MB)."""
    heap = {"before": _probe(pid)} if probe else {}
    out = {"rss_before_mb": _rss_mb(pid)}
    context = multiprocessing.get_context("spawn")
    running = []
    for i in range(clients):
        parent, child = context.Pipe()
        process = context.Process(target=client_main, args=(targets[i::clients], child))
        process.start()
        child.close()
        running.append((process, parent))
    started = time.time()
    opened = sum(parent.recv()["opened"] for _, parent in running)
    out["open_s"] = round(time.time() - started, 1)
    out["hold_s"] = _wait_quiet(pid, at_least=hold)
    out["rss_open_mb"] = _rss_mb(pid)
    time.sleep(settle)
    out["rss_open_settled_mb"] = _rss_mb(pid)
    if probe:
        heap["open"] = _probe(pid)
    for _, parent in running:
        parent.send("close")
    parts = [parent.recv() for _, parent in running]
    for process, _ in running:
        process.join()
    out["close_settle_s"] = _wait_quiet(pid, at_least=after_close)
    out["rss_after_close_mb"] = _rss_mb(pid)
    if probe:
        heap["after_close"] = _probe(pid)
        os.kill(pid, signal.SIGUSR2)
        time.sleep(1.0)
        out["rss_after_trim_mb"] = _rss_mb(pid)
        heap["after_trim"] = _probe(pid)  # after gc.collect(): what is still referenced
    errors = [e for part in parts for e in part["errors"]]
    connect = sorted(ms for part in parts for ms in part["connect_ms"])
    out.update(
        sockets=len(targets), opened=opened, errors=len(errors), error_samples=sorted(set(errors))[:10],
        connect_ms_p50=round(connect[len(connect) // 2], 1) if connect else None,
        connect_ms_max=round(connect[-1], 1) if connect else None,
    )  # fmt: skip
    if probe:
        out["python_heap"] = _heap_summary(heap, opened)
    return out


def _heap_summary(heap: dict, sockets: int) -> dict:
    """Python's own figures before, open, after close and after gc.collect() + malloc_trim: allocated blocks,
    objects gc tracks (uncollected cycles included until the collect), the types that grew since before."""
    if not all(heap.values()):
        return {"error": "the server did not answer the probe"}
    before, opened = heap["before"], heap["open"]
    stages = ("before", "open", "after_close", "after_trim")

    def grown(later: dict) -> dict:
        diff = Counter(later["types"])
        diff.subtract(before["types"])
        return {name: n for name, n in diff.most_common(12) if n > 0}

    return {
        "allocated_blocks": {k: heap[k]["blocks"] for k in stages},
        "gc_objects": {k: heap[k]["gc_objects"] for k in stages},
        "gc_objects_per_socket_open": round((opened["gc_objects"] - before["gc_objects"]) / max(1, sockets), 1),
        "types_grown_open": grown(opened),
        "types_grown_after_close": grown(heap["after_close"]),
        "types_grown_after_gc_collect": grown(heap["after_trim"]),
    }


def run(*, pid: int, targets: list[dict], warmup: list[dict], clients: int, hold: float = 3.0,
        settle: float = 2.0, after_close: float = 3.0, probe: bool = False, rounds: int = 1) -> dict:  # fmt: skip
    """The idle phase against the server process ``pid``: a warm-up round on ``warmup``, then ``targets``.

    Returns the figures of the measured round (MB, seconds, counts), with ``mb_per_1000_sockets`` =
    (open − before) × 1000 / sockets opened and ``returned_pct`` = (open − after close) / (open − before) × 100
    (None when nothing grew), ``warmup`` (the warm-up round's figures) and ``later_rounds`` (``rounds`` − 1 more
    rounds on the same targets, unprobed: before, open and after close).
    """
    clients = max(1, min(clients, len(targets)))
    nofile = _server_nofile(pid, len(targets) + len(warmup) + 256)
    warm = None
    if warmup:
        warm = _round(pid, warmup, clients=clients, hold=0.5, settle=0.0, after_close=1.5, probe=False)
    out = _round(pid, targets, clients=clients, hold=hold, settle=settle, after_close=after_close, probe=probe)
    out["server_open_files_limit"] = nofile
    grown = out["rss_open_mb"] - out["rss_before_mb"]
    out["mb_per_1000_sockets"] = round(grown * 1000 / max(1, out["opened"]), 1)
    returned = out["rss_open_mb"] - out["rss_after_close_mb"]
    out["returned_pct"] = round(100 * returned / grown, 1) if grown > 0 else None
    if warm is not None:
        out["warmup"] = {k: warm[k] for k in ("sockets", "opened", "errors", "rss_before_mb", "rss_after_close_mb")}
    # Memory kept after close but used again by the next sockets is the allocator's, not a leak: rounds after
    # the first open the same sockets again and show whether the process keeps growing.
    out["later_rounds"] = []
    for _ in range(rounds - 1):
        again = _round(pid, targets, clients=clients, hold=hold, settle=0.0, after_close=after_close, probe=False)
        keep = ("opened", "errors", "rss_before_mb", "rss_open_mb", "rss_after_close_mb")
        out["later_rounds"].append({k: again[k] for k in keep})
    return out
