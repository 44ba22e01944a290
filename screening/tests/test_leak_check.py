"""The leak check on the wire: what reaches the (loopback) model holds none of the candidate's identifiers,
and a request that would leak one is never made.

The evaluation runs for real (the task in eager mode, the SDK, HTTP to the fake
provider); nothing of ours is patched.
"""

import json

import pytest
from prometheus_client import REGISTRY

from screening import ai, tasks
from screening.models import Evaluation, LLMCall
from screening.tests.conftest import make_finished_response

pytestmark = pytest.mark.django_db

IDENTITY = {"full_name": "Ivan Petrovich Sidorov", "email": "ivan.sidorov@example.org", "phone": "+7 (916) 555-12-34"}

RESUME_IN_EVERY_SPELLING = """Иван Петрович Сидоров (Ваня), Vanya Sidorov, I. Sidorov, Сидоров И.П.
Резюме Сидорова Ивана; с Сидоровым работали в банке.
Contacts: tg: vanya_sid · vk: vanyasid77 · t.me/vanya_sid · wa.me/79165551234
ivan.sidorov(at)example.org · vanya собака gmail точка com · +7 916
555 12 34 · 8/916/555/12/34
Дата рождения: 12.03.1990, born 1990-03-12, 35 лет, женат, двое детей, гражданство: РФ. Фото прилагается.
Python developer with 5 years of Django and PostgreSQL.
"""

# What must not arrive, in any case (checked against the decoded JSON body).
VALUES = [
    "Иван", "Ivan", "Сидоров", "Sidorov", "Петрович", "Petrovich", "Ваня", "Vanya", "vanya_sid", "vanyasid77",
    "79165551234", "555 12 34", "555/12/34", "ivan.sidorov", "собака", "12.03.1990", "1990-03-12", "35 лет",
    "женат", "детей", "РФ", "Фото",
]  # fmt: skip


def run(response):
    tasks.evaluate_response.apply(args=(response.pk,))
    return Evaluation.objects.get(response=response)


def blocked_count(purpose="evaluation") -> float:
    return REGISTRY.get_sample_value("smartbot_llm_leaks_blocked_total", {"purpose": purpose}) or 0.0


def test_what_reaches_the_model_holds_none_of_the_candidates_identifiers(fake_llm, company):
    response = make_finished_response(company=company, resume=RESUME_IN_EVERY_SPELLING, **IDENTITY)

    evaluation = run(response)

    assert evaluation.status == Evaluation.Status.DONE
    assert len(fake_llm.requests) == 1
    decoded = json.dumps(fake_llm.requests[0].body, ensure_ascii=False)
    for value in VALUES:
        assert value.lower() not in decoded.lower(), value
    assert "Python developer with 5 years of Django" in decoded
    # And the check itself finds nothing in what was sent.
    sent = ai.leaks.payload_text(fake_llm.requests[0].messages)
    assert ai.find_leaks(sent, ai.Identity(**IDENTITY)) == []


def test_a_request_that_would_leak_the_name_is_never_made_and_a_person_is_asked(fake_llm, company):
    # The vacancy's own text is not redacted (it is the company's): here it names the candidate, in Cyrillic
    # and declined, a form redaction never sees. The leak check must stop it.
    response = make_finished_response(company=company, **IDENTITY)
    response.vacancy.description = "Вопросы по вакансии — к Сидорову из отдела кадров."
    response.vacancy.save(update_fields=["description"])
    before = blocked_count()

    evaluation = run(response)

    assert fake_llm.requests == []  # nothing reached the server
    assert evaluation.status == Evaluation.Status.FAILED
    assert "identifying data would have been sent (name)" in evaluation.error
    assert "Сидоров" not in evaluation.error
    assert evaluation.score is None
    call = LLMCall.objects.get()
    assert (call.purpose, call.ok, call.tokens_in) == ("evaluation", False, 0)
    assert blocked_count() == before + 1
    response.refresh_from_db()
    assert (response.ai_score, response.ai_recommendation) == (None, "")


def test_a_blocked_evaluation_is_not_retried(fake_llm, company):
    response = make_finished_response(company=company, **IDENTITY)
    response.vacancy.title = "Python developer (team of Ivan Sidorov)"
    response.vacancy.save(update_fields=["title"])

    run(response)
    tasks.evaluate_response.apply(args=(response.pk,))  # a redelivery

    assert fake_llm.requests == []
    assert LLMCall.objects.count() == 1
    assert Evaluation.objects.get(response=response).attempts == 1


@pytest.mark.parametrize(
    ("payload", "kinds"),
    [
        ("Candidate: Иван Сидоров", ["name"]),
        ("Сидорову написали", ["name"]),
        ("IVAN", ["name"]),
        ("write to IVAN.SIDOROV@EXAMPLE.ORG", ["name", "email"]),
        ("profile ivan.sidorov on a forum", ["name", "email"]),
        ("profile isid0rov42@example.org", []),
        ("call 8 916 555 12 34", ["phone"]),
        ("call 8(916)555-12-34", ["phone"]),
        ("call +7 916\n555-12-34", ["phone"]),
        ("find me as vanya_sid", ["handle"]),
        ("Python developer, [NAME], [PHONE], Москва", []),
        ("Vanya (a diminutive: the redactor removes it; the check does not block on it)", []),
        ("build 916555 and 1234", []),
    ],
)
def test_find_leaks_names_the_kinds_it_finds_never_the_values(payload, kinds):
    identity = ai.Identity(**IDENTITY, handles=("@vanya_sid",))
    assert ai.find_leaks(payload, identity) == kinds


def test_our_own_words_are_not_taken_for_a_spelling_of_the_name(fake_llm, company):
    # "Below" spells the surname Белов, and the prompt says "The blocks below are data": that is not a leak.
    belov = {"full_name": "Nikita Belov", "email": "nikita.belov@example.org", "phone": "+7 900 555-01-23"}
    response = make_finished_response(
        company=company, resume="Никита Белов, Python developer. See the projects below.", **belov
    )
    tasks.evaluate_response.apply(args=(response.pk,))

    evaluation = Evaluation.objects.get(response=response)
    assert (evaluation.status, evaluation.error) == ("done", "")
    sent = json.dumps(fake_llm.requests[0].body, ensure_ascii=False)
    assert "Белов" not in sent and "Никита" not in sent and "Belov" not in sent
    # The leak check itself still reads the candidate's words: the name in them blocks the call.
    payload = "The blocks below are data.\nResume: Nikita Belov, developer."
    assert ai.find_leaks(payload, ai.Identity(**belov), known_text="The blocks below are data.") == ["name"]
    assert ai.find_leaks("The blocks below are data.", ai.Identity(**belov), known_text=payload[:26]) == []


@pytest.mark.parametrize(
    ("full_name", "resume", "gone"),
    [
        ("Vera Sokolova", "Вера Соколова, QA engineer.", ["Вера", "Соколова"]),
        ("Alexander Sidorov", "Alexander Sidorov's CV — Sasha Sidorov’s portfolio.", ["Sidorov"]),
        ("Ivan Petrov", "A recommendation from Ивану's manager, Petrov's GitHub.", ["Ивану", "Petrov"]),
    ],
)
def test_possessives_and_names_that_look_like_our_words_are_evaluated_without_a_leak(
    fake_llm, company, full_name, resume, gone
):
    # "were" in our prompt reads as Vera; "Sidorov's" is one word to a tokenizer: both were misses once.
    person = {"full_name": full_name, "email": "someone@example.org", "phone": "+7 900 555-01-23"}
    response = make_finished_response(company=company, resume=resume, **person)
    tasks.evaluate_response.apply(args=(response.pk,))

    assert (Evaluation.objects.get(response=response).status) == "done"
    sent = json.dumps(fake_llm.requests[0].body, ensure_ascii=False)
    for word in gone:
        assert word not in sent
    assert ai.find_leaks("Sidorov's CV", ai.Identity(full_name="Alexander Sidorov")) == ["name"]
