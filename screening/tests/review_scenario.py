"""A screening that ends in "needs review", built through the services as the chat builds it.

Shared by the page, API, webhook and admin tests of the needs-review outcome.
"""

from screening import scoring, services
from screening.models import CandidateQuestion, Response
from vacancies.models import ScreeningQuestion
from vacancies.tests.factories import QuestionFactory

YEARS = "How many years of Python experience do you have?"
SALARY = "What monthly salary do you expect?"
WORK = "Are you allowed to work in Russia?"


def review_script(vacancy) -> list[ScreeningQuestion]:
    """At least 3 years (2 to 3 goes to review), a salary of at most 350 000 a month, allowed to work: yes."""
    kinds = ScreeningQuestion.Kind
    return [
        QuestionFactory(
            vacancy=vacancy,
            position=1,
            text=YEARS,
            kind=kinds.NUMBER,
            knockout="at_least",
            knockout_value="3",
            review_value="2",
            unit="years",
            weight=2,
        ),
        QuestionFactory(
            vacancy=vacancy,
            position=2,
            text=SALARY,
            kind=kinds.NUMBER,
            knockout="at_most",
            knockout_value="350000",
            unit="money_month",
        ),
        QuestionFactory(
            vacancy=vacancy, position=3, text=WORK, kind=kinds.YES_NO, knockout="must_equal", knockout_value="yes"
        ),
    ]


def answer_confirmed(*, response: Response, question: ScreeningQuestion, raw: str):
    """Answer as the chat does: the bot reads the value back, the candidate says yes, the reading is stored."""
    try:
        return services.response_submit_answer(response=response, question=question, raw=raw, read_back=True)
    except scoring.ReadBack as read_back:
        return services.response_submit_answer(
            response=response, question=question, raw=raw, reading=(read_back.value, read_back.how), confirmed=True
        )


def needs_review_response(response: Response, *, asked: bool = True) -> Response:
    """Screen ``response`` (its vacancy has ``review_script``) to "needs review" and return it finished.

    "2.5 years" falls in the years rule's review band; «300k» is read as 300 000 (a magnitude) and confirmed
    by the candidate; "No problem" is read as yes (an idiom). With ``asked``, the candidate asked the bot two
    questions: one answered from the company's answers, one it could not answer.
    """
    years, salary, work = response.vacancy.questions.order_by("position")
    services.response_start_chat(response=response)
    services.response_submit_answer(response=response, question=years, raw="2.5 years")
    answer_confirmed(response=response, question=salary, raw="300k")
    services.response_submit_answer(response=response, question=work, raw="No problem")
    if asked:
        CandidateQuestion.objects.create(
            response=response,
            text="Can I work <b>remotely</b>?",
            answered=True,
            answer="Yes, two days a week.",
            source=CandidateQuestion.Source.COMPANY_ANSWER,
            quote="Remote work: up to two days a week.",
        )
        CandidateQuestion.objects.create(response=response, text="Is there a gym?", answered=False)
    return services.response_finish(response=response)
