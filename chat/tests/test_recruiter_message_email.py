"""The recruiter's message email (``chat.services.after.recruiter_message_email``, the only sender of
``RECRUITER_MESSAGE``) fills the placeholders that email offers (``screening.emails.template_placeholders``), and
only those: the editor refuses the interview's ``{slot}`` there (screening/tests/test_email_placeholders.py)."""

import pytest

from chat.services.after import recruiter_message_email
from screening import emails
from screening.services.emails import template_save
from screening.tests.factories import ResponseFactory
from vacancies.tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def test_the_recruiters_message_fills_every_placeholder_its_email_offers(company, owner):
    offered = emails.template_placeholders("recruiter_message")
    assert "message" in offered and "slot" not in offered
    template_save(
        company=company,
        key="recruiter_message",
        language="en",
        subject="Note",
        body="\n\n".join(f"{name}=[{{{name}}}]" for name in offered),
        actor=owner,
    )
    vacancy = VacancyFactory(company=company, title="Python developer")
    anna = ResponseFactory(vacancy=vacancy, full_name="Anna Petrova", email="anna@example.org")
    row = recruiter_message_email(response=anna, text="Can you start in May?")
    for name in offered:
        assert f"{name}=[]" not in row.body_text, name
    assert "message=[Can you start in May?]" in row.body_text
    assert anna.get_chat_url() + "]" in row.body_text
