"""Text folding shared by the readers and the injection guard: one place for Unicode, case and look-alikes.

Pure functions, no Django. ``fold`` is what answers are compared by; ``skeleton`` also folds
look-alike letters (a Latin "M" typed into "Mосква"); ``CONFUSABLES`` is the translation table
the injection guard applies to spot "Ignоre" written with a Cyrillic "о".
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic (and a few other) letters that look like Latin ones, paired position by position.
LOOKALIKES_FROM = "аеорсхуіјѕԁɡАЕОРСХУІЈЅВНКМТ"
LOOKALIKES_TO = "aeopcxyijsdgAEOPCXYIJSBHKMT"
# Latin look-alikes of Cyrillic and other letters ("Ignоre" with a Cyrillic "о"), for ``str.translate``.
CONFUSABLES = str.maketrans(LOOKALIKES_FROM, LOOKALIKES_TO)
# After case folding the lower-case forms of letters whose capitals look alike ("в" of "В", "м" of "М")
# must meet too, or "MОСКВА" and "Москва" would fold apart.
_SKELETON = str.maketrans(
    LOOKALIKES_FROM.casefold() + "вкмнт",
    LOOKALIKES_TO.casefold() + "bkmht",
)
# Quotes, dashes and other punctuation become spaces; a word's letters and digits are kept.
_PUNCTUATION_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """The text in Unicode NFKC form (full-width digits, ligatures and the like become plain)."""
    return unicodedata.normalize("NFKC", str(text))


def collapse(text: str) -> str:
    """Whitespace of any kind (also no-break and narrow spaces) collapsed to one space, trimmed."""
    return _SPACES.sub(" ", str(text)).strip()


def fold(text: str) -> str:
    """The form answers are compared in: NFKC, case-folded, "ё" as "е", punctuation as spaces, collapsed.

    ``fold("  Москва. ") == "москва"``; ``fold("Санкт-Петербург") == "санкт петербург"``.
    """
    folded = nfkc(text).casefold().replace("ё", "е")
    return collapse(_PUNCTUATION_RE.sub(" ", folded))


def fold_confusables(text: str) -> str:
    """``text`` with look-alike letters replaced by their Latin twins (case kept), as the injection guard reads it."""
    return str(text).translate(CONFUSABLES)


def skeleton(text: str) -> str:
    """``fold(text)`` with every look-alike letter mapped to Latin: equal skeletons look the same on screen.

    ``skeleton("Mосква") == skeleton("МОСКВА") == skeleton("москва")``. Only for matching: two different
    words may share a skeleton, so a caller accepts a skeleton match only when it is unique.
    """
    return fold(text).translate(_SKELETON)


def mixes_scripts(text: str) -> bool:
    """True when one word mixes Latin and Cyrillic letters (a look-alike typed by mistake, or on purpose)."""
    for word in str(text).split():
        latin = any("a" <= ch.lower() <= "z" for ch in word)
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
        if latin and cyrillic:
            return True
    return False
