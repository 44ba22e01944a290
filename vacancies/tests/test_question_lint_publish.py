"""The question lint on the recruiter's side: warnings in the editor and on the vacancy page, and publishing a
vacancy with flagged questions only with a reason, which is stored and logged."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from vacancies import services
from vacancies.models import Vacancy
from vacancies.tests.factories import QuestionFactory, VacancyFactory

from .test_views import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(company):
    """A draft with one fair question and two that ask about age and family."""
    vacancy = VacancyFactory(company=company, title="Cashier", status=Vacancy.Status.DRAFT)
    QuestionFactory(vacancy=vacancy, position=1, text="How many years of retail experience?")
    QuestionFactory(vacancy=vacancy, position=2, text="Сколько вам лет?")
    QuestionFactory(vacancy=vacancy, position=3, text="Are you married?")
    return vacancy


def test_publishing_a_flagged_script_without_a_reason_is_refused_and_nothing_changes(flagged, owner):
    with pytest.raises(services.FlaggedQuestionsError) as refused:
        services.vacancy_publish(vacancy=flagged, user=owner, override_reason="   ")

    assert refused.value.code == "flagged_questions"
    assert [(q.text, [f.attribute for f in findings]) for q, findings in refused.value.flagged] == [
        ("Сколько вам лет?", ["age"]),
        ("Are you married?", ["marital_status"]),
    ]
    flagged.refresh_from_db()
    assert (flagged.status, flagged.published_at, flagged.lint_override_reason) == ("draft", None, "")


def test_publishing_with_a_reason_stores_who_why_and_when_and_logs_it(flagged, owner, caplog):
    with caplog.at_level(logging.WARNING, logger="vacancies.services"):
        services.vacancy_publish(vacancy=flagged, user=owner, override_reason="  Alcohol sales: 18+ by law.  ")

    flagged.refresh_from_db()
    assert flagged.status == "open"
    assert (flagged.lint_override_reason, flagged.lint_override_by) == ("Alcohol sales: 18+ by law.", owner)
    assert flagged.lint_override_at is not None
    (record,) = [r for r in caplog.records if "flagged questions" in r.getMessage()]
    assert "age" in record.getMessage() and "marital_status" in record.getMessage()
    assert "Alcohol sales" in record.getMessage() and str(owner.pk) in record.getMessage()


def test_a_too_long_reason_is_refused(flagged, owner):
    with pytest.raises(ValidationError) as refused:
        services.vacancy_publish(vacancy=flagged, user=owner, override_reason="x" * 1001)

    assert "override_reason" in refused.value.message_dict
    flagged.refresh_from_db()
    assert flagged.status == "draft"


def test_a_clean_script_publishes_without_a_reason_and_clears_an_old_override(company, owner):
    vacancy = VacancyFactory(
        company=company, status=Vacancy.Status.CLOSED, lint_override_reason="old", lint_override_by=owner
    )
    QuestionFactory(vacancy=vacancy, text="Есть ли у вас право на работу в РФ?")

    services.vacancy_publish(vacancy=vacancy, user=owner)

    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.lint_override_reason, vacancy.lint_override_by) == ("open", "", None)


# --- The pages -----------------------------------------------------------------------------------------------------


def test_the_vacancy_page_shows_the_findings_next_to_the_questions_and_asks_for_a_reason(owner_client, flagged):
    with translation.override("en"):
        html = owner_client.get(reverse("vacancies:detail", args=[flagged.pk])).content.decode()

    assert html.count("data-lint-findings") == 2
    assert 'data-lint="age"' in html and 'data-lint="marital_status"' in html
    assert "Asks about age or date of birth." in html and "“Сколько вам лет”" in html
    assert "data-publish-flagged" in html and 'name="override_reason"' in html


def test_a_clean_vacancy_page_has_no_warnings_and_a_plain_publish_button(owner_client, company):
    vacancy = VacancyFactory(company=company, status=Vacancy.Status.DRAFT)
    QuestionFactory(vacancy=vacancy, text="Готовы ли вы к командировкам?")

    html = owner_client.get(reverse("vacancies:detail", args=[vacancy.pk])).content.decode()

    assert "data-lint-findings" not in html and "data-publish-flagged" not in html


def test_a_viewer_sees_the_warnings_but_not_the_override_form(viewer_client, flagged):
    html = viewer_client.get(reverse("vacancies:detail", args=[flagged.pk])).content.decode()

    assert "data-lint-findings" in html and "data-publish-flagged" not in html


def test_publish_without_a_reason_is_refused_with_a_clear_error(recruiter_client, flagged):
    response = recruiter_client.post(reverse("vacancies:publish", args=[flagged.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("vacancies:detail", args=[flagged.pk])
    assert "give a reason to publish anyway" in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.status == "draft"


def test_publish_with_a_reason_opens_the_vacancy_and_the_page_shows_the_reason(recruiter_client, recruiter, flagged):
    response = recruiter_client.post(
        reverse("vacancies:publish", args=[flagged.pk]), {"override_reason": "Alcohol sales: 18+ by law."}, follow=True
    )

    flagged.refresh_from_db()
    assert (flagged.status, flagged.lint_override_by) == ("open", recruiter)
    html = response.content.decode()
    assert "data-lint-override" in html and "Alcohol sales: 18+ by law." in html


def test_the_editor_warns_next_to_a_flagged_question(owner_client, flagged):
    html = owner_client.get(reverse("vacancies:edit", args=[flagged.pk])).content.decode()

    assert html.count("data-lint-findings") == 2
    # The blank template for a new question carries no warning.
    template = html.split('<template id="question-template">')[1].split("</template>")[0]
    assert "data-lint-findings" not in template


def test_the_editor_warns_about_what_was_typed_when_the_form_comes_back(owner_client, company):
    data = post_data(
        [{"text": "Do you go to church?", "kind": "text", "weight": "1", "required": "on", "ORDER": "1"}],
        salary_from="300",
        salary_to="200",  # an error, so the page comes back with what was typed
    )

    html = owner_client.post(reverse("vacancies:create"), data).content.decode()

    assert 'data-lint="religion"' in html


def test_saving_a_flagged_question_says_publishing_will_need_a_reason(owner_client, company):
    data = post_data([{"text": "Ваш рост и вес?", "kind": "text", "weight": "1", "required": "on", "ORDER": "1"}])

    response = owner_client.post(reverse("vacancies:create"), data, follow=True)

    vacancy = Vacancy.objects.get(title="Data engineer")
    assert vacancy.questions.get().text == "Ваш рост и вес?"  # a warning, not an error: it is saved
    html = response.content.decode()
    assert "publishing it needs a reason" in html and 'data-lint="appearance"' in html
