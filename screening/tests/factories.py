import factory
from django.utils import timezone

from screening.models import Candidate, ChatMessage, ChatSession, Response
from vacancies.tests.factories import VacancyFactory


class CandidateFactory(factory.django.DjangoModelFactory):
    """The company's profile of a person: only the normalised email that links their applications."""

    class Meta:
        model = Candidate

    company = factory.SubFactory("accounts.tests.factories.CompanyFactory")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")


class ResponseFactory(factory.django.DjangoModelFactory):
    """An application with its own copy of what the candidate submitted."""

    class Meta:
        model = Response

    vacancy = factory.SubFactory(VacancyFactory)
    candidate = factory.SubFactory(CandidateFactory, company=factory.SelfAttribute("..vacancy.company"))
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: o.candidate.email)
    phone = "+7 900 123-45-67"
    phone_e164 = "+79001234567"
    city = "Moscow"
    resume_text = "Python developer with 5 years of Django and PostgreSQL."
    consent_at = factory.LazyFunction(timezone.now)
    ai_consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-11-30"
    status = Response.Status.NEW
    # A response made with a screening status has that verdict, as response_finish would have stored it.
    screening_verdict = factory.LazyAttribute(
        lambda o: o.status if o.status in ("passed", "rejected", "needs_review") else ""
    )


class ChatSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSession

    response = factory.SubFactory(ResponseFactory)


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    session = factory.SubFactory(ChatSessionFactory)
    sender = ChatMessage.Sender.BOT
    text = "Hello"
