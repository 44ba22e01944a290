import factory

from screening.models import ChatMessage, ChatSession
from screening.tests.factories import ResponseFactory


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
