"""Reading the text of an uploaded resume (PDF, DOCX or TXT), within budgets.

The content is sniffed and must match the file name's extension: a text file renamed to ``.pdf`` is
refused with a clear message instead of failing deep inside a parser (a DOCX is told by its zip
directory, ``resume_worker.ooxml``). The parsing itself runs in a fresh child process per file
(forked from the fork server of ``screening.resume_worker.pool``, else ``python -m
screening.resume_worker``) with a wall-clock limit, an address-space limit and a CPU limit, and
inside it with caps on pages, inflated bytes and characters: the settings ``RESUME_*`` (see
docs/uploads.md), and budgets of work per document. Whatever goes wrong in there, the caller gets a
``ResumeError`` with a message for the candidate, never another exception. Text that is mostly one
small pattern repeated is refused too.

Text a person cannot see (white or tiny, invisible, off the page, hidden in Word) comes back apart
in ``ResumeText.hidden_text``, so the evaluation does not read keyword stuffing as the resume and
the recruiter can be shown it as a signal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from screening.resume_worker import pool, tidy_text
from screening.resume_worker.ooxml import word_main_part

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = ("pdf", "docx", "txt")
# A document with page-sized pictures and fewer letter words than this per page is a scan (a
# scanner app's one-line watermark is not a resume); a short resume without such pictures passes.
SCAN_WORDS_PER_PAGE = 20
_WORD = re.compile(r"[^\W\d_]{2,}")
# Text that zlib shrinks this many times over is mostly one small pattern repeated ("ab" drawn 30,000
# times, a keyword pasted a thousand times), not a resume: prose and resumes shrink 2-3 times, a
# page of resume followed by 90 % of "ab" lines 16 times. Checked from REPETITIVE_MIN_CHARS on.
REPETITIVE_RATIO = 16
REPETITIVE_MIN_CHARS = 2000
_PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Codes whose message is the general "we could not read this file".
_UNREADABLE_CODES = ("unreadable", "timeout", "memory", "too_complex", "repetitive")
# Codes the worker may answer with.
_WORKER_CODES = {"unreadable", "timeout", "memory", "too_complex", "not_text", "encoding", "encrypted"}


class ResumeError(ValueError):
    """The file cannot be used as a resume; ``message`` tells the candidate why, ``code`` for tests and APIs.

    Codes: ``too_large``, ``empty``, ``extension``, ``mismatch``, ``not_text``, ``encoding``,
    ``encrypted``, ``scan``, ``no_text``, and for a file that could not be read within the
    budgets ``unreadable``, ``timeout``, ``memory`` or ``too_complex``, or whose text is one small
    pattern repeated ``repetitive`` (these five with the same message).
    """

    def __init__(self, code: str, message: str | None = None):
        message = message or _message(code)
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ResumeText:
    """What a resume file says.

    ``text``: what a person sees when opening the file, whitespace collapsed per line and blank
    lines dropped, at most ``RESUME_MAX_CHARS`` characters. ``hidden_text``: text a person cannot
    see (near-white on the page, under 2 pt, invisible render mode, outside the page, Word's hidden
    text), tidied the same way; ``""`` when there is none. It is never part of ``text``.
    """

    text: str
    hidden_text: str = ""


def _message(code: str) -> str:
    if code in _UNREADABLE_CODES:
        return _("We could not read this file. Paste your resume as text.")
    messages = {
        "empty": _("The file is empty."),
        "extension": _("Upload a PDF, DOCX or TXT file."),
        "not_text": _("This file does not look like plain text."),
        "encoding": _(
            "We could not tell the encoding of this text file. Save it as UTF-8 or paste your resume as text."
        ),
        "encrypted": _("This PDF is password-protected; upload it without a password."),
        "scan": _("This looks like a scan; paste your resume as text."),
        "no_text": _("We found no text in this file. Paste your resume into the text field instead."),
    }
    return messages.get(code) or _("We could not read this file. Paste your resume as text.")


def _repetitive(text: str) -> bool:
    """Whether ``text`` is long and mostly one small pattern repeated (``REPETITIVE_RATIO``)."""
    if len(text) < REPETITIVE_MIN_CHARS:
        return False
    data = text.encode()
    return len(data) > REPETITIVE_RATIO * len(zlib.compress(data, 1))


def resume_too_large_message() -> str:
    """What a candidate is told about a file over ``RESUME_MAX_BYTES`` (the browser says it too, before uploading)."""
    megabytes = f"{settings.RESUME_MAX_BYTES / (1024 * 1024):g}"
    return _("The file is larger than %(megabytes)s MB.") % {"megabytes": megabytes}


def _too_large() -> ResumeError:
    return ResumeError("too_large", resume_too_large_message())


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _sniff(data: bytes) -> str | None:
    """The real kind of the content ("pdf", "zip", ...), or None for no known binary signature.

    A PDF's header may come anywhere in its first 1024 bytes, as readers accept it.
    """
    if data.find(b"%PDF-", 0, 1024) >= 0:
        return "pdf"
    kind = filetype.guess(data[:8192])
    return kind.extension if kind else None


def _content_matches(extension: str, data: bytes) -> bool:
    """Whether ``data`` is of the kind its extension says: a PDF header, a Word package (decided from
    the zip's directory, wherever its parts lie), or for TXT no known binary signature."""
    if extension == "docx":
        return word_main_part(data) is not None
    return _sniff(data) == {"pdf": "pdf", "txt": None}[extension]


def _run_worker(kind: str, data: bytes) -> dict:
    """The worker's JSON answer for ``data``; ``ResumeError`` on a timeout, a crash or garbage.

    A child of the fork server (``resume_worker.pool``) reads the file when ``RESUME_EXTRACT_POOL``
    is on and it can start one, else a new ``python -m screening.resume_worker`` does.
    """
    seconds = float(settings.RESUME_EXTRACT_SECONDS)
    limits = {
        "kind": kind,
        "memory_mb": int(settings.RESUME_EXTRACT_MEMORY_MB),
        "cpu_seconds": seconds,
        "max_pages": int(settings.RESUME_MAX_PAGES),
        "max_decompressed": int(settings.RESUME_MAX_DECOMPRESSED_BYTES),
        "max_chars": int(settings.RESUME_MAX_CHARS),
    }
    started = time.monotonic()
    try:
        output, returncode, errors = _run_in_pool(data, limits, seconds)
    except pool.StartError:
        output, returncode, errors = _run_subprocess(data, limits, seconds)
    except pool.Timeout:
        output = None
    if output is None:
        logger.info("resume extraction (%s, %d bytes) timed out after %.1f s", kind, len(data), seconds)
        raise ResumeError("timeout")
    elapsed = time.monotonic() - started
    try:
        result = json.loads(output)
    except ValueError:
        result = None
    if not isinstance(result, dict) or not isinstance(result.get("ok"), bool):
        # No answer: the CPU limit's signal, a MemoryError before the child could answer, or a crash.
        code = "unreadable"
        if returncode == -signal.SIGXCPU:
            code = "timeout"
        elif b"MemoryError" in errors[-2000:] or returncode == pool.MEMORY_EXIT:
            code = "memory"
        logger.warning("resume worker (%s) exited with %s and no answer: %s", kind, returncode, errors[-2000:])
        raise ResumeError(code)
    logger.info(
        "resume extraction (%s, %d bytes): %s in %.0f ms, child peak %s KB",
        kind,
        len(data),
        "ok" if result["ok"] else result.get("code"),
        elapsed * 1000,
        result.get("peak_kb"),
    )
    if errors or result.get("detail"):
        logger.debug("resume worker stderr: %s", errors[-2000:] or result.get("detail"))
    return result


# When the pool last failed to start a child (time.monotonic()), and how long to use subprocesses then.
_pool_failed_at: float | None = None
POOL_RETRY_SECONDS = 60.0


def _run_in_pool(data: bytes, limits: dict, seconds: float) -> tuple[bytes, int | None, bytes]:
    """``(output, returncode, stderr)`` from a child of the fork server; ``pool.StartError`` to use a
    subprocess instead (the pool is off, or could not start a child now or in the last minute)."""
    global _pool_failed_at
    if not settings.RESUME_EXTRACT_POOL:
        raise pool.StartError("RESUME_EXTRACT_POOL is off")
    failed_at = _pool_failed_at
    if failed_at is not None and time.monotonic() - failed_at < POOL_RETRY_SECONDS:
        raise pool.StartError("the pool failed recently")
    try:
        output, returncode = pool.run(data, limits, seconds)
    except pool.StartError as error:
        if failed_at is None:  # once per outage, not once per file
            logger.warning("resume extraction falls back to a subprocess per file: %s", error)
        _pool_failed_at = time.monotonic()
        raise
    if failed_at is not None:
        logger.info("resume extraction uses the fork server again")
        _pool_failed_at = None
    return output, returncode, b""


def _run_subprocess(data: bytes, limits: dict, seconds: float) -> tuple[bytes | None, int | None, bytes]:
    """``(output, returncode, stderr)`` of a new ``python -m screening.resume_worker``; ``output`` is
    ``None`` when it did not finish within ``seconds`` (it has been killed)."""
    # A session of its own, so that a timeout kills the child and anything it started.
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "screening.resume_worker", json.dumps(limits)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_PROJECT_ROOT,
        start_new_session=True,
    )
    try:
        output, errors = process.communicate(input=data, timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill(process)
        return None, None, b""
    except BaseException:
        _kill(process)
        raise
    return output, process.returncode, errors


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=5)  # reaps the child and closes the pipes


def _extract(name: str, data: bytes) -> ResumeText:
    data = bytes(data)
    if not data:
        raise ResumeError("empty")
    if len(data) > settings.RESUME_MAX_BYTES:
        raise _too_large()
    extension = _extension(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ResumeError("extension")
    if not _content_matches(extension, data):
        raise ResumeError(
            "mismatch",
            _("The file's content does not match its extension “.%(extension)s”.") % {"extension": extension},
        )
    result = _run_worker(extension, data)
    if not result["ok"]:
        code = result.get("code")
        raise ResumeError(code if code in _WORKER_CODES else "unreadable")
    fields = (result.get("text"), result.get("hidden"), result.get("pages"), result.get("image_pages"))
    if not (isinstance(fields[0], str) and isinstance(fields[1], str) and all(type(n) is int for n in fields[2:])):
        logger.warning("resume worker (%s) answered an unexpected shape", extension)
        raise ResumeError("unreadable")
    max_chars = settings.RESUME_MAX_CHARS
    text, hidden = tidy_text(fields[0])[:max_chars], tidy_text(fields[1])[:max_chars]
    pages, image_pages = fields[2], fields[3]
    if image_pages and len(_WORD.findall(text)) < SCAN_WORDS_PER_PAGE * max(pages, 1):
        raise ResumeError("scan")
    if not text:
        raise ResumeError("no_text")
    if _repetitive(text):
        raise ResumeError("repetitive")
    return ResumeText(text=text, hidden_text=hidden)


def resume_extract(*, name: str, data: bytes) -> ResumeText:
    """The text of a resume file named ``name`` (its extension counts) with content ``data``.

    Checks the size (``RESUME_MAX_BYTES``), the extension (pdf, docx, txt) and that the content
    really is of that kind, then reads it in a child process bounded by ``RESUME_EXTRACT_SECONDS``
    (wall clock), ``RESUME_EXTRACT_MEMORY_MB`` (address space), ``RESUME_MAX_PAGES`` (PDF pages
    read; later pages are ignored), ``RESUME_MAX_DECOMPRESSED_BYTES`` (inflated content) and
    ``RESUME_MAX_CHARS`` (characters kept). Typically takes 10-50 ms in a warm process (the fork
    server started), 0.1-0.3 s with a subprocess per file (``RESUME_EXTRACT_POOL`` off or unavailable).

    Returns a ``ResumeText``. Raises ``ResumeError`` and nothing else: a refused file, a parser
    failure of any type, a limit reached, even a failure to start the child.
    """
    try:
        return _extract(name, data)
    except ResumeError:
        raise
    except Exception:
        logger.exception("resume extraction failed unexpectedly")
        raise ResumeError("unreadable")


def resume_read_upload(upload) -> ResumeText:
    """The text of an uploaded file (a Django ``UploadedFile``), as ``resume_extract`` gives it.

    Refuses a file over ``RESUME_MAX_BYTES`` before reading it, and reads at most that many bytes
    plus one. Leaves the file at position 0, ready to be saved, whatever happens. Raises
    ``ResumeError`` only.
    """
    max_bytes = settings.RESUME_MAX_BYTES
    try:
        if upload.size is not None and upload.size > max_bytes:
            raise _too_large()
        upload.seek(0)
        data = upload.read(max_bytes + 1)
    except ResumeError:
        raise
    except Exception:
        logger.exception("reading an uploaded resume failed")
        raise ResumeError("unreadable")
    finally:
        with contextlib.suppress(Exception):  # a file that cannot seek has nothing left to keep ready
            upload.seek(0)
    return resume_extract(name=upload.name or "", data=data)
