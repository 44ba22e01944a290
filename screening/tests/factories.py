import factory
from django.utils import timezone

from screening.models import (
    BoardApplication,
    BoardConnection,
    BoardVacancy,
    Candidate,
    ChatMessage,
    ChatSession,
    Response,
    TelegramBot,
    TelegramLink,
)
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


class BoardConnectionFactory(factory.django.DjangoModelFactory):
    """A company's connected hh.ru employer account (tokens are placeholders: no call is made with them)."""

    class Meta:
        model = BoardConnection

    company = factory.SubFactory("accounts.tests.factories.CompanyFactory")
    provider = "hh"
    account_id = factory.Sequence(lambda n: str(1000 + n))
    account_name = "Acme on hh.ru"
    access_token = "test-access-token"
    refresh_token = "test-refresh-token"


class BoardVacancyFactory(factory.django.DjangoModelFactory):
    """A SmartBot vacancy linked to a vacancy on the board of ``connection``."""

    class Meta:
        model = BoardVacancy

    connection = factory.SubFactory(BoardConnectionFactory)
    vacancy = factory.SubFactory(VacancyFactory, company=factory.SelfAttribute("..connection.company"))
    external_id = factory.Sequence(lambda n: str(90000 + n))
    external_name = "Python developer"


class BoardApplicationFactory(factory.django.DjangoModelFactory):
    """The hh.ru response (negotiation) behind ``response``; its connection is the response company's."""

    class Meta:
        model = BoardApplication

    response = factory.SubFactory(ResponseFactory, source="hh")
    connection = factory.LazyAttribute(
        lambda o: (
            BoardConnection.objects.filter(company_id=o.response.vacancy.company_id, provider="hh").first()
            or BoardConnectionFactory(company=o.response.vacancy.company)
        )
    )
    negotiation_id = factory.Sequence(lambda n: str(500000 + n))
    resume_id = factory.Sequence(lambda n: f"r{n:08x}")
    resume_url = factory.LazyAttribute(lambda o: f"https://hh.ru/resume/{o.resume_id}")
    external_state = "response"


class TelegramBotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelegramBot

    company = factory.SubFactory("accounts.tests.factories.CompanyFactory")
    token = factory.Sequence(lambda n: f"{100000 + n}:test-token")
    bot_id = factory.Sequence(lambda n: 100000 + n)
    username = factory.Sequence(lambda n: f"acme{n}_bot")


class TelegramLinkFactory(factory.django.DjangoModelFactory):
    """An application bound to a Telegram account (``chat_id`` = ``user_id``: a private chat)."""

    class Meta:
        model = TelegramLink

    response = factory.SubFactory(ResponseFactory)
    bot = factory.LazyAttribute(
        lambda o: (
            TelegramBot.objects.filter(company_id=o.response.vacancy.company_id).first()
            or TelegramBotFactory(company=o.response.vacancy.company)
        )
    )
    user_id = factory.Sequence(lambda n: 700000000 + n)
    chat_id = factory.SelfAttribute("user_id")
    username = factory.Sequence(lambda n: f"candidate{n}")
    bound_at = factory.LazyFunction(timezone.now)
