"""TXT: by its byte-order mark, else UTF-8, else a legacy codepage only when exactly one reading of
the file is plausible (charset-normalizer proposes, ``looks_garbled`` disposes); never mojibake.
"""

from __future__ import annotations

import itertools
import re

from charset_normalizer import from_bytes

from screening.resume_worker import CONTROL_CHARS, Collector, Refusal

# The legacy single-byte encodings a TXT file may come in when it is not UTF-8; charset-normalizer
# chooses among them, and a file two of them read differently (and plausibly) is refused.
LEGACY_ENCODINGS = ["cp1251", "koi8_r", "cp866", "cp1252", "mac_cyrillic", "iso8859_5"]
# Readings messier than this (charset-normalizer's chaos, 0..1) are not considered; readings within
# the margin of the least messy one compete.
MAX_CHAOS = 0.15
CHAOS_MARGIN = 0.03

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_GARBLED_CHARS = re.compile(r"[\u2500-\u259f\ufffd]")  # box drawing: cp866 text read as another codepage
_LETTERS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_VOWEL = re.compile(r"[аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_UKRAINIAN_ONLY = re.compile(r"[єїіґЄЇІҐ]")
_FOREIGN_CYRILLIC = re.compile(r"[ђѓљњћќџѕјЂЃЉЊЋЌЏЅЈ]")  # not in Russian, Ukrainian or Belarusian
# Inside a word only letters, digits and these; ``ˆ˜ºªµ`` are letters Unicode-wise but never in words,
# and ``œ`` only comes before u or i (cœur, œil).
_INNER_SYMBOL = re.compile(r"[^\w\-'’.@/+#&]|[_ˆ˜ºªµ]|œ(?![uiUI])")
# What may stick to a word's start and end; the rest (``»ван``, ``–азработчик``) is odd.
_OPENING = "\"'«“„‚‘([{<•·*"
_CLOSING = "\"'»”’)]}>.,;:!?…"


def _case_flip(word: str) -> bool:
    """A capital right after a small letter that is not camel case: Cyrillic (``нБПХЪ``) or a
    non-ASCII capital (``dŽveloppeuse``); ``PostgreSQL`` and ``СберБанк``-like names are rare."""
    for small, capital in itertools.pairwise(word):
        if small.islower() and capital.isupper() and (not capital.isascii() or _CYRILLIC.match(small)):
            return True
    return False


def _odd_word(token: str) -> bool:
    """A word that text in the right codepage does not have: a symbol inside it (``Log°stica``),
    Cyrillic and Latin letters mixed (``Cafй``), a capital after a small letter (``_case_flip``),
    or for Cyrillic no vowel in a small-letter word, a start with ъ, ь or ы, letters of Russian and
    Ukrainian together, or letters of neither."""
    if _INNER_SYMBOL.search(token):
        return True
    for word in _LETTERS.findall(token):
        if _case_flip(word):
            return True
        if _CYRILLIC.search(word) and (
            _LATIN.search(word)
            or (len(word) > 2 and word.islower() and not _VOWEL.search(word))
            or word[0] in "ъьыЪЬЫ"
            or (_RUSSIAN_ONLY.search(word) and _UKRAINIAN_ONLY.search(word))
            or _FOREIGN_CYRILLIC.search(word)
        ):
            return True
    return False


def looks_garbled(text: str) -> bool:
    """Signs of text decoded with the wrong codepage: box drawing, or more than one word in ten of
    those with non-ASCII characters (the only ones a codepage changes) that is odd (``_odd_word``)."""
    if _GARBLED_CHARS.search(text):
        return True
    checked = odd = 0
    for token in text.split():
        token = token.lstrip(_OPENING).rstrip(_CLOSING)
        if not token.isascii() and _LETTERS.search(token):
            checked += 1
            odd += _odd_word(token)
    return odd * 10 > checked


def decode_text(data: bytes, max_legacy_bytes: int | None = None) -> str:
    """The text of a plain-text file: by its BOM, else UTF-8, else a legacy codepage only when
    exactly one reading is plausible; ``Refusal("encoding")`` or ``Refusal("not_text")`` otherwise.

    In a legacy codepage only the first ``max_legacy_bytes`` (one character each) are read: weighing
    the readings of a whole 5 MB file costs seconds."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise Refusal("encoding")
    if b"\x00" in data:
        raise Refusal("not_text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(data[:max_legacy_bytes], cp_isolation=LEGACY_ENCODINGS, threshold=MAX_CHAOS))
    if not matches:
        raise Refusal("encoding")
    best = min(match.chaos for match in matches)
    readings = {str(m) for m in matches if m.chaos <= best + CHAOS_MARGIN}
    readings = {text for text in readings if not looks_garbled(text)}
    if len(readings) != 1:
        raise Refusal("encoding")
    return readings.pop()


def read_txt(data: bytes, limits: dict) -> dict:
    """Text of the file: ``{"text", "hidden": "", "pages": 0, "image_pages": 0}``."""
    text = decode_text(data, max_legacy_bytes=8 * limits["max_chars"])  # all that is kept below
    controls = len(CONTROL_CHARS.findall(text))
    if controls > max(len(text) // 100, 8):
        raise Refusal("not_text")
    collector = Collector(limits["max_chars"])
    collector.add(text[: 8 * limits["max_chars"]])
    return collector.result(pages=0, image_pages=0)
