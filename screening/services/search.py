"""One search box across a company's candidates and applications (docs/search.md).

What a query matches, on any live (not erased) application of the company:

- the name: PostgreSQL trigram word similarity (``pg_trgm``'s ``%>``, so "Petrowa" finds "Anna Petrova"), or the
  text inside the name;
- the email and the city: the text inside them, case-insensitive;
- the phone: the query read as a phone number (``screening.identity.phone_normalise``, any format, a Russian
  leading 8 included) equals the application's E.164 phone; a query of 5 or more digits also matches inside it;
- the resume text and the candidate's answers (``Answer.raw_text``): full-text search under both the Russian
  and the English configurations, so "разработчика" finds "разработчик" and "developers" finds "developer".

Results are grouped by person (the company's ``Candidate``, who is recognised by email): every live application
of the person, matching or not, with its vacancy, status and score. An exact phone or email first, then the best
name match, then the person who applied most recently. On PostgreSQL every branch is served by an index of
migration 0015 (trigram GIN on name, email, city and phone; GIN on the Russian + English text vectors of the
resume and the answers); on SQLite (the demo) each branch is a plain ``icontains`` and, after an exact phone or
email, the ranking is by recency.

The reads take three queries whatever the number of results: the count, the page of people, their applications.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchVectorField, TrigramWordSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Max, Q, QuerySet, Value, When

from ..identity import PhoneError, phone_normalise
from ..models import Answer, Response

QUERY_MAX_CHARS = 200  # a search box, not a document: bounds the work of every branch
SUBSTRING_MIN_CHARS = 3  # a trigram index needs three characters; shorter substrings would scan every row
PHONE_MIN_DIGITS = 5  # fewer digits match too many phones to mean a person
PAGE_SIZE = 25
# Both configurations: the Russian one stems Russian words ("разработчика" -> "разработчик"), the English one
# English words; a text in either language (or both) is found by a query in either.
TEXT_CONFIGS = ("russian", "english")

_DIGITS_RE = re.compile(r"\D")
_PHONE_LIKE_RE = re.compile(r"[\d\s+()\-.]+")


class _WordSimilar(Func):
    """``column %> 'query'``: pg_trgm's word similarity of the query to some part of the column is at least
    ``pg_trgm.word_similarity_threshold`` (0.6 by default). An operator, not ``word_similarity()``, so the
    column's trigram GIN index serves it."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class _ILike(Func):
    """``column ILIKE '%text%'`` on the bare column (Django's ``icontains`` wraps it in ``UPPER()``, which the
    trigram index on the column does not serve)."""

    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


@dataclass(frozen=True)
class ParsedQuery:
    """What one typed query can match: the text, its E.164 phone (if it reads as one) and its digits."""

    text: str
    phone_e164: str = ""
    digits: str = ""

    @property
    def substring_ok(self) -> bool:
        return len(self.text) >= SUBSTRING_MIN_CHARS


@dataclass(frozen=True)
class SearchApplication:
    """One application of a person in the results."""

    id: int
    vacancy_id: int
    vacancy_title: str
    status: str
    status_label: str
    score: int | None
    created_at: datetime
    url: str


@dataclass
class SearchPerson:
    """One person in the results: what their latest application says, and all their live applications."""

    candidate_id: int
    full_name: str
    email: str
    phone: str
    city: str
    applications: list[SearchApplication] = field(default_factory=list)


def search_parse(text: str) -> ParsedQuery:
    """The typed query, whitespace-collapsed and cut to ``QUERY_MAX_CHARS``, with its phone forms.

    ``phone_e164`` is set when the text reads as a valid phone number (``phone_normalise``, region RU: "8 912
    345-67-89", "+7 (912) 345-67-89" and "9123456789" all give "+79123456789"); ``digits`` when the text looks
    like part of a phone (digits and phone punctuation only) with at least ``PHONE_MIN_DIGITS`` digits. Never
    raises: a query that is not a phone is just text.
    """
    text = " ".join(str(text or "").split())[:QUERY_MAX_CHARS]
    phone, digits = "", ""
    if text and _PHONE_LIKE_RE.fullmatch(text):
        try:
            phone = phone_normalise(text)
        except PhoneError:
            phone = ""
        only_digits = _DIGITS_RE.sub("", text)
        if len(only_digits) >= PHONE_MIN_DIGITS:
            digits = only_digits
    return ParsedQuery(text=text, phone_e164=phone, digits=digits)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def text_vector(column: str) -> Func:
    """The full-text vector of ``column`` under both configurations: ``screening_search_vector(column)``, the
    PostgreSQL function of migration 0015 that its GIN indexes are built on (the planner uses an expression
    index only for the same expression; the function's declared cost keeps it on the index)."""
    return Func(F(column), function="screening_search_vector", output_field=SearchVectorField())


def text_query(text: str) -> SearchQuery:
    """The query under both configurations: its words as the Russian stemmer reads them, or as the English one."""
    russian, english = (SearchQuery(text, config=config) for config in TEXT_CONFIGS)
    return russian | english


def _phone_q(parsed: ParsedQuery) -> Q:
    q = Q()
    if parsed.phone_e164:
        q |= Q(phone_e164=parsed.phone_e164)
    if parsed.digits:
        q |= Q(phone_e164__contains=parsed.digits)
    return q


def _matching_ids_postgresql(parsed: ParsedQuery) -> QuerySet:
    """The ids of the applications (any company: the caller scopes) the query matches, as one ``UNION``, each
    branch an index scan."""
    text = parsed.text
    fields = Q(_WordSimilar(F("full_name"), Value(text)))
    if parsed.substring_ok:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
        for column in ("full_name", "email", "city"):
            fields |= Q(_ILike(F(column), Value(pattern)))
    fields |= _phone_q(parsed)
    on_response = Response.objects.filter(fields).values("id").order_by()
    in_resume = (
        Response.objects.annotate(text_match=text_vector("resume_text"))
        .filter(text_match=text_query(text))
        .values("id")
        .order_by()
    )
    in_answers = (
        Answer.objects.annotate(text_match=text_vector("raw_text"))
        .filter(text_match=text_query(text))
        .values("response_id")
        .order_by()
    )
    return on_response.union(in_resume, in_answers)


def _matching_q_sqlite(parsed: ParsedQuery) -> Q:
    """The plain fallback: ``icontains`` on every field (ASCII case-insensitivity only, SQLite's ``LIKE``)."""
    text = parsed.text
    q = Q(full_name__icontains=text) | Q(email__icontains=text) | Q(city__icontains=text)
    q |= Q(resume_text__icontains=text)
    q |= Q(pk__in=Answer.objects.filter(raw_text__icontains=text).values("response_id"))
    return q | _phone_q(parsed)


def search_matches(*, company, query: str) -> QuerySet:
    """The people of ``company`` the query matches, best first: a lazy values queryset of
    ``{"candidate_id", "rank", "last_applied"}``, one row per person, for a paginator.

    Only live applications (``erased_at`` empty) of the company's vacancies count. An empty query (or one of
    blanks) matches nobody.
    """
    parsed = search_parse(query)
    live = Response.objects.filter(vacancy__company_id=company.pk, erased_at__isnull=True)
    if not parsed.text:
        return live.none().values("candidate_id")
    # The exact phone or email of the person ranks first (1); then, on PostgreSQL, the name's word similarity
    # (0-1); SQLite has no similarity, so recency alone orders the rest.
    exact = Q(email__iexact=parsed.text)
    if parsed.phone_e164:
        exact |= Q(phone_e164=parsed.phone_e164)
    if _is_postgresql():
        matched = live.filter(pk__in=_matching_ids_postgresql(parsed))
        otherwise = TrigramWordSimilarity(Value(parsed.text), "full_name")
    else:
        matched = live.filter(_matching_q_sqlite(parsed))
        otherwise = Value(0.0)
    rank = Max(Case(When(exact, then=Value(1.0)), default=otherwise, output_field=FloatField()))
    return (
        matched.order_by()
        .values("candidate_id")
        .annotate(rank=rank, last_applied=Max("created_at"))
        .order_by("-rank", "-last_applied", "-candidate_id")
    )


def search_people(*, company, rows) -> list[SearchPerson]:
    """The people of ``rows`` (rows of ``search_matches``, in their order) with all their live applications in
    ``company``, newest first; one query. What a person shows (name, email, phone, city) is their latest
    application's."""
    ids = [row["candidate_id"] for row in rows]
    if not ids:
        return []
    applications = (
        Response.objects.filter(candidate_id__in=ids, vacancy__company_id=company.pk, erased_at__isnull=True)
        .select_related("vacancy")
        .only(
            "id",
            "candidate_id",
            "status",
            "score",
            "created_at",
            "full_name",
            "email",
            "phone",
            "city",
            "vacancy__id",
            "vacancy__title",
        )
        .order_by("-created_at", "-id")
    )
    people: dict[int, SearchPerson] = {}
    for response in applications:
        person = people.get(response.candidate_id)
        if person is None:
            person = people[response.candidate_id] = SearchPerson(
                candidate_id=response.candidate_id,
                full_name=response.full_name,
                email=response.email,
                phone=response.phone,
                city=response.city,
            )
        person.applications.append(
            SearchApplication(
                id=response.pk,
                vacancy_id=response.vacancy_id,
                vacancy_title=response.vacancy.title,
                status=response.status,
                status_label=response.get_status_display(),
                score=response.score,
                created_at=response.created_at,
                url=response.get_absolute_url(),
            )
        )
    return [people[candidate_id] for candidate_id in ids if candidate_id in people]


def search_page(*, company, query: str, page_number=1, per_page: int = PAGE_SIZE) -> Page:
    """One page of people for the search page: a ``Page`` whose ``object_list`` is ``list[SearchPerson]``.

    ``page_number`` as typed (Django's ``get_page``: a bad one gives the first page, a too-large one the last).
    Three queries: the count, the page of people, their applications.
    """
    page = Paginator(search_matches(company=company, query=query), per_page).get_page(page_number)
    page.object_list = search_people(company=company, rows=list(page.object_list))
    return page
