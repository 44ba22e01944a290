"""The candidate's rights as services: withdraw, export, erase (walking every table and the storage), retention.

Project-level: it screens through the chat's own service (chat writes the transcript, screening erases it),
so it crosses the apps' arrows and lives outside them.
"""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from chat import services as chat_services
from screening import services
from screening.models import (
    Answer,
    BulkAction,
    BulkActionItem,
    Candidate,
    ChatMessage,
    ChatSession,
    Erasure,
    Evaluation,
    HumanRequest,
    Note,
    QuestionEvent,
    Response,
    StatusChange,
    Tag,
    WebhookEndpoint,
)
from screening.services import human, scheduling
from screening.tests.factories import BoardApplicationFactory, TelegramLinkFactory
from vacancies.models import Vacancy
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

# Every value of the person to be erased: none of these may survive anywhere (case-insensitive).
PERSON = {
    "full_name": "Zyxwa Qoppavich",
    "email": "Zyxwa.Qoppa@Example.org",
    "phone": "+7 912 345-67-89",
    "city": "Qoppagrad",
    "resume_text": "QOPPARESUME: Python developer, billing at Qoppa Ltd.",
}
# The person's Telegram account (user and private chat id): a number no other value of the world holds.
TELEGRAM_ID = 987654321012
SENTINELS = [
    "zyxwa", "qoppa", "+79123456789", "912 345-67-89", "qopparesume", "qoppaanswer", "qoppahidden", str(TELEGRAM_ID)
]  # fmt: skip
OTHER = {
    "full_name": "Boris Ivanov",
    "email": "boris@example.org",
    "phone": "+7 916 000-11-22",
    "city": "Kazan",
    "resume_text": "Go developer.",
}
OTHER_ANSWERS = ["Moscow", "3", "yes", "Django", "I wrote a Go proxy."]
ANSWERS = ["Moscow", "5", "yes", "Django", "I built QOPPAANSWER billing for Zyxwa's team."]


@pytest.fixture(autouse=True)
def _eager_retries(eager_retries):
    yield


def _apply(vacancy, person, **extra):
    response, created = services.candidate_apply(vacancy=vacancy, consent=True, ai_consent=True, **person, **extra)
    assert created
    return response


def _screen_in_chat(response, answers=ANSWERS):
    """Answer every question through the chat's own service, as the candidate's socket would."""
    ctx, _snapshot = chat_services.chat_open(response=response)
    for n, text in enumerate(answers):
        chat_services.chat_candidate_message(ctx=ctx, client_id=f"c{n}", text=text, choices=None)
    return Response.objects.get(pk=response.pk)


@pytest.fixture
def world(company, owner, receiver, django_capture_on_commit_callbacks):
    """Two applications of the person (one with a resume file and hidden text), one of someone else, all screened."""
    WebhookEndpoint.objects.create(company=company, url=receiver.url, events=[e.value for e in WebhookEndpoint.Event])
    first = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    second = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    full_script(first)
    full_script(second)
    with django_capture_on_commit_callbacks(execute=True):
        a = _apply(first, PERSON)
        b = _apply(
            second,
            {**PERSON, "full_name": "Zyxwa Q. Second"},
            resume_hidden_text="QOPPAHIDDEN keywords",
            resume_file=ContentFile(b"QOPPARESUME file body", name="zyxwa-qoppa-cv.txt"),
        )
        other = _apply(first, OTHER)
    for response, answers in ((a, ANSWERS), (b, ANSWERS), (other, OTHER_ANSWERS)):
        with django_capture_on_commit_callbacks(execute=True):
            _screen_in_chat(response, answers)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_change_status(
            response=a, to_status=Response.Status.SHORTLISTED, actor=owner, comment="Call Zyxwa on Monday"
        )
        services.response_add_note(response=a, author=owner, text="Zyxwa Qoppavich sounds great")
    # After the screening: an interview booked, and a request for a person in the candidate's own words.
    slot = scheduling.slot_create(
        vacancy=first, starts_at=timezone.now() + timedelta(days=3), time_zone="Europe/Moscow", created_by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.booking_create(response=a, slot_id=slot.pk, candidate_time_zone="Asia/Yekaterinburg")
        human.human_request_open(
            response=a, reason=HumanRequest.Reason.ASKED, text="Zyxwa Qoppavich wants a person, +7 912 345-67-89"
        )
    # What an LLM said about the person (the builtin evaluator ran; an LLM would quote the candidate).
    Evaluation.objects.filter(response=a).update(
        summary="Zyxwa has billing experience",
        strengths=[
            {"text": "QOPPAANSWER shows depth", "quotes": [{"text": "Qoppa", "source": "answer"}], "by": "model"}
        ],
        evidence=[{"q": "Qoppa"}],
    )
    # What the reading of answers kept: a review reason quoting the words, questions asked, per-question events.
    Response.objects.filter(pk=a.pk).update(review_reasons=["Years: “Zyxwa knows” could not be read as an answer"])
    services.candidate_question_reply(response=a, text="Zyxwa Qoppavich asks: where is the office? +7 912 345-67-89")
    services.candidate_question_reply(response=b, text="What is the salary?")
    QuestionEvent.objects.create(question=first.questions.first(), response=a, kind="review")
    # Working at volume: a tag on the application and a bulk action that went over it.
    tag = Tag.objects.create(company=company, name="Strong English")
    a.tags.add(tag)
    bulk = BulkAction.objects.create(
        company=company, user=owner, kind=BulkAction.Kind.TAG, params={"tag": tag.pk}, total=1, done=1
    )
    BulkActionItem.objects.create(bulk_action=bulk, response=a, done_at=timezone.now())
    # Channels (issue 16): the hh.ru response behind the second application, and the first one's Telegram thread.
    BoardApplicationFactory(
        response=b, negotiation_id="7770001", resume_id="qoppa0resume", resume_url="https://hh.ru/resume/qoppa0resume",
        external_state="response", invited_at=timezone.now(), invite_error="", writeback_error="Zyxwa: 503",
    )  # fmt: skip
    TelegramLinkFactory(response=a, user_id=TELEGRAM_ID, chat_id=TELEGRAM_ID, username="zyxwa_q")
    return {"a": a, "b": b, "other": other}


def _every_stored_value():
    """(table, column, text) for every character, text and JSON value of every model's table."""
    out = []
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.FileField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                if value not in (None, "", [], {}):
                    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                    out.append((model._meta.db_table, field.attname, text))
    return out


def _models_pointing_at(targets: set) -> set:
    """Every model with a chain of foreign keys (or one-to-ones) ending at one of ``targets``."""
    found = set(targets)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found:
                continue
            if any(
                f.is_relation and f.many_to_one | f.one_to_one and f.related_model in found
                for f in model._meta.concrete_fields
            ):
                found.add(model)
                changed = True
    return found


def test_erasure_leaves_no_value_of_the_person_in_any_table_or_the_storage(
    world, receiver, django_capture_on_commit_callbacks
):
    a, b, other = world["a"], world["b"], world["other"]
    stored = _every_stored_value()
    assert any("qoppa" in text.lower() for _t, _c, text in stored), "the world must hold the person's values first"
    file_name = Response.objects.get(pk=b.pk).resume_file.name
    assert default_storage.exists(file_name)
    # Every model that hangs off a candidate or an application has rows here, so the walk below covers them all.
    reachable = _models_pointing_at({Candidate, Response})
    assert {Answer, StatusChange, Note, Evaluation, ChatSession, ChatMessage} <= reachable
    empty = [m.__name__ for m in reachable if not m._default_manager.exists()]
    assert empty == [], f"add rows of {empty} to the world so the erasure test covers them"
    counts_before = {m: m._default_manager.count() for m in (Response, Candidate, Answer, StatusChange)}

    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.candidate_erase(candidate=a.candidate, reason=Erasure.Reason.CANDIDATE)

    leftovers = [
        (table, column, text[:80])
        for table, column, text in _every_stored_value()
        if any(s in text.lower() for s in SENTINELS)
    ]
    assert leftovers == []
    # Raw SQL too: a column the ORM hides (a deferred or unmanaged one) would still show here.
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                dump = " ".join(str(v) for v in row).lower()
                assert not any(s in dump for s in SENTINELS), table
    assert not default_storage.exists(file_name)
    # The tombstone keeps the counts and the funnel; the record says that it happened, not what.
    assert {m: m._default_manager.count() for m in counts_before} == counts_before
    assert set(Response.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        Response.Status.SHORTLISTED,
        b.__class__.objects.get(pk=b.pk).status,
    }
    assert Response.objects.filter(pk__in=[a.pk, b.pk], erased_at__isnull=False).count() == 2
    assert (erasure.applications, erasure.reason, erasure.candidate_id_erased) == (2, "candidate", a.candidate_id)
    # The other candidate is untouched.
    kept = Response.objects.get(pk=other.pk)
    assert (kept.full_name, kept.email, kept.resume_text) == (OTHER["full_name"], OTHER["email"], OTHER["resume_text"])
    assert ChatMessage.objects.filter(session__response=kept).exists()
    # Integrators are told, with ids only, in a signed event.
    erased_events = [r for r in receiver.requests if r["headers"]["X-SmartBot-Event"] == "candidate.erased"]
    assert len(erased_events) == 1
    body = json.loads(erased_events[0]["body"])
    assert body["data"] == {"candidate": {"id": a.candidate_id}, "responses": [{"id": a.pk}, {"id": b.pk}]}
    assert "X-SmartBot-Signature" in erased_events[0]["headers"]


def test_erasing_twice_gives_the_same_record(world):
    candidate = world["a"].candidate
    first = services.candidate_erase(candidate=candidate, reason=Erasure.Reason.OWNER)
    second = services.candidate_erase(candidate=Candidate.objects.get(pk=candidate.pk), reason=Erasure.Reason.OWNER)
    assert first.pk == second.pk and Erasure.objects.count() == 1


def test_an_erased_person_can_apply_again_as_a_new_candidate(world, company):
    services.candidate_erase(candidate=world["a"].candidate, reason=Erasure.Reason.CANDIDATE)
    again = _apply(world["a"].vacancy, PERSON)
    assert again.candidate_id != world["a"].candidate_id
    assert again.full_name == PERSON["full_name"]


def test_the_export_holds_every_application_with_answers_chat_consents_and_ai_advice(world):
    data = services.application_export(response=world["a"])
    assert data["email"] == "zyxwa.qoppa@example.org"
    assert [app["id"] for app in data["applications"]] == [world["a"].pk, world["b"].pk]
    first, second = data["applications"]
    assert first["submitted"]["full_name"] == PERSON["full_name"]
    assert second["submitted"]["full_name"] == "Zyxwa Q. Second"
    assert second["submitted"]["resume_hidden_text"] == "QOPPAHIDDEN keywords"
    assert first["submitted"]["phone_e164"] == "+79123456789"
    assert first["consents"]["screening"] and first["consents"]["ai_assisted_evaluation"]
    assert first["consents"]["talent_pool"] is None
    assert first["answers"][-1]["answer"] == ANSWERS[-1]
    assert any(m["from"] == "candidate" and "QOPPAANSWER" in m["text"] for m in first["chat"])
    assert first["ai_evaluations"][0]["summary"] == "Zyxwa has billing experience"
    # Recruiters' notes and comments may hold other people's data: not in the candidate's copy.
    assert "notes" not in first
    assert "Call Zyxwa" not in json.dumps(data) and "sounds great" not in json.dumps(data)
    json.dumps(data)  # JSON-ready
    # Nothing of anyone else.
    assert "Boris" not in json.dumps(data, ensure_ascii=False)


def test_withdrawing_records_history_and_a_second_withdrawal_is_a_conflict(world):
    from django.core.exceptions import ValidationError

    withdrawn = services.application_withdraw(response=world["b"])
    assert withdrawn.status == Response.Status.WITHDRAWN
    assert withdrawn.history.last().to_status == Response.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.application_withdraw(response=Response.objects.get(pk=world["b"].pk))


def test_without_ai_consent_no_evaluation_is_made(company, django_capture_on_commit_callbacks):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    full_script(vacancy)
    with django_capture_on_commit_callbacks(execute=True):
        response, _created = services.candidate_apply(vacancy=vacancy, consent=True, ai_consent=False, **OTHER)
    with django_capture_on_commit_callbacks(execute=True):
        _screen_in_chat(response, OTHER_ANSWERS)
    assert Response.objects.get(pk=response.pk).is_screening_finished
    assert not Evaluation.objects.filter(response=response).exists()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="did not agree"):
        services.evaluation_request(response=Response.objects.get(pk=response.pk), force=True)


def test_retention_erases_only_candidates_past_the_period(company, django_capture_on_commit_callbacks):
    company.retention_months = 12
    company.save()
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    old = _apply(vacancy, PERSON)
    recent = _apply(vacancy, OTHER)
    Response.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))
    Response.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - timedelta(days=350))
    upcoming = services.candidates_due_for_erasure(company=company, within=services.UPCOMING_ERASURE_WINDOW)
    assert {c.pk for c in upcoming} == {old.candidate_id, recent.candidate_id}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_enforce() == 1
    assert Response.objects.get(pk=old.pk).is_erased
    assert not Response.objects.get(pk=recent.pk).is_erased
    assert Erasure.objects.get().reason == Erasure.Reason.RETENTION
    assert services.retention_enforce() == 0  # idempotent


def test_retention_off_erases_nothing(company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    old = _apply(vacancy, PERSON)
    Response.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=4000))
    assert services.retention_enforce() == 0
    assert not services.candidates_due_for_erasure(company=company).exists()


def test_the_beat_schedule_runs_retention_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["enforce-retention"]
    assert entry["task"] == "screening.tasks.enforce_retention" and entry["schedule"] == 86400.0
    from screening import tasks

    assert tasks.enforce_retention.name == entry["task"]


def test_the_migration_copies_candidate_data_onto_each_application(transactional_db):
    """The data migration: an old candidate row's submitted data lands on every one of its applications."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("screening", "0003_webhook_url_public_only"), ("accounts", "0001_initial")])
    old_apps = executor.loader.project_state(
        [("screening", "0003_webhook_url_public_only"), ("accounts", "0001_initial")]
    ).apps
    OldCompany = old_apps.get_model("accounts", "Company")
    OldCandidate = old_apps.get_model("screening", "Candidate")
    OldVacancy = old_apps.get_model("vacancies", "Vacancy")
    OldResponse = old_apps.get_model("screening", "Response")
    company = OldCompany.objects.create(name="Old", slug="old")
    vacancy = OldVacancy.objects.create(company=company, title="Dev", slug="dev")
    when = timezone.now()
    candidate = OldCandidate.objects.create(
        company=company, full_name="Анна Old", email="anna@пример.рф", phone="8 900 123-45-67",
        city="Moscow", resume_text="Old resume", consent_at=when, consent_version="2026-11",
    )  # fmt: skip
    OldResponse.objects.create(vacancy=vacancy, candidate=candidate, token="t" * 43)
    call_command("migrate", verbosity=0)
    response = Response.objects.get(token="t" * 43)
    assert (response.full_name, response.email, response.phone, response.resume_text) == (
        "Анна Old",
        "anna@пример.рф",
        "8 900 123-45-67",
        "Old resume",
    )
    assert response.consent_at == when and response.ai_consent_at == when
    assert response.candidate.email == "anna@xn--e1afmkfd.xn--p1ai"


def test_an_erased_application_cannot_be_changed_noted_or_evaluated(world, owner):
    from django.core.exceptions import ValidationError

    services.candidate_erase(candidate=world["a"].candidate, reason=Erasure.Reason.OWNER)
    erased = Response.objects.get(pk=world["a"].pk)
    notes_before = Note.objects.filter(response=erased).count()
    with pytest.raises(ValidationError, match="erased"):
        services.response_change_status(response=erased, to_status=Response.Status.INTERVIEW, actor=owner)
    with pytest.raises(ValidationError, match="erased"):
        services.response_add_note(response=erased, author=owner, text="her new number +7 913 555-44-21")
    with pytest.raises(ValidationError, match="erased"):
        services.evaluation_request(response=erased, force=True)
    erased.refresh_from_db()
    assert erased.status == Response.Status.SHORTLISTED
    assert Note.objects.filter(response=erased).count() == notes_before == 0
    assert erased.talent_pool_consent_at is None and erased.ai_consent_at is None


# --- channels (issue 16) --------------------------------------------------------------------------------------


def test_the_export_holds_the_job_board_response_and_the_telegram_thread(world):
    first, second = services.application_export(response=world["a"])["applications"]
    assert first["telegram"]["username"] == "zyxwa_q" and first["telegram"]["user_id"] == TELEGRAM_ID
    assert first["telegram"]["bound_at"] and first["job_board"] is None
    board = second["job_board"]
    assert (board["board"], board["response_id"], board["resume_id"], board["state"]) == (
        "hh.ru",
        "7770001",
        "qoppa0resume",
        "response",
    )
    assert board["resume_url"] == "https://hh.ru/resume/qoppa0resume" and board["invited_to_screening_at"]
    assert second["telegram"] is None


def test_after_erasure_nothing_goes_to_hh_or_telegram_and_the_import_knows_the_response(world, fake_hh):
    from screening.models import BoardApplication, TelegramLink
    from screening.services.boards import board_writeback, board_writebacks_due
    from screening.services.privacy import board_negotiation_erased_key

    b = world["b"]
    BoardApplication.objects.filter(response=b).update(writeback_due_at=timezone.now() - timedelta(hours=1))
    services.candidate_erase(candidate=b.candidate, reason=Erasure.Reason.CANDIDATE)

    application = BoardApplication.objects.get(response=b)
    assert application.negotiation_id == board_negotiation_erased_key(
        connection_id=application.connection_id, negotiation_id="7770001"
    )
    assert (application.resume_id, application.resume_url, application.external_state) == ("", "", "")
    assert application.writeback_due_at is None and application.writeback_error == ""
    assert not TelegramLink.objects.filter(response__candidate=b.candidate).exists()
    # Nothing is due, and a write-back queued before the erasure finds the person gone.
    assert board_writebacks_due() == 0
    assert board_writeback(board_application_id=application.pk) == "gone"
    assert fake_hh.requests == []


def test_retention_erases_the_channels_the_same_way(company):
    company.retention_months = 12
    company.save()
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.OPEN)
    old = _apply(vacancy, PERSON)
    BoardApplicationFactory(response=old, resume_id="qoppa1", resume_url="https://hh.ru/resume/qoppa1")
    TelegramLinkFactory(response=old, user_id=TELEGRAM_ID)
    Response.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))

    assert services.retention_enforce() == 1
    from screening.models import BoardApplication, TelegramLink

    assert Response.objects.get(pk=old.pk).is_erased
    application = BoardApplication.objects.get(response=old)
    assert application.resume_id == "" and application.negotiation_id.startswith("erased:")
    assert not TelegramLink.objects.filter(response=old).exists()
