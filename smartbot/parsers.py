"""Request parsers of the REST API that refuse bytes no endpoint can store: ``DEFAULT_PARSER_CLASSES``.

Every body the API reads goes through one of these, so every endpoint refuses the same things with a
400 in the API's error shape (``ParseError``, code ``parse_error``), before any serializer, form or
service sees them:

- JSON nested deeper than ``JSON_MAX_DEPTH`` arrays/objects. The depth is counted on the raw text before
  decoding, so a body nested 100,000 deep never reaches the recursive decoder (CPython's ``json`` raises
  ``RecursionError`` past about 1,000 levels, which is not a ``ValueError`` and used to become a 500);
- a NUL character (``\\u0000``) in any string or key: PostgreSQL text cannot hold it (the insert fails);
- a lone surrogate (``\\ud800``, a UTF-16 half with no partner) in any string or key: it is not a Unicode
  scalar value, so it cannot be encoded as UTF-8 for the database, an email or a log line (RFC 8259 §8.2
  leaves such strings' behaviour "unpredictable"; Python's decoder lets them through);
- bytes that are not valid UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8).

Form and multipart bodies get the same NUL/surrogate check on every field name, value and file name.
Query strings and paths are checked for every request (HTML pages too) by
``smartbot.middleware.ForbiddenCharactersMiddleware``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Arrays and objects inside each other. Our bodies need 4 (a vacancy with questions and their options);
# the margin is for clients that wrap things. Well under the decoder's recursion limit.
JSON_MAX_DEPTH = 32

# NUL, and any surrogate code point: JSON's decoder joins a valid "\ud83d\ude00" pair into one character,
# so a surrogate left in a decoded string is always a lone one. UTF-8 decoding never produces one.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
# A JSON string (skipped whole: brackets inside it are text) or one bracket. The string part is the
# "unrolled loop" form, linear on long strings.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def text_error(text: str) -> str | None:
    """Why ``text`` cannot be accepted (a NUL or a lone surrogate), or None when it is fine."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("The request contains a NUL character (\\u0000), which is not allowed.")
    return _("The request contains an unpaired surrogate (\\u%(code)04x), which is not a valid character.") % {
        "code": ord(found.group())
    }


def json_too_deep(text: str, *, limit: int = JSON_MAX_DEPTH) -> bool:
    """True when the JSON ``text`` opens more than ``limit`` arrays/objects inside each other.

    Linear in the length of ``text`` and stops at the first bracket past the limit; it looks at the
    text only (not whether it is valid JSON), so it never recurses however deep the text is.
    """
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def data_error(value) -> str | None:
    """The first ``text_error`` in a decoded JSON value (strings and keys, at any depth), or None.

    Recursive: call it only on values whose depth is already bounded (``json_too_deep``).
    """
    if isinstance(value, str):
        return text_error(value)
    if isinstance(value, dict):
        for key, item in value.items():
            error = data_error(key) or data_error(item)
            if error:
                return error
    elif isinstance(value, list):
        for item in value:
            error = data_error(item)
            if error:
                return error
    return None


def _query_dict_error(data) -> str | None:
    for key, values in data.lists():
        error = text_error(key) or next(filter(None, (text_error(v) for v in values if isinstance(v, str))), None)
        if error:
            return error
    return None


def json_loads_strict(raw: bytes, *, encoding: str = "utf-8", max_depth: int = JSON_MAX_DEPTH, strict: bool = True):
    """Decode a JSON body ``raw`` with every check of this module; raises ``ParseError`` (400).

    ``strict``: refuse NaN and Infinity (not JSON, RFC 8259 §6), as DRF's ``STRICT_JSON`` does.
    """
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseError(_("JSON parse error - %(error)s") % {"error": exc})
    if json_too_deep(text, limit=max_depth):
        raise ParseError(_("JSON parse error - nested deeper than %(limit)d arrays or objects.") % {"limit": max_depth})
    try:
        data = json.loads(text, parse_constant=json.strict_constant if strict else None)
    except (ValueError, RecursionError) as exc:
        # ValueError also covers integers longer than sys.get_int_max_str_digits() (4300 digits).
        raise ParseError(_("JSON parse error - %(error)s") % {"error": exc})
    error = data_error(data)
    if error:
        raise ParseError(error)
    return data


# Where ForbiddenCharactersMiddleware leaves a JSON body it already decoded (on the Django request), so
# the parser does not decode it twice.
DECODED_JSON_ATTRIBUTE = "_smartbot_json"


class StrictJSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit and no NUL or lone surrogate in any string (module docstring).

    Raises ``ParseError`` (400) for those, for text that is not UTF-8 and for JSON that does not parse.
    Under /api/ the body was already checked and decoded by ``ForbiddenCharactersMiddleware`` (for every
    endpoint, including those that never read their body); that result is used.
    """

    max_depth = JSON_MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        django_request = getattr(parser_context.get("request"), "_request", None)
        if hasattr(django_request, DECODED_JSON_ATTRIBUTE):
            return getattr(django_request, DECODED_JSON_ATTRIBUTE)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        return json_loads_strict(stream.read(), encoding=encoding, max_depth=self.max_depth, strict=self.strict)


class StrictFormParser(parsers.FormParser):
    """DRF's form parser; a NUL in any field name or value is a ``ParseError`` (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        error = _query_dict_error(data)
        if error:
            raise ParseError(error)
        return data


class StrictMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; a NUL in any field name, value or file name is a ``ParseError`` (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        names = [f"{key}/{upload.name or ''}" for key, uploads in parsed.files.lists() for upload in uploads]
        error = _query_dict_error(parsed.data) or next(filter(None, map(text_error, names)), None)
        if error:
            raise ParseError(error)
        return parsed
