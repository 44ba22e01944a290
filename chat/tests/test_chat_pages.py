"""The chat pages as the server renders them (what works without JavaScript, and what the scripts start from):
the question counter, multiple choice with one Send button, the recruiter's controls per state, and no inline
handlers or styles anywhere (the Content-Security-Policy refuses them)."""

import re

import pytest
from django.urls import reverse

from screening.models import ChatMessage, ChatSession

pytestmark = pytest.mark.django_db

# An attribute that runs script or sets a style inline: blocked by the CSP (script-src/style-src 'self').
INLINE = re.compile(r"<[^>]*\s(?:on[a-z]+|style)\s*=", re.IGNORECASE)


def _send(client, response, **data):
    return client.post(reverse("chat:fallback", args=[response.token]), {"client_id": data.pop("cid"), **data})


def _answer_up_to_the_multiple_choice(client, response):
    client.get(response.get_chat_url())
    _send(client, response, cid="a1", text="Moscow")
    _send(client, response, cid="a2", text="5")
    _send(client, response, cid="a3", text="yes")


def _chat(client, response) -> str:
    return client.get(response.get_chat_url()).content.decode()


def _element(body: str, marker: str) -> str:
    """The opening tag holding ``marker``."""
    match = re.search(rf"<[^>]*{re.escape(marker)}[^>]*>", body)
    assert match, marker
    return match.group(0)


def test_the_counter_sits_in_the_chat_and_says_which_question_is_asked(client, response):
    body = _chat(client, response)
    progress = body[body.index("data-progress") :]
    assert re.match(r"data-progress>\s*Question 1 of 5\s*</div>", progress)
    assert body.index("data-progress") < body.index("data-log")  # in the chat's head, not below the card
    assert 'data-t-progress="Question %(number)s of %(total)s"' in body
    _send(client, response, cid="a1", text="Moscow")
    assert re.search(r"data-progress>\s*Question 2 of 5\s*</div>", _chat(client, response))


def test_multiple_choice_is_boxes_in_the_message_form_with_one_send_button(client, response):
    _answer_up_to_the_multiple_choice(client, response)
    body = _chat(client, response)
    assert "Choose all that apply, then press Send." in body
    boxes = re.findall(r'<input type="checkbox" name="choices" value="([^"]+)" form="chat-form">', body)
    assert boxes == ["Django", "FastAPI", "Flask"]
    assert len(re.findall(r">\s*Send\s*</button>", body)) == 1
    # Without JavaScript the one Send button posts the ticked boxes.
    _send(client, response, cid="a4", text="", choices=["Django", "FastAPI"])
    assert ChatMessage.objects.filter(sender="candidate", text="Django, FastAPI").exists()
    assert "Tell us about a project you are proud of." in _chat(client, response)


def test_the_message_box_counts_towards_the_limit_and_loads_the_shared_socket_script_first(client, response):
    body = _chat(client, response)
    assert "Up to 4,000 characters." in body
    assert 'data-max-chars="4000"' in body
    assert "data-t-too-long=" in body
    scripts = re.findall(r'<script src="/static/js/([a-z-]+\.js)" defer></script>', body)
    assert scripts[-2:] == ["chat-socket.js", "chat.js"]


def test_a_finished_chat_has_no_counter_and_no_form(client, response):
    client.get(response.get_chat_url())
    for n, text in enumerate(["Moscow", "5", "yes"], start=1):
        _send(client, response, cid=f"a{n}", text=text)
    _send(client, response, cid="a4", choices=["Django"])
    _send(client, response, cid="a5", text="A bot.")
    body = _chat(client, response)
    assert "data-finished" in body and 'id="chat-form"' not in body
    assert "hidden" in _element(body, "data-progress")


def _controls(body: str) -> dict[str, bool]:
    """Which of the recruiter's controls the page shows (present and not hidden)."""
    shown = {}
    for action in ("takeover", "handback", "message"):
        match = re.search(rf'<form [^>]*data-action="{action}"[^>]*>', body)
        shown[action] = bool(match) and not re.search(r"\shidden[\s>]", match.group(0))
    return shown


def _response_page(client, response) -> str:
    return client.get(response.get_absolute_url()).content.decode()


def test_the_recruiter_controls_follow_the_state_of_the_chat(client, recruiter_client, response, recruiter, owner):
    client.get(response.get_chat_url())
    session = ChatSession.objects.get(response=response)
    bot_leads = _response_page(recruiter_client, response)
    assert _controls(bot_leads) == {"takeover": True, "handback": False, "message": False}
    assert "The bot leads the chat." in bot_leads

    session.taken_over_by = recruiter
    session.save()
    mine = _response_page(recruiter_client, response)
    assert _controls(mine) == {"takeover": False, "handback": True, "message": True}
    assert 'data-mine="1"' in mine and "You lead the chat; the bot is paused." in mine

    session.taken_over_by = owner
    session.save()
    theirs = _response_page(recruiter_client, response)
    assert _controls(theirs) == {"takeover": False, "handback": False, "message": False}
    assert "Olga leads the chat; the bot is paused." in theirs

    session.taken_over_by = None
    session.state = ChatSession.State.FINISHED
    session.save()
    finished = _response_page(recruiter_client, response)
    assert 'data-action="' not in finished and "The screening chat is finished." in finished


def test_a_viewer_sees_the_live_chat_without_controls(client, viewer_client, response):
    client.get(response.get_chat_url())
    body = _response_page(viewer_client, response)
    assert 'id="recruiter-chat"' in body and 'data-action="' not in body
    scripts = re.findall(r'<script src="/static/js/([a-z-]+\.js)" defer></script>', body)
    assert scripts.index("chat-socket.js") == scripts.index("recruiter-chat.js") - 1
    assert body.index("chat-socket.js") > body.index("</main>")  # in the page's scripts block, not the partial


def test_the_chat_pages_have_no_inline_handlers_or_styles(client, recruiter_client, response, vacancy):
    pages = {
        "vacancy": client.get(vacancy.get_public_url()).content.decode(),
        "careers": client.get(reverse("chat:careers", args=[vacancy.company.slug])).content.decode(),
        "chat": _chat(client, response),
        "response": _response_page(recruiter_client, response),
    }
    for name, body in pages.items():
        assert not INLINE.search(body), (name, INLINE.search(body).group(0))
