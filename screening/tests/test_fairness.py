"""The fairness pre-flight: the shipped pairs, the check with the builtin evaluator and with the fake LLM (a fair
and a biased model), the owner's acknowledgement and the publish gate."""

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from screening import ai, services
from screening.ai.fairness import PAIRS, fairness_pairs, neutral_answer
from screening.models import FairnessCheck, LLMCall
from screening.tests import fake_openai
from screening.tests.fake_evaluator import _PENALISED_RE
from vacancies.models import ScreeningQuestion, Vacancy
from vacancies.services import vacancy_publish
from vacancies.tests.factories import QuestionFactory, VacancyFactory

pytestmark = pytest.mark.django_db

Kind = ScreeningQuestion.Kind


def _vacancy(company, **fields) -> Vacancy:
    vacancy = VacancyFactory(
        company=company,
        status=Vacancy.Status.DRAFT,
        requirements="Python\nDjango\nPostgreSQL",
        **fields,
    )
    QuestionFactory(
        vacancy=vacancy,
        position=1,
        text="Have you used Django in production?",
        kind=Kind.YES_NO,
        knockout="must_equal",
        knockout_value="yes",
    )
    QuestionFactory(vacancy=vacancy, position=2, text="Tell us about a project you are proud of.", weight=2)
    return vacancy


def _pairs(language: str):
    answers = (ai.QA(question="Tell us about a project.", answer=neutral_answer(kind="text", language=language)),)
    return fairness_pairs(
        title="Python developer",
        description="Build our product.",
        requirements=["Python", "Django", "PostgreSQL"],
        answers=answers,
        language=language,
    )


# --- the shipped pairs (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_at_least_ten_pairs_in_both_languages_differ_only_by_their_marker(language):
    pairs = _pairs(language)
    assert len(pairs) >= 10
    assert {pair.spec.language for pair in pairs} >= {"en", "ru", "ru/en"}
    assert {pair.spec.kind for pair in pairs} == {"gender", "origin", "age", "caregiving", "language"}
    for pair in pairs:
        a, b = pair.a.data, pair.b.data
        assert (a.title, a.description, a.requirements, a.answers, a.language) == (
            b.title,
            b.description,
            b.requirements,
            b.answers,
            b.language,
        )
        assert a.language == language and a.rule_status == "passed"
        # Redacted as the model would read them: no name left, and the same lines but the marker's.
        ra = ai.prepare_input(a, pair.a.identity).resume.splitlines()
        rb = ai.prepare_input(b, pair.b.identity).resume.splitlines()
        assert ra[0] == rb[0] == "[NAME] [NAME]"
        if pair.spec.kind == "language":
            assert len(ra) == len(rb)
            continue
        assert len(set(ra) ^ set(rb)) <= 2, pair.spec.key
        # Every requirement is evidenced, word for word, in both.
        for requirement in a.requirements:
            assert any(requirement in line for line in ra) and any(requirement in line for line in rb)


def test_the_markers_survive_redaction_where_a_biased_model_would_see_them():
    by_key = {pair.spec.key: pair for pair in _pairs("en")}
    for key in ("gender_en", "gender_ru", "caregiving_en", "parental_en", "caregiving_ru"):
        pair = by_key[key]
        ra = ai.prepare_input(pair.a.data, pair.a.identity).resume
        rb = ai.prepare_input(pair.b.data, pair.b.identity).resume
        assert not _PENALISED_RE.search(ra), key
        assert _PENALISED_RE.search(rb), key
    age = by_key["age_en"]
    assert "1989" in ai.prepare_input(age.b.data, age.b.identity).resume  # a graduation year is not redacted


def test_pair_keys_are_unique():
    assert len({spec.key for spec in PAIRS}) == len(PAIRS)


def test_neutral_answers_pass_their_rules():
    assert neutral_answer(kind="yes_no", language="ru", knockout="must_equal", knockout_value="no") == "Нет"
    assert neutral_answer(kind="number", language="en", knockout="at_least", knockout_value="3") == "3"
    assert neutral_answer(kind="single_choice", language="en", options=["A", "B"], allowed_options=["B"]) == "B"


# --- the builtin evaluator ------------------------------------------------------------------------


def test_builtin_report_is_flat_and_publishing_is_not_gated(company, owner, no_llm, django_capture_on_commit_callbacks):
    vacancy = _vacancy(company)
    vacancy_publish(vacancy=vacancy, user=owner)  # no check needed
    with django_capture_on_commit_callbacks(execute=True):
        check = services.fairness_check_request(vacancy=vacancy, user=owner)
    check.refresh_from_db()
    assert check.status == FairnessCheck.Status.DONE, check.error
    assert check.evaluator == "builtin" and check.max_difference == 0
    assert len(check.results) == len(PAIRS)
    assert {row["difference"] for row in check.results} == {0}
    assert not check.over_threshold
    assert not LLMCall.objects.exists()


# --- the fake LLM: a fair and a biased model -------------------------------------------------------


def _run(vacancy, user, capture) -> FairnessCheck:
    with capture(execute=True):
        check = services.fairness_check_request(vacancy=vacancy, user=user)
    check.refresh_from_db()
    return check


def test_llm_publishing_needs_a_check(company, owner, fake_llm):
    vacancy = _vacancy(company)
    with pytest.raises(ValidationError) as refused:
        vacancy_publish(vacancy=vacancy, user=owner)
    assert refused.value.code == "fairness"
    assert services.fairness_url(vacancy=vacancy) in refused.value.messages[0]
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.DRAFT


def test_a_fair_model_is_within_the_threshold_and_may_publish(
    company, owner, fake_llm, settings, django_capture_on_commit_callbacks
):
    settings.AI_FAIRNESS_THRESHOLD = 5
    fake_llm.default = fake_openai.reading("faithful")
    vacancy = _vacancy(company)
    check = _run(vacancy, owner, django_capture_on_commit_callbacks)
    assert check.status == FairnessCheck.Status.DONE, check.error
    assert check.evaluator == "llm" and check.model
    assert check.max_difference <= 5 and not check.over_threshold
    assert LLMCall.objects.filter(purpose=LLMCall.Purpose.FAIRNESS).count() == 2 * len(PAIRS)
    vacancy_publish(vacancy=vacancy, user=owner)
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN


def test_a_biased_model_needs_the_owners_acknowledgement(
    company, owner, recruiter, fake_llm, settings, django_capture_on_commit_callbacks, caplog
):
    settings.AI_FAIRNESS_THRESHOLD = 5
    fake_llm.default = fake_openai.reading("biased")
    vacancy = _vacancy(company)
    check = _run(vacancy, recruiter, django_capture_on_commit_callbacks)
    assert check.status == FairnessCheck.Status.DONE, check.error
    assert check.over_threshold and check.threshold == 5
    rows = {row["pair"]: row for row in check.results}
    assert rows["gender_en"]["difference"] > 5 and rows["gender_ru"]["difference"] > 5
    # The report says what was swapped, in the resumes' own words.
    assert rows["gender_en"]["a"].startswith("James Miller: He led") and "She led" in rows["gender_en"]["b"]
    assert "1989" in rows["age_en"]["b"] and "parental leave" in rows["parental_en"]["b"]
    assert rows["caregiving_en"]["difference"] > 5
    assert rows["origin_en"]["difference"] == 0 and rows["age_en"]["difference"] == 0

    with pytest.raises(ValidationError) as refused:
        vacancy_publish(vacancy=vacancy, user=recruiter)
    assert refused.value.code == "fairness"
    assert "owner" in refused.value.messages[0]

    with pytest.raises(PermissionDenied):
        services.fairness_acknowledge(check=check, user=recruiter, note="Fine by me")
    # Nor may the recruiter re-run the check until a run comes out flat (a model's mood is not a fix).
    fake_llm.default = fake_openai.reading("faithful")
    with pytest.raises(PermissionDenied):
        services.fairness_check_request(vacancy=vacancy, user=recruiter)
    fake_llm.default = fake_openai.reading("biased")
    with pytest.raises(ValidationError) as no_note:
        services.fairness_acknowledge(check=check, user=owner, note="  ")
    assert "note" in no_note.value.message_dict
    with caplog.at_level(logging.WARNING, logger="screening.services.fairness"):
        services.fairness_acknowledge(check=check, user=owner, note="Reviewed with legal; we review every AI advice.")
    assert "acknowledged by user" in caplog.text
    check.refresh_from_db()
    assert check.acknowledged_by == owner and check.acknowledged_at is not None
    assert check.acknowledgement == "Reviewed with legal; we review every AI advice."

    vacancy_publish(vacancy=vacancy, user=recruiter)
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN


def test_a_changed_rubric_needs_a_new_check(company, owner, fake_llm, django_capture_on_commit_callbacks):
    fake_llm.default = fake_openai.reading("faithful")
    vacancy = _vacancy(company)
    key = services.fairness_key(vacancy=vacancy)
    _run(vacancy, owner, django_capture_on_commit_callbacks)
    vacancy.questions.filter(position=2).update(weight=5)
    assert services.fairness_key(vacancy=vacancy) != key
    with pytest.raises(ValidationError) as refused:
        vacancy_publish(vacancy=vacancy, user=owner)
    assert refused.value.code == "fairness"
    _run(vacancy, owner, django_capture_on_commit_callbacks)
    vacancy_publish(vacancy=vacancy, user=owner)


def test_a_pending_check_is_not_duplicated(company, owner, fake_llm, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # nothing runs: the check stays pending
    vacancy = _vacancy(company)
    first = services.fairness_check_request(vacancy=vacancy, user=owner)
    assert services.fairness_check_request(vacancy=vacancy, user=owner) == first
    assert FairnessCheck.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        vacancy_publish(vacancy=vacancy, user=owner)
    assert "still running" in refused.value.messages[0]


def test_a_failing_provider_fails_the_check_with_a_reason(company, owner, fake_llm, django_capture_on_commit_callbacks):
    fake_llm.default = fake_openai.server_error(500)
    vacancy = _vacancy(company)
    check = _run(vacancy, owner, django_capture_on_commit_callbacks)
    assert check.status == FairnessCheck.Status.FAILED
    assert "LLM provider" in check.error and check.finished_at is not None
    assert services.fairness_check_run(check_id=check.pk) is None  # only a pending check runs
    with pytest.raises(ValidationError):
        vacancy_publish(vacancy=vacancy, user=owner)


def test_acknowledging_a_check_within_the_threshold_is_refused(
    company, owner, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.default = fake_openai.reading("faithful")
    check = _run(_vacancy(company), owner, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        services.fairness_acknowledge(check=check, user=owner, note="Why not")
    assert refused.value.code == "conflict"
