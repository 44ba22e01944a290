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
name match (the name's word similarity, for a name that matched), then the person who applied most recently. On
PostgreSQL every branch is served by an index of migration 0015 (trigram GIN on name, email, city and phone; GIN
on the Russian + English text vectors of the resume and the answers); on SQLite (the demo) each branch is a
plain ``icontains`` and, after an exact phone or email, the ranking is by recency.

More than ``COUNT_CAP`` people matched: the first ``COUNT_CAP`` are served and counted ("1,000 or more"), found
among the company's latest ``RECENT_APPLICATIONS`` applications (``search_sql``).

The reads take three queries on PostgreSQL whatever the number of results: the company's vacancies, the people
with their count (one statement), their applications. A page after the first 100 people takes one more.
"""

# ruff: noqa: S608 -- the SQL below is built from constants and the models' table names; what is typed is a parameter
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, FloatField, Max, Q, QuerySet, Value, When

from vacancies.models import Vacancy

from ..identity import PhoneError, phone_normalise
from ..models import Answer, Response

QUERY_MAX_CHARS = 200  # a search box, not a document: bounds the work of every branch
SUBSTRING_MIN_CHARS = 3  # a trigram index needs three characters; shorter substrings would scan every row
PHONE_MIN_DIGITS = 5  # fewer digits match too many phones to mean a person
PAGE_SIZE = 25
# A search matching more people than this says "1,000+" and serves the first COUNT_CAP of them, found among the
# company's RECENT_APPLICATIONS most recent applications (see ``search_sql``).
COUNT_CAP = 1000
RECENT_APPLICATIONS = 10_000
# Both configurations: the Russian one stems Russian words ("разработчика" -> "разработчик"), the English one
# English words; a text in either language (or both) is found by a query in either.
TEXT_CONFIGS = ("russian", "english")

_DIGITS_RE = re.compile(r"\D")
_PHONE_LIKE_RE = re.compile(r"[\d\s+()\-.]+")


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


def search_forgives_typos() -> bool:
    """Whether a misspelt name is found: on PostgreSQL (trigram similarity), not on SQLite (the demo's plain
    ``icontains``), so the page promises it only where it holds."""
    return _is_postgresql()


# The full-text vector and query under both configurations. The vector is ``screening_search_vector()``, the
# function of migration 0015 its GIN indexes are built on (the planner uses an expression index only for the
# very same expression).
_TEXT_QUERY = "(" + " || ".join(f"plainto_tsquery('{config}'::regconfig, %(q)s)" for config in TEXT_CONFIGS) + ")"
_RANK_EXACT = "(CASE WHEN UPPER(email) = UPPER(%(q)s){phone} THEN 1.0 ELSE 0.0 END)::float8"
_RANK_NAME = "word_similarity(%(q)s, full_name)::float8"


def _branches_postgresql(parsed: ParsedQuery, *, answered: str) -> list[tuple[str, str, bool]]:
    """(rank, condition, broad) per way the query can match an application: each condition on one column, so
    each keeps its own index whatever the others match (an ``OR`` of them made the planner read the whole table
    and compute the name's trigram similarity on every row when a city or a surname was common). The rank is 1
    for the exact email or phone, the name's word similarity for a name match, 0 otherwise; a ``broad`` branch
    (rank 0: the city, the resume, the answers, in table ``answered``) can match half the table."""
    exact = _RANK_EXACT.format(phone=" OR phone_e164 = %(phone)s" if parsed.phone_e164 else "")
    branches = [(_RANK_NAME, "full_name %%> %(q)s", False)]
    if parsed.substring_ok:
        branches += [
            (_RANK_NAME, "full_name ILIKE %(pattern)s", False),
            (exact, "email ILIKE %(pattern)s", False),
            ("0.0::float8", "city ILIKE %(pattern)s", True),
        ]
    if parsed.phone_e164:
        branches.append(("1.0::float8", "phone_e164 = %(phone)s", False))
    if parsed.digits:
        branches.append((exact, "phone_e164 LIKE %(digits)s", False))
    branches += [
        ("0.0::float8", f"screening_search_vector(resume_text) @@ {_TEXT_QUERY}", True),
        ("0.0::float8", f"id IN (SELECT response_id FROM {answered})", True),
    ]
    return branches


def _grouped_sql(parsed: ParsedQuery, *, recent: bool) -> str:
    """One row per person the branches match: ``(candidate_id, rank, last_applied)``; with ``recent``, the broad
    branches only among the applications since ``recent.since``."""
    response = Response._meta.db_table
    live = "erased_at IS NULL AND vacancy_id = ANY(%(vacancies)s)"
    since = " AND created_at > (SELECT since FROM recent)"
    branches = _branches_postgresql(parsed, answered="answered_recent" if recent else "answered")
    matched = "\n        UNION ALL\n        ".join(
        f"SELECT candidate_id, created_at, {rank} AS rank FROM {response} "
        f"WHERE {condition} AND {live}{since if broad and recent else ''}"
        for rank, condition, broad in branches
    )
    return f"""SELECT candidate_id, MAX(rank) AS rank, MAX(created_at) AS last_applied FROM (
        {matched}
    ) AS matched GROUP BY candidate_id"""


def search_sql(*, company, query: str, vacancy_ids: list[int] | None = None, limit=None, offset: int = 0):
    """The PostgreSQL query of a search, as ``(sql, params)``: one row per person of ``company`` the query
    matches, best first, ``(candidate_id, rank, last_applied, total, capped)``. ``total`` is the number of
    people matched and ``capped`` false, or, when more than ``COUNT_CAP`` people match, ``total`` is at least
    ``COUNT_CAP`` and ``capped`` true (the same on every row). ``None`` if nothing can match (a blank query, no
    vacancies).

    A word in half the resumes matches half the table, and reading, grouping and sorting 50,000 rows took
    seconds. So the query first looks only at the company's ``RECENT_APPLICATIONS`` most recent applications
    for the broad ways of matching (city, resume, answers; the name, email and phone always over all). If that
    finds ``COUNT_CAP`` people or more, they are the answer: every rank-0 person found there applied more
    recently than anyone it did not look at, so the first ``COUNT_CAP`` people are those of the full search
    (but for the order among equal name ranks, when a person's newest match is an older resume or answer).
    Otherwise (fewer matches, so a cheap search) the full search runs, in the same statement: the gate is a
    one-time filter, so PostgreSQL never starts the branch it does not need.

    ``vacancy_ids`` are the company's vacancies (one query if not given). They go into the query as constants,
    not a join or a sub-select: the planner then knows what share of the table they cover, filters the matched
    rows by them when they are the whole table, and intersects them with the text indexes when the company is a
    small part of it. The answers are matched first (``MATERIALIZED``), through their index; otherwise the
    planner could walk the company's applications and compute every answer's text vector.
    """
    parsed = search_parse(query)
    if vacancy_ids is None:
        vacancy_ids = list(Vacancy.objects.filter(company_id=company.pk).values_list("pk", flat=True))
    if not parsed.text or not vacancy_ids:
        return None
    params = {
        "q": parsed.text,
        "pattern": "%" + re.sub(r"([\\%_])", r"\\\1", parsed.text) + "%",
        "phone": parsed.phone_e164,
        "digits": f"%{parsed.digits}%",
        "vacancies": vacancy_ids,
        "recent": RECENT_APPLICATIONS,
        "cap": COUNT_CAP,
        "limit": limit,
        "offset": offset,
    }
    response, answer = Response._meta.db_table, Answer._meta.db_table
    answers_match = f"SELECT response_id FROM {answer} WHERE screening_search_vector(raw_text) @@ {_TEXT_QUERY}"
    # ``recent``: the oldest moment and smallest id of the company's RECENT_APPLICATIONS latest applications
    # (``-infinity`` and 0 if it has no more than that). The broad branches look at the applications strictly
    # newer than ``since`` (so none of those tied with the oldest is left half-seen); all of their answers have a
    # ``response_id`` of at least ``first_id``, which lets the answers' index be intersected with their
    # foreign key's.
    sql = f"""WITH recent AS MATERIALIZED (
    SELECT COUNT(*) >= %(recent)s AS partial,
        CASE WHEN COUNT(*) >= %(recent)s THEN MIN(created_at) ELSE '-infinity' END AS since,
        CASE WHEN COUNT(*) >= %(recent)s THEN MIN(id) ELSE 0 END AS first_id
    FROM (
        SELECT created_at, id FROM {response} WHERE erased_at IS NULL AND vacancy_id = ANY(%(vacancies)s)
        ORDER BY created_at DESC LIMIT %(recent)s
    ) AS latest
), answered_recent AS MATERIALIZED (
    {answers_match} AND response_id >= (SELECT first_id FROM recent)
), answered AS MATERIALIZED (
    {answers_match}
), found_recent AS MATERIALIZED (
    {_grouped_sql(parsed, recent=True)}
), enough AS MATERIALIZED (
    SELECT NOT (SELECT partial FROM recent) OR (SELECT COUNT(*) FROM found_recent) >= %(cap)s AS yes
), found AS (
    SELECT candidate_id, rank, last_applied FROM found_recent WHERE (SELECT yes FROM enough)
    UNION ALL
    SELECT * FROM ({_grouped_sql(parsed, recent=False)}) AS everyone WHERE NOT (SELECT yes FROM enough)
)
SELECT candidate_id, rank, last_applied, COUNT(*) OVER () AS total,
    (SELECT partial FROM recent) AND (SELECT yes FROM enough) AS capped
FROM found
ORDER BY rank DESC, last_applied DESC, candidate_id DESC LIMIT %(limit)s OFFSET %(offset)s"""
    return sql, params


def _matching_q_sqlite(parsed: ParsedQuery) -> Q:
    """The plain fallback: ``icontains`` on every field (ASCII case-insensitivity only, SQLite's ``LIKE``)."""
    text = parsed.text
    q = Q(full_name__icontains=text) | Q(email__icontains=text) | Q(city__icontains=text)
    q |= Q(resume_text__icontains=text)
    q |= Q(pk__in=Answer.objects.filter(raw_text__icontains=text).values("response_id"))
    return q | _phone_q(parsed)


def _phone_q(parsed: ParsedQuery) -> Q:
    q = Q()
    if parsed.phone_e164:
        q |= Q(phone_e164=parsed.phone_e164)
    if parsed.digits:
        q |= Q(phone_e164__contains=parsed.digits)
    return q


def _matches_sqlite(*, company, parsed: ParsedQuery) -> QuerySet:
    """The fallback's rows: exact email or phone first, then the person who applied most recently."""
    live = Response.objects.filter(vacancy__company_id=company.pk, erased_at__isnull=True)
    if not parsed.text:
        return live.none().values("candidate_id")
    exact = Q(email__iexact=parsed.text)
    if parsed.phone_e164:
        exact |= Q(phone_e164=parsed.phone_e164)
    rank = Max(Case(When(exact, then=Value(1.0)), default=Value(0.0), output_field=FloatField()))
    return (
        live.filter(_matching_q_sqlite(parsed))
        .order_by()
        .values("candidate_id")
        .annotate(rank=rank, last_applied=Max("created_at"))
        .order_by("-rank", "-last_applied", "-candidate_id")
    )


class SearchMatches:
    """The people a query matches, best first: a lazy sequence of ``{"candidate_id", "rank", "last_applied"}``
    rows for a ``Paginator`` (``count()``, slicing, iteration).

    On PostgreSQL one query gives the count and the rows together: ``count()`` fetches the first ``FIRST_ROWS``
    people with the count, and a slice inside them is served from there, so the first page of a search (any page
    size the API allows) is one query; a later page is one more. When more than ``COUNT_CAP`` people match,
    ``capped`` is true, ``count()`` is ``COUNT_CAP`` and only the first ``COUNT_CAP`` people are served. On SQLite
    the grouped queryset does both (two queries), never capped.
    """

    FIRST_ROWS = 100  # the API's largest page

    def __init__(self, *, company, query: str):
        self.company = company
        self.parsed = search_parse(query)
        self.capped = False
        self._total: int | None = None
        self._first: list[dict] | None = None
        self._vacancy_ids: list[int] | None = None
        self._sqlite = None if _is_postgresql() else _matches_sqlite(company=company, parsed=self.parsed)

    def _fetch(self, offset: int, limit: int | None) -> list[dict]:
        if self._sqlite is not None:
            stop = None if limit is None else offset + limit
            return list(self._sqlite[offset:stop])
        if not self.parsed.text:
            self._total = 0
            return []
        if self._vacancy_ids is None:
            self._vacancy_ids = list(Vacancy.objects.filter(company_id=self.company.pk).values_list("pk", flat=True))
        built = search_sql(
            company=self.company, query=self.parsed.text, vacancy_ids=self._vacancy_ids, limit=limit, offset=offset
        )
        if built is None:
            self._total = 0
            return []
        sql, params = built
        with connection.cursor() as cursor:
            # JIT off for this statement (one round trip: the SET and the query form one implicit transaction,
            # or last until the caller's transaction ends). The never-started full search in the plan puts its
            # estimated cost far over jit_above_cost, and compiling took 0.75 s of a 0.85 s search.
            cursor.execute("SET LOCAL jit = off; " + sql, params)
            cursor.nextset()
            rows = cursor.fetchall()
        if rows:
            total, self.capped = rows[0][3], rows[0][4]
            self._total = min(total, COUNT_CAP) if self.capped else total
        elif offset == 0:
            self._total = 0
        return [{"candidate_id": c, "rank": r, "last_applied": last} for c, r, last, _total, _capped in rows]

    def count(self) -> int:
        """The number of people matched (at most ``COUNT_CAP`` when ``capped``)."""
        if self._total is None:
            if self._sqlite is not None:
                self._total = self._sqlite.count()
            else:
                self._first = self._fetch(0, self.FIRST_ROWS)
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if self.capped:  # the people after the first COUNT_CAP are not the full search's
            stop = COUNT_CAP if stop is None else min(stop, COUNT_CAP)
            if start >= stop:
                return []
        if self._first is not None and (
            (stop is not None and stop <= self.FIRST_ROWS) or len(self._first) < self.FIRST_ROWS
        ):
            return self._first[start:stop]
        return self._fetch(start, None if stop is None else stop - start)

    def __iter__(self):
        return iter(self[0:None])


def search_matches(*, company, query: str) -> SearchMatches:
    """The people of ``company`` the query matches, best first: a lazy ``SearchMatches`` of
    ``{"candidate_id", "rank", "last_applied"}`` rows, one per person, for a paginator.

    Only live applications (``erased_at`` empty) of the company's vacancies count. An empty query (or one of
    blanks) matches nobody. The exact phone or email of the person ranks first (1); then, on PostgreSQL, the
    word similarity of a name that matched (0-1); then whoever applied most recently.
    """
    return SearchMatches(company=company, query=query)


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
