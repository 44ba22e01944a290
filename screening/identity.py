"""One normal form for a candidate's phone number and email address, so that the same person is recognised.

Pure functions, no ORM and no request: forms, the API and imports call them on what a candidate typed.

- ``phone_normalise`` gives the E.164 form (ITU-T Rec. E.164: ``+``, country code, national number, no
  spaces), parsed and checked by ``phonenumbers`` (the Python port of Google's libphonenumber).
- ``email_normalise`` gives the form used to compare mailboxes: local part lower-cased, domain in its ASCII
  (punycode) form under IDNA (RFC 5891) with the UTS #46 mapping; ``email_display`` turns the domain back
  into Unicode for people.

Both take hostile input: length is bounded before any parsing, and every failure becomes ``PhoneError`` or
``EmailError`` (``ValueError`` subclasses) whose ``message`` is a translated sentence for the candidate.
"""

import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext

try:
    import idna
except ImportError:  # pragma: no cover - idna comes with httpx and requests; the stdlib codec is IDNA 2003
    idna = None

PHONE_MAX_CHARS = 40  # the column's length (Candidate.phone); nobody types a longer phone number
EMAIL_MAX_CHARS = 320  # 64 (local part) + 1 + 255 (domain), before any mapping
EMAIL_MAX_OCTETS = 254  # RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its angle brackets
LOCAL_PART_MAX_OCTETS = 64  # RFC 5321 §4.5.3.1.1

# Dash-like characters that are not in Unicode's dash punctuation category (Pd), which covers the rest
# (U+2010..U+2015, U+2E3A, U+FE58, U+FE63, U+FF0D, ...). NFKC runs first, so U+207B and U+208B have already
# become U+2212 and U+2011 has become U+2010.
_EXTRA_DASHES = frozenset("\u2212\u2796\u02d7\u2043")
# Invisible characters that copying a number or an address from a chat, a PDF or a phone's contact card
# brings along: soft hyphen, zero-width space, direction marks and embeddings, word joiner, BOM.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")
)
# What a phone number may hold once folded: digits, a plus, and the punctuation people group digits with.
# Letters are refused, not read as keypad letters: "+7 900 I23 45 67" is a typo, not a vanity number.
_PHONE_CHARS_RE = re.compile(r"[0-9+()\-. /]*")
_LOCAL_ATEXT = frozenset("!#$%&'*+-/=?^_`{|}~")  # RFC 5322 atext besides letters and digits
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})  # controls, unassigned, separators
_JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiner: they spell words in Persian and Indic scripts
_DNS_LABEL_RE = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class PhoneError(ValueError):
    """The text is not a phone number we can call; ``message`` tells the candidate (translated)."""

    def __init__(self, message: str | None = None):
        self.message = message or gettext("Enter a phone number, e.g. +7 900 123-45-67.")
        super().__init__(self.message)


class EmailError(ValueError):
    """The text is not an email address; ``message`` tells the candidate (translated)."""

    def __init__(self, message: str | None = None):
        self.message = message or gettext("Enter a valid email address.")
        super().__init__(self.message)


# --- phones ---------------------------------------------------------------------------------------------


def phone_fold(raw: str) -> str:
    """``raw`` with Unicode look-alikes folded to ASCII: the text ``phonenumbers`` is given.

    NFKC turns full-width digits, plus and brackets and the Unicode spaces (no-break, narrow no-break,
    thin, ideographic) into ASCII; then every dash or minus becomes ``-``, every space ``' '``, every
    decimal digit of any script its ASCII digit, and invisible formatting characters are dropped.
    """
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif ch.isascii():
            out.append(ch)
        elif unicodedata.category(ch) == "Pd" or ch in _EXTRA_DASHES:
            out.append("-")
        elif unicodedata.decimal(ch, None) is not None:
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


def phone_normalise(raw: str, *, region: str = "RU") -> str:
    """The E.164 form of a phone number as typed, e.g. ``"8 (900) 123-45-67"`` -> ``"+79001234567"``.

    ``region`` (ISO 3166-1 alpha-2) is the country assumed for a number written without ``+`` and a
    country code; with ``RU`` the Russian habit of a leading 8 ("8 900 123-45-67") reads as +7, and so
    does a bare "900 123-45-67". The text is folded first (``phone_fold``: Unicode dashes, spaces and
    digits), must be at most 40 characters and hold only digits, ``+``, spaces, ``()``, ``-``, ``.`` and
    ``/``. The number must be valid by libphonenumber's metadata (``is_valid_number``): a number in a
    range that is allocated for its country, so "+7 000 000-00-00" is refused while any real mobile,
    including our tests' "+7 900 000-00-01", passes. The price: a range opened after the installed
    ``phonenumbers`` release is refused until it is upgraded. Extensions ("доб. 5", "ext 12") are
    refused: E.164 has no place for them.

    Raises ``PhoneError`` for anything else, whatever went wrong inside the parser.
    """
    if not isinstance(raw, str) or len(raw) > PHONE_MAX_CHARS:
        raise PhoneError
    text = phone_fold(raw).strip()
    if not text or not _PHONE_CHARS_RE.fullmatch(text):
        raise PhoneError
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
        valid = not number.extension and phonenumbers.is_valid_number(number)
    except Exception:  # the parser's own error, or anything else it trips on: the candidate's text is at fault
        raise PhoneError
    if not valid:
        raise PhoneError
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- emails ---------------------------------------------------------------------------------------------


def _email_fold(raw: str) -> str:
    # Full-width ASCII (U+FF01..U+FF5E) is what an East Asian input method types for "anna＠mail．ru":
    # fold it to ASCII, then NFC. No NFKC over the local part: it is the mailbox owner's to define.
    text = "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in raw)
    text = text.replace("\ufe6b", "@")  # small commercial at
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE)).strip()


def _local_part_ok(local: str) -> bool:
    # RFC 5322 dot-atom, with RFC 6532's non-ASCII characters allowed; quoted local parts are refused
    # (nobody types them, and one would need the "@" inside quotes handled everywhere).
    if not local or len(local.encode()) > LOCAL_PART_MAX_OCTETS:
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    for ch in local:
        if ch.isascii():
            if not (ch.isalnum() or ch == "." or ch in _LOCAL_ATEXT):
                return False
        elif ch not in _JOINERS and (ch.isspace() or unicodedata.category(ch) in _NOT_TEXT):
            return False
    return True


def _domain_to_ascii(domain: str) -> str:
    if idna is not None:
        return idna.encode(domain, uts46=True).decode("ascii")
    return domain.lower().encode("idna").decode("ascii")  # IDNA 2003 (RFC 3490) with nameprep


def email_normalise(raw: str) -> str:
    """The form that identifies one mailbox, e.g. ``"Анна@Пример.рф"`` -> ``"анна@xn--e1afmkfd.xn--p1ai"``.

    Surrounding spaces and invisible characters are dropped, full-width ASCII (``＠``, ``．``, letters) is
    folded, the text is put in NFC. The whole address is lower-cased, the local part included, as the
    application has always done: RFC 5321 lets a server tell "Anna" from "anna", none that candidates use
    does, and one person must not become two. ``str.lower`` rather than ``casefold``: "straße" and
    "strasse" are different mailboxes. The domain is mapped and encoded to ASCII (punycode A-labels) by
    IDNA 2008 (RFC 5891) with the UTS #46 mapping, via the ``idna`` package (Python's IDNA 2003 codec if
    it is missing), so "Пример.рф" and "xn--e1afmkfd.xn--p1ai" give one value; one trailing dot is dropped.

    Accepted: one ``@``; a dot-atom local part of at most 64 octets in which non-ASCII letters are allowed
    (RFC 6532); a domain of at least two LDH labels whose last is not all digits; 254 octets in all.
    Raises ``EmailError`` otherwise (quoted local parts and address literals like ``[127.0.0.1]`` too).
    """
    if not isinstance(raw, str) or len(raw) > EMAIL_MAX_CHARS:
        raise EmailError
    text = _email_fold(raw)
    if text.count("@") != 1:
        raise EmailError
    local, domain = text.split("@")
    local = local.lower()
    if not _local_part_ok(local):
        raise EmailError
    if domain.endswith("."):
        domain = domain[:-1]
    try:
        ascii_domain = _domain_to_ascii(domain).lower()
    except Exception:  # idna.IDNAError, UnicodeError, or whatever else the codec trips on
        raise EmailError
    labels = ascii_domain.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or not all(_DNS_LABEL_RE.fullmatch(label) for label in labels):
        raise EmailError
    address = f"{local}@{ascii_domain}"
    if len(address.encode()) > EMAIL_MAX_OCTETS:
        raise EmailError
    return address


def email_display(raw: str) -> str:
    """The address to show people: ``email_normalise``'s form with the domain back in Unicode.

    ``"анна@xn--e1afmkfd.xn--p1ai"`` -> ``"анна@пример.рф"``. Raises ``EmailError`` like
    ``email_normalise``.
    """
    address = email_normalise(raw)
    local, domain = address.split("@")
    try:
        shown = idna.decode(domain) if idna is not None else domain.encode("ascii").decode("idna")
    except Exception:  # a domain that encodes but does not decode back: show the ASCII form
        shown = domain
    return f"{local}@{shown}"
