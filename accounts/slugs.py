"""Slugs for public addresses: made from any text (Cyrillic too), then made free (``acme``, ``acme-2``...).

Pure helpers (the only query is the one over the queryset ``slug_unique`` is given).
"""

from django.utils.text import slugify
from unidecode import unidecode


def slug_from_text(text: str, *, max_length: int, default: str) -> str:
    """A slug of at most ``max_length`` characters from ``text``, transliterated to Latin; ``default`` if empty.

    «ООО Ромашка» gives ``ooo-romashka``: a Russian name gets a readable address, never ``default`` or
    percent-escapes. Transliteration is ``unidecode``'s, the one table in the project.
    """
    slug = slugify(unidecode(str(text or "")))[:max_length].strip("-")
    return slug or default


def slug_unique(*, base: str, taken) -> str:
    """``base``, or ``base-N`` with the smallest N >= 2 that ``taken`` does not hold.

    ``taken`` is a queryset of the rows competing for the address; only their
    slugs starting with ``base`` are read, in one query.
    """
    used = set(taken.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    return slug
