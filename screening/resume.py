"""Reading the text of an uploaded resume (PDF, DOCX or TXT).

The content is sniffed from its first bytes (the ``filetype`` package) and must
match the file name's extension: a text file renamed to ``.pdf`` is refused
with a clear message instead of failing deep inside a parser. Text comes out
of maintained libraries: pypdf for PDF, python-docx for DOCX.
"""

from __future__ import annotations

import io
import logging
import os

import filetype
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_RESUME_BYTES = 5 * 1024 * 1024
# Candidate.resume_text holds at most this many characters.
MAX_RESUME_CHARS = 100_000
ALLOWED_EXTENSIONS = ("pdf", "docx", "txt")


class ResumeError(ValueError):
    """The file cannot be used as a resume; ``message`` tells the candidate why, ``code`` for tests and APIs."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _sniff(head: bytes) -> str | None:
    """The real kind of the content ("pdf", "docx", ...), or None for no known binary signature."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    kind = filetype.guess(head)
    return kind.extension if kind else None


def _decode_text(data: bytes) -> str:
    if b"\x00" in data:
        raise ResumeError("not_text", _("This file does not look like plain text."))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ResumeError("encoding", _("This text file is not in a known encoding; save it as UTF-8."))


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ResumeError("encrypted", _("This PDF is password-protected; upload it without a password."))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except ResumeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.info("unreadable PDF resume: %s", exc)
        raise ResumeError("unreadable", _("This PDF could not be read. Try another file or paste the text."))


def _docx_text(data: bytes) -> str:
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        logger.info("unreadable DOCX resume: %s", exc)
        raise ResumeError("unreadable", _("This DOCX file could not be read. Try another file or paste the text."))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def resume_extract_text(*, name: str, data: bytes) -> str:
    """The text of a resume file, or ``ResumeError`` saying what is wrong with it.

    Checks the size (at most 5 MB), the extension (pdf, docx, txt) and that the
    content really is of that kind, then extracts and tidies the text.
    """
    if len(data) > MAX_RESUME_BYTES:
        raise ResumeError("too_large", _("The file is larger than 5 MB."))
    if not data:
        raise ResumeError("empty", _("The file is empty."))
    extension = _extension(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ResumeError("extension", _("Upload a PDF, DOCX or TXT file."))
    sniffed = _sniff(data[:8192])
    expected = {"pdf": "pdf", "docx": "docx", "txt": None}[extension]
    if sniffed != expected:
        raise ResumeError(
            "mismatch",
            _("The file's content does not match its extension “.%(extension)s”.") % {"extension": extension},
        )
    if extension == "pdf":
        text = _pdf_text(data)
    elif extension == "docx":
        text = _docx_text(data)
    else:
        text = _decode_text(data)
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(line for line in lines if line).strip()
    if not text:
        raise ResumeError("no_text", _("We found no text in this file. Paste your resume into the text field instead."))
    return text[:MAX_RESUME_CHARS]


def resume_read_upload(upload) -> str:
    """The text of an uploaded file (a Django ``UploadedFile``); leaves the file ready to be saved."""
    if upload.size is not None and upload.size > MAX_RESUME_BYTES:
        raise ResumeError("too_large", _("The file is larger than 5 MB."))
    upload.seek(0)
    data = upload.read(MAX_RESUME_BYTES + 1)
    upload.seek(0)
    return resume_extract_text(name=upload.name, data=data)
