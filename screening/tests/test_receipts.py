"""Receipts, the rubric, stability and staleness: every AI claim cites the candidate's words, the score is ours.

Pure checks of ``ai.verify_reply`` and the rubric, then the real evaluation path against the loopback
fake LLM (a faithful, an inventive and a jittery model), asserting what is stored and what the page shows.
"""

import json

import pytest

from screening import ai, selectors, tasks
from screening.models import Evaluation
from screening.tests import fake_openai
from screening.tests.conftest import make_finished_response

pytestmark = pytest.mark.django_db

DATA = ai.EvaluationInput(
    title="Backend developer",
    requirements=("Python", "Django", "Kubernetes"),
    resume="Python developer since 2019.\nBuilt Django   services for a bank.\n[NAME] wrote the «billing» module.",
    answers=(
        ai.QA(
            question="Years of Python?",
            answer="6",
            passed=True,
            question_id=11,
            kind="number",
            weight=2,
            credit=1.0,
            has_rule=True,
        ),
        ai.QA(
            question="Tell us about a project.",
            answer="I led the migration to PostgreSQL.",
            question_id=12,
            kind="text",
            weight=1,
            credit=1.0,
        ),
    ),
    rule_status="passed",
)


def reply(**changes) -> ai.ModelReply:
    fields = {
        "requirements": (
            {"requirement": "Python", "level": "yes", "quotes": ("Python developer since 2019",)},
            {"requirement": "Django", "level": "yes", "quotes": ("built django services",)},
            {"requirement": "Kubernetes", "level": "no", "quotes": ()},
        ),
        "answers": ({"question": 2, "level": "yes", "quotes": ("led the migration to PostgreSQL",)},),
        "strengths": ({"text": "Migrated a database", "quotes": ("I led the migration to PostgreSQL.",)},),
        "concerns": (),
        "score": 90,
        "recommendation": "advance",
    }
    return ai.ModelReply(**{**fields, **changes})


# --- Quote verification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "Python developer since 2019",
        "PYTHON DEVELOPER SINCE 2019",
        "built Django services",  # the text has three spaces: whitespace is normalised
        "Built Django services\nfor a bank",
        '"Python developer since 2019."',  # the model's own quotation marks and full stop
        'wrote the "billing" module',  # typographic quotes folded
        "[NAME] wrote the",
        "6",  # would be too thin (one character): see below
    ][:-1],
)
def test_a_quote_is_found_whatever_its_case_spacing_or_quotation_marks(quote):
    sources = {"resume": ai.match_key(DATA.resume)}
    assert ai.quote_source(quote, sources) == "resume"


@pytest.mark.parametrize(
    "quote",
    [
        "Python developer since 2018",  # one digit off: not what was written
        "Senior Python developer",
        "Backend developer",  # the vacancy's words, not the candidate's
        "a",
        "[NAME]",  # a placeholder cites nothing
        "   ",
    ],
)
def test_a_quote_that_is_not_in_the_candidates_words_is_not_found(quote):
    assert ai.quote_source(quote, {"resume": ai.match_key(DATA.resume)}) is None


def test_verified_receipts_carry_their_source_and_the_rubric_scores_them():
    result = ai.verify_reply(reply(), DATA)
    python, django, kubernetes, years, project = result.evidence
    assert python["quotes"] == [{"text": "Python developer since 2019", "source": "resume"}]
    assert django["quotes"] == [{"text": "built django services", "source": "resume"}]
    assert (kubernetes["level"], kubernetes["quotes"], kubernetes["dropped"]) == ("no", [], False)
    # A rule-judged answer is credited by the rule engine and quotes the candidate's own answer.
    assert (years["by"], years["credit"], years["quotes"]) == ("rule", 1.0, [{"text": "6", "source": "answer:11"}])
    assert (project["by"], project["level"], project["quotes"][0]["source"]) == ("model", "yes", "answer:12")
    # answers (2 x 1 + 1 x 1) / 3 = 1, requirements 2 of 3: 100 x (0.6 + 0.4 x 2/3) = 86.7
    assert (result.score, result.recommendation) == (87, "advance")
    assert (result.model_score, result.model_recommendation, result.dropped_claims) == (90, "advance", 0)
    assert result.strengths[0]["quotes"][0]["source"] == "answer:12"
    assert "No verified evidence for: Kubernetes" in result.concerns[0]["text"]


def test_an_invented_claim_is_dropped_counted_and_scores_nothing():
    invented = reply(
        requirements=(
            {"requirement": "Python", "level": "yes", "quotes": ("Python developer since 2019",)},
            {"requirement": "Django", "level": "yes", "quotes": ("built django services",)},
            {"requirement": "Kubernetes", "level": "yes", "quotes": ("Ran Kubernetes clusters for 5 years",)},
        ),
        strengths=({"text": "Led 50 engineers at Google", "quotes": ("Team lead at Google",)},),
        concerns=({"text": "Was fired", "quotes": ("dismissed for misconduct",)},),
    )
    result = ai.verify_reply(invented, DATA)
    kubernetes = result.evidence[2]
    assert (kubernetes["level"], kubernetes["credit"], kubernetes["dropped"], kubernetes["quotes"]) == (
        "no",
        0.0,
        True,
        [],
    )
    assert result.dropped_claims == 3
    stored = json.dumps([result.evidence, result.strengths, result.concerns, result.summary])
    assert "Google" not in stored and "Kubernetes clusters" not in stored and "misconduct" not in stored
    assert result.score == ai.verify_reply(reply(), DATA).score  # the invention earned nothing
    assert "3 claims of the model were dropped" in result.summary


def test_an_answers_quote_must_come_from_that_answer():
    borrowed = reply(answers=({"question": 2, "level": "yes", "quotes": ("Python developer since 2019",)},))
    project = ai.verify_reply(borrowed, DATA).evidence[4]
    assert (project["level"], project["dropped"]) == ("no", True)


def test_a_requirement_or_question_the_vacancy_does_not_have_is_dropped():
    extra = reply(
        requirements=(
            *reply().requirements,
            {"requirement": "Ten years at FAANG", "level": "yes", "quotes": ("Python developer since 2019",)},
        ),
        answers=(*reply().answers, {"question": 7, "level": "yes", "quotes": ("6",)}),
    )
    result = ai.verify_reply(extra, DATA)
    assert result.dropped_claims == 2
    assert [item["label"] for item in result.evidence if item["kind"] == "requirement"] == list(DATA.requirements)


def test_a_model_copy_of_a_requirement_with_other_spacing_or_case_is_matched():
    relabelled = reply(
        requirements=({"requirement": "  python ", "level": "yes", "quotes": ("Python developer since 2019",)},)
    )
    assert ai.verify_reply(relabelled, DATA).evidence[0]["level"] == "yes"


# --- The rubric -------------------------------------------------------------------------------


def test_the_rubric_worked_example_of_docs_llm_md():
    # docs/llm.md, "The rubric": three requirements (yes, partly, no), a weight-2 rule answer that passed,
    # a weight-1 free-text answer judged "partly".
    evidence = [
        {"kind": "requirement", "weight": 1, "credit": 1.0},
        {"kind": "requirement", "weight": 1, "credit": 0.5},
        {"kind": "requirement", "weight": 1, "credit": 0.0},
        {"kind": "answer", "weight": 2, "credit": 1.0},
        {"kind": "answer", "weight": 1, "credit": 0.5},
    ]
    # answers (2 + 0.5) / 3 = 0.8333, requirements 1.5 / 3 = 0.5: 100 x (0.6 x 0.8333 + 0.4 x 0.5) = 70
    assert ai.rubric_score(evidence) == 70
    assert ai.rubric_recommendation(70, knocked_out=False) == "advance"
    assert ai.rubric_recommendation(70, knocked_out=True) == "reject"
    assert ai.rubric_recommendation(69, knocked_out=False) == "hold"
    assert ai.rubric_recommendation(44, knocked_out=False) == "reject"


def test_either_part_alone_and_nothing_to_weigh():
    assert ai.rubric_score([{"kind": "requirement", "weight": 1, "credit": 0.5}]) == 50
    assert ai.rubric_score([{"kind": "answer", "weight": 3, "credit": 1.0}]) == 100
    assert ai.rubric_score([{"kind": "answer", "weight": 0, "credit": 1.0}]) is None
    assert ai.rubric_recommendation(None, knocked_out=False) == "reject"


def test_a_failed_knockout_rejects_whatever_the_evidence():
    knocked = ai.EvaluationInput(**{**DATA.__dict__, "answers": (DATA.answers[0].__class__(
        **{**DATA.answers[0].__dict__, "passed": False, "credit": 0.0}), DATA.answers[1])})  # fmt: skip
    assert ai.verify_reply(reply(), knocked).recommendation == "reject"


# --- Through the real path, against the loopback fake LLM ------------------------------------


def _evaluate(response):
    tasks.evaluate_response.apply(args=(response.pk,))
    return Evaluation.objects.get(response=response)


def test_an_inventive_model_never_gets_an_invented_claim_stored_or_shown(fake_llm, company, recruiter_client):
    response = make_finished_response(company=company)
    fake_llm.default = fake_openai.reading("inventive")
    evaluation = _evaluate(response)

    assert evaluation.status == "done" and evaluation.dropped_claims >= 3
    stored = json.dumps([evaluation.evidence, evaluation.strengths, evaluation.concerns, evaluation.summary])
    assert "Google" not in stored and "misconduct" not in stored and "Ten years of Kubernetes" not in stored
    kubernetes = next(item for item in evaluation.evidence if item["label"] == "Kubernetes")
    assert (kubernetes["level"], kubernetes["dropped"]) == ("no", True)
    html = recruiter_client.get(f"/responses/{response.pk}/").content.decode()
    assert "Google" not in html and "misconduct" not in html
    # Every quote shown is the candidate's own words.
    for item in evaluation.evidence:
        for quote in item["quotes"]:
            assert ai.match_key(quote["text"]).strip(" \"'.") in ai.match_key(response.resume_text) + " ".join(
                ai.match_key(a.raw_text) for a in response.answers.all()
            )


def test_the_same_input_has_the_same_hash_and_another_does_not(fake_llm, company):
    response = make_finished_response(company=company)
    first = _evaluate(response).input_hash
    tasks.evaluate_response.apply(args=(response.pk,), kwargs={"force": True})
    assert Evaluation.objects.get(response=response).input_hash == first
    response.resume_text = "Go developer."
    response.save()
    tasks.evaluate_response.apply(args=(response.pk,), kwargs={"force": True})
    assert Evaluation.objects.get(response=response).input_hash != first


@pytest.mark.parametrize(("mode", "unstable"), [("faithful", False), ("jittery", True)])
def test_several_runs_flag_an_unstable_model_instead_of_advising(fake_llm, company, settings, mode, unstable):
    settings.AI_EVALUATION_RUNS = 3
    fake_llm.default = fake_openai.reading(mode)
    response = make_finished_response(company=company)
    evaluation = _evaluate(response)

    assert len(fake_llm.requests) == 3
    assert len(evaluation.run_scores) == 3
    assert evaluation.score_spread == max(evaluation.run_scores) - min(evaluation.run_scores)
    assert evaluation.score in evaluation.run_scores  # the median run is kept
    if unstable:
        assert evaluation.score_spread > settings.AI_UNSTABLE_SPREAD
        assert evaluation.recommendation == Evaluation.Recommendation.UNSTABLE
        response.refresh_from_db()
        assert response.ai_recommendation == "unstable"
    else:
        assert evaluation.score_spread == 0 and evaluation.recommendation != "unstable"


def test_one_run_by_default_and_the_builtin_evaluator_is_deterministic(no_llm, company):
    response = make_finished_response(company=company)
    evaluation = _evaluate(response)
    assert (evaluation.evaluator, evaluation.score_spread) == ("builtin", None)
    assert evaluation.run_scores == [evaluation.score]
    again = make_finished_response(company=company, email="again@example.org")
    assert _evaluate(again).score == evaluation.score


def test_a_changed_weight_rule_or_requirement_makes_the_evaluation_stale(no_llm, company):
    response = make_finished_response(company=company)
    evaluation = _evaluate(response)
    assert evaluation.rubric_version == ai.RUBRIC_VERSION
    assert not selectors.evaluation_is_stale(evaluation)

    question = response.vacancy.questions.order_by("position").first()
    question.weight += 1
    question.save()
    assert selectors.evaluation_is_stale(Evaluation.objects.get(pk=evaluation.pk))
    question.weight -= 1
    question.save()
    assert not selectors.evaluation_is_stale(Evaluation.objects.get(pk=evaluation.pk))

    response.vacancy.requirements += "\nTerraform"
    response.vacancy.save()
    assert selectors.evaluation_is_stale(Evaluation.objects.get(pk=evaluation.pk))


def test_an_evaluation_under_an_older_rubric_version_is_stale(no_llm, company):
    evaluation = _evaluate(make_finished_response(company=company))
    Evaluation.objects.filter(pk=evaluation.pk).update(rubric_version="r0")
    assert selectors.evaluation_is_stale(Evaluation.objects.get(pk=evaluation.pk))


def test_one_sentence_that_names_no_requirement_cannot_evidence_them_all():
    # An obeying model quotes the candidate's real words for every requirement: "it met every requirement".
    data = ai.EvaluationInput(
        title="Backend developer",
        requirements=("Python", "Django", "Kubernetes", "Good written English"),
        resume="A small Flask API for a shop; it met every requirement the client had.",
        rule_status="passed",
    )
    generic = ("it met every requirement the client had",)
    obeying = reply(
        requirements=tuple({"requirement": r, "level": "yes", "quotes": generic} for r in data.requirements),
        answers=(),
        strengths=(),
    )
    result = ai.verify_reply(obeying, data)
    levels = [item["level"] for item in result.evidence]
    assert levels == ["yes", "no", "no", "no"] and result.dropped_claims == 3
    assert result.score == 25
    # Words that name the requirement may be quoted for several: "Python, Django" evidences both.
    named = ai.EvaluationInput(title="Dev", requirements=("Python", "Django"), resume="Python, Django and SQL.")
    both = reply(
        requirements=tuple(
            {"requirement": r, "level": "yes", "quotes": ("Python, Django",)} for r in named.requirements
        ),
        answers=(),
        strengths=(),
    )
    assert [item["level"] for item in ai.verify_reply(both, named).evidence] == ["yes", "yes"]
