"""One fresh process per file, forked in milliseconds from a fork server that has the readers loaded.

Starting ``python -m screening.resume_worker`` costs an interpreter and the parsing libraries (pypdf
alone imports in ~0.2 s) for every upload. Here the stdlib's fork server
(``multiprocessing.get_context("forkserver")``) does that once: it is a clean interpreter started
by the first extraction (it inherits neither Django nor the web process's memory), imports
``PRELOAD`` and forks one child per file. Each child is still a fresh process of its own: it calls
``os.setsid()`` (so the parent can kill its whole group), limits itself (``extract``: address space,
CPU time, no core, the ``READ_CPU_SECONDS`` timer) before reading the file from a socket, answers
one JSON object on that socket and exits. A crash, a memory blow-up or a poisoned parser state dies
with that child; the fork server itself never reads a file.

No Django here either: this module is imported by the fork server and its children.
``run`` is the parent's side; ``screening.resume`` maps what it returns to ``ResumeError``.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing import connection, forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import ForkServerProcess, set_spawning_popen

from screening.resume_worker import READERS, extract

# What the fork server imports once (never ``__main__``: under daphne, celery or pytest that is
# their script, which the fork server and every child would otherwise import again).
PRELOAD = ["screening.resume_worker.pool", *(f"screening.resume_worker.{r.split(':')[0]}" for r in READERS.values())]
# The exit status of a child whose MemoryError escaped while answering (its stderr is not kept).
MEMORY_EXIT = 3
# An answer is a few hundred KB (RESUME_MAX_CHARS of text and of hidden text, JSON-escaped); more is garbage.
MAX_ANSWER_BYTES = 16 * 1024 * 1024

_context = None
_context_lock = threading.Lock()
# Held while starting a child and while reading any child's exit status: ``Process.start`` polls
# the other children (``multiprocessing.process._cleanup``), and two threads reading one status
# pipe would lose it (the loser reads EOF and takes 255 for the exit code).
_status_lock = threading.Lock()


class StartError(Exception):
    """No child could be started (a daemonic process, no fork server, no file descriptors ...)."""


class _Garbage(Exception):
    """The child sent more than an answer can be."""


class Timeout(Exception):
    """The child did not answer and exit within the wall clock; it has been killed."""


def _get_context():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


class _Popen(popen_forkserver.Popen):
    """The stdlib's fork-server start (``popen_forkserver.Popen._launch``, Python 3.11-3.13), with two changes.

    The child is not told to import the parent's ``__main__`` again (``init_main_from_*``: daphne's,
    celery's or pytest's script, with what they import, in every child), and waiting for the
    child's pid is bounded, so a stuck fork server cannot hang a request.
    """

    start_timeout = 10.0  # the first start includes the fork server importing the readers (~0.3 s)

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)

        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        # Keep a duplicate of the data pipe's write end as a sentinel of the
        # parent process used by the child process.
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        if not connection.wait([self.sentinel], self.start_timeout):
            raise OSError("the fork server did not start the child")
        self.pid = forkserver.read_signed(self.sentinel)


def _child(sock: socket.socket, limits: dict) -> None:
    """The child's whole life: a session of its own, quiet, limited, one file read and answered."""
    os.setsid()
    # Parsers may print: not into the web server's log (the fork server shares its stdout and stderr).
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        with sock, sock.makefile("rb") as source:
            sock.sendall(json.dumps(extract(source, limits)).encode())
    except MemoryError:
        os._exit(MEMORY_EXIT)


class _Process(ForkServerProcess):
    """A forkserver ``Process`` started by ``_Popen`` (a module-level class: the child unpickles it)."""

    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def warm_up() -> None:
    """Start the fork server now (it imports the readers, ~0.2-0.3 s), so that no applicant's request waits for
    it: gunicorn calls this as each worker starts (``smartbot.gunicorn_config.post_worker_init``). Never raises;
    a failure leaves the first extraction to try again (or fall back to a subprocess)."""
    with contextlib.suppress(Exception):
        _get_context()
        forkserver.ensure_running()


def start(target, args):
    """Start ``target(*args)`` in a fresh child of the fork server; ``StartError`` on any failure."""
    try:
        _get_context()  # the preload, before the fork server first starts
        process = _Process(target=target, args=args, daemon=False)
        with _status_lock:
            process.start()
    except Exception as exc:  # AssertionError for a daemonic process, OSError, pickling ...
        raise StartError(f"{type(exc).__name__}: {exc}") from exc
    return process


def _exitcode(process) -> int | None:
    with _status_lock:
        return process.exitcode


def kill(process) -> None:
    """Kill the child and its session (anything it started), if it still runs; reap it and free its pipes."""
    if _exitcode(process) is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # its session, once it has called setsid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(process.pid, signal.SIGKILL)  # and itself, had it not yet
    _close(process, timeout=5)


def _close(process, timeout: float) -> None:
    connection.wait([process.sentinel], timeout)
    with _status_lock, contextlib.suppress(ValueError):  # still running: its finalizer closes the pipes later
        process.join(0)
        process.close()


def run(data: bytes, limits: dict, seconds: float) -> tuple[bytes, int | None]:
    """Read ``data`` in a fresh child of the fork server, as ``limits`` say, within ``seconds`` of wall clock.

    Returns ``(answer, exitcode)``: the JSON bytes the child sent (``b""`` if none) and how it
    exited (negative: the signal; ``MEMORY_EXIT``). Raises ``StartError`` when no child could be
    started (nothing was read: the caller may read the file another way) and ``Timeout`` when the
    child did not answer and exit in time (it and its session are killed).
    """
    deadline = time.monotonic() + seconds
    try:
        ours, theirs = socket.socketpair()
    except OSError as exc:  # out of file descriptors
        raise StartError(str(exc)) from exc
    with ours:
        try:
            process = start(_child, (theirs, limits))
        finally:
            theirs.close()
        answer = bytearray()
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it died early: its status says why
                ours.settimeout(max(deadline - time.monotonic(), 0.001))
                ours.sendall(data)
                ours.shutdown(socket.SHUT_WR)
                while chunk := ours.recv(1024 * 1024):
                    answer += chunk
                    if len(answer) > MAX_ANSWER_BYTES:
                        raise _Garbage
                    ours.settimeout(max(deadline - time.monotonic(), 0.001))
            if not connection.wait([process.sentinel], max(deadline - time.monotonic(), 0)):
                raise TimeoutError
        except TimeoutError:
            kill(process)
            raise Timeout from None
        except _Garbage:
            kill(process)
            return b"", None
        except BaseException:  # this thread interrupted: the child must not outlive it
            kill(process)
            raise
    exitcode = _exitcode(process)
    _close(process, timeout=0)
    return bytes(answer), exitcode
