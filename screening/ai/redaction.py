"""Redaction: the candidate's identifying details leave the text before anything leaves the machine.

Pure functions (no ORM, no request); docs/llm.md, "Redaction", lists the rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import names

REDACTED_NAME = "[NAME]"
REDACTED_EMAIL = "[EMAIL]"
REDACTED_PHONE = "[PHONE]"
REDACTED_LINK = "[LINK]"
REDACTED_HANDLE = "[HANDLE]"
REDACTED_ADDRESS = "[ADDRESS]"
REDACTED_BIRTH_DATE = "[BIRTH_DATE]"
REDACTED_AGE = "[AGE]"
REDACTED_FAMILY = "[FAMILY]"
REDACTED_CITIZENSHIP = "[CITIZENSHIP]"
REDACTED_PHOTO = "[PHOTO]"

_SOCIAL_HOSTS = (
    r"linkedin\.com|github\.com|gitlab\.com|bitbucket\.org|t\.me|telegram\.me|vk\.com|facebook\.com|fb\.com|"
    r"instagram\.com|twitter\.com|x\.com|hh\.ru|habr\.com|career\.habr\.com|behance\.net|dribbble\.com|"
    r"medium\.com|stackoverflow\.com|youtube\.com|wa\.me|ok\.ru|leetcode\.com|kaggle\.com"
)
# Each pattern starts only where a run of its characters starts ("(?<![\w.+-])"): a start inside a long run
# ("a.a.a.…", 100 KB of it) would rescan the run from every position, quadratic time.
_URL_RE = re.compile(
    r"(?:(?<![\w.+-])[a-z][a-z0-9+.-]*://\S+)"  # any scheme
    r"|(?:\bwww\.\S+)"
    rf"|(?:(?<![\w.-])(?:[\w-]+\.)*(?:{_SOCIAL_HOSTS})\b(?:/\S*)?)"
    r"|(?:(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}/[^\s]*)",  # a bare domain with a path
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT_MARK = r"(?:\s*[\[(<{]\s*(?:at|собака|эт)\s*[\])>}]\s*|\s+собака\s+)"
_DOT_MARK = r"(?:\s*[\[(<{]\s*(?:dot|точка)\s*[\])>}]\s*|\s+(?:dot|точка)\s+)"
_OBFUSCATED_EMAIL_RE = re.compile(
    # "x(at)gmail.com", "x [at] y [dot] com", "x собака gmail точка com"
    rf"(?<![\w.+-])[\w.+-]+{_AT_MARK}[\w-]+(?:(?:{_DOT_MARK}|\.)[\w-]+)+"
    # "x at gmail dot com", "x@gmail dot com": a plain "at" only with a spelled-out "dot"
    rf"|(?<![\w.+-])[\w.+-]+(?:\s+at\s+|\s*@\s*)[\w-]+(?:{_DOT_MARK}[\w-]+)+",
    re.IGNORECASE,
)
# A handle written without "@" after the name of its service ("tg: vanya_dev", "инстаграм: name", "vk name").
_CONTACT_WORDS = (
    r"tg|telegram|телеграм+|телега|тг|inst|insta|instagram|инста|инстаграм+|vk|вк|вконтакте|skype|скайп|"
    r"github|гитхаб|gitlab|twitter|твиттер|facebook|fb|фейсбук|whatsapp|ватсап|вотсап|viber|вайбер|discord|"
    r"дискорд|linkedin|линкедин|tiktok|тикток|nickname|nick|ник|никнейм|username|логин|login|handle|хабр|habr"
)
_CONTACT_HANDLE_RE = re.compile(
    # With a separator any name counts; without one, only a handle-like one (a digit, "_" or "."), so that
    # "Telegram bots" stays.
    rf"(?<!\w)(?P<word>{_CONTACT_WORDS})(?:\s*[:=–—-]\s*|\s+(?=@))@?[A-Za-z0-9_.]{{2,40}}"
    rf"|(?<!\w)(?P<word2>{_CONTACT_WORDS})\s+@?(?=[A-Za-z0-9_.]{{0,39}}[0-9_.])[A-Za-z][A-Za-z0-9_.]{{2,40}}",
    re.IGNORECASE,
)
_SITE_RE = re.compile(
    r"(?<!\w)(?:site|website|web|сайт|portfolio|портфолио|blog|блог)\s*[:–—-]\s*[\w.-]+\.[a-z]{2,12}\b[^\s,;]*",
    re.IGNORECASE,
)
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{3,32}\b")
# A phone may be split by odd separators or across a line ("+7 903\n111 22 33", "903/111/22/33").
_PHONE_RE = re.compile(r"(?<![\w+])\+?\d(?:[ \t().\-\u00a0/_]{0,3}\n?[ \t]*\d){6,}(?![\w])")
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


@dataclass(frozen=True)
class Identity:
    """What identifies the candidate and must never leave the machine.

    ``handles``: other identifiers known to be the candidate's (a messenger
    username, a profile name), redacted and looked for by the leak check as words.
    """

    full_name: str = ""
    email: str = ""
    phone: str = ""
    handles: tuple[str, ...] = ()


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


_MONTHS = (
    r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_BIRTH_YEAR = r"(?:19[3-9]\d|200\d|201[0-2])"  # old enough to apply: a full date in these years is a birth date
_FULL_DATE = (
    rf"(?:\b(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-]{_BIRTH_YEAR}\b"
    rf"|\b{_BIRTH_YEAR}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])\b"
    rf"|\b(?:0?[1-9]|[12]\d|3[01])\s+(?:{_MONTHS})\.?\s+{_BIRTH_YEAR}(?:\s*(?:г\.|года?)(?!\w))?"
    rf"|\b(?:{_MONTHS})\.?\s+(?:0?[1-9]|[12]\d|3[01]),?\s+{_BIRTH_YEAR}\b)"
)
_BIRTH_RE = re.compile(
    # "born 1990", "д.р. 12.03.1990", "1990 г.р.", "1990 года рождения", "дата рождения: 1990"
    r"(?:\b(?:born|date of birth|birth ?date|d\.?o\.?b\.?|родил(?:ся|ась)|род\.|дата рождения|год рождения|д\.\s?р\.)"
    rf"\s*(?:in|on|:|-|–)?\s*(?:{_FULL_DATE}|(?:в\s+)?{_BIRTH_YEAR}(?:\s*(?:г\.|года?)(?!\w))?"
    # after a birth label a two-digit year is a birth date too: "DOB: 12/03/90"
    r"|\b(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-]\d{2}\b))"
    rf"|\b{_BIRTH_YEAR}\s*(?:г\.\s?р\.|г\.р|года рождения)"
    rf"|{_FULL_DATE}",
    re.IGNORECASE,
)
_AGE_RE = re.compile(
    r"\b(?:age|aged|возраст)\s*[:\-–]?\s*\d{2}\b(?:\s*(?:лет|года?|years?(?: old)?|y\.?\s?o\.?))?"
    r"|\b(?:мне|i am|i'm)\s+\d{2}\s*(?:лет|года?|years?(?: old)?|y\.?\s?o\.?)?(?!\w)"
    r"|\b\d{2}\s*(?:years? old|y\.\s?o\.|yo\b|-year-old)"
    # "35 лет" is an age unless it is experience ("5 лет опыта", "20 лет в IT"): 16-79 and not followed by those.
    r"|\b(?:1[6-9]|[2-7]\d)\s*(?:лет|года?)(?!\w)(?!\s*(?:опыт|стаж|работ|в\b|на\b|назад|подряд|коммерческ))",
    re.IGNORECASE,
)
_MARITAL_RE = re.compile(
    r"\b(?:marital status|семейное положение)\s*[:\-–]?\s*[^\n,;.]{1,30}"
    r"|\b(?:happily\s+)?(?:married|divorced|widowed|widower|engaged)\b"
    r"|\b(?:не\s+)?(?:женат|замужем|холост|холоста|разведена?|разведён|вдова|вдовец)\b"
    r"|(?<!\w)в\s+разводе(?!\w)|(?<!\w)(?:мать|мама)-одиночка(?!\w)"
    r"|(?<!\w)(?:single|lone)\s+(?:father|mother|parent|mom|mum|dad)\b"
    r"|(?<!\w)одино\w+\s+(?:мама|мать|папа|отец|родитель)(?!\w)"
    r"|\bsingle\b(?=\s*(?:[,;]|and|no|with)\s*(?:\d+|no|one|two|three)?\s*(?:kids|children|child))",
    re.IGNORECASE,
)
_NUMBER_WORDS = r"(?:\d+|one|two|three|four|five|no|одн[ао]|один|двое|трое|четверо|два|две|три|нет)"
_CHILDREN_RE = re.compile(
    rf"\b(?:{_NUMBER_WORDS}\s+)?(?:kids|children|child|детей|ребён[оа]к|ребен[оа]к|ребёнка|ребенка)\b"
    r"(?:\s*(?:aged|в возрасте|:)?\s*\d{1,2}(?:\s*(?:и|and|,)\s*\d{1,2})*\s*(?:лет|года?|years?(?: old)?)?)?"
    r"|\b(?:есть|have|has)\s+(?:дети|kids|children|a child|сын|дочь|дочка)\b"
    r"|\b(?:have|has)\s+(?:a|one|two|three|\d)\s+(?:daughters?|sons?)\b"
    r"|(?<!\w)у\s+меня\s+(?:есть\s+)?(?:\w+\s+)?(?:сын\w*|доч\w*|дет\w*|ребён\w*|ребен\w*)(?!\w)"
    r"|\b(?:дети|children|kids)\s*[:\-–]\s*[^\n,;.]{1,30}"
    r"|\b(?:mother|father|mom|dad|mum)\s+of\s+(?:\w+)"
    r"|\b(?:сын|дочь|дочка|son|daughter)\s*(?:,\s*)?\d{1,2}\s*(?:лет|года?|years?(?: old)?|y\.?o\.?)?"
    r"|\b(?:pregnant|беременна|декрет\w*|maternity leave)\b",
    re.IGNORECASE,
)
_CITIZENSHIP_RE = re.compile(
    r"\b(?:гражданство|citizenship|nationality|национальность|паспорт)\s*[:\-–]?\s*[^\n,;.]{1,30}"
    r"|\bгражда(?:нин|нка)\s+[А-ЯЁ]?[\w-]+"
    r"|\bcitizen\s+of\s+(?:the\s+)?[\w-]+"
    r"|\b[A-Z][a-z]+\s+(?:citizen|national|passport)\b",
    re.IGNORECASE,
)
_PHOTO_RE = re.compile(
    r"!\[[^\]\n]{0,100}\]\([^)\n]{0,300}\)"  # a markdown image
    r"|\b[\w-]{1,60}\.(?:jpe?g|png|heic|webp|gif|bmp|tiff?)\b"
    r"|\b(?:my\s+|see\s+|моё\s+|мое\s+|см\.\s+)?(?:photo|photograph|selfie|фото(?:графия|графию)?|селфи)\b"
    r"(?:\s*[:\-–]\s*\S+|\s+(?:attached|enclosed|below|above|прилагается|приложено|ниже|выше|в приложении))",
    re.IGNORECASE,
)
_DIGIT_WORDS = (
    r"zero|oh|one|two|three|four|five|six|seven|eight|nine|ноль|нуль|один|одна|два|две|три|четыре|пять|шесть|"
    r"семь|восемь|девять|плюс|plus"
)
# A phone spelled out, at least seven digit words or digits in a row ("восемь девять ноль три ...").
_WORD_PHONE_RE = re.compile(
    rf"(?<!\w)(?:(?:{_DIGIT_WORDS}|\d{{1,4}})(?:[\s,.\-]{{1,3}}|$)){{7,}}",
    re.IGNORECASE,
)
_PATRONYMIC_RE = re.compile(
    r"\b[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)(?:а|у|ем|е|ы|ой|ою)?(?![а-яё])"
    r"|\b[A-Z][a-z]+(?:ovich|evich|ovitch|evitch|ovna|evna|ichna)\b"
)
_INITIALS_BEFORE_RE = re.compile(rf"\b(?:[A-ZА-ЯЁ]\.\s?){{1,2}}{re.escape(REDACTED_NAME)}")
_INITIALS_AFTER_RE = re.compile(rf"{re.escape(REDACTED_NAME)},?(?:\s?[A-ZА-ЯЁ]\.){{1,2}}")


def _redact_personal(text: str) -> str:
    """Contacts written loosely, birth dates, ages, family status and citizenship, of anyone."""
    text = _CONTACT_HANDLE_RE.sub(REDACTED_HANDLE, text)
    text = _SITE_RE.sub(REDACTED_LINK, text)
    text = _BIRTH_RE.sub(REDACTED_BIRTH_DATE, text)
    text = _AGE_RE.sub(REDACTED_AGE, text)
    text = _MARITAL_RE.sub(REDACTED_FAMILY, text)
    text = _CHILDREN_RE.sub(REDACTED_FAMILY, text)
    text = _CITIZENSHIP_RE.sub(REDACTED_CITIZENSHIP, text)

    def word_phone(match: re.Match) -> str:
        chunk = match.group(0)
        words = len(re.findall(_DIGIT_WORDS, chunk, flags=re.IGNORECASE))
        return REDACTED_PHONE + (" " if chunk[-1:].isspace() else "") if words >= 3 else chunk

    return _WORD_PHONE_RE.sub(word_phone, text)


def _redact_name(text: str, name: str, known_email: str) -> str:
    text = names.replace_names(text, names.name_matcher(name), REDACTED_NAME)
    local = known_email.split("@")[0] if "@" in known_email else ""
    if len(local) >= 4:
        text = re.sub(rf"(?<!\w){re.escape(local)}(?!\w)", REDACTED_HANDLE, text, flags=re.IGNORECASE)
    return text


def redact(text: str, identity: Identity = Identity()) -> str:
    """The text without the candidate's identifying details (see docs/llm.md, "Redaction").

    Both the known values (the candidate's own name in both scripts, its Russian
    case forms and diminutives, email, phone) and anything that looks like an
    email (also obfuscated), a phone number (also split or spelled out), a link, a
    social handle (also without "@" after "tg:", "vk", ...), a street address, a
    patronymic, a birth date, an age, family status, citizenship or a photo are
    replaced by placeholders such as ``[EMAIL]`` or ``[BIRTH_DATE]``. Linear in
    the text (no pattern backtracks without bound).
    """
    text = normalise_text(text)
    if not text:
        return ""
    known_email = normalise_text(identity.email).strip()
    if known_email:
        text = re.sub(re.escape(known_email), REDACTED_EMAIL, text, flags=re.IGNORECASE)
    text = _PHOTO_RE.sub(REDACTED_PHOTO, text)  # before links: a photo's address is a photo
    text = _redact_patterns(text)
    text = _redact_personal(text)
    text = _redact_phones(text, _phone_digits(normalise_text(identity.phone)))
    name = normalise_text(identity.full_name).strip()
    if name:
        text = _redact_name(text, name, known_email)
    for handle in identity.handles:
        handle = normalise_text(handle).strip().lstrip("@")
        if len(handle) >= 3:
            text = re.sub(rf"(?<![\w.])@?{re.escape(handle)}(?!\w)", REDACTED_HANDLE, text, flags=re.IGNORECASE)
    # Anyone's patronymic names a person; initials next to a redacted name would spell it ("I. [NAME]").
    text = _PATRONYMIC_RE.sub(REDACTED_NAME, text)
    text = _INITIALS_BEFORE_RE.sub(REDACTED_NAME, text)
    return _INITIALS_AFTER_RE.sub(REDACTED_NAME, text)
