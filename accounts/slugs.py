"""Free slugs for addresses: ``acme``, then ``acme-2``, ``acme-3``... (a pure helper over a queryset)."""


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
