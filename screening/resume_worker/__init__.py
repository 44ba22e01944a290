"""The child process that reads one resume file: ``python -m screening.resume_worker LIMITS``.

``screening.resume`` starts a fresh process for every upload, so that a hostile or broken file can
cost at most one short-lived process: a child forked from the fork server of ``pool`` (which calls
``extract`` with the same limits, the file on a socket), or, as a fallback, this command.

No Django here: ``LIMITS`` is one JSON argument (``{"kind": "pdf"|"docx"|"txt", "memory_mb",
"cpu_seconds", "max_pages", "max_decompressed", "max_chars"}``), the file comes on stdin, and one
JSON object goes back on stdout, either ``{"ok": true, "text", "hidden", "pages", "image_pages", "peak_kb"}`` or
``{"ok": false, "code", "peak_kb"}`` (``code`` is one of the ``ResumeError`` codes).

The reader of the kind is imported first, then the address space (``memory_mb``) and CPU time are
limited, then the file is read; the parent adds the wall clock. Each reader keeps its work within
budgets of its own, and whatever they do not count stops at ``READ_CPU_SECONDS`` of CPU
(``too_complex``). ``text`` and ``hidden`` come back
tidied (``tidy_text``) and cut at ``max_chars``; ``pages`` and ``image_pages`` (pages mostly
covered by a picture) let the parent tell a scan. The readers: ``pdf``, ``word`` (DOCX), ``text``.
"""

from __future__ import annotations

import errno
import importlib
import json
import logging
import math
import os
import re
import resource
import signal
import sys
import warnings
from typing import BinaryIO

# Text within this distance of the colour under it (each of r, g, b in 0..1) is not seen.
MIN_CONTRAST = 0.12
# A picture covering this share of a page makes it an image page (a scan, a photo of a document).
IMAGE_PAGE_SHARE = 0.4
# Reading a file may take this much CPU time, the libraries loaded: the readers' budgets keep
# crafted files under ~0.8 s here, ordinary ones take ~0.05 s; this stops a cost they do not count
# (a 7 KB PDF whose object stream inflates to megabytes of page dictionaries took 4.9 s). 2 s, not 1: on a
# busy machine CPU time stretches too, and 1 s refused an ordinary 5 MB text in a legacy codepage.
READ_CPU_SECONDS = 2.0
# The module that reads each kind, as "module:function".
READERS = {"pdf": "pdf:read_pdf", "docx": "word:read_docx", "txt": "text:read_txt"}


class Refusal(Exception):
    """The file cannot be read; ``code`` is a ``ResumeError`` code."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def tidy_text(text: str) -> str:
    """``text`` with whitespace collapsed in each line, blank lines, control characters,
    zero-width characters and lone surrogates dropped (PostgreSQL stores none of them)."""
    lines = (" ".join(CONTROL_CHARS.sub(" ", line).split()) for line in text.translate(_INVISIBLE_CHARS).splitlines())
    return "\n".join(line for line in lines if line)


class Collector:
    """Tidied lines of visible and hidden text, up to ``max_chars`` characters of each."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.visible: list[str] = []
        self.hidden: list[str] = []
        self.visible_chars = 0
        self.hidden_chars = 0

    def add(self, visible: str, hidden: str = "") -> None:
        visible, hidden = tidy_text(visible), tidy_text(hidden)
        if visible and self.visible_chars < self.max_chars:
            self.visible.append(visible)
            self.visible_chars += len(visible) + 1
        if hidden and self.hidden_chars < self.max_chars:
            self.hidden.append(hidden)
            self.hidden_chars += len(hidden) + 1

    @property
    def full(self) -> bool:
        """Enough visible text: reading further would only be cut off."""
        return self.visible_chars >= self.max_chars

    def result(self, **stats) -> dict:
        return {
            "text": "\n".join(self.visible)[: self.max_chars],
            "hidden": "\n".join(self.hidden)[: self.max_chars],
            **stats,
        }


class _OutOfTime(BaseException):
    """``READ_CPU_SECONDS`` are spent; a ``BaseException``, so that no library's ``except Exception`` stops it."""


_reading = False


def _out_of_time(signum, frame) -> None:
    if _reading:  # not once the answer is being written
        raise _OutOfTime


def _limit_resources(memory_mb: int, cpu_seconds: float) -> None:
    memory = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, math.ceil(cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _peak_kb() -> int:
    """The most memory this process has held, in KB (``ru_maxrss`` counts the parent's before exec)."""
    try:
        with open("/proc/self/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def extract(source: BinaryIO, limits: dict) -> dict:
    """Read one file in this process, which it limits for good: the whole per-file part of the worker.

    ``limits`` is the JSON of the package docstring. The reader of the kind is imported (a no-op in
    a child of the fork server, which has them loaded), then the address space, CPU time and core
    dumps are limited, then the file is read from ``source`` (a binary file, read to its end) and
    parsed under the ``READ_CPU_SECONDS`` timer. Returns the answer dict of the package docstring,
    with ``"detail"`` (the parser's exception, for the log) when it failed unexpectedly. A
    ``MemoryError`` outside the parsing itself (e.g. while answering) propagates.
    """
    global _reading
    module, function = READERS[limits["kind"]].split(":")
    # Imported before the limits: the budget is for reading the file, not for loading the libraries.
    reader = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    _limit_resources(limits["memory_mb"], limits["cpu_seconds"])
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGPROF, _out_of_time)
    try:
        data = source.read()
        signal.setitimer(signal.ITIMER_PROF, READ_CPU_SECONDS)  # CPU time of this process
        _reading = True
        try:
            result = {"ok": True, **reader(data, limits)}
        finally:
            _reading = False
    except _OutOfTime:
        result = {"ok": False, "code": "too_complex"}
    except Refusal as refusal:
        result = {"ok": False, "code": refusal.code}
    except MemoryError:
        result = {"ok": False, "code": "memory"}
    except OSError as exc:  # e.g. a library failing to map memory
        result = {"ok": False, "code": "memory" if exc.errno == errno.ENOMEM else "unreadable"}
    except Exception as exc:  # any parser failure of any kind: the parent says "unreadable"
        result = {"ok": False, "code": "unreadable", "detail": f"{type(exc).__name__}: {exc}"[:2000]}
    signal.setitimer(signal.ITIMER_PROF, 0)
    result["peak_kb"] = _peak_kb()
    return result


def main(argv: list[str]) -> int:
    """Read the file on stdin as ``argv[1]`` says and answer on stdout; always exits 0 itself."""
    limits = json.loads(argv[1])
    # Libraries may print; only our JSON goes to the real stdout.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    result = extract(sys.stdin.buffer, limits)
    detail = result.pop("detail", None)
    if detail:
        print(f"resume_worker: {detail}", file=sys.stderr)
    out.write(json.dumps(result))
    out.flush()
    return 0
