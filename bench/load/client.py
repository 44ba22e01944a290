"""The load generator: simulated candidates answering the screening chat, in separate processes.

No Django here: a client process only speaks the chat's WebSocket protocol (docs/chat-protocol.md) with the
``websockets`` client, so that it is light enough not to be the bottleneck of the cores it shares with the
servers. ``run_clients`` starts one process per job and merges what they measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import random
import resource
import time
import uuid

RECV_TIMEOUT = 30.0
# One valid answer per question kind of the seeded script (bench.load.seeding).
ANSWERS = {
    "single_choice": {"text": "Moscow"},
    "number": {"text": "5"},
    "yes_no": {"text": "yes"},
    "multiple_choice": {"choices": ["Django", "FastAPI"]},
    "text": {"text": "I built a screening chat that never loses an answer."},
}


def raise_nofile() -> int:
    """Raise this process's open-files limit to its hard limit (65536 if unlimited); the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Stats:
    """What one client process measured in a phase."""

    def __init__(self):
        self.latencies: list[float] = []
        self.connect_ms: list[float] = []
        self.errors: list[str] = []
        self.acked: dict[int, int] = {}  # response id -> answers acknowledged
        self.completed = 0
        self.answers = 0
        self.spans: list[tuple[float, float]] = []
        self.first_send = None
        self.last_reply = None

    def error(self, what: str) -> None:
        self.errors.append(what)


async def _recv(ws) -> dict:
    # No per-frame timeout here: ``asyncio.wait_for`` makes a task per frame, which cost the load generator
    # (on the same two cores as the server) more than parsing the frame. Callers bound a whole turn instead.
    return json.loads(await ws.recv())


@contextlib.asynccontextmanager
async def counted(stats: Stats):
    """One connection's life on ``stats``: yields its start (``time.time()``), records its span, and counts a
    timeout or any failure (a refused or dropped connection) as an error instead of raising it."""
    started = time.time()
    try:
        yield started
    except TimeoutError:
        stats.error("timeout waiting for the server")
    except Exception as exc:
        stats.error(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        stats.spans.append((started, time.time()))


async def one_chat(chat: dict, *, think, stats: Stats, deadline: float) -> None:
    """One candidate: connect, then answer every question (after a think time), timing each bot reply."""
    from websockets.asyncio.client import connect

    origin = f"http://127.0.0.1:{chat['port']}"
    url = f"ws://127.0.0.1:{chat['port']}/ws/chat/{chat['token']}/"
    response_id = chat["response_id"]
    async with (
        counted(stats) as started,
        connect(
            url, origin=origin, open_timeout=RECV_TIMEOUT, compression=None, ping_interval=None, max_queue=64
        ) as ws,
    ):
        async with asyncio.timeout(RECV_TIMEOUT):
            hello = await _recv(ws)
        stats.connect_ms.append((time.time() - started) * 1000)
        if hello.get("type") != "hello":
            stats.error(f"first frame {hello.get('type')}")
            return
        question = hello.get("question")
        number = 0
        while question is not None:
            if think:
                await asyncio.sleep(random.uniform(*think))
            if time.time() > deadline:
                stats.error("phase deadline")
                return
            number += 1
            client_id = f"b{response_id}-{number}-{uuid.uuid4().hex[:6]}"
            frame = {"v": 1, "type": "message", "id": client_id, "question": question["id"]}
            frame.update(ANSWERS[question["kind"]])
            sent = time.perf_counter()
            stats.first_send = stats.first_send or time.time()
            await ws.send(json.dumps(frame))
            question, replied, acked = None, False, False
            async with asyncio.timeout(RECV_TIMEOUT):  # the whole reply, every frame of it
                while True:
                    item = await _recv(ws)
                    kind = item.get("type")
                    if kind == "ack" and item.get("id") == client_id:
                        acked = True
                        if item.get("duplicate"):
                            stats.error("unexpected duplicate ack")
                    elif kind == "question" or (kind == "state" and item.get("state") == "finished"):
                        if not replied:
                            stats.latencies.append((time.perf_counter() - sent) * 1000)
                            replied = True
                        if kind == "question":
                            question = item["question"]
                    elif kind == "error":
                        stats.error(f"error frame {item.get('code')}: {item.get('message')}")
                    elif kind == "typing" and item.get("who") == "bot" and item.get("on") is False:
                        break
            stats.last_reply = time.time()
            if acked:
                stats.acked[response_id] = stats.acked.get(response_id, 0) + 1
                stats.answers += 1
            if not (acked and replied):
                stats.error("turn without ack or reply")
                return
        stats.completed += 1


async def think_phase(chats, *, think, ramp, deadline, stats) -> None:
    """Every chat connects over ``ramp`` seconds and answers after a think time drawn from ``think``."""

    async def delayed(chat, delay):
        await asyncio.sleep(delay)
        await one_chat(chat, think=think, stats=stats, deadline=deadline)

    await asyncio.gather(*(delayed(chat, ramp * i / max(1, len(chats))) for i, chat in enumerate(chats)))


async def closed_phase(chats, *, concurrency, duration, stats) -> None:
    """``concurrency`` candidates answer with no think time, each taking a fresh chat after finishing one."""
    pool = list(chats)
    stop = time.time() + duration

    async def worker():
        while pool and time.time() < stop:
            await one_chat(pool.pop(), think=None, stats=stats, deadline=stop + RECV_TIMEOUT)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def echo_phase(ports, *, concurrency, duration, stats) -> None:
    """``concurrency`` sockets send a chat-sized frame to the echo servers and wait for it back, in a loop."""
    from websockets.asyncio.client import connect

    stop = time.time() + duration
    payload = json.dumps({"v": 1, "type": "message", "id": "b1-1-abcdef", "question": 1, "text": "5"})

    async def worker(port):
        try:
            async with connect(
                f"ws://127.0.0.1:{port}/ws/echo/", origin=f"http://127.0.0.1:{port}", compression=None,
                ping_interval=None, open_timeout=RECV_TIMEOUT,
            ) as ws:  # fmt: skip
                stats.first_send = stats.first_send or time.time()
                while time.time() < stop:
                    sent = time.perf_counter()
                    await ws.send(payload)
                    async with asyncio.timeout(RECV_TIMEOUT):  # as the chat's client does, one per reply
                        await ws.recv()
                    stats.latencies.append((time.perf_counter() - sent) * 1000)
                    stats.answers += 1
                stats.last_reply = time.time()
        except Exception as exc:
            stats.error(f"{type(exc).__name__}: {exc}"[:200])

    await asyncio.gather(*(worker(ports[i % len(ports)]) for i in range(concurrency)))


async def durable_phase(sessions, *, concurrency, duration, stats, turns_per_connection=5) -> None:
    """The durable-turn floor (``bench/durable_asgi.py``) closed-loop: ``concurrency`` workers each open a socket
    for a fresh session, send ``turns_per_connection`` chat-sized frames one at a time (waiting for each ack),
    close it and take the next session, for ``duration`` seconds. ``sessions``: ``{"session_id", "port"}``."""
    from websockets.asyncio.client import connect

    pool = list(sessions)
    stop = time.time() + duration

    async def one_connection(session):
        port, session_id = session["port"], session["session_id"]
        async with counted(stats) as started:
            async with connect(
                f"ws://127.0.0.1:{port}/ws/durable/{session_id}/", origin=f"http://127.0.0.1:{port}",
                compression=None, ping_interval=None, open_timeout=RECV_TIMEOUT, max_queue=64,
            ) as ws:  # fmt: skip
                stats.connect_ms.append((time.time() - started) * 1000)
                for number in range(1, turns_per_connection + 1):
                    client_id = f"d{session_id}-{number}-{uuid.uuid4().hex[:6]}"
                    frame = {"v": 1, "type": "message", "id": client_id, "question": number, "text": "5"}
                    sent = time.perf_counter()
                    stats.first_send = stats.first_send or time.time()
                    await ws.send(json.dumps(frame))
                    async with asyncio.timeout(RECV_TIMEOUT):
                        reply = await _recv(ws)
                    stats.latencies.append((time.perf_counter() - sent) * 1000)
                    stats.last_reply = time.time()
                    if reply.get("type") != "ack" or reply.get("id") != client_id or reply.get("duplicate"):
                        stats.error(f"unexpected reply {reply.get('type')} {reply.get('code', '')}".strip())
                        return
                    stats.acked[session_id] = stats.acked.get(session_id, 0) + 1
                    stats.answers += 1
            stats.completed += 1

    async def worker():
        while pool and time.time() < stop:
            await one_connection(pool.pop())

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def client_main(job: dict, out) -> None:
    """Entry point of a load-generator process; sends its Stats back as a dict."""
    raise_nofile()
    random.seed(job["seed"])
    stats = Stats()
    start_at = job["start_at"]
    time.sleep(max(0.0, start_at - time.time()))  # every client process starts together
    if job["phase"] == "think":
        coro = think_phase(job["chats"], think=job["think"], ramp=job["ramp"], deadline=job["deadline"], stats=stats)
    elif job["phase"] == "closed":
        coro = closed_phase(job["chats"], concurrency=job["concurrency"], duration=job["duration"], stats=stats)
    elif job["phase"] == "durable":
        coro = durable_phase(job["sessions"], concurrency=job["concurrency"], duration=job["duration"], stats=stats)
    else:
        coro = echo_phase(job["ports"], concurrency=job["concurrency"], duration=job["duration"], stats=stats)
    cpu_started = time.process_time()
    asyncio.run(coro)
    out.send(
        {
            "cpu_s": time.process_time() - cpu_started,
            "latencies": stats.latencies,
            "connect_ms": stats.connect_ms,
            "errors": stats.errors,
            "acked": stats.acked,
            "completed": stats.completed,
            "answers": stats.answers,
            "spans": stats.spans,
            "first_send": stats.first_send,
            "last_reply": stats.last_reply,
        }
    )
    out.close()


def run_clients(jobs: list[dict]) -> dict:
    """Run one phase in separate client processes and merge what they measured.

    The merged dict has the lists ``latencies``, ``connect_ms``, ``errors`` and ``spans``, ``acked``
    (response id -> answers), the counts ``completed`` and ``answers``, ``client_cpu_s`` and ``window`` (seconds
    from the first send to the last reply of any process).
    """
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 1.5  # time for the spawned interpreters to start
    running = []
    for i, job in enumerate(jobs):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=client_main, args=({**job, "start_at": start_at, "seed": i}, sender))
        process.start()
        sender.close()
        running.append((process, receiver))
    merged = {"latencies": [], "connect_ms": [], "errors": [], "acked": {}, "completed": 0, "answers": 0, "spans": []}
    merged["client_cpu_s"] = 0.0
    firsts, lasts = [], []
    for process, receiver in running:
        part = receiver.recv()
        process.join()
        for key in ("latencies", "connect_ms", "errors", "spans"):
            merged[key].extend(part[key])
        merged["acked"].update(part["acked"])
        merged["completed"] += part["completed"]
        merged["client_cpu_s"] += part["cpu_s"]
        merged["answers"] += part["answers"]
        if part["first_send"]:
            firsts.append(part["first_send"])
        if part["last_reply"]:
            lasts.append(part["last_reply"])
    merged["window"] = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    return merged
