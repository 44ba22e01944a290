"""Redaction: the candidate's identifying details leave the text before anything leaves the machine.

Pure functions (no ORM, no request); docs/llm.md, "Redaction", lists the rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from unidecode import unidecode

REDACTED_NAME = "[NAME]"
REDACTED_EMAIL = "[EMAIL]"
REDACTED_PHONE = "[PHONE]"
REDACTED_LINK = "[LINK]"
REDACTED_HANDLE = "[HANDLE]"
REDACTED_ADDRESS = "[ADDRESS]"

_SOCIAL_HOSTS = (
    r"linkedin\.com|github\.com|gitlab\.com|bitbucket\.org|t\.me|telegram\.me|vk\.com|facebook\.com|fb\.com|"
    r"instagram\.com|twitter\.com|x\.com|hh\.ru|habr\.com|career\.habr\.com|behance\.net|dribbble\.com|"
    r"medium\.com|stackoverflow\.com|youtube\.com|wa\.me|ok\.ru|leetcode\.com|kaggle\.com"
)
_URL_RE = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://\S+)"  # any scheme
    r"|(?:\bwww\.\S+)"
    rf"|(?:\b(?:[\w-]+\.)*(?:{_SOCIAL_HOSTS})\b(?:/\S*)?)"
    r"|(?:\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}/[^\s]*)",  # a bare domain with a path
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_OBFUSCATED_EMAIL_RE = re.compile(
    r"[\w.+-]+\s*[\[(<{]\s*(?:at|собака)\s*[\])>}]\s*[\w-]+(?:\s*[\[(<{]\s*(?:dot|точка)\s*[\])>}]\s*[\w-]+)+",
    re.IGNORECASE,
)
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{3,32}\b")
_PHONE_RE = re.compile(r"(?<![\w+])\+?\d[\d \t().\-\u00a0]{6,}\d(?![\w])")
_YEARS_ONLY_RE = re.compile(r"^\(?\d{4}\)?(?:\s*[-–.\s]\s*\(?\d{4}\)?)*$")
_STREET_WORDS_EN = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Square|Sq|Way|"
    r"Terrace|Highway|Hwy|Parkway|Pkwy|Crescent|Close|Alley|Straße|Strasse|Str"
)
_ADDRESS_EN_RE = re.compile(
    # "221B Baker Street", "12 Main St., Apt 4"
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][\w'’-]*\.?\s+){{1,4}}(?:{_STREET_WORDS_EN})\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*\w+)?"
    # "Baker Street 221B", "Hauptstraße 5"
    rf"|\b(?:[A-Z][\w'’-]*\s+){{0,3}}[A-Z][\w'’-]*(?:\s+(?:{_STREET_WORDS_EN})\b\.?|(?:straße|strasse|str\.))"
    r"\s*,?\s*\d{1,5}[A-Za-z]?\b(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*\w+)?",
)
_ADDRESS_RU_RE = re.compile(
    r"(?:\b(?:ул|пр-т|просп|пр|пер|наб|пл|б-р|ш)\.|\bулица\b|\bпроспект\b|\bпереулок\b|\bбульвар\b|\bшоссе\b|"
    r"\bнабережная\b|\bплощадь\b|\bмкр\.?|\bмикрорайон\b)"
    r"\s*[^\n,;.]{1,40}?,?\s*(?:д\.|дом)?\s*\d+[\w/-]*"
    r"(?:,?\s*(?:корп\.|к\.|стр\.|кв\.|квартира|офис|оф\.)\s*\d+\w*)*",
    re.IGNORECASE,
)
_STREET_RU_WORD_FIRST_RE = re.compile(
    # "Ленина ул., 5" / "Тверская улица, д. 7"
    r"\b[А-ЯЁ][\w-]+\s+(?:ул\.|улица|проспект|пр-т|переулок|бульвар|шоссе)\s*,?\s*(?:д\.|дом)?\s*\d+[\w/-]*"
    r"(?:,?\s*(?:корп\.|к\.|стр\.|кв\.|квартира)\s*\d+\w*)*",
)
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    """What identifies the candidate and must never leave the machine."""

    full_name: str = ""
    email: str = ""
    phone: str = ""


def normalise_text(text: str) -> str:
    """Fold look-alike Unicode (full-width letters, ligatures) to plain form and drop invisible characters.

    Zero-width and bidi-control characters can hide a name from redaction or an
    instruction from a reader; they carry nothing a recruiter needs.
    """
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or (unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs") and ch != "\ufeff")
    )


def _name_pattern(part: str) -> str:
    # Russian names decline (Иванов, Иванова, Иванову; Анна, Анны): match the stem and a short ending.
    if _CYRILLIC_RE.search(part):
        stem = re.sub(r"[аяйьоеыиу]$", "", part, flags=re.IGNORECASE)
        stem = stem if len(stem) >= 3 else part
        return rf"(?<!\w){re.escape(stem)}[а-яё]{{0,3}}(?!\w)"
    return rf"(?<!\w){re.escape(part)}(?!\w)"


# unidecode spells these letters as the passport rules do (Юлия -> Iuliia, Сергей -> Sergei); resumes and
# profiles mostly use the older spelling (Yuliya, Sergey), so a name is looked for in both.
_COMMON_SPELLING = str.maketrans({"й": "y", "ё": "e", "ю": "yu", "я": "ya"})


def name_variants(part: str) -> list[str]:
    """A name part and, for a Cyrillic one, its Latin spellings (Анна -> anna; Юлия -> iuliia, yuliya).

    Latin spellings come from ``unidecode`` (the soft and hard signs dropped),
    once as it spells them and once with the common spelling of й, ё, ю, я.
    """
    variants = [part]
    if _CYRILLIC_RE.search(part):
        lower = part.lower()
        for spelling in (lower, lower.translate(_COMMON_SPELLING)):
            latin = unidecode(spelling).replace("'", "").replace('"', "")
            if len(latin) >= 2 and latin != lower and latin not in variants:
                variants.append(latin)
    return variants


def _phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _redact_patterns(text: str) -> str:
    """Emails, links, handles and addresses of anyone, whatever the identity."""
    text = _OBFUSCATED_EMAIL_RE.sub(REDACTED_EMAIL, text)
    text = _EMAIL_RE.sub(REDACTED_EMAIL, text)
    text = _URL_RE.sub(REDACTED_LINK, text)
    text = _HANDLE_RE.sub(REDACTED_HANDLE, text)
    text = _ADDRESS_EN_RE.sub(REDACTED_ADDRESS, text)
    text = _ADDRESS_RU_RE.sub(REDACTED_ADDRESS, text)
    return _STREET_RU_WORD_FIRST_RE.sub(REDACTED_ADDRESS, text)


def _redact_phones(text: str, known_phone: str) -> str:
    def phone_sub(match: re.Match) -> str:
        chunk = match.group(0)
        digits = _phone_digits(chunk)
        if known_phone and len(known_phone) >= 7 and known_phone[-7:] in digits:
            return REDACTED_PHONE
        if 9 <= len(digits) <= 15 and not _YEARS_ONLY_RE.match(chunk.strip()):
            return REDACTED_PHONE
        return chunk

    return _PHONE_RE.sub(phone_sub, text)


def _redact_name(text: str, name: str, known_email: str) -> str:
    parts = sorted({p for p in re.split(r"[\s,]+", name) if len(p.strip(".-'")) >= 2}, key=len, reverse=True)
    patterns = [_name_pattern(name)] + [
        _name_pattern(variant) for p in parts for variant in name_variants(p.strip("."))
    ]
    text = re.sub("|".join(patterns), REDACTED_NAME, text, flags=re.IGNORECASE)
    local = known_email.split("@")[0] if "@" in known_email else ""
    if len(local) >= 4:
        text = re.sub(rf"(?<!\w){re.escape(local)}(?!\w)", REDACTED_HANDLE, text, flags=re.IGNORECASE)
    return text


def redact(text: str, identity: Identity = Identity()) -> str:
    """The text without the candidate's identifying details (see docs/llm.md, "Redaction").

    Both the known values (the candidate's own name, email, phone) and anything
    that looks like an email, a phone number, a link, a social handle or a street
    address are replaced by placeholders such as ``[EMAIL]``.
    """
    text = normalise_text(text)
    if not text:
        return ""
    known_email = normalise_text(identity.email).strip()
    if known_email:
        text = re.sub(re.escape(known_email), REDACTED_EMAIL, text, flags=re.IGNORECASE)
    text = _redact_patterns(text)
    text = _redact_phones(text, _phone_digits(normalise_text(identity.phone)))
    name = normalise_text(identity.full_name).strip()
    if name:
        text = _redact_name(text, name, known_email)
    return text
