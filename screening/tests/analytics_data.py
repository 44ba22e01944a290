"""A seeded dataset whose analytics are known by construction (screening/tests/test_analytics.py).

One vacancy with three questions (q1 yes/no "must be yes", q2 number "at least 3", q3 free text) and eight
applications made on 10 March 2026 at noon, Moscow time:

    r1 applied only (web)
    r2 chat started, stopped at q1
    r3 answered q1 (after a clarification), stopped at q2
    r4 finished, failed q2, rejected by the screening (system change, no actor)
    r5 finished, passed; shortlisted after 1 h, interview after 2 h, then declined; AI advised "advance"
    r6 finished, passed; shortlisted after 30 min, hired after 3 h; AI advised "advance"
    r7 (API) finished, q2 went to review, needs review; AI advised "reject"
    r8 (API) finished, passed (q2 judged by an older rule, at least 2); declined after 90 min; AI advised "reject"
"""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from screening.models import Answer, ChatMessage, ChatSession, QuestionEvent, Response, StatusChange
from screening.tests.factories import ResponseFactory
from vacancies import rules
from vacancies.models import ScreeningQuestion
from vacancies.tests.factories import QuestionFactory, VacancyFactory

MOSCOW = ZoneInfo("Europe/Moscow")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)


def _at(seconds: float) -> datetime:
    return NOON + timedelta(seconds=seconds)


def make_response(vacancy, *, created=NOON, **fields) -> Response:
    response = ResponseFactory(vacancy=vacancy, **fields)
    Response.objects.filter(pk=response.pk).update(created_at=created)
    return response


def start_chat(response, *, finished_after: float | None = None) -> ChatSession:
    state = ChatSession.State.FINISHED if finished_after is not None else ChatSession.State.ACTIVE
    session = ChatSession.objects.create(response=response, state=state)
    ChatSession.objects.filter(pk=session.pk).update(
        started_at=NOON, finished_at=_at(finished_after) if finished_after is not None else None
    )
    return session


def ask(session, question, after: float) -> None:
    message = ChatMessage.objects.create(session=session, sender=ChatMessage.Sender.BOT, text="?", question=question)
    ChatMessage.objects.filter(pk=message.pk).update(created_at=_at(after))


def answer(response, question, *, after: float, passed=None, review=False, rule=None) -> None:
    row = Answer.objects.create(
        response=response,
        question=question,
        raw_text="x",
        passed=passed,
        needs_review=review,
        rule=rule if rule is not None else rules.rule_snapshot(question),
    )
    Answer.objects.filter(pk=row.pk).update(created_at=_at(after))


def decide(response, to_status, *, after: float, actor=None) -> None:
    change = StatusChange.objects.create(response=response, actor=actor, from_status="", to_status=to_status)
    StatusChange.objects.filter(pk=change.pk).update(created_at=_at(after))


def seed(company, actor) -> SimpleNamespace:
    """The eight applications above in a new vacancy of ``company``; ``actor`` makes the recruiters' decisions."""
    vacancy = VacancyFactory(company=company, title="Analyst")
    kinds = ScreeningQuestion.Kind
    q1 = QuestionFactory(vacancy=vacancy, position=1, kind=kinds.YES_NO, knockout="must_equal", knockout_value="yes")
    q2 = QuestionFactory(vacancy=vacancy, position=2, kind=kinds.NUMBER, knockout="at_least", knockout_value="3")
    q3 = QuestionFactory(vacancy=vacancy, position=3, kind=kinds.TEXT)
    older_q2_rule = rules.rule_snapshot(q2) | {"knockout_value": "2"}
    S = Response.Status

    make_response(vacancy)  # r1
    r2 = make_response(vacancy, status=S.IN_CHAT)
    ask(start_chat(r2), q1, 0)
    r3 = make_response(vacancy, status=S.IN_CHAT)
    chat = start_chat(r3)
    ask(chat, q1, 0)
    ask(chat, q1, 5)  # the clarification, asked again: the time counts from the first asking
    ask(chat, q2, 100)
    answer(r3, q1, after=10, passed=True)
    QuestionEvent.objects.bulk_create([QuestionEvent(question=q1, response=r3, kind="clarification")] * 2)

    finished = [
        (S.REJECTED, "web", ""),  # r4
        (S.PASSED, "web", "advance"),  # r5
        (S.PASSED, "web", "advance"),  # r6
        (S.NEEDS_REVIEW, "api", "reject"),  # r7
        (S.PASSED, "api", "reject"),  # r8
    ]
    made = []
    for index, (verdict, source, advice) in enumerate(finished):
        response = make_response(vacancy, status=verdict, source=source, ai_recommendation=advice)
        Response.objects.filter(pk=response.pk).update(completed_at=_at(400))
        chat = start_chat(response, finished_after=60 * (index + 1))  # 60 s ... 300 s: median 180
        ask(chat, q1, 0)
        ask(chat, q2, 100)
        answer(response, q1, after=20 + 10 * index, passed=True)  # with r3's 10 s: 10 ... 60 s, median 35
        q2_fields = {"passed": True}
        if verdict == S.REJECTED:
            q2_fields = {"passed": False}
        elif verdict == S.NEEDS_REVIEW:
            q2_fields = {"passed": None, "review": True}
        elif index == 4:
            q2_fields["rule"] = older_q2_rule
        answer(response, q2, after=110 + 10 * index, **q2_fields)  # 10 ... 50 s after the asking: median 30
        made.append(response)
    r4, r5, r6, r7, r8 = made
    ask(r4.chat, q3, 200)
    answer(r4, q3, after=300)
    ask(r5.chat, q3, 200)
    answer(r5, q3, after=400)  # q3: 100 s and 200 s, median 150
    for response in (r6, r7, r8):
        answer(response, q3, after=250)
    QuestionEvent.objects.create(question=q1, response=r4, kind="read_back")
    QuestionEvent.objects.create(question=q2, response=r5, kind="correction")
    QuestionEvent.objects.create(question=q2, response=r5, kind="read_back")
    QuestionEvent.objects.create(question=q2, response=r7, kind="review")  # not a rate of the report

    decide(r4, S.REJECTED, after=400)  # the screening's own: no actor
    decide(r5, S.SHORTLISTED, after=3600, actor=actor)
    decide(r5, S.INTERVIEW, after=7200, actor=actor)
    decide(r5, S.DECLINED, after=9000, actor=actor)
    Response.objects.filter(pk=r5.pk).update(status=S.DECLINED)
    decide(r6, S.SHORTLISTED, after=1800, actor=actor)
    decide(r6, S.HIRED, after=10800, actor=actor)
    Response.objects.filter(pk=r6.pk).update(status=S.HIRED)
    decide(r8, S.DECLINED, after=5400, actor=actor)
    Response.objects.filter(pk=r8.pk).update(status=S.DECLINED)
    return SimpleNamespace(vacancy=vacancy, q1=q1, q2=q2, q3=q3, r3=r3, r4=r4, r5=r5, r6=r6, r7=r7, r8=r8)
