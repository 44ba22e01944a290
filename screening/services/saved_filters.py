"""Saved filters and the column chooser of the responses table, per member (docs/pipeline.md).

A saved filter is a name for the table's GET parameters (``SavedFilter.params``); applying it is following a link
with them. The member's choice of columns lives on their unnamed filter of the table (name ""), so the table's
page reads both in one query (``table_preferences``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import SavedFilter

# The table's optional columns, in their order; the candidate's name is always shown.
TABLE_COLUMNS = (
    ("vacancy", gettext_lazy("Vacancy")),
    ("status", gettext_lazy("Status")),
    ("score", gettext_lazy("Score")),
    ("ai_score", gettext_lazy("AI score")),
    ("reasons", gettext_lazy("Reasons")),
    ("tags", gettext_lazy("Tags")),
    ("date", gettext_lazy("Date")),
)
COLUMN_KEYS = tuple(key for key, _label in TABLE_COLUMNS)
# The filter parameters a saved filter keeps (the table's form fields; the page number is not a filter).
FILTER_KEYS = ("vacancy", "status", "screening", "min_score", "tag", "sort")
SAVED_FILTERS_PER_USER_MAX = 50
PREFERENCES = ""  # the name of a member's unnamed row: their columns


def table_preferences(*, user, page: str = SavedFilter.Page.TABLE) -> tuple[list[SavedFilter], list[str]]:
    """``(saved filters by name, chosen column keys)`` of ``user`` on ``page``, in one query. Every column when the
    member never chose."""
    rows = list(SavedFilter.objects.filter(user=user, page=page).order_by("name", "pk"))
    columns = list(COLUMN_KEYS)
    saved = []
    for row in rows:
        if row.name == PREFERENCES:
            columns = [key for key in COLUMN_KEYS if key in (row.columns or [])]
        else:
            saved.append(row)
    return saved, columns


def clean_params(params) -> dict:
    """The filter parameters of ``params`` (a dict or ``QueryDict``) that a saved filter keeps: known keys, short
    non-empty string values."""
    getter = params.get if hasattr(params, "get") else dict(params).get
    cleaned = {}
    for key in FILTER_KEYS:
        value = getter(key)
        if isinstance(value, str) and value.strip() and len(value) <= 100:
            cleaned[key] = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            cleaned[key] = str(value)
    return cleaned


def saved_filter_get_for_user(*, user, pk: int) -> SavedFilter:
    """One of the user's own saved filters; ``Http404`` for anyone else's (even a teammate's)."""
    return get_object_or_404(SavedFilter.objects.exclude(name=PREFERENCES), pk=pk, user=user)


def saved_filter_save(*, user, name: str, params, page: str = SavedFilter.Page.TABLE) -> SavedFilter:
    """Save the filters ``params`` under ``name`` for ``user`` (replacing their filter of that name). Raises
    ``ValidationError`` ({"name": ...}) for an empty or too long name, or past ``SAVED_FILTERS_PER_USER_MAX``."""
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the filter.")})
    if len(name) > SavedFilter._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long.")})
    if page not in SavedFilter.Page.values:
        raise ValidationError({"page": _("Unknown page.")})
    params = clean_params(params)
    with transaction.atomic():
        existing = SavedFilter.objects.filter(user=user, page=page, name=name).first()
        if existing is not None:
            existing.params = params
            existing.save(update_fields=["params"])
            return existing
        if SavedFilter.objects.filter(user=user).exclude(name=PREFERENCES).count() >= SAVED_FILTERS_PER_USER_MAX:
            raise ValidationError(
                {"name": _("You have %(max)d saved filters: delete some first.") % {"max": SAVED_FILTERS_PER_USER_MAX}}
            )
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(user=user, page=page, name=name, params=params)
        except IntegrityError:  # saved twice at once: the other one stands
            raise ValidationError({"name": _("A filter with this name exists already.")}) from None


def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    """Delete one of a member's saved filters."""
    saved_filter.delete()


def table_columns_set(*, user, columns: list[str], page: str = SavedFilter.Page.TABLE) -> list[str]:
    """Remember which optional columns ``user`` sees on the table (unknown keys dropped, in the table's order).
    Returns the kept keys."""
    kept = [key for key in COLUMN_KEYS if key in set(columns or [])]
    SavedFilter.objects.update_or_create(user=user, page=page, name=PREFERENCES, defaults={"columns": kept})
    return kept
