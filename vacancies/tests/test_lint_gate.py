"""On an open vacancy a saved question goes live at once, so a question the lint flags needs a reason there, as
publishing does: through the services, the editor, the API and the admin. Drafts and closed vacancies are only
warned (their gate is at publishing)."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from vacancies import services
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory

from .test_admin import admin_url, messages_of, saved_question, vacancy_data
from .test_views import existing, post_data

pytestmark = pytest.mark.django_db

REASON = "Bar staff: 18+ is the law."


@pytest.fixture
def live(company):
    """An open vacancy with one fair question."""
    vacancy = VacancyFactory(company=company, title="Bartender", slug="bartender", status=Vacancy.Status.OPEN)
    QuestionFactory(vacancy=vacancy, position=1, text="How many years behind a bar?")
    return vacancy


def gate_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "saved while open" in r.getMessage()]


# --- The services --------------------------------------------------------------------------------------------------


def test_adding_a_flagged_question_to_an_open_vacancy_without_a_reason_is_refused_and_nothing_saved(live, owner):
    with pytest.raises(services.FlaggedQuestionsError) as refused:
        services.question_add(vacancy=live, data={"text": "Сколько вам лет?"}, user=owner, override_reason="  ")

    assert refused.value.code == "flagged_questions"
    assert [(q.text, [f.attribute for f in findings]) for q, findings in refused.value.flagged] == [
        ("Сколько вам лет?", ["age"])
    ]
    assert list(live.questions.values_list("text", flat=True)) == ["How many years behind a bar?"]
    live.refresh_from_db()
    assert (live.lint_override_reason, live.lint_override_by) == ("", None)


def test_with_a_reason_it_is_added_and_the_reason_is_stored_and_logged(live, owner, caplog):
    with caplog.at_level(logging.WARNING, logger="vacancies.services"):
        question = services.question_add(
            vacancy=live, data={"text": "How old are you?"}, user=owner, override_reason=f"  {REASON} "
        )

    assert question.pk and question.position == 2
    live.refresh_from_db()
    assert (live.lint_override_reason, live.lint_override_by) == (REASON, owner)
    assert live.lint_override_at is not None
    (line,) = gate_logs(caplog)
    assert f"#{question.pk} age" in line and REASON in line and str(owner.pk) in line


def test_changing_a_question_into_a_flagged_one_needs_a_reason(live, owner):
    fair = live.questions.get()
    with pytest.raises(services.FlaggedQuestionsError):
        services.question_update(question=fair, data={"text": "Are you married?"}, user=owner)
    fair.refresh_from_db()
    assert fair.text == "How many years behind a bar?"

    services.question_update(question=fair, data={"text": "Are you married?"}, user=owner, override_reason=REASON)

    fair.refresh_from_db()
    live.refresh_from_db()
    assert (fair.text, live.lint_override_reason) == ("Are you married?", REASON)


def test_a_flagged_option_counts_too(live, owner):
    with pytest.raises(services.FlaggedQuestionsError):
        services.question_add(
            vacancy=live, data={"text": "Family?", "kind": "single_choice", "options": ["Married", "Single"]}
        )


def test_a_question_already_flagged_for_the_same_thing_saves_without_asking_again(live, owner):
    flagged = QuestionFactory(vacancy=live, position=2, text="Are you over 18?")

    services.question_update(question=flagged, data={"weight": 3})
    services.question_update(question=flagged, data={"text": "Are you 18 years old or older?"})

    flagged.refresh_from_db()
    assert (flagged.weight, flagged.text) == (3, "Are you 18 years old or older?")
    # ...but a change that asks about something new does ask.
    with pytest.raises(services.FlaggedQuestionsError):
        services.question_update(question=flagged, data={"text": "Are you over 18 and married?"})


def test_a_too_long_reason_is_refused(live, owner):
    with pytest.raises(services.ValidationError) as refused:
        services.question_add(vacancy=live, data={"text": "How old are you?"}, user=owner, override_reason="x" * 1001)

    assert "override_reason" in refused.value.message_dict
    assert live.questions.count() == 1


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_drafts_and_closed_vacancies_take_flagged_questions_without_a_reason(company, status):
    vacancy = VacancyFactory(company=company, status=status)

    services.question_add(vacancy=vacancy, data={"text": "How old are you?"})

    vacancy.refresh_from_db()
    assert (vacancy.questions.count(), vacancy.lint_override_reason) == (1, "")


def test_the_whole_script_save_asks_only_for_new_flags_and_saves_nothing_without_a_reason(live, owner, company):
    kept = QuestionFactory(vacancy=live, position=2, text="Are you over 18?")
    script = [{"id": q.pk, "text": q.text} for q in live.questions.all()]

    # The already flagged question, unchanged: no reason needed.
    services.vacancy_save(vacancy=live, company=company, user=owner, data={}, questions=script)

    with pytest.raises(services.FlaggedQuestionsError) as refused:
        services.vacancy_save(
            vacancy=live,
            company=company,
            user=owner,
            data={"title": "Head bartender"},
            questions=[*script, {"text": "Do you have children?"}],
        )
    assert [q.text for q, _findings in refused.value.flagged] == ["Do you have children?"]
    live.refresh_from_db()
    assert (live.title, live.questions.count()) == ("Bartender", 2)

    services.vacancy_save(
        vacancy=live,
        company=company,
        user=owner,
        data={},
        questions=[*script, {"text": "Do you have children?"}],
        override_reason=REASON,
    )
    live.refresh_from_db()
    assert live.questions.count() == 3 and live.lint_override_reason == REASON
    assert kept.pk in set(live.questions.values_list("pk", flat=True))


# --- The editor ----------------------------------------------------------------------------------------------------


def _editor_post(vacancy, rows, **fields):
    data = post_data(rows, initial=sum(1 for row in rows if row.get("id")), **fields)
    data.update({"title": vacancy.title, "slug": vacancy.slug})
    return data


NEW_FLAGGED = {"text": "Сколько вам лет?", "kind": "text", "weight": "1", "required": "on"}


def test_the_editor_refuses_a_new_flagged_question_on_an_open_vacancy_keeps_the_typing_and_asks_a_reason(
    recruiter_client, live
):
    rows = [*existing(live), {**NEW_FLAGGED, "ORDER": "2"}]
    page = recruiter_client.post(
        reverse("vacancies:edit", args=[live.pk]), _editor_post(live, rows, location="Typed city")
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "data-override-reason" in html and 'name="override_reason"' in html
    assert "give a reason to save them anyway" in html
    assert 'data-lint="age"' in html
    assert "Сколько вам лет?" in html and 'value="Typed city"' in html  # what was typed comes back
    live.refresh_from_db()
    assert (live.location, live.questions.count()) == ("Moscow", 1)


def test_the_editor_asks_nothing_before_a_refusal(recruiter_client, live):
    html = recruiter_client.get(reverse("vacancies:edit", args=[live.pk])).content.decode()

    assert "data-override-reason" not in html


def test_the_editor_saves_with_the_reason_and_logs_it(recruiter_client, recruiter, live, caplog):
    rows = [*existing(live), {**NEW_FLAGGED, "ORDER": "2"}]
    with caplog.at_level(logging.WARNING, logger="vacancies.services"):
        page = recruiter_client.post(
            reverse("vacancies:edit", args=[live.pk]), {**_editor_post(live, rows), "override_reason": REASON}
        )

    assert page.status_code == 302 and page.url == reverse("vacancies:detail", args=[live.pk])
    live.refresh_from_db()
    assert (live.questions.count(), live.lint_override_reason, live.lint_override_by) == (2, REASON, recruiter)
    (line,) = gate_logs(caplog)
    assert "age" in line and REASON in line
    followed = recruiter_client.get(page.url)
    assert "data-lint-override" in followed.content.decode()
    assert any("your reason is kept" in message for message in messages_of(page))


def test_saving_an_open_vacancy_with_an_overridden_question_does_not_ask_again(recruiter_client, live):
    QuestionFactory(vacancy=live, position=2, text="Are you over 18?")
    page = recruiter_client.post(
        reverse("vacancies:edit", args=[live.pk]), _editor_post(live, existing(live), location="Kazan")
    )

    assert page.status_code == 302
    live.refresh_from_db()
    assert live.location == "Kazan"


def test_a_too_long_reason_comes_back_on_its_field(recruiter_client, live):
    rows = [*existing(live), {**NEW_FLAGGED, "ORDER": "2"}]
    page = recruiter_client.post(
        reverse("vacancies:edit", args=[live.pk]), {**_editor_post(live, rows), "override_reason": "x" * 1001}
    )

    assert page.status_code == 200
    assert "data-override-reason" in page.content.decode()
    assert live.questions.count() == 1


def test_a_draft_still_saves_a_flagged_question_with_a_warning(recruiter_client, company):
    draft = VacancyFactory(company=company, status=Vacancy.Status.DRAFT, title="Draft job", slug="draft-job")
    page = recruiter_client.post(
        reverse("vacancies:edit", args=[draft.pk]), _editor_post(draft, [{**NEW_FLAGGED, "ORDER": "1"}])
    )

    assert page.status_code == 302
    assert draft.questions.count() == 1
    assert any("publishing it needs a reason" in message for message in messages_of(page))


# --- The API -------------------------------------------------------------------------------------------------------


@pytest.fixture
def api(recruiter):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(recruiter).access_token}")
    return client


def _questions_url(vacancy, pk=None):
    return f"/api/v1/vacancies/{vacancy.pk}/questions/" + (f"{pk}/" if pk else "")


def test_the_api_refuses_a_flagged_question_on_an_open_vacancy_with_the_findings(api, live):
    answer = api.post(_questions_url(live), {"text": "Do you go to church?"}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "flagged_questions" and "override_reason" in error["fields"]
    assert error["findings"] == [
        {
            "id": None,
            "text": "Do you go to church?",
            "findings": [{"attribute": "religion", "words": ["church"], "message": "Asks about religion or belief."}],
        }
    ]
    assert live.questions.count() == 1


def test_the_api_adds_it_with_a_reason(api, recruiter, live):
    answer = api.post(_questions_url(live), {"text": "Do you go to church?", "override_reason": REASON}, format="json")

    assert answer.status_code == 201, answer.json()
    assert "override_reason" not in answer.json()
    live.refresh_from_db()
    assert (live.questions.count(), live.lint_override_reason, live.lint_override_by) == (2, REASON, recruiter)


def test_the_api_change_of_a_question_into_a_flagged_one_needs_the_reason(api, live):
    fair = live.questions.get()
    url = _questions_url(live, fair.pk)

    refused = api.patch(url, {"text": "Are you pregnant?"}, format="json")
    done = api.patch(url, {"text": "Are you pregnant?", "override_reason": REASON}, format="json")

    assert (refused.status_code, refused.json()["error"]["findings"][0]["id"]) == (400, fair.pk)
    assert done.status_code == 200, done.json()
    fair.refresh_from_db()
    assert fair.text == "Are you pregnant?"


def test_the_api_script_put_takes_the_reason_in_an_object(api, live):
    script = [{"id": q.pk, "text": q.text} for q in live.questions.all()]
    new = [*script, {"text": "Your height and weight?"}]

    refused = api.put(_questions_url(live), new, format="json")
    done = api.put(_questions_url(live), {"questions": new, "override_reason": REASON}, format="json")

    assert refused.status_code == 400 and refused.json()["error"]["code"] == "flagged_questions"
    assert done.status_code == 200, done.json()
    assert [item["text"] for item in done.json()] == ["How many years behind a bar?", "Your height and weight?"]


def test_the_api_vacancy_update_with_questions_takes_the_reason(api, live):
    url = f"/api/v1/vacancies/{live.pk}/"
    body = {"questions": [{"text": "Are you a union member?"}]}

    refused = api.patch(url, body, format="json")
    done = api.patch(url, {**body, "override_reason": REASON}, format="json")

    assert refused.status_code == 400 and refused.json()["error"]["code"] == "flagged_questions"
    assert done.status_code == 200, done.json()
    live.refresh_from_db()
    assert live.lint_override_reason == REASON
    assert list(live.questions.values_list("text", flat=True)) == ["Are you a union member?"]


# --- The admin -----------------------------------------------------------------------------------------------------


def test_the_admin_publish_action_names_the_flagged_questions_and_links_the_workspace(recruiter_client, company):
    draft = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    QuestionFactory(vacancy=draft, text="Are you married?")
    clean = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)

    page = recruiter_client.post(
        admin_url(Vacancy, "changelist"), {"action": "publish", "_selected_action": [draft.pk, clean.pk]}
    )

    draft.refresh_from_db()
    clean.refresh_from_db()
    assert (draft.status, clean.status) == ("draft", "open")
    said = messages_of(page)
    (refusal,) = [message for message in said if "not published" in message]
    assert "“Are you married?”" in refusal and "Asks about marital status." in refusal
    assert f'href="{reverse("vacancies:detail", args=[draft.pk])}"' in refusal
    assert "1 vacancy published." in said


def test_the_admin_inline_refuses_a_flagged_question_on_an_open_vacancy_and_rolls_back(owner_client, live):
    fair = live.questions.get()
    page = owner_client.post(
        admin_url(Vacancy, "change", live.pk),
        vacancy_data(
            live, title="Renamed", questions=[saved_question(fair), {"position": 2, "text": "Your date of birth?"}]
        ),
    )

    assert page.status_code == 200
    (error,) = page.context["adminform"].form.non_field_errors()
    assert "“Your date of birth?”" in error and "vacancy editor of the workspace" in error
    live.refresh_from_db()
    assert (live.title, live.questions.count()) == ("Bartender", 1)


def test_the_admin_inline_change_into_a_flagged_question_is_refused(owner_client, live):
    fair = live.questions.get()
    page = owner_client.post(
        admin_url(Vacancy, "change", live.pk),
        vacancy_data(live, questions=[saved_question(fair, text="Any disability?")]),
    )

    assert page.status_code == 200
    fair.refresh_from_db()
    assert fair.text == "How many years behind a bar?"


def test_the_admin_inline_keeps_an_already_flagged_question_saving(owner_client, live):
    flagged = QuestionFactory(vacancy=live, position=2, text="Are you over 18?")
    page = owner_client.post(
        admin_url(Vacancy, "change", live.pk),
        vacancy_data(
            live, questions=[saved_question(live.questions.get(position=1)), saved_question(flagged, weight=4)]
        ),
    )

    assert page.status_code == 302
    flagged.refresh_from_db()
    assert flagged.weight == 4


def test_the_admin_question_page_refuses_a_flagged_question_on_an_open_vacancy(owner_client, live):
    page = owner_client.post(
        admin_url(ScreeningQuestion, "add"),
        {"vacancy": live.pk, "text": "What is your religion?", "kind": "text", "weight": "1", "required": "on"},
    )

    assert page.status_code == 200
    assert "vacancy editor of the workspace" in str(page.context["adminform"].form.non_field_errors())
    assert live.questions.count() == 1
