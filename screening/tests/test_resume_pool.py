"""Resume extraction in children of the fork server (``screening.resume_worker.pool``).

Each file still gets a fresh process of its own, with the same limits and the same answers as a
``python -m screening.resume_worker`` subprocess; the fork server is clean (no Django, no
``__main__`` of the test runner), survives timeouts, is restarted when killed, serves threads at
once, and when no child can be started the file is read by a subprocess instead.
"""

import json
import logging
import multiprocessing
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from screening import resume
from screening.resume import ResumeError, ResumeText, resume_extract
from screening.resume_worker import pool
from screening.tests.test_resume import CASE_EXPECTATIONS, CASES, make_pdf, text_ops

FALLBACK = "falls back to a subprocess"


@pytest.fixture(autouse=True)
def _pool_on(settings, monkeypatch):
    settings.RESUME_EXTRACT_POOL = True
    monkeypatch.setattr(resume, "_pool_failed_at", None)  # a failure in another test does not carry over


def outcome(name: str, data: bytes) -> ResumeText | str:
    try:
        return resume_extract(name=name, data=data)
    except ResumeError as error:
        return error.code


def fork_server() -> psutil.Process:
    """This process's fork server (started by an extraction if need be)."""
    assert outcome("cv.txt", b"Anna Petrova, Django developer") == ResumeText(text="Anna Petrova, Django developer")
    (server,) = [child for child in psutil.Process().children() if "multiprocessing.forkserver" in child.cmdline()[-1]]
    return server


def wait_until(condition, seconds=10.0) -> None:
    """Wait (bounded) for something that is about to be true."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.01)


@pytest.mark.parametrize("name", sorted(CASE_EXPECTATIONS))
def test_a_case_file_gives_the_same_answer_in_the_pool_as_in_a_subprocess(name, settings, caplog):
    data = (CASES / name).read_bytes()
    forked = outcome(name, data)
    settings.RESUME_EXTRACT_POOL = False
    spawned = outcome(name, data)
    assert forked == spawned
    assert forked != "timeout"
    assert FALLBACK not in caplog.text


def test_the_fork_server_has_the_readers_loaded_and_neither_django_nor_the_test_runner():
    fork_server()
    ours, theirs = socket.socketpair()
    code = (
        "import sys\nmains = [getattr(sys.modules[name], '__file__', None) for name in ('__main__', '__mp_main__')]\n"
        "sock.sendall(json.dumps([sorted(sys.modules), mains]).encode())"
    )
    with ours:
        process = pool.start(exec, (f"import json\n{code}", {"sock": theirs}))
        theirs.close()
        modules, main_files = json.loads(ours.makefile("rb").read())
    process.join(10)
    assert process.exitcode == 0
    assert {"pypdf", "lxml.etree", "charset_normalizer", "screening.resume_worker.pdf"} <= set(modules)
    assert not [module for module in modules if module.split(".")[0] in ("django", "pytest", "_pytest", "smartbot")]
    assert main_files == [None, None]  # the fork server's own "-c", not the runner's script run again


def test_each_file_gets_a_fresh_child_of_the_fork_server_with_the_limits(settings):
    server = fork_server()
    ours, theirs = socket.socketpair()
    code = (
        "import json, os, resource\n"
        "from screening.resume_worker import _limit_resources\n"
        "_limit_resources(64, 3)\n"
        "sock.sendall(json.dumps([os.getpid(), os.getppid(), os.getsid(0), resource.getrlimit(resource.RLIMIT_AS),"
        " resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_CORE)]).encode())"
    )
    with ours:
        process = pool.start(exec, (f"import os\nos.setsid()\n{code}", {"sock": theirs}))
        theirs.close()
        pid, parent, session, memory, cpu, core = json.loads(ours.makefile("rb").read())
    process.join(10)
    assert parent == server.pid and pid != server.pid and session == pid
    assert (memory, cpu, core) == ([64 * 2**20] * 2, [3, 4], [0, 0])
    # The limits were set in that child only.
    assert server.rlimit(psutil.RLIMIT_AS) == resource.getrlimit(resource.RLIMIT_AS)


def test_a_slow_file_in_the_pool_times_out_and_its_child_is_killed(settings, caplog):
    server = fork_server()
    settings.RESUME_EXTRACT_SECONDS = 0.25
    page = text_ops("Anna Petrova") + "10 10 m 20 20 l S\n" * 12000  # ~0.6 s of work, within every cap
    assert outcome("cv.pdf", make_pdf(*[page] * 12, compress=True)) == "timeout"
    assert FALLBACK not in caplog.text
    assert server.is_running()
    assert server.children() == []  # killed and reaped, not still reading
    settings.RESUME_EXTRACT_SECONDS = 10
    assert outcome("cv.txt", b"Anna Petrova") == ResumeText(text="Anna Petrova")


def test_a_killed_fork_server_is_started_again_by_the_next_extraction(caplog):
    server = fork_server()
    os.kill(server.pid, signal.SIGKILL)
    wait_until(lambda: server.status() == psutil.STATUS_ZOMBIE)  # dead, not reaped: multiprocessing reaps it
    assert outcome("cv.pdf", make_pdf(text_ops("Anna Petrova"))) == ResumeText(text="Anna Petrova")
    assert FALLBACK not in caplog.text
    assert fork_server().pid != server.pid


def test_extractions_from_many_threads_at_once_each_get_their_own_text(caplog):
    fork_server()
    names = [f"Candidate Number{n} Python developer" for n in range(12)]
    files = [
        ("cv.pdf", make_pdf(text_ops(name))) if n % 2 else ("cv.txt", name.encode()) for n, name in enumerate(names)
    ]
    together = threading.Barrier(6)

    def extract_two(first):
        together.wait(timeout=30)  # all six threads start their first file at once
        return [outcome(*files[first]), outcome(*files[first + 6])]

    with ThreadPoolExecutor(max_workers=6) as executor:
        results = list(executor.map(extract_two, range(6)))
    assert [result for pair in zip(*results, strict=True) for result in pair] == [ResumeText(text=n) for n in names]
    assert FALLBACK not in caplog.text


def _extract_in_daemon(connection) -> None:
    try:
        result = resume_extract(name="cv.pdf", data=make_pdf(text_ops("Anna Petrova")))
        connection.send(("ok", result.text))
    except BaseException as error:  # reported to the test
        connection.send(("error", repr(error)))


def test_in_a_daemonic_process_where_no_child_can_be_forked_a_subprocess_reads_the_file(caplog):
    # A Celery prefork child or any daemonic process may not start multiprocessing children.
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_extract_in_daemon, args=(theirs,), daemon=True)
    process.start()
    assert ours.poll(30)
    assert ours.recv() == ("ok", "Anna Petrova")
    process.join(10)


def test_when_the_pool_cannot_start_a_child_a_subprocess_reads_the_file_and_it_is_logged_once(monkeypatch, caplog):
    def refuse(process):
        raise OSError("no fork server")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)  # the stdlib's boundary
    with caplog.at_level(logging.WARNING, logger="screening.resume"):
        assert outcome("cv.txt", b"Anna Petrova") == ResumeText(text="Anna Petrova")
        assert outcome("cv.pdf", make_pdf(text_ops("Ivan Petrov"))) == ResumeText(text="Ivan Petrov")
    assert caplog.text.count(FALLBACK) == 1


def test_the_worker_command_line_still_answers_one_file():
    limits = {"kind": "txt", "memory_mb": 512, "cpu_seconds": 5, "max_pages": 30, "max_decompressed": 2**20}
    limits["max_chars"] = 1000
    done = subprocess.run(
        [sys.executable, "-m", "screening.resume_worker", json.dumps(limits)],
        input=b"Anna  Petrova\n\nDjango",
        capture_output=True,
        cwd=Path(resume.__file__).resolve().parent.parent,
        check=True,
        timeout=60,
    )
    answer = json.loads(done.stdout)
    assert (answer["ok"], answer["text"], answer["hidden"]) == (True, "Anna Petrova\nDjango", "")
    assert answer["peak_kb"] > 0
