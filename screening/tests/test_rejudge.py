"""Re-judging a question's past answers under its new rule: the preview of who flips, and the audited change."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from screening import services
from screening.models import Answer, Rejudge, Response, StatusChange, WebhookDelivery, WebhookEndpoint
from screening.rejudging import (
    VERDICT_FAIL,
    VERDICT_PASS,
    VERDICT_REVIEW,
    answer_judged_by,
    rule_fingerprint,
    rule_words,
)
from screening.tests.factories import ResponseFactory
from vacancies import services as vacancy_services
from vacancies.rules import rule_is_other, rule_snapshot
from vacancies.tests.factories import VacancyFactory, full_script

pytestmark = pytest.mark.django_db

STORY = "I built a payroll system for a bank in Django with a team of four people over two years."


@pytest.fixture
def vacancy(company, owner):
    vacancy = VacancyFactory(company=company, created_by=owner, title="Backend engineer", pass_threshold=50)
    full_script(vacancy)  # question 2: years of Python, at least 3, weight 2 (of 6)
    return vacancy


def _years(vacancy):
    return vacancy.questions.get(position=2)


def _screen(vacancy, name, years, *, city="Moscow"):
    """A screening finished through the services, as the chat runs it."""
    response = ResponseFactory(vacancy=vacancy, full_name=name)
    services.response_start_chat(response=response)
    raws = {1: city, 2: years, 3: "yes", 4: "Django", 5: STORY}
    for question in vacancy.questions.order_by("position"):
        services.response_submit_answer(response=response, question=question, raw=raws[question.position])
    return services.response_finish(response=response)


def _set_rule(question, **rule):
    return vacancy_services.question_update(question=question, data=rule)


def _by_name(rows):
    return {row.name: row for row in rows}


@pytest.fixture
def screened(vacancy, owner):
    """Five finished screenings judged by "at least 3 years", one of them shortlisted by a person."""
    people = {
        "Anna": _screen(vacancy, "Anna", "6"),
        "Boris": _screen(vacancy, "Boris", "4"),
        "Clara": _screen(vacancy, "Clara", "3"),
        "Denis": _screen(vacancy, "Denis", "2"),
        "Elena": _screen(vacancy, "Elena", "3"),
    }
    people["Elena"] = services.response_change_status(
        response=people["Elena"], to_status=Response.Status.SHORTLISTED, actor=owner
    )
    return people


def test_answers_remember_the_rule_they_were_judged_by(vacancy, screened):
    answer = Answer.objects.get(response=screened["Anna"], question=_years(vacancy))
    assert answer.rule == rule_snapshot(_years(vacancy))
    assert answer.rule["knockout_value"] == "3"


def test_nothing_to_rejudge_while_the_rule_is_the_one_answers_were_judged_by(vacancy, screened):
    preview = services.rejudge_preview(question=_years(vacancy))
    assert (preview.answers, preview.changes, preview.kept) == (0, [], [])


def test_tightening_a_rule_lists_pass_to_fail_pass_to_review_and_changed_reasons(vacancy, screened):
    assert {r.full_name: r.status for r in screened.values()} == {
        "Anna": "passed",
        "Boris": "passed",
        "Clara": "passed",
        "Denis": "rejected",
        "Elena": "shortlisted",
    }
    question = _set_rule(_years(vacancy), knockout_value="5", review_value="4")

    preview = services.rejudge_preview(question=question)

    assert preview.answers == 5
    assert preview.rules_before == [{**rule_snapshot(question), "knockout_value": "3", "review_value": ""}]
    changes = _by_name(preview.changes)
    assert set(changes) == {"Boris", "Clara", "Denis"}  # Anna's 6 years still pass: her outcome stays
    assert preview.unchanged == 1
    boris, clara, denis = changes["Boris"], changes["Clara"], changes["Denis"]
    assert (boris.before.status, boris.after.status) == ("passed", "needs_review")
    assert (boris.answer_before, boris.answer_after) == (VERDICT_PASS, VERDICT_REVIEW)
    assert (clara.before.status, clara.after.status) == ("passed", "rejected")
    assert (clara.answer_before, clara.answer_after) == (VERDICT_PASS, VERDICT_FAIL)
    assert clara.after.score < clara.before.score
    assert clara.after.reasons == (
        "How many years of Python experience do you have: answered “3”, must be at least 5.",
    )
    # Denis failed before and fails now: not a flip, but his reason quotes the new rule.
    assert (denis.before.status, denis.after.status, denis.flips) == ("rejected", "rejected", False)
    assert "must be at least 5" in denis.after.reasons[0]
    assert [row.name for row in preview.changes] == ["Boris", "Clara", "Denis"]  # flips first
    assert clara.words == "3"
    assert clara.rule_before_text == "must be at least 3"
    assert preview.rule_text == "must be at least 5; 4 to 5 goes to review"


def test_a_response_decided_by_a_person_is_listed_apart_with_its_status_kept(vacancy, screened):
    question = _set_rule(_years(vacancy), knockout_value="5")
    preview = services.rejudge_preview(question=question)
    [elena] = preview.kept
    assert (elena.name, elena.status, elena.decided) == ("Elena", "shortlisted", True)
    assert (elena.before.status, elena.after.status) == ("passed", "rejected")
    assert elena.status_after == "shortlisted"


def test_loosening_a_rule_lists_fail_to_pass(vacancy, screened):
    question = _set_rule(_years(vacancy), knockout_value="1")
    preview = services.rejudge_preview(question=question)
    [denis] = preview.changes
    assert (denis.name, denis.before.status, denis.after.status) == ("Denis", "rejected", "passed")
    assert (denis.answer_before, denis.answer_after) == (VERDICT_FAIL, VERDICT_PASS)
    assert denis.after.reasons == ()


def test_applying_writes_answers_outcomes_history_audit_and_webhooks(
    vacancy, screened, recruiter, receiver, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(company=vacancy.company, url=receiver.url, events=["response.status_changed"])
    question = _set_rule(_years(vacancy), knockout_value="5", review_value="4")
    preview = services.rejudge_preview(question=question)
    history_before = StatusChange.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        audit = services.rejudge_apply(question=question, actor=recruiter, fingerprint=preview.fingerprint)

    # The audit record.
    assert Rejudge.objects.get() == audit
    assert (audit.vacancy, audit.question, audit.actor) == (vacancy, question, recruiter)
    assert (audit.answers, audit.flipped) == (5, 4)
    assert audit.rule_after == rule_snapshot(question)
    assert audit.rule_before == preview.rules_before
    # Every answer is now judged by the current rule, with its verdict under it.
    answers = {a.response.full_name: a for a in Answer.objects.filter(question=question).select_related("response")}
    assert all(a.rule == rule_snapshot(question) for a in answers.values())
    assert (answers["Clara"].passed, answers["Clara"].points) == (False, 0)
    assert (answers["Boris"].passed, answers["Boris"].needs_review) == (None, True)
    assert (answers["Anna"].passed, answers["Anna"].points) == (True, 2)
    # The outcomes: screening statuses move, a person's decision stays, score and reasons follow.
    after = {r.full_name: r for r in Response.objects.filter(vacancy=vacancy)}
    assert {name: r.status for name, r in after.items()} == {
        "Anna": "passed",
        "Boris": "needs_review",
        "Clara": "rejected",
        "Denis": "rejected",
        "Elena": "shortlisted",
    }
    assert after["Clara"].rejection_reasons == list(_by_name(preview.changes)["Clara"].after.reasons)
    assert after["Boris"].review_reasons and not after["Boris"].rejection_reasons
    assert after["Elena"].rejection_reasons and after["Elena"].score == after["Clara"].score
    assert after["Anna"].updated_at == screened["Anna"].updated_at  # untouched
    # One history entry per changed response, by the actor.
    entries = StatusChange.objects.order_by("pk")[history_before:]
    assert {(e.response.full_name, e.from_status, e.to_status, e.actor) for e in entries} == {
        ("Boris", "passed", "needs_review", recruiter),
        ("Clara", "passed", "rejected", recruiter),
        ("Denis", "rejected", "rejected", recruiter),
        ("Elena", "shortlisted", "shortlisted", recruiter),
    }
    assert all(e.comment.startswith("Re-judged under the new rule: ") for e in entries)
    assert "must be at least 3 → must be at least 5; 4 to 5 goes to review" in entries[0].comment
    # The webhook for each response whose status changed (Boris, Clara), delivered to the receiver.
    deliveries = WebhookDelivery.objects.filter(event="response.status_changed")
    assert sorted(d.payload["data"]["response"]["id"] for d in deliveries) == sorted(
        [screened["Boris"].pk, screened["Clara"].pk]
    )
    assert {d.payload["data"]["response"]["status"] for d in deliveries} == {"needs_review", "rejected"}
    assert [r["headers"]["X-SmartBot-Event"] for r in receiver.requests] == ["response.status_changed"] * 2


def test_applying_twice_finds_nothing_the_second_time(vacancy, screened, owner):
    question = _set_rule(_years(vacancy), knockout_value="5")
    assert services.rejudge_apply(question=question, actor=owner) is not None
    history = StatusChange.objects.count()

    assert services.rejudge_apply(question=question, actor=owner) is None

    assert Rejudge.objects.count() == 1
    assert StatusChange.objects.count() == history
    preview = services.rejudge_preview(question=question)
    assert (preview.answers, preview.changes, preview.kept) == (0, [], [])


def test_a_rule_changed_since_the_preview_is_refused_and_nothing_is_written(vacancy, screened, owner):
    question = _set_rule(_years(vacancy), knockout_value="5")
    seen = services.rejudge_preview(question=question).fingerprint
    question = _set_rule(question, knockout_value="4")

    with pytest.raises(ValidationError) as refused:
        services.rejudge_apply(question=question, actor=owner, fingerprint=seen)

    assert refused.value.code == "conflict"
    assert not Rejudge.objects.exists()
    assert Answer.objects.filter(question=question, rule__knockout_value="3").count() == 5
    assert seen != rule_fingerprint(rule_snapshot(question))


def test_unfinished_and_erased_screenings_are_left_alone(vacancy, screened, owner):
    in_chat = ResponseFactory(vacancy=vacancy, full_name="Fedor")
    services.response_start_chat(response=in_chat)
    services.response_submit_answer(response=in_chat, question=_years(vacancy), raw="3")
    services.candidate_erase(candidate=screened["Clara"].candidate, reason="owner", actor=owner)
    question = _set_rule(_years(vacancy), knockout_value="5")

    preview = services.rejudge_preview(question=question)

    assert {row.name for row in (*preview.changes, *preview.kept)} == {"Boris", "Denis", "Elena"}
    assert preview.answers == 4


def test_answers_stored_before_rules_were_kept_are_rejudged(vacancy, screened):
    Answer.objects.filter(response=screened["Clara"]).update(rule={})
    preview = services.rejudge_preview(question=_years(vacancy))  # the rule did not change
    assert preview.answers == 1
    assert preview.rules_before == [{}]
    assert preview.changes == []  # judged the same way today: nothing changes, only the rule is recorded
    assert preview.unchanged == 1


def test_a_value_read_before_read_backs_that_now_fails_goes_to_review_not_rejection(vacancy, screened, owner):
    # Stored by the old reader: "since 2019" became 2019 years (it passed "at least 3").
    Answer.objects.filter(response=screened["Anna"], question=_years(vacancy)).update(
        raw_text="since 2019", value=2019.0, read_how="", rule={}
    )
    question = _set_rule(_years(vacancy), knockout="at_most", knockout_value="30")

    [anna] = [row for row in services.rejudge_preview(question=question).changes if row.name == "Anna"]

    assert (anna.answer_after, anna.after.status) == (VERDICT_REVIEW, "needs_review")
    assert "a person should decide" in anna.after.review_reasons[0]


def test_an_option_the_question_no_longer_has_goes_to_review(vacancy, screened):
    city = vacancy.questions.get(position=1)
    city = _set_rule(city, options=["Москва", "Saint Petersburg", "Kazan"], allowed_options=["Москва"])
    changes = _by_name(services.rejudge_preview(question=city).changes)
    assert changes["Anna"].answer_after == VERDICT_REVIEW
    assert changes["Anna"].after.status == "needs_review"


def test_a_number_read_in_years_is_judged_in_months_when_the_unit_changes(vacancy, screened):
    question = _set_rule(_years(vacancy), unit="years")
    services.rejudge_apply(question=question, actor=None)
    question = _set_rule(question, unit="months", knockout_value="36")  # the same three years
    preview = services.rejudge_preview(question=question)
    assert preview.answers == 5
    # Nobody flips; only Denis's reason (he failed either way) now speaks in months.
    [denis] = preview.changes
    assert (denis.name, denis.flips, preview.kept) == ("Denis", False, [])
    assert denis.after.reasons == (
        "How many years of Python experience do you have: “2” read as 24, must be at least 36.",
    )


def _bulk_screenings(vacancy, n, *, start):
    """``n`` finished screenings written in bulk, each answer judged by the vacancy's current rules."""
    questions = list(vacancy.questions.order_by("position"))
    responses = [
        ResponseFactory.build(vacancy=vacancy, full_name=f"P{start + i}", status="passed", score=92) for i in range(n)
    ]
    for response in responses:
        response.candidate.save()
        response.candidate_id = response.candidate.pk
        response.completed_at = timezone.now()
    Response.objects.bulk_create(responses)
    values = {1: "Moscow", 2: 4.0, 3: True, 4: ["Django"], 5: STORY}
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=q,
            raw_text=str(values[q.position]),
            value=values[q.position],
            read_how="literal",
            passed=True,
            rule=rule_snapshot(q),
            points=1,
        )
        for response in responses
        for q in questions
    )


@pytest.mark.parametrize("more", [0, 40])
def test_the_preview_runs_the_same_few_queries_however_many_responses(vacancy, more, django_assert_max_num_queries):
    _bulk_screenings(vacancy, 3 + more, start=0)
    question = _set_rule(_years(vacancy), knockout_value="5")
    question = type(question).objects.get(pk=question.pk)  # nothing cached
    with django_assert_max_num_queries(4):
        preview = services.rejudge_preview(question=question)
    assert len(preview.changes) == 3 + more


@pytest.mark.parametrize("more", [0, 40])
def test_applying_runs_the_same_few_queries_however_many_responses(vacancy, owner, more, django_assert_max_num_queries):
    _bulk_screenings(vacancy, 3 + more, start=0)
    question = _set_rule(_years(vacancy), knockout_value="5")
    # Locks (2), the four reads, one update per verdict, one per new status, the scores and reasons, the history,
    # the audit, the endpoints: the same 13 for 3 or 43 responses (batches of 500 rows).
    with django_assert_max_num_queries(13):
        audit = services.rejudge_apply(question=question, actor=owner)
    assert audit.flipped == 3 + more
    assert Response.objects.filter(vacancy=vacancy, status="rejected").count() == 3 + more


# --- the pure words and comparisons (screening.rejudging) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({}, "an earlier rule (not recorded)"),
        ({"kind": "text", "knockout": "", "knockout_value": "", "allowed_options": []}, "no rule"),
        ({"kind": "number", "knockout": "at_most", "knockout_value": "350000"}, "must be at most 350000"),
        ({"kind": "yes_no", "knockout": "must_equal", "knockout_value": "yes"}, "must be “yes”"),
        (
            {"kind": "single_choice", "knockout": "one_of", "allowed_options": ["Moscow", "Kazan"]},
            "must be one of: Moscow, Kazan",
        ),
    ],
)
def test_a_stored_rule_reads_as_the_vacancy_page_words_it(rule, words):
    assert rule_words(rule) == words


@pytest.mark.parametrize(
    ("stored", "other"),
    [
        ({}, True),  # not recorded: judged again
        ({"knockout": "at_least", "knockout_value": "3"}, False),  # a field added to snapshots later is no change
        ({"knockout": "at_least", "knockout_value": "2"}, True),
        ({"knockout": "at_least", "knockout_value": "3", "unit": "months"}, True),
    ],
)
def test_an_answer_is_judged_by_another_rule_only_when_a_field_it_kept_differs(stored, other):
    current = {"kind": "number", "knockout": "at_least", "knockout_value": "3", "unit": "years"}
    assert rule_is_other(stored, current) is other


def _answer(**fields):
    base = {"pk": 1, "response_id": 1, "question_id": 1, "raw_text": "4", "read_how": "literal"}
    return SimpleNamespace(**{**base, "needs_review": False, "points": 1.0, **fields})


def _question(**fields):
    base = {"pk": 1, "text": "Years?", "kind": "number", "options": [], "knockout": "at_least", "knockout_value": "5"}
    rest = {"allowed_options": [], "review_value": "", "unit": "", "aliases": {}, "weight": 1, "required": True}
    return SimpleNamespace(**{**base, **rest, **fields})


def test_an_old_verdict_names_its_rule_and_a_current_one_says_nothing():
    question = _question()
    old = {**rule_snapshot(question), "knockout_value": "3"}
    assert answer_judged_by(answer=_answer(value=4.0, passed=True, rule=old), question=question) == (
        "judged by: must be at least 3"
    )
    current = rule_snapshot(question)
    assert answer_judged_by(answer=_answer(value=6.0, passed=True, rule=current), question=question) == ""
    # Not recorded: said only when today's rule would judge it otherwise ("4 ✓" against "at least 5").
    assert answer_judged_by(answer=_answer(value=4.0, passed=True, rule={}), question=question) == (
        "judged by an earlier rule"
    )
    assert answer_judged_by(answer=_answer(value=6.0, passed=True, rule={}), question=question) == ""
