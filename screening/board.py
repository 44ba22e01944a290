"""The pipeline board of a vacancy (docs/pipeline.md, "Board"): its columns and the cards in them.

A column per ``Response.Status``, except that "new" and "in chat" share one ("Screening"): both are the
bot's, and a response moves from one to the other by itself in seconds. Cards can be dropped only on the
columns of a recruiter's decision (``services.DECISION_STATUSES``); the screening's columns are filled by the
screening. Reads only: a move is ``services.response_change_status``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import HumanRequest, Response
from .services.responses import DECISION_STATUSES

S = Response.Status
# Cards a column shows at first; "show more" adds as many again, up to ``COLUMN_MAX`` (then the table, filtered
# by the status, lists them all).
COLUMN_SIZE = 20
COLUMN_MAX = 500
SCREENING = "screening"


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its ``key`` (a status, or "screening"), the ``statuses`` it holds and whether a recruiter may
    move cards into it (``droppable``: its status is a decision)."""

    key: str
    label: str | Promise
    statuses: tuple[str, ...]

    @property
    def droppable(self) -> bool:
        return self.key in DECISION_STATUSES


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(SCREENING, _("Screening"), (S.NEW, S.IN_CHAT)),
    ColumnSpec(S.NEEDS_REVIEW, S.NEEDS_REVIEW.label, (S.NEEDS_REVIEW,)),
    ColumnSpec(S.PASSED, S.PASSED.label, (S.PASSED,)),
    ColumnSpec(S.REJECTED, S.REJECTED.label, (S.REJECTED,)),
    *(ColumnSpec(status, S(status).label, (status,)) for status in DECISION_STATUSES),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
_COLUMN_OF = {status: column.key for column in COLUMNS for status in column.statuses}


def column_of(status: str) -> str:
    """The key of the column that holds a response with ``status``."""
    return _COLUMN_OF.get(status, status)


@dataclass
class Column:
    """A column as the board shows it: ``count`` responses in all, ``cards`` the first ``limit`` of them."""

    spec: ColumnSpec
    count: int = 0
    limit: int = COLUMN_SIZE
    cards: list[Response] = field(default_factory=list)
    more_query: str = ""  # the page's query string that shows ``more_limit`` cards of this column (set by the view)

    @property
    def has_more(self) -> bool:
        return self.count > len(self.cards) and self.limit < COLUMN_MAX

    @property
    def more_limit(self) -> int:
        return min(self.limit + COLUMN_SIZE, COLUMN_MAX)


# The responses table's filters that the board applies too (its columns are the statuses, its order its own).
BOARD_FILTERS = ("screening", "min_score", "tag")


def _board_filters(filters: dict | None) -> dict:
    return {key: filters[key] for key in BOARD_FILTERS if filters and filters.get(key) not in (None, "")}


def column_limit(value) -> int:
    """A "show more" parameter read as a number of cards: ``COLUMN_SIZE`` to ``COLUMN_MAX``, the default for junk."""
    try:
        number = int(str(value)[:6])
    except (TypeError, ValueError):
        return COLUMN_SIZE
    return max(COLUMN_SIZE, min(number, COLUMN_MAX))


def board_cards(*, company, vacancy=None, response_ids=None, filters: dict | None = None):
    """The responses as cards show them: the table's row (``selectors.response_table``: name, score, AI score and
    recommendation, ``has_duplicate``, ``has_hidden_text``, the chat for the "live" badge, tags) plus
    ``waiting_for_person`` (an open ``HumanRequest``), ``injection_signal`` (the AI's advice was kept without a
    score: the injection guard withheld it, ``ai.apply_guards``) and ``column`` (its column's key).

    ``filters``: the table's filters the board applies (``BOARD_FILTERS`` keys, cleaned by ``ResponseFilterForm``:
    ``screening``, ``min_score``, ``tag``), as ``selectors.response_table`` takes them."""
    column = Case(
        *(When(status__in=spec.statuses, then=Value(spec.key)) for spec in COLUMNS if len(spec.statuses) > 1),
        default=F("status"),
        output_field=CharField(),
    )
    queryset = selectors.response_table(company=company, vacancy=vacancy, **_board_filters(filters)).annotate(
        waiting_for_person=Exists(HumanRequest.objects.filter(response=OuterRef("pk"), resolved_at__isnull=True)),
        injection_signal=Case(
            When(Q(ai_score__isnull=True) & ~Q(ai_recommendation=""), then=Value(True)), default=Value(False)
        ),
        column=column,
    )
    if response_ids is not None:
        queryset = queryset.filter(pk__in=response_ids)
    return queryset


def board_columns(
    *, company, vacancy, limits: dict[str, int] | None = None, filters: dict | None = None
) -> list[Column]:
    """The board of ``vacancy`` (one of ``company``'s): every column with its count and its first cards (the best
    score first, then the newest), ``limits`` giving a column key more than ``COLUMN_SIZE`` cards, ``filters``
    (see ``board_cards``) keeping the responses that match them, in the counts too.

    Three queries whatever the number of cards: the counts, the cards (one window query over all columns), their
    tags.
    """
    limits = limits or {}
    columns = {spec.key: Column(spec=spec, limit=limits.get(spec.key, COLUMN_SIZE)) for spec in COLUMNS}
    for status, total in (
        selectors.response_table(company=company, vacancy=vacancy, **_board_filters(filters))
        .order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
    ):
        columns[column_of(status)].count += total
    order = (F("score").desc(nulls_last=True), F("created_at").desc(), F("id").desc())
    cards = (
        board_cards(company=company, vacancy=vacancy, filters=filters)
        .annotate(rank=Window(RowNumber(), partition_by=F("column"), order_by=order))
        .filter(_within_limits(columns))
        .order_by("rank")
    )
    for card in cards:
        columns[card.column].cards.append(card)
    return list(columns.values())


def _within_limits(columns: dict[str, Column]) -> Q:
    condition = Q()
    for key, column in columns.items():
        condition |= Q(column=key, rank__lte=column.limit)
    return condition
