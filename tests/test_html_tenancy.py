"""Tenant isolation of the HTML dashboard: every named URL with an object in its path, tried by every persona.

As ``tests/api/test_tenancy.py`` does for the API. An outsider (company B's owner) gets 404 and nothing
changes; by the other method it gets the same answer as for an object that does not exist. A member whose
role may not act (a viewer on every write, a recruiter on the owner's pages) gets 403 and nothing changes.
The roles that may act get the page (200) or the redirect to where the action lands (302, Location
checked), and the write really happens, so the refusals above are the access checks and not bad requests.

``ROUTES`` lists the URLs by hand; ``test_every_object_url_of_the_dashboard_is_in_the_table`` walks the URL
resolver and fails for a new URL with an object in it that the table does not list.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.tests.factories import InvitationFactory, UserFactory
from chat import services as chat_services
from screening import services as screening_services
from screening.models import (
    BoardConnection,
    BoardVacancy,
    BulkAction,
    FairnessCheck,
    InterviewSlot,
    QuestionSuggestion,
    Response,
    Tag,
)
from screening.services import scheduling
from screening.services.exports import export_file
from screening.services.human import human_request_open
from screening.tests.factories import ResponseFactory
from vacancies.models import CompanyAnswer, Vacancy
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

OWNER, RECRUITER, VIEWER = "owner", "recruiter", "viewer"
MEMBERS = frozenset({OWNER, RECRUITER, VIEWER})
EDITORS = frozenset({OWNER, RECRUITER})
OWNERS = frozenset({OWNER})

# The namespaces of the signed-in dashboard. The admin has its own scoping tests, the API its own matrix.
DASHBOARD_NAMESPACES = {"vacancies", "screening", "accounts", "chat"}
# URLs of those namespaces with a path argument that are not a company member's object: the token or the slug
# in the path is the key itself (candidates, invitees, password resets, the public careers pages).
PUBLIC = {
    "accounts:signup_confirm",
    "accounts:password_reset_confirm",
    "accounts:accept_invite",
    "chat:careers",
    "chat:vacancy",
    "chat:link_request",
    "chat:candidate",
    "chat:application",
    "chat:application_withdraw",
    "chat:application_export",
    "chat:application_erase",
    "chat:fallback",
    "chat:human",
    "chat:reply",
    "chat:interview",
    "screening:calendar_feed",
    "chat:telegram_webhook",  # Telegram's; the key is the bot's secret token in a header
}
GOOD_ANSWERS = {1: "Moscow", 2: "5", 3: "yes", 4: ["Django"], 5: "I built a screening bot."}
MISSING_PK = 10**9


@dataclass(frozen=True)
class Route:
    """One request of the table: the URL ``name`` with the world's ``obj`` as its ``kwarg``.

    ``allowed``: the roles of the company that may make it; ``ok``: their status; ``goes_to``: where the 302
    sends them (built from the world after the request); ``before``: URL names the actor posts to first
    (taking a chat over before writing in it), made by the owner when the actor is refused.
    """

    name: str
    obj: str
    method: str = "get"
    allowed: frozenset = MEMBERS
    ok: int = 200
    body: Callable[[SimpleNamespace], dict] | None = None
    goes_to: Callable[[SimpleNamespace], str] | None = None
    before: tuple[str, ...] = ()
    kwarg: str = "pk"
    htmx: bool = False  # sent as htmx sends it (the HX-Request header)

    @property
    def writes(self) -> bool:
        return self.method == "post"

    def url(self, world: SimpleNamespace, pk: int | None = None) -> str:
        return reverse(self.name, kwargs={self.kwarg: getattr(world, self.obj).pk if pk is None else pk})

    def __str__(self):
        return f"{self.method.upper()} {self.name}" + (" htmx" if self.htmx else "")


def _edit_body(world) -> dict:
    """The vacancy editor as the browser sends it back with one change (the title) and its questions as they are."""
    vacancy = world.draft
    data = {
        "title": "Data engineer",
        "slug": vacancy.slug,
        "description": vacancy.description,
        "requirements": vacancy.requirements,
        "location": vacancy.location,
        "salary_from": "",
        "salary_to": "",
        "salary_currency": "RUB",
        "employment_type": "full_time",
        "pass_threshold": str(vacancy.pass_threshold),
        "language": "en",
    }
    questions = list(vacancy.questions.all())
    data.update(
        {
            "questions-TOTAL_FORMS": str(len(questions)),
            "questions-INITIAL_FORMS": str(len(questions)),
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
        }
    )
    for index, question in enumerate(questions):
        row = {
            "id": str(question.pk),
            "text": question.text,
            "kind": question.kind,
            "options": "\r\n".join(question.options),
            "knockout": question.knockout,
            "knockout_value": question.knockout_value,
            "allowed_options": "\r\n".join(question.allowed_options),
            "weight": str(question.weight),
            "ORDER": str(index + 1),
            "required": "on",
        }
        data.update({f"questions-{index}-{key}": value for key, value in row.items()})
    return data


def _page(name: str, obj: str, anchor: str = "") -> Callable[[SimpleNamespace], str]:
    return lambda world: reverse(name, args=[getattr(world, obj).pk]) + anchor


def _latest_suggestion(world) -> str:
    return reverse("screening:suggestion", args=[QuestionSuggestion.objects.order_by("-pk").first().pk])


ROUTES = [
    # vacancies
    Route("vacancies:detail", "vacancy"),
    Route("vacancies:edit", "draft", allowed=EDITORS),
    Route("vacancies:edit", "draft", "post", EDITORS, 302, body=_edit_body, goes_to=_page("vacancies:detail", "draft")),
    Route("vacancies:publish", "draft", "post", EDITORS, 302, goes_to=_page("vacancies:detail", "draft")),
    Route("vacancies:close", "vacancy", "post", EDITORS, 302, goes_to=_page("vacancies:detail", "vacancy")),
    Route("vacancies:delete", "draft", "post", EDITORS, 302, goes_to=lambda world: reverse("vacancies:list")),
    # vacancies: the company's answers to candidates' questions
    Route("vacancies:answer_edit", "company_answer", allowed=EDITORS),
    Route(
        "vacancies:answer_edit",
        "company_answer",
        "post",
        EDITORS,
        302,
        body=lambda world: {"question": "Is there parking?", "answer": "Yes, in the garage."},
        goes_to=lambda world: reverse("vacancies:answers"),
    ),
    Route(
        "vacancies:answer_delete",
        "company_answer",
        "post",
        EDITORS,
        302,
        goes_to=lambda world: reverse("vacancies:answers"),
    ),
    # screening: the response page and its actions
    Route("screening:response", "response"),
    Route("screening:decision_record", "response"),
    Route("screening:decision_record_html", "response"),
    Route("screening:export_download", "export_file", kwarg="file_name"),
    Route(
        "screening:status",
        "response",
        "post",
        EDITORS,
        302,
        body=lambda world: {"status": "shortlisted", "comment": "Strong answers"},
        goes_to=_page("screening:response", "response", "#history"),
    ),
    Route(
        "screening:note",
        "response",
        "post",
        EDITORS,
        302,
        body=lambda world: {"text": "Call her on Monday"},
        goes_to=_page("screening:response", "response", "#notes"),
    ),
    Route("screening:resume", "response"),
    Route(
        "screening:erase",
        "response",
        "post",
        OWNERS,
        302,
        body=lambda world: {"confirm": "1"},
        goes_to=_page("screening:response", "response"),
    ),
    Route(
        "screening:reevaluate",
        "response",
        "post",
        EDITORS,
        302,
        goes_to=_page("screening:response", "response", "#evaluation"),
    ),
    # The evaluation block for htmx's refreshes; a plain request goes to the page's block.
    Route("screening:evaluation", "response", htmx=True),
    Route("screening:evaluation", "response", ok=302, goes_to=_page("screening:response", "response", "#evaluation")),
    # screening: suggested questions
    Route(
        "screening:suggest",
        "vacancy",
        "post",
        EDITORS,
        302,
        body=lambda world: {"count": "3", "difficulty": "medium"},
        goes_to=_latest_suggestion,
        kwarg="vacancy_pk",
    ),
    Route("screening:suggestion", "suggestion"),
    Route(
        "screening:suggestion",
        "suggestion",
        "post",
        EDITORS,
        302,
        body=lambda world: {"action": "discard", "index": "0"},
        goes_to=_page("screening:suggestion", "suggestion"),
    ),
    # screening: the fairness pre-flight of a vacancy (the report, running it, the owner's acknowledgement)
    Route("screening:fairness", "vacancy", kwarg="vacancy_pk"),
    Route("screening:fairness", "vacancy", kwarg="vacancy_pk", htmx=True),
    # The world's last check is over the threshold and unacknowledged: only the owner may run it again.
    Route(
        "screening:fairness",
        "vacancy",
        "post",
        OWNERS,
        302,
        goes_to=lambda world: reverse("screening:fairness", kwargs={"vacancy_pk": world.vacancy.pk}),
        kwarg="vacancy_pk",
    ),
    Route(
        "screening:fairness_acknowledge",
        "fairness_check",
        "post",
        OWNERS,
        302,
        body=lambda world: {"note": "Reviewed the pairs; a person reads every advice."},
        goes_to=lambda world: reverse("screening:fairness", kwargs={"vacancy_pk": world.vacancy.pk}),
    ),
    # screening: re-judging a question's past answers under its new rule (the preview, applying it)
    Route("screening:rejudge", "question"),
    Route("screening:rejudge", "question", "post", EDITORS, 302, goes_to=_page("vacancies:detail", "vacancy")),
    # screening: a vacancy's funnel analytics and the CSV of a chart (read-only, every member)
    Route("screening:analytics_vacancy", "vacancy", kwarg="vacancy_pk"),
    Route("screening:analytics_vacancy_csv", "vacancy", kwarg="vacancy_pk"),
    # screening: interview scheduling (a vacancy's slots, a booking whose interview started, a response's block)
    Route("screening:slots", "vacancy", kwarg="vacancy_pk"),
    Route(
        "screening:slots",
        "vacancy",
        "post",
        EDITORS,
        302,
        body=lambda world: {
            "action": "one",
            "one-day": "2099-01-05",
            "one-start": "10:00",
            "one-duration_minutes": "30",
            "one-time_zone": "Europe/Berlin",
        },
        goes_to=lambda world: reverse("screening:slots", args=[world.vacancy.pk]),
        kwarg="vacancy_pk",
    ),
    Route("screening:slot_delete", "slot", "post", EDITORS, 302, goes_to=_page("screening:slots", "vacancy")),
    Route(
        "screening:booking_cancel",
        "booking",
        "post",
        EDITORS,
        302,
        goes_to=lambda world: reverse("screening:slots", args=[world.vacancy.pk]) + "#interviews",
    ),
    Route(
        "screening:booking_mark",
        "booking",
        "post",
        EDITORS,
        302,
        body=lambda world: {"status": "no_show"},
        goes_to=lambda world: reverse("screening:slots", args=[world.vacancy.pk]) + "#interviews",
    ),
    Route(
        "screening:invite",
        "response",
        "post",
        EDITORS,
        302,
        goes_to=_page("screening:response", "response", "#interview"),
    ),
    Route("screening:interview", "response"),
    Route("screening:interview", "response", htmx=True),
    # screening: the pipeline board of a vacancy, a card for its live updates, a card's move (docs/pipeline.md)
    Route("screening:board", "vacancy", kwarg="vacancy_pk"),
    Route("screening:board_card", "response"),
    Route(
        "screening:board_move",
        "response",
        "post",
        EDITORS,
        302,
        body=lambda world: {"status": "shortlisted"},
        goes_to=lambda world: reverse("screening:board", args=[world.vacancy.pk]) + f"#card-{world.response.pk}",
    ),
    # screening: bulk actions, tags (docs/pipeline.md)
    Route("screening:bulk_action", "bulk_action"),
    Route("screening:bulk_download", "bulk_action"),
    Route(
        "screening:tag_add",
        "response",
        "post",
        EDITORS,
        302,
        body=lambda world: {"name": "Strong English"},
        goes_to=_page("screening:response", "response", "#tags"),
    ),
    Route(
        "screening:tag_remove",
        "response",
        "post",
        EDITORS,
        302,
        body=lambda world: {"tag": world.tag.pk},
        goes_to=_page("screening:response", "response", "#tags"),
    ),
    Route("screening:tag_delete", "tag", "post", EDITORS, 302, goes_to=lambda world: reverse("screening:tags")),
    # screening: a vacancy linked to a job board (docs/integrations.md); the other integration URLs name no object
    Route(
        "screening:integrations_unlink",
        "board_link",
        "post",
        OWNERS,
        302,
        goes_to=lambda world: reverse("screening:integrations"),
    ),
    # accounts: the owner's team page actions on a teammate or an invitation
    Route(
        "accounts:invitation_revoke", "invitation", "post", OWNERS, 302, goes_to=lambda world: reverse("accounts:team")
    ),
    Route("accounts:member_unlock", "member", "post", OWNERS, 302, goes_to=lambda world: reverse("accounts:team")),
    Route("accounts:two_factor_reset", "member", "post", OWNERS, 302, goes_to=lambda world: reverse("accounts:team")),
    # accounts: team management (issue 15): role, removal, resending an invitation
    Route(
        "accounts:member_role",
        "member",
        "post",
        OWNERS,
        302,
        body=lambda world: {"role": "viewer"},
        goes_to=lambda world: reverse("accounts:team"),
    ),
    Route(
        "accounts:member_remove",
        "member",
        "post",
        OWNERS,
        302,
        body=lambda world: {"successor": ""},
        goes_to=lambda world: reverse("accounts:team"),
    ),
    Route(
        "accounts:invitation_resend", "invitation", "post", OWNERS, 302, goes_to=lambda world: reverse("accounts:team")
    ),
    # chat: the recruiter's controls of a live chat
    Route("chat:takeover", "chat", "post", EDITORS, 302, goes_to=_page("screening:response", "chat", "#transcript")),
    Route(
        "chat:handback",
        "chat",
        "post",
        EDITORS,
        302,
        goes_to=_page("screening:response", "chat", "#transcript"),
        before=("chat:takeover",),
    ),
    Route(
        "chat:recruiter_send",
        "chat",
        "post",
        EDITORS,
        302,
        body=lambda world: {"client_id": "r1", "text": "Hello from the team"},
        goes_to=_page("screening:response", "chat", "#transcript"),
        before=("chat:takeover",),
    ),
    # chat and screening: the queue of candidates waiting for a person, and messages after the chat
    Route(
        "chat:human_claim",
        "human_request",
        "post",
        EDITORS,
        302,
        goes_to=_page("screening:response", "chat", "#transcript"),
    ),
    Route(
        "screening:queue_resolve",
        "human_request",
        "post",
        EDITORS,
        302,
        goes_to=lambda world: reverse("screening:queue"),
    ),
    Route(
        "chat:message_after",
        "finished_chat",
        "post",
        EDITORS,
        302,
        body=lambda world: {"client_id": "m1", "text": "Could you come on Tuesday?"},
        goes_to=_page("screening:response", "finished_chat", "#transcript"),
    ),
]


@pytest.fixture
def world(company, owner, settings, tmp_path, django_capture_on_commit_callbacks):
    """Company A's objects, one of each kind the dashboard's URLs name."""
    settings.MEDIA_ROOT = tmp_path
    vacancy = VacancyFactory(company=company, created_by=owner, title="Python developer", slug="python-developer")
    full_script(vacancy)
    draft = VacancyFactory(company=company, created_by=owner, title="Go developer", status=Vacancy.Status.DRAFT)
    full_script(draft)

    # A finished screening, evaluated (tasks run eagerly), with a note and a resume file.
    response = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org")
    response.resume_file.save("cv.txt", ContentFile(b"My resume"), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        screening_services.response_start_chat(response=response)
        for question in vacancy.questions.all():
            screening_services.response_submit_answer(
                response=response, question=question, raw=GOOD_ANSWERS[question.position]
            )
        screening_services.response_finish(response=response)
    screening_services.response_add_note(response=response, author=owner, text="Keep")

    # A chat the candidate has opened (through their own link), the bot leading.
    chat = ResponseFactory(vacancy=vacancy, full_name="Boris Ivanov", email="boris@example.org")
    assert Client().get(chat.get_chat_url()).status_code == 200

    suggestion = QuestionSuggestion.objects.create(
        vacancy=vacancy,
        requested_by=owner,
        count=1,
        status=QuestionSuggestion.Status.DONE,
        items=[{"text": "Do you know SQL?", "kind": "yes_no", "knockout": "", "knockout_value": ""}],
    )
    invitation = InvitationFactory(company=company, invited_by=owner, email="new@acme.test")
    company_answer = CompanyAnswer.objects.create(company=company, question="Is there parking?", answer="No.")
    # A teammate with a failed login on record and two-factor on: the owner can unlock and reset them.
    member = UserFactory(company=company, role=Role.RECRUITER, email="locked@acme.test")
    assert Client().post(reverse("accounts:login"), {"username": member.email, "password": "wrong"}).status_code == 200
    assert AccessAttempt.objects.filter(username=member.email).exists()
    TOTPDevice.objects.create(user=member, name="Phone", confirmed=True)

    # A candidate waiting for a person in the open chat, and a chat finished through the chat itself.
    human_request = human_request_open(response=chat, reason="asked", text="A human, please")
    finished_chat = ResponseFactory(vacancy=vacancy, full_name="Dina Orlova", email="dina@example.org")
    ctx, _snapshot = chat_services.chat_open(response=finished_chat)
    for position, question in enumerate(ctx.questions, start=1):
        answer = GOOD_ANSWERS[position]
        typed = {"choices": answer} if isinstance(answer, list) else {"text": answer}
        turn = chat_services.chat_candidate_message(ctx=ctx, client_id=f"f{position}", question_id=question.pk, **typed)
        assert not turn.confirm  # (before the rule below tightens, "5" is no close call to read back)

    # The years question's rule tightened after that screening: its answer waits to be re-judged.
    vacancy.questions.filter(position=2).update(knockout_value="6")
    question = vacancy.questions.get(position=2)

    # A fairness check over the threshold, for the vacancy as it is now: the owner may acknowledge it.
    fairness_check = FairnessCheck.objects.create(
        vacancy=vacancy,
        key=screening_services.fairness_key(vacancy=vacancy),
        status=FairnessCheck.Status.DONE,
        max_difference=20,
        threshold=5,
        results=[
            {"pair": "gender_en", "kind": "gender", "language": "en", "score_a": 80, "score_b": 60, "difference": 20}
        ],
    )

    # Interview slots: a free one, and one whose interview (another candidate's) started an hour ago.
    slot, started = (
        scheduling.slot_create(vacancy=vacancy, starts_at=timezone.now() + timedelta(days=days)) for days in (2, 3)
    )
    booked = ResponseFactory(vacancy=vacancy, status=Response.Status.PASSED, email="clara@example.org")
    booking = scheduling.booking_create(response=booked, slot_id=started.pk)
    InterviewSlot.objects.filter(pk=started.pk).update(starts_at=timezone.now() - timedelta(hours=1))

    # A file an export task made (docs/exports.md): its URL names it by its random token.
    export_name = export_file(company=company, response_ids=[response.pk], fmt="csv", user=owner)
    export = SimpleNamespace(pk=export_name.rsplit("/", 1)[-1])
    # A finished bulk export of that file, and a tag on the response (docs/pipeline.md).
    bulk_action = BulkAction.objects.create(
        company=company, user=owner, kind="export", state="finished", total=1, done=1, result={"file": export_name}
    )
    tag = Tag.objects.create(company=company, name="Keep")
    response.tags.add(tag)
    # A job board connected without tokens (no call is made) and a vacancy linked to it.
    board = BoardConnection.objects.create(company=company, provider="hh", account_name="Demo Employer")
    board_link = BoardVacancy.objects.create(connection=board, vacancy=vacancy, external_id="90000001")

    return SimpleNamespace(
        board_link=board_link,
        export_file=export,
        bulk_action=bulk_action,
        tag=tag,
        human_request=human_request,
        finished_chat=finished_chat,
        slot=slot,
        booking=booking,
        vacancy=vacancy,
        fairness_check=fairness_check,
        draft=draft,
        response=response,
        chat=chat,
        suggestion=suggestion,
        question=question,
        invitation=invitation,
        member=member,
        company_answer=company_answer,
    )


@pytest.fixture
def personas(owner, recruiter, viewer, outsider):
    """A logged-in client per persona (each its own session)."""
    clients = {}
    for name, user in {OWNER: owner, RECRUITER: recruiter, VIEWER: viewer, "outsider": outsider}.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


SNAPSHOT_APPS = {"accounts", "vacancies", "screening", "chat", "otp_totp", "otp_static", "axes"}


def snapshot() -> dict:
    """Every row of our apps, two-factor devices and login failures: what any of these requests could change."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        # Auto-created many-to-many tables too: a response's tags live in one.
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in SNAPSHOT_APPS
    }


def send(client: Client, route: Route, world, *, method: str | None = None, pk: int | None = None):
    """The route's request by ``client`` (``method`` and ``pk`` override the route's), its body only on POST."""
    method = method or route.method
    body = route.body(world) if route.body and method == "post" else {}
    headers = {"HX-Request": "true"} if route.htmx else {}
    return getattr(client, method)(route.url(world, pk), body, headers=headers)


def prepare(client: Client, route: Route, world) -> None:
    """The route's ``before`` steps, posted by ``client``; each must change something."""
    for name in route.before:
        before = snapshot()
        client.post(reverse(name, kwargs={route.kwarg: getattr(world, route.obj).pk}))
        assert snapshot() != before, f"{name} changed nothing"


def by_persona(routes, personas_of):
    return [
        pytest.param(route, persona, id=f"{persona} {route}")
        for route in routes
        for persona in sorted(personas_of(route))
    ]


# --- the table covers the dashboard ---------------------------------------------------------------


def _named_urls(patterns, namespaces=(), arguments=frozenset()):
    """(namespaced name, path argument names) of every named URL under ``patterns``."""
    for entry in patterns:
        found = arguments | set(getattr(entry.pattern, "converters", {})) | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _named_urls(entry.url_patterns, inner, found)
        elif entry.name:
            yield ":".join((*namespaces, entry.name)), found


def test_every_object_url_of_the_dashboard_is_in_the_table():
    with_objects = {
        name
        for name, arguments in _named_urls(get_resolver().url_patterns)
        if arguments and name.split(":", 1)[0] in DASHBOARD_NAMESPACES and name not in PUBLIC
    }
    assert with_objects == {route.name for route in ROUTES}


def test_the_table_lets_no_viewer_write():
    assert not [route for route in ROUTES if route.writes and VIEWER in route.allowed]


# --- the outsider ---------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_outsider_gets_404_and_nothing_changes(personas, world, route):
    prepare(personas[OWNER], route, world)
    before = snapshot()
    answer = send(personas["outsider"], route, world)
    assert answer.status_code == 404, answer.content[:500]
    assert snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_outsider_cannot_tell_an_object_exists_by_the_other_method(personas, world, route):
    # A POST-only URL may refuse a GET with 405 before it looks the object up: the same for every id.
    other = "get" if route.writes else "post"
    before = snapshot()
    answer = send(personas["outsider"], route, world, method=other)
    missing = send(personas["outsider"], route, world, method=other, pk=MISSING_PK)
    assert answer.status_code in (404, 405)
    assert answer.status_code == missing.status_code
    assert snapshot() == before


# --- members whose role may not ------------------------------------------------------------------


@pytest.mark.parametrize(("route", "persona"), by_persona(ROUTES, lambda route: MEMBERS - route.allowed))
def test_member_without_the_role_gets_403_and_nothing_changes(personas, world, route, persona):
    prepare(personas[OWNER], route, world)
    before = snapshot()
    answer = send(personas[persona], route, world)
    assert answer.status_code == 403, answer.content[:500]
    assert snapshot() == before


# --- the roles that may ---------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "persona"), by_persona(ROUTES, lambda route: route.allowed))
def test_allowed_roles_get_the_page_or_go_where_the_action_lands(personas, world, route, persona):
    client = personas[persona]
    prepare(client, route, world)
    before = snapshot()
    answer = send(client, route, world)
    assert answer.status_code == route.ok, answer.content[:500]
    if route.ok == 302:
        assert answer["Location"] == route.goes_to(world)
    if route.writes:
        assert snapshot() != before, "the write changed nothing: the table's request is not a real one"
