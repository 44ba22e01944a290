"""What both sides need to know of a DOCX package, from its zip directory and two small parts.

``screening.resume`` asks ``word_main_part`` whether an upload named ``.docx`` is a Word document
before starting the worker; the worker (``word``) asks it which part is the body. Only the standard
library here: no lxml, no XML parser in the web process, nothing inflated past a few kilobytes.

A Word document is an OPC package (a zip) with ``[Content_Types].xml`` and a main document part:
the target of the ``officeDocument`` relationship in ``_rels/.rels`` when ``[Content_Types].xml``
declares it a WordprocessingML document (``word/document2.xml`` from some editors), else
``word/document.xml``. Where the parts lie in the zip does not matter (``filetype`` looks for
``word/`` among the first entries only, and refuses a valid file written in another order).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from urllib.parse import unquote

# A Word document has 10-40 entries, with pictures and custom XML a few hundred.
MAX_ENTRIES = 1000
# ... and their directory (46 bytes and a name per entry) at most this many bytes.
MAX_DIRECTORY_BYTES = 256 * 1024
# _rels/.rels and [Content_Types].xml are a few KB; only this much of each is read.
SMALL_PART_BYTES = 64 * 1024

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
# A tag's attributes run to the next ">" and never over a "<": one linear scan of the part.
_TAG = re.compile(rb"<(?:\w+:)?(Relationship|Override)\b([^<>]*)>")
_ATTRIBUTE = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_OFFICE_DOCUMENT = b"/officeDocument"  # the transitional and the strict relationship type end so
# The content types of a main document part: document, template, macro-enabled document or template.
_WORD_MAIN_TYPES = re.compile(
    rb"application/vnd\.(openxmlformats-officedocument\.wordprocessingml\.(document|template)"
    rb"|ms-word\.(document\.macroEnabled|template\.macroEnabledTemplate))\.main\+xml",
    re.IGNORECASE,
)


def zip_directory(data: bytes) -> tuple[int, int] | None:
    """(entries, bytes) of the zip's central directory as its end record declares them, read without
    parsing the directory; None if there is no end record."""
    last = len(data) - _EOCD_SIZE  # the record without a comment, where zipfile looks first
    if last < 0:
        return None
    end = last if data[last : last + 4] == _EOCD else data.rfind(_EOCD, max(0, last - 0xFFFF), last + 4)
    if end < 0:
        return None
    count, size = struct.unpack_from("<HI", data, end + 10)
    if count != 0xFFFF and size != 0xFFFFFFFF:
        return count, size
    # ZIP64: the locator just before the end record points to a record with 8-byte fields.
    locator = end - 20
    if locator < 0 or data[locator : locator + 4] != _ZIP64_LOCATOR:
        return None
    offset = struct.unpack_from("<Q", data, locator + 8)[0]
    if offset + 56 > len(data) or data[offset : offset + 4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<QQ", data, offset + 32)


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    """The attributes of a tag by local name: ``{b"Type": b"...", b"Target": b"..."}``."""
    found = {}
    for name, double, single in _ATTRIBUTE.findall(raw):
        found[name.split(b":")[-1]] = double or single
    return found


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """The first ``SMALL_PART_BYTES`` of a member, whatever size it declares."""
    with archive.open(name) as member:
        return member.read(SMALL_PART_BYTES)


def _part_name(target: bytes) -> str:
    """A zip member name from a relationship target relative to the package root."""
    name = unquote(target.decode("utf-8", "replace")).replace("\\", "/").lstrip("/")
    while name.startswith("./"):
        name = name[2:]
    return name


def _tags(archive: zipfile.ZipFile, name: str, tag: bytes) -> list[dict[bytes, bytes]]:
    """The attributes of each ``tag`` element in the first ``SMALL_PART_BYTES`` of a member."""
    return [_attributes(raw) for found, raw in _TAG.findall(_small_part(archive, name)) if found == tag]


def main_part(archive: zipfile.ZipFile) -> str | None:
    """The member name of the main document part of a Word package, or None if it is not one."""
    names = {name.lower(): name for name in archive.namelist()}
    content_types = names.get("[content_types].xml")
    if content_types is None:
        return None
    rels = names.get("_rels/.rels")
    targets = [
        _part_name(attributes.get(b"Target", b"")).lower()
        for attributes in (_tags(archive, rels, b"Relationship") if rels else ())
        if attributes.get(b"Type", b"").endswith(_OFFICE_DOCUMENT)
        and attributes.get(b"TargetMode", b"").lower() != b"external"
    ]
    if any(target in names for target in targets):
        declared = {
            _part_name(attributes.get(b"PartName", b"")).lower()
            for attributes in _tags(archive, content_types, b"Override")
            if _WORD_MAIN_TYPES.fullmatch(attributes.get(b"ContentType", b"").strip())
        }
        for target in targets:
            if target in names and target in declared:
                return names[target]
    return names.get("word/document.xml")


def word_main_part(data: bytes) -> str | None:
    """The main document part's member name if ``data`` is a Word document (DOCX), else None.

    Cheap and bounded for the web process: a zip declaring more than ``MAX_ENTRIES`` entries or a
    directory over ``MAX_DIRECTORY_BYTES`` is refused before its directory is parsed (a few ms at
    most), and at most two small parts are partly inflated.
    """
    if not data.startswith(b"PK\x03\x04"):
        return None
    directory = zip_directory(data)
    # zipfile parses the whole directory, whatever the count says: both are bounded first.
    if directory is None or directory[0] > MAX_ENTRIES or directory[1] > MAX_DIRECTORY_BYTES:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if len(archive.infolist()) > MAX_ENTRIES:
                return None
            return main_part(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
        return None  # broken, encrypted or with an unknown compression: not a document we can read
